"""Synthetic documents for the document store: the seed's CMS documents, IoT sensor readings and
customer events, later versions of some CMS documents (more views, more tags), and a few malformed
records of each kind the processor must set aside.

Deterministic for a seed (one ``random.Random``, fixed clock), so tests and demos see the same data.
Records arrive over three days, one every ``ARRIVAL_STEP``, so per-day analytics have several days.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2025, 11, 24, 8, 0, tzinfo=UTC)
DAYS = 3
TAGS = ["analytics", "platform", "guide", "release", "security", "howto", "iot", "pricing"]
CATEGORIES = ["documentation", "blog", "news"]
WORDS = "lake data stream document index query store schema event sensor customer model feature".split()
SENSOR_TYPES = ["environmental", "motion", "power"]
EVENT_TYPES = ["page_view", "button_click", "form_submit", "api_call"]
# One of each way a record can be unusable, with the reason the processor gives (checked by tests).
MALFORMED: tuple[tuple[bytes, str], ...] = (
    (b'{"_id": "cms-broken", "doc_type": "cms_document", ', "not JSON"),
    (b'[{"_id": "in-an-array", "doc_type": "cms_document"}]', "document must be a JSON object, got list"),
    (b'{"_id": "no-type", "title": "missing doc_type"}', "doc_type: required"),
    (b'{"doc_type": "cms_document", "title": "no id"}', "_id or id: required"),
    (b'{"_id": "bad-type", "doc_type": "Sensor Reading!"}', "doc_type must match"),
)


@dataclass(frozen=True)
class GeneratedRecord:
    """One record as a producer sends it: its bytes, partition key and arrival time."""

    data: bytes
    key: str
    arrival: datetime


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _cms(rng: random.Random, index: int, created: datetime) -> dict[str, Any]:
    return {
        "_id": f"cms-{index:04d}",
        "doc_type": "cms_document",
        "title": _sentence(rng, 4),
        "content": " ".join(_sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 6))),
        "category": rng.choice(CATEGORIES),
        "metadata": {
            "author": rng.choice(["data-team", "platform-team", "docs-team"]),
            "created_at": (created - timedelta(days=rng.randint(0, 400))).date().isoformat(),
            "tags": rng.sample(TAGS, rng.randint(0, 4)),
        },
        "analytics": {"views": rng.randint(0, 500), "popularity_score": round(rng.random(), 3)},
    }


def _sensor(rng: random.Random, index: int, at: datetime) -> dict[str, Any]:
    kind = rng.choice(SENSOR_TYPES)
    readings: dict[str, Any] = {"temperature": round(rng.uniform(18, 28), 1), "humidity": round(rng.uniform(30, 60), 1)}
    if kind == "motion":
        readings["motion"] = rng.random() < 0.3  # flexible schema: fields only some sensors have
    if kind == "power":
        readings["watts"] = rng.randint(50, 900)
    return {
        "id": f"sensor-{index % 7:03d}-{index:05d}",
        "doc_type": "sensor_reading",
        "device_id": f"sensor-{index % 7:03d}",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "location": {"building": "HQ", "floor": rng.randint(1, 5), "room": rng.choice(["lab", "hall", "office"])},
        "readings": readings,
        "metadata": {"sensor_type": kind, "firmware_version": "1.2.3", "battery_level": rng.randint(10, 100)},
    }


def _customer_event(rng: random.Random, index: int, at: datetime) -> dict[str, Any]:
    return {
        "id": 100_000 + index,  # an integer id: stored as its decimal string
        "doc_type": "customer_event",
        "customer_id": f"cust-{rng.randint(1, 40):05d}",
        "session_id": f"sess-{rng.randint(1, 90):04d}",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "event_type": rng.choice(EVENT_TYPES),
        "page_data": {"url": f"/products/{rng.randint(1, 12)}", "duration_seconds": rng.randint(1, 300)},
        "analytics": {"customer_segment": rng.choice(["smb", "enterprise"]), "predicted_conversion": rng.random()},
    }


def generate_documents(count: int = 120, seed: int = 7, update_share: float = 0.2) -> list[GeneratedRecord]:
    """``count`` documents (CMS, sensor, customer event in turn), then later versions of about
    ``update_share`` of the CMS documents, with the malformed records spread among them."""
    rng = random.Random(seed)
    total = count + int(count / 3 * update_share) + len(MALFORMED)
    step = timedelta(days=DAYS) / total
    documents: list[dict[str, Any]] = []
    for index in range(count):
        at = START + step * index
        make = (_cms, _sensor, _customer_event)[index % 3]
        documents.append(make(rng, index, at))
    cms = [doc for doc in documents if doc["doc_type"] == "cms_document"]
    for doc in rng.sample(cms, int(len(cms) * update_share)):
        newer = json.loads(json.dumps(doc))
        newer["analytics"]["views"] += rng.randint(1, 200)
        newer["metadata"]["tags"] = sorted(set(newer["metadata"]["tags"]) | {rng.choice(TAGS)})
        documents.append(newer)
    payloads = [(json.dumps(doc).encode(), str(doc.get("_id", doc.get("id")))) for doc in documents]
    for offset, (data, _reason) in enumerate(MALFORMED):
        payloads.insert((offset + 1) * len(payloads) // (len(MALFORMED) + 1), (data, f"malformed-{offset}"))
    return [GeneratedRecord(data, key, START + step * index) for index, (data, key) in enumerate(payloads)]
