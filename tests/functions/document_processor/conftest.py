"""A real MongoDB wire-protocol server (nx-27017) for the module, a fresh database per test, and the
lake in moto (S3 + KMS)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pymongo import MongoClient

from etl.documents_generator import GeneratedRecord
from functions.document_processor.handler import Processor
from functions.document_processor.store import Store
from lakehouse.local.documents import REGION, DocumentServer, local_lake

T0 = datetime(2025, 11, 24, 23, 59, 58, tzinfo=UTC)


def record(document: dict[str, Any] | bytes, second: float = 0) -> GeneratedRecord:
    """A record arriving ``second`` seconds after T0 (23:59:58 UTC: 2 s later is the next day)."""
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return GeneratedRecord(data, "key", T0 + timedelta(seconds=second))


def store_for(server: DocumentServer, database: str, **options: Any) -> Store:
    """A store on ``server`` with fast retries (tests wait milliseconds, not seconds)."""
    timeout = options.pop("timeout_ms", 2000)
    options.setdefault("first_delay", 0.01)
    return Store(
        lambda: MongoClient(server.uri, retryWrites=False, serverSelectionTimeoutMS=timeout), database, **options
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[DocumentServer]:
    with DocumentServer(tmp_path_factory.mktemp("store")) as running:
        yield running


@pytest.fixture
def database() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(server, database) -> Iterator[Store]:
    opened = store_for(server, database)
    yield opened
    opened.close()


@dataclass
class Lake:
    s3: Any
    bucket: str
    key_arn: str

    def keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return sorted(item["Key"] for item in listed)

    def lines(self, key: str) -> list[dict[str, Any]]:
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()
        return [json.loads(line) for line in body.splitlines()]

    def bodies(self) -> dict[str, bytes]:
        return {key: self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read() for key in self.keys()}


@pytest.fixture
def lake() -> Iterator[Lake]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        bucket, key_arn = local_lake(s3, boto3.client("kms", region_name=REGION))
        yield Lake(s3, bucket, key_arn)


@pytest.fixture
def processor(store, lake) -> Processor:
    return Processor(store, lake.s3, lake.bucket, lake.key_arn)
