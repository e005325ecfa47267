"""The ingestion handler against moto S3 and KMS (the local raw zone), called with API Gateway events."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from functions.ingestion.handler import handler
from lakehouse.local.serve import LocalRawZone, api_event

# 2025-11-25T10:00:00.123Z, as API Gateway's requestContext.timeEpoch
RECEIVED_MS = 1_764_064_800_123


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def call(
    body: bytes | str | Any,
    content_type: str | None = "application/json",
    *,
    encode: bool = False,
    time_epoch: int = RECEIVED_MS,
) -> Answer:
    """POST /events through the handler; ``body`` that is not bytes or str is sent as JSON."""
    raw = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
    event = api_event("POST", "/events", "", {"Content-Type": content_type} if content_type else {}, raw)
    event["requestContext"]["timeEpoch"] = time_epoch
    if encode and raw:
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    answer = handler(event, None)
    return Answer(answer["statusCode"], json.loads(answer["body"]), answer["headers"])


@pytest.fixture
def zone():
    with LocalRawZone() as raw_zone:
        yield raw_zone


def stored_lines(zone: LocalRawZone) -> list[dict[str, Any]]:
    """Every stored record, in key order then line order."""
    return [json.loads(line) for key in zone.keys() for line in zone.read(key).decode().split("\n") if line]
