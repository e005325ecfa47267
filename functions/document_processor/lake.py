"""The lake side of the dual write: where a batch's documents and rejects go in the raw bucket.

``bronze/documents/doc_type=<t>/year=YYYY/month=MM/day=DD/<source>-<first position>.json``, JSON
lines, by arrival date (UTC). The name comes from the batch's first sequence number or offset of
that source, so a retried batch overwrites the same objects instead of adding copies; each line also
carries its own source and position (``_ingest``), so readers can drop a duplicate line whatever
happened. Rejects go to ``bronze/documents/_errors/year=YYYY/month=MM/day=DD/`` with their reason.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .records import Document, Rejected, SourceRecord

PREFIX = "bronze/documents/"
ERROR_PREFIX = f"{PREFIX}_errors/"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _day(moment: datetime) -> str:
    return f"year={moment:%Y}/month={moment:%m}/day={moment:%d}"


def object_name(source: str, first_position: str) -> str:
    return f"{_UNSAFE.sub('_', source)}-{first_position}.json"


def document_key(doc_type: str, arrival: datetime, source: str, first_position: str) -> str:
    return f"{PREFIX}doc_type={doc_type}/{_day(arrival)}/{object_name(source, first_position)}"


def error_key(arrival: datetime, source: str, first_position: str) -> str:
    return f"{ERROR_PREFIX}{_day(arrival)}/{object_name(source, first_position)}"


def first_positions(records: Sequence[SourceRecord]) -> dict[str, str]:
    """The batch's first position in each source (a batch may span Kafka partitions)."""
    first: dict[str, str] = {}
    for record in records:
        known = first.get(record.source)
        if known is None or int(record.position) < int(known):
            first[record.source] = record.position
    return first


def error_line(item: Rejected) -> dict[str, Any]:
    record = item.record
    line: dict[str, Any] = {
        "reason": item.reason,
        "source": record.source,
        "position": record.position,
        "arrival": record.arrival.isoformat().replace("+00:00", "Z"),
    }
    try:
        line["raw"] = record.data.decode("utf-8")
    except UnicodeDecodeError:
        line["raw_base64"] = base64.b64encode(record.data).decode("ascii")
    return line


def batch_objects(
    records: Sequence[SourceRecord], documents: Sequence[Document], rejected: Sequence[Rejected]
) -> dict[str, bytes]:
    """Object key -> JSON-lines body for one batch: documents by type and day, rejects by day."""
    first = first_positions(records)
    lines: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        record = document.record
        key = document_key(document.doc_type, record.arrival, record.source, first[record.source])
        lines.setdefault(key, []).append(document.body)
    for item in rejected:
        record = item.record
        lines.setdefault(error_key(record.arrival, record.source, first[record.source]), []).append(error_line(item))
    return {
        key: "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in body).encode()
        for key, body in lines.items()
    }


def write(s3: Any, bucket: str, key_arn: str, objects: dict[str, bytes]) -> None:
    """Put every object with SSE-KMS under the stack key; any failure propagates (the batch fails)."""
    for key in sorted(objects):
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=objects[key],
            ContentType="application/x-ndjson",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=key_arn,
        )
