"""The document store locally, for real: a MongoDB wire-protocol server, the real processor, the
real analytics job.

``nx-27017`` (from PyPI: MongoDB's wire protocol over SQLite) stands in for DocumentDB on a free
port of 127.0.0.1; generated documents (a few malformed) go through ``functions.document_processor``
in Kinesis-shaped batches; the lake side is S3 and KMS from moto, with the objects then copied to
a local bronze directory where ``documents_analytics`` reads them on local Spark and writes its
results to gold and back into the store.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl.documents_generator import GeneratedRecord, generate_documents

REGION = "eu-west-1"
BUCKET = "lakehouse-local-raw"
DATABASE = "lakehouse"
SHARD = "shardId-000000000000"
FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800  # Kinesis-like


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DocumentServer:
    """``nx-27017`` in a subprocess on 127.0.0.1, its data in ``directory`` (so it survives a restart).

    ``stop()`` then ``start()`` is a store outage: same port, same data.
    """

    def __init__(self, directory: Path, port: int | None = None):
        self.directory, self.port = Path(directory), port or free_port()
        self._process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 20.0) -> DocumentServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nx_27017.nx_27017",
                "--data-dir",  # one SQLite file per database: databases are isolated, as in DocumentDB
                str(self.directory / "data"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-file",
                str(self.directory / "server.log"),
                "--pid-file",
                str(self.directory / "server.pid"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"nx-27017 exited with {self._process.returncode}; see {self.directory / 'server.log'}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nx-27017 did not listen on 127.0.0.1:{self.port} within {timeout}s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> DocumentServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def kinesis_event(
    records: Sequence[GeneratedRecord], first_sequence: int = FIRST_SEQUENCE, shard: str = SHARD
) -> dict[str, Any]:
    """The event Lambda hands a Kinesis consumer for ``records`` (consecutive sequence numbers)."""
    return {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventID": f"{shard}:{first_sequence + index}",
                "eventSourceARN": f"arn:aws:kinesis:{REGION}:123456789012:stream/lakehouse-local-documents",
                "awsRegion": REGION,
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record.key,
                    "sequenceNumber": str(first_sequence + index),
                    "data": base64.b64encode(record.data).decode("ascii"),
                    "approximateArrivalTimestamp": record.arrival.timestamp(),
                },
            }
            for index, record in enumerate(records)
        ]
    }


def kinesis_events(records: Sequence[GeneratedRecord], batch_size: int) -> list[dict[str, Any]]:
    """``records`` in consecutive batches, as Lambda polls one shard."""
    return [
        kinesis_event(records[start : start + batch_size], FIRST_SEQUENCE + start)
        for start in range(0, len(records), batch_size)
    ]


def msk_event(
    records: Sequence[GeneratedRecord], topic: str = "documents", partition: int = 0, first_offset: int = 0
) -> dict[str, Any]:
    """The event Lambda hands an MSK consumer for ``records`` of one topic partition."""
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": f"arn:aws:kafka:{REGION}:123456789012:cluster/lakehouse-local/abc",
        "bootstrapServers": "b-1.lakehouse-local.kafka.eu-west-1.amazonaws.com:9098",
        "records": {
            f"{topic}-{partition}": [
                {
                    "topic": topic,
                    "partition": partition,
                    "offset": first_offset + index,
                    "timestamp": int(record.arrival.timestamp() * 1000),
                    "timestampType": "CREATE_TIME",
                    "key": base64.b64encode(record.key.encode()).decode("ascii"),
                    "value": base64.b64encode(record.data).decode("ascii"),
                    "headers": [],
                }
                for index, record in enumerate(records)
            ]
        },
    }


def local_lake(s3: Any, kms: Any) -> tuple[str, str]:
    """The raw bucket and the stack key, in moto: (bucket, key ARN)."""
    key_arn = kms.create_key(Description="local stack key")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return BUCKET, key_arn


def copy_lake(s3: Any, bucket: str, bronze: Path) -> list[str]:
    """Copy every object of the bucket to ``bronze`` (same keys); returns the keys."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            target = bronze / item["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            keys.append(item["Key"])
    return sorted(keys)


def _older_batch(records: Sequence[GeneratedRecord], events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The first batch holding a document that a later batch updates: replaying it must change nothing."""
    updated = {key for key, count in Counter(r.key for r in records).items() if count > 1}
    return next(e for e in events if any(r["kinesis"]["partitionKey"] in updated for r in e["Records"]))


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(escape(str(value)) for value in row))
    return table


def run_documents(
    out: Path, console: Console, spark: Any = None, count: int = 120, batch_size: int = 25
) -> dict[str, Any]:
    """Documents through the real processor into the local store and the lake, analytics back into
    the store; prints what is where and returns the figures."""
    import boto3
    from moto import mock_aws
    from pymongo import MongoClient

    from etl.jobs import documents_analytics
    from etl.session import local_session
    from functions.document_processor.handler import Processor
    from functions.document_processor.store import ANALYTICS, DOCUMENTS, Store

    started = time.monotonic()
    if out.exists():
        shutil.rmtree(out)
    records = generate_documents(count)
    events = kinesis_events(records, batch_size)
    bronze = out / "lake"
    with DocumentServer(out / "store") as server:
        store = Store(lambda: MongoClient(server.uri, retryWrites=False), DATABASE)
        with mock_aws():
            s3 = boto3.client("s3", region_name=REGION)
            bucket, key_arn = local_lake(s3, boto3.client("kms", region_name=REGION))
            processor = Processor(store, s3, bucket, key_arn)
            summaries = [processor.process(event) for event in events]
            stored_before = list(store.db[DOCUMENTS].find({}, sort=[("_id", 1)]))
            replay = processor.process(_older_batch(records, events))  # a replay: nothing may change
            replay_changed = list(store.db[DOCUMENTS].find({}, sort=[("_id", 1)])) != stored_before
            keys = copy_lake(s3, bucket, bronze)
            encryption = s3.head_object(Bucket=bucket, Key=keys[0])
        by_type = {
            row["_id"]: row["n"]
            for row in store.db[DOCUMENTS].aggregate([{"$group": {"_id": "$doc_type", "n": {"$sum": 1}}}])
        }
        spark = spark or local_session(out / "warehouse")
        analytics = documents_analytics.run(spark, str(bronze), "gold", env={"DOCDB_URI": server.uri})
        in_store = {
            kind: store.db[ANALYTICS].count_documents({"kind": kind})
            for kind in (documents_analytics.DAILY, documents_analytics.FEATURES)
        }
        top = list(store.db[ANALYTICS].find({"kind": documents_analytics.FEATURES}, sort=[("view_count", -1)], limit=5))
        store.close()

    totals = {name: sum(s[name] for s in summaries) for name in ("records", "stored", "stale", "rejected")}
    reasons = [reason for s in summaries for reason in s["reasons"]]
    console.print(
        _table(
            f"processor: {len(events)} Kinesis batches of up to {batch_size}, then an older batch replayed",
            ["records", "stored", "stale", "rejected", "replay: stale documents", "replay changed the store"],
            [[*totals.values(), replay["stale"], "yes" if replay_changed else "no"]],
        )
    )
    console.print(_table("store: documents by type", ["doc_type", "documents"], sorted(by_type.items())))
    documents_keys = [k for k in keys if "/_errors/" not in k]
    console.print(
        _table(
            f"lake: {len(documents_keys)} objects under bronze/documents/, SSE {encryption['ServerSideEncryption']} "
            "with the stack key",
            ["rejected record", "reason"],
            [[index + 1, reason[:90]] for index, reason in enumerate(reasons)],
        )
    )
    daily = spark.sql("SELECT * FROM gold.documents_daily ORDER BY day, doc_type").collect()
    console.print(_table("gold.documents_daily", list(daily[0].asDict()), [list(row) for row in daily]))
    console.print(
        _table(
            f"store: analytics collection ({in_store[documents_analytics.DAILY]} daily, "
            f"{in_store[documents_analytics.FEATURES]} feature documents); most viewed",
            ["_id", "doc_type", "text_length", "tag_count", "view_count", "recency_days"],
            [
                [d["_id"], d["doc_type"], d["text_length"], d["tag_count"], d["view_count"], d["recency_days"]]
                for d in top
            ],
        )
    )
    return {
        **totals,
        "batches": len(events),
        "replay_changed": replay_changed,
        "replay_stale": replay["stale"],
        "store_by_type": by_type,
        "lake_objects": len(documents_keys),
        "error_objects": len(keys) - len(documents_keys),
        "encryption": (encryption["ServerSideEncryption"], encryption["SSEKMSKeyId"] == key_arn),
        "gold": {t["table"]: t["rows"] for t in analytics["tables"]},
        "analytics_in_store": in_store,
        "seconds": round(time.monotonic() - started, 1),
    }
