"""Source records from both Lambda event shapes, and the validation that turns one into a document.

A record keeps where it came from (Kinesis shard or Kafka topic-partition), its position there
(sequence number or offset) and its arrival time: all three come from the event itself, so a
retried batch yields exactly the same documents, versions and lake objects.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DOC_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # it names a lake partition: keep it path- and Hive-safe
MAX_ID_LENGTH = 512


@dataclass(frozen=True)
class SourceRecord:
    """One record of a batch: ``source`` is a Kinesis shard id or a Kafka ``topic-partition``."""

    source: str
    position: str  # sequence number or offset, a decimal string
    arrival: datetime  # UTC
    data: bytes
    unreadable: str | None = None  # why ``data`` could not be decoded from the event, if it could not

    @property
    def version(self) -> str:
        """Orders two writes of one document: arrival time, then position in the source.

        The position is length-prefixed so that strings compare like the numbers they hold
        (Kinesis sequence numbers run to 129 digits).
        """
        millis = int(self.arrival.timestamp() * 1000)
        return f"{millis:015d}.{len(self.position):03d}{self.position}"


@dataclass(frozen=True)
class Document:
    """A valid document, as stored and as written to the lake (``body`` holds ``_id`` and ``_ingest``)."""

    id: str
    doc_type: str
    body: dict[str, Any]
    record: SourceRecord


@dataclass(frozen=True)
class Rejected:
    """A record that is not a valid document, with the reason (written to the lake's error prefix)."""

    record: SourceRecord
    reason: str


def source_records(event: Mapping[str, Any]) -> list[SourceRecord]:
    """The records of a Kinesis or an MSK (or self-managed Kafka) event, in batch order."""
    if isinstance(event.get("Records"), list):
        return [_kinesis(record) for record in event["Records"]]
    if isinstance(event.get("records"), Mapping):
        return [_kafka(source, record) for source, records in event["records"].items() for record in records]
    raise ValueError("unsupported event: expected Kinesis 'Records' or Kafka 'records'")


def _kinesis(record: Mapping[str, Any]) -> SourceRecord:
    kinesis = record["kinesis"]
    return SourceRecord(
        str(record["eventID"]).split(":", 1)[0],  # "shardId-000000000000:<sequence number>"
        str(kinesis["sequenceNumber"]),
        datetime.fromtimestamp(float(kinesis["approximateArrivalTimestamp"]), UTC),
        *_decode(kinesis.get("data")),
    )


def _kafka(source: str, record: Mapping[str, Any]) -> SourceRecord:
    return SourceRecord(
        source,
        str(int(record["offset"])),
        datetime.fromtimestamp(int(record["timestamp"]) / 1000, UTC),
        *_decode(record.get("value")),  # a tombstone (null value) is an empty record
    )


def _decode(value: Any) -> tuple[bytes, str | None]:
    """The record's bytes, or none and why (the record is then rejected, never dropped)."""
    try:
        return base64.b64decode(value or "", validate=True), None
    except (binascii.Error, ValueError, TypeError) as error:
        return b"", f"data is not base64: {error}"


def parse(record: SourceRecord) -> Document | Rejected:
    """Validate one record: a JSON object with an id (``_id`` or ``id``) and a ``doc_type``."""
    if record.unreadable:
        return Rejected(record, record.unreadable)
    if not record.data:
        return Rejected(record, "empty record")
    try:
        body = json.loads(record.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Rejected(record, f"not JSON: {error}")
    if not isinstance(body, dict):
        return Rejected(record, f"document must be a JSON object, got {type(body).__name__}")
    problem = _problem(body)
    if problem:
        return Rejected(record, problem)
    document_id = _id_of(body)
    stored = {
        "_id": document_id,
        **{k: v for k, v in body.items() if k != "_id"},
        "_ingest": {
            "source": record.source,
            "position": record.position,
            "arrival": record.arrival.isoformat().replace("+00:00", "Z"),
            "version": record.version,
        },
    }
    return Document(document_id, body["doc_type"], stored, record)


def _problem(body: dict[str, Any]) -> str | None:
    if "_id" not in body and "id" not in body:
        return "_id or id: required"
    ids = [body[key] for key in ("_id", "id") if key in body]
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return f"_id/id must be a string or an integer, got {type(value).__name__}"
        if isinstance(value, str) and not 1 <= len(value) <= MAX_ID_LENGTH:
            return f"_id/id must be 1-{MAX_ID_LENGTH} characters"
    if len({str(value) for value in ids}) > 1:
        return f"_id ({body['_id']!r}) and id ({body['id']!r}) differ"
    doc_type = body.get("doc_type")
    if doc_type is None:
        return "doc_type: required"
    if not isinstance(doc_type, str) or not DOC_TYPE.match(doc_type):
        return f"doc_type must match {DOC_TYPE.pattern}, got {doc_type!r}"
    reserved = sorted(key for key in body if key.startswith("$") or key == "_ingest")
    if reserved:
        return f"field names must not start with '$' or be '_ingest': {', '.join(reserved)}"
    return None


def _id_of(body: dict[str, Any]) -> str:
    """The document id as a string: integers become their decimal form, so the lake has one type."""
    return str(body["_id"] if "_id" in body else body["id"])
