"""Generated input for the real-time paths: ingestion API requests and clickstream events.

Deterministic for a seed (one ``random.Random``, fixed times from ``BASE_TIME``), so that tests,
demos and benchmarks see the same data. Most of it is valid; a small share is invalid, with every
kind of fault at least once, each labelled with its kind so that a caller can check what was refused:

- ingestion: whole requests, each with the answer the API must give (202, or 400/413/415 for one
  bad record or a bad body), plus retries of accepted requests with the same event_ids (202, and
  no duplicate downstream);
- clickstream: the bytes a producer puts on the stream, with zone offsets other than UTC, events
  without a duration, replayed events (the stream delivers at least once) and invalid events.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

BASE_TIME = datetime(2025, 11, 25, tzinfo=UTC)
SPAN = timedelta(days=3)
SOURCES = ("iot_sensors", "web_orders", "mobile_app")
EVENT_TYPES = ("page_view", "button_click", "form_submit", "api_call")
_OFFSETS = (0, 0, 0, 330, -120, -480, 540, 60)  # minutes east of UTC
VALID, RETRY, REPLAY = "valid", "retry", "replay"
JSON_TYPE = "application/json"


# --- ingestion -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestionRequest:
    """One request to the ingestion API and the answer it must get."""

    kind: str  # VALID, RETRY, or the fault it carries
    body: bytes
    content_type: str
    expected_status: int
    records: int  # records in the body (0 when it is not a batch)


def _iot(rng: random.Random, moment: datetime) -> dict[str, Any]:
    return {
        "device_id": f"sensor_{rng.randint(1, 40):03d}",
        "temperature": round(rng.uniform(15, 30), 1),
        "humidity": rng.randint(30, 70),
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _order(rng: random.Random, moment: datetime) -> dict[str, Any]:
    return {
        "order_id": rng.randint(10_000, 99_999),
        "amount": round(rng.uniform(5, 500), 2),
        "currency": rng.choice(("USD", "EUR", "GBP")),
        "placed_at": moment.isoformat(),
    }


def _app(rng: random.Random, moment: datetime) -> dict[str, Any]:
    return {
        "screen": rng.choice(("home", "search", "cart", "profile")),
        "session_id": f"s-{rng.randint(1, 500)}",
        "latency_ms": rng.randint(20, 900),
        "at": moment.isoformat(),
    }


_PAYLOADS: dict[str, Callable[[random.Random, datetime], dict[str, Any]]] = {
    "iot_sensors": _iot,
    "web_orders": _order,
    "mobile_app": _app,
}


def _moment(rng: random.Random) -> datetime:
    return BASE_TIME + timedelta(milliseconds=rng.randrange(int(SPAN.total_seconds() * 1000)))


def ingestion_records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Valid records of every source; half carry a client event_id, as a careful producer's would."""
    rng = random.Random(seed)
    records = []
    for _ in range(count):
        source = rng.choice(SOURCES)
        record: dict[str, Any] = {"source": source, "data": _PAYLOADS[source](rng, _moment(rng))}
        if rng.random() < 0.5:
            record["event_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if rng.random() < 0.6:
            record["metadata"] = {"producer": f"{source}-gateway", "version": rng.choice(("1.0.0", "2.1.0"))}
        records.append(record)
    return records


# A fault in one record of an otherwise valid batch: the whole request is 400.
RECORD_FAULTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "missing_source": lambda r: {k: v for k, v in r.items() if k != "source"},
    "bad_source": lambda r: {**r, "source": "Web-Orders"},
    "source_not_string": lambda r: {**r, "source": 42},
    "missing_data": lambda r: {k: v for k, v in r.items() if k != "data"},
    "data_not_object": lambda r: {**r, "data": [1, 2, 3]},
    "metadata_not_object": lambda r: {**r, "metadata": "warehouse_a"},
    "bad_event_id": lambda r: {**r, "event_id": "has spaces in it"},
    "unknown_field": lambda r: {**r, "payload": {}},
    "record_not_object": lambda r: "just a string",
}
# A fault in the request itself.
REQUEST_FAULTS: dict[str, int] = {
    "not_json": 415,
    "wrong_content_type": 415,
    "empty_batch": 400,
    "too_many_records": 413,
    "record_too_large": 413,
}


def _faulty_request(kind: str, batch: list[dict[str, Any]], rng: random.Random) -> IngestionRequest:
    if kind in RECORD_FAULTS:
        records = list(batch)
        spot = rng.randrange(len(records))
        records[spot] = RECORD_FAULTS[kind](records[spot])
        return IngestionRequest(kind, json.dumps(records).encode(), JSON_TYPE, 400, len(records))
    if kind == "not_json":
        return IngestionRequest(kind, b"source=iot_sensors&temperature=22.5", JSON_TYPE, 415, 0)
    if kind == "wrong_content_type":
        return IngestionRequest(kind, json.dumps(batch).encode(), "text/plain", 415, len(batch))
    if kind == "empty_batch":
        return IngestionRequest(kind, b"[]", JSON_TYPE, 400, 0)
    if kind == "too_many_records":
        records = ingestion_records(501, seed=rng.randrange(2**31))
        return IngestionRequest(kind, json.dumps(records).encode(), JSON_TYPE, 413, len(records))
    large = {**batch[0], "data": {"blob": "x" * (300 * 1024)}}
    return IngestionRequest(kind, json.dumps([large]).encode(), JSON_TYPE, 413, 1)


def ingestion_requests(requests: int = 60, batch_size: int = 20, seed: int = 7) -> list[IngestionRequest]:
    """``requests`` requests: every fault once (at seeded places), two retries of accepted requests
    (same body, same event_ids), the rest valid: batches, and now and then a single record."""
    rng = random.Random(seed)
    faults = [*RECORD_FAULTS, *REQUEST_FAULTS]
    if requests < len(faults) + 3:
        raise ValueError(f"requests must be at least {len(faults) + 3} (every fault once, a valid batch, two retries)")
    kinds = [VALID] * (requests - len(faults) - 3) + faults
    rng.shuffle(kinds)
    kinds.insert(0, VALID)  # a retry needs an accepted request before it
    result: list[IngestionRequest] = []
    accepted: list[IngestionRequest] = []
    for index, kind in enumerate(kinds):
        batch = ingestion_records(batch_size, seed=seed * 100_003 + index)
        if kind == VALID:
            for record in batch:  # ids fixed before the first attempt, so that a retry is safe
                record.setdefault("event_id", str(uuid.UUID(int=rng.getrandbits(128), version=4)))
            body = batch[0] if rng.random() < 0.2 else batch  # some clients send one record, not an array
            records = 1 if body is batch[0] else len(batch)
            request = IngestionRequest(VALID, json.dumps(body).encode(), JSON_TYPE, 202, records)
            accepted.append(request)
        else:
            request = _faulty_request(kind, batch, rng)
        result.append(request)
    for original in rng.sample(accepted, 2):
        spot = rng.randint(result.index(original) + 1, len(result))
        result.insert(spot, IngestionRequest(RETRY, original.body, JSON_TYPE, 202, original.records))
    return result


# --- clickstream ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClickstreamEvent:
    """The bytes a producer puts on the stream, and what they are (VALID, REPLAY or the fault)."""

    kind: str
    payload: bytes
    user_id: str | None = None  # the partition key a producer uses


def _event_data(rng: random.Random, event_type: str) -> dict[str, Any]:
    if event_type == "page_view":
        return {"page": f"/page_{rng.randint(1, 30)}", "duration": rng.randint(200, 30_000), "success": True}
    if event_type == "button_click":  # no duration: duration_ms is NULL
        return {"button": rng.choice(("buy", "add_to_cart", "share")), "page": f"/page_{rng.randint(1, 30)}"}
    if event_type == "form_submit":
        return {"form": rng.choice(("signup", "checkout", "contact")), "success": rng.random() < 0.85}
    return {"endpoint": rng.choice(("/api/orders", "/api/search")), "duration": round(rng.uniform(5, 900), 1)}


def clickstream_event(rng: random.Random) -> dict[str, Any]:
    """One valid event, its time written in one of several zone offsets."""
    offset = timezone(timedelta(minutes=rng.choice(_OFFSETS)))
    moment = _moment(rng).astimezone(offset)
    text = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event_type = rng.choices(EVENT_TYPES, weights=(60, 20, 10, 10))[0]
    return {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "event_time": text,
        "user_id": f"user_{rng.randint(1, 200)}",
        "event_type": event_type,
        "event_data": _event_data(rng, event_type),
    }


CLICKSTREAM_FAULTS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "not_json": lambda e: b"page_view user_42 /page_7",
    "not_utf8": lambda e: b'{"event_id": "\xff\xfe"}',
    "not_object": lambda e: json.dumps([e]).encode(),
    "missing_event_id": lambda e: json.dumps({k: v for k, v in e.items() if k != "event_id"}).encode(),
    "missing_event_time": lambda e: json.dumps({k: v for k, v in e.items() if k != "event_time"}).encode(),
    "event_time_without_zone": lambda e: json.dumps({**e, "event_time": "2025-11-25T10:00:00"}).encode(),
    "event_time_not_a_time": lambda e: json.dumps({**e, "event_time": "yesterday"}).encode(),
    "empty_user_id": lambda e: json.dumps({**e, "user_id": ""}).encode(),
    "unknown_event_type": lambda e: json.dumps({**e, "event_type": "scroll"}).encode(),
    "event_data_not_object": lambda e: json.dumps({**e, "event_data": "page=/page_7"}).encode(),
}


def clickstream_events(
    count: int = 2000, seed: int = 7, invalid_share: float = 0.02, replay_share: float = 0.01
) -> list[ClickstreamEvent]:
    """``count`` events: every fault at least once when ``invalid_share`` > 0, some replays, the rest valid."""
    rng = random.Random(seed)
    faults = list(CLICKSTREAM_FAULTS)
    invalid = 0 if invalid_share <= 0 else max(len(faults), round(count * invalid_share))
    replays = round(count * replay_share)
    if invalid + replays >= count:
        raise ValueError(f"count {count} leaves no room for valid events ({invalid} invalid, {replays} replays)")
    kinds = (
        [VALID] * (count - invalid - replays) + [faults[i % len(faults)] for i in range(invalid)] + [REPLAY] * replays
    )
    rng.shuffle(kinds)
    result: list[ClickstreamEvent] = []
    sent: list[ClickstreamEvent] = []
    for kind in kinds:
        if kind == REPLAY and sent:
            original = rng.choice(sent)
            result.append(ClickstreamEvent(REPLAY, original.payload, original.user_id))
            continue
        event = clickstream_event(rng)
        if kind in CLICKSTREAM_FAULTS:
            result.append(ClickstreamEvent(kind, CLICKSTREAM_FAULTS[kind](event), event["user_id"]))
        else:
            sent.append(ClickstreamEvent(VALID, json.dumps(event).encode(), event["user_id"]))
            result.append(sent[-1])
    return result
