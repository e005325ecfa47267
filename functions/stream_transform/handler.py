"""The clickstream's Firehose data-transformation Lambda: decode, validate, enrich, answer.

Firehose invokes it synchronously with a batch of records (``recordId`` and the base64 payload in
``data``, or in ``kafkaRecordValue`` when the source is MSK) and needs every recordId back with a
``result`` and the payload in the same field, base64-encoded:

- ``Ok``: the event as one JSON object with exactly the columns of the clickstream_events table
  (etl/contracts/clickstream_events.yaml), newline-terminated: event_time in UTC, event_data as JSON
  text, duration_ms (event_data.duration when it is a number, rounded to an integer; else null),
  processed_timestamp, and event_date, hour_of_day and day_of_week (ISO, 1 = Monday) of event_time
  in UTC;
- ``ProcessingFailed``: the original payload, unchanged. Firehose writes such records to the
  stream's error output (``processing-failed/``) with its own generic error; the reason of each is
  in this function's log: one structured JSON line per invocation with the counts, the counts per
  failing field, and every failed recordId with its reason (at most ``MAX_LOGGED_FAILURES``).

Nothing is dropped and nothing is fixed: an event is passed whole or failed with its reason.

Timestamps are epoch microseconds, as Firehose's Apache Iceberg destination requires; set
``TIMESTAMP_ENCODING=text`` (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC: java.sql.Timestamp's form, which
Firehose's record format conversion parses by default) for a Parquet destination.

Size: the answer must stay under Lambda's 6 MB synchronous payload limit, and enrichment makes an
event larger, so keep Firehose's processor buffer at its 1 MB default (bench/handlers.py measures
the growth).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.common import events
from functions.common.validation import dumps, dumps_line, loads

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

OK, FAILED = "Ok", "ProcessingFailed"
MAX_LOGGED_FAILURES = 500
TIMESTAMP_ENCODINGS = ("epoch_micros", "text")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_BIGINT = (-(2**63), 2**63 - 1)


class Invalid(Exception):
    """An event that cannot be passed on: ``kind`` groups the counts, ``reason`` explains it."""

    def __init__(self, kind: str, reason: str):
        super().__init__(kind, reason)
        self.kind, self.reason = kind, reason


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    encoding = os.environ.get("TIMESTAMP_ENCODING", "epoch_micros")
    if encoding not in TIMESTAMP_ENCODINGS:
        raise ValueError(f"TIMESTAMP_ENCODING must be one of {', '.join(TIMESTAMP_ENCODINGS)} (got {encoding!r})")
    processed_at = datetime.now(UTC)
    answers, failures = [], []
    for record in event.get("records", []):
        field = "kafkaRecordValue" if "kafkaRecordValue" in record else "data"
        payload = record.get(field, "")
        try:
            result, data = OK, base64.b64encode(enrich(decode(payload), processed_at, encoding)).decode("ascii")
        except Invalid as invalid:
            result, data = FAILED, payload
            failures.append((record["recordId"], invalid))
        answers.append({"recordId": record["recordId"], "result": result, field: data})
    logger.info(dumps(summary(event, len(answers), failures)))
    return {"records": answers}


def decode(payload: str) -> dict[str, Any]:
    """The event a record carries, or ``Invalid`` with the first contract rule it breaks."""
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("base64", "record data is not base64") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("utf-8", "record data is not UTF-8 text") from None
    try:
        event = loads(text)
    except RecursionError:
        raise Invalid("json", "record data is JSON nested too deeply") from None
    except ValueError as error:
        raise Invalid("json", f"record data is not JSON: {error}") from None
    errors = events.clickstream_event_errors(event)
    if errors:
        raise Invalid(errors[0].field, "; ".join(f"{e.field}: {e.message}" for e in errors))
    return event


def enrich(event: dict[str, Any], processed_at: datetime, encoding: str = "epoch_micros") -> bytes:
    """The clickstream_events row of a valid event, as one JSON line (UTF-8)."""
    event_time = datetime.fromisoformat(event["event_time"]).astimezone(UTC)
    event_data = event["event_data"]
    try:
        event_data_text = dumps(event_data)
    except ValueError:  # 1e400 parses as infinity, which JSON cannot carry
        raise Invalid("event_data", "event_data: holds a number out of the double-precision range") from None
    row = {
        "event_id": event["event_id"],
        "event_time": _timestamp(event_time, encoding),
        "user_id": event["user_id"],
        "event_type": event["event_type"],
        "event_data": event_data_text,
        "duration_ms": duration_ms(event_data.get("duration")),
        "processed_timestamp": _timestamp(processed_at, encoding),
        "event_date": event_time.date().isoformat(),
        "hour_of_day": event_time.hour,
        "day_of_week": event_time.isoweekday(),
    }
    try:
        return (dumps_line(row) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("unicode", "event holds an unpaired UTF-16 surrogate: not valid Unicode") from None


def duration_ms(value: Any) -> int | None:
    """event_data.duration when it is a JSON number (rounded to an integer), else None.

    Only finite numbers reach here: ``enrich`` serialises event_data first, which refuses infinity.
    A duration beyond the bigint column's range is ``Invalid`` rather than silently NULL.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    rounded = round(value)
    if not _BIGINT[0] <= rounded <= _BIGINT[1]:
        raise Invalid("event_data", f"event_data: duration {value} is out of the bigint range")
    return rounded


def _timestamp(moment: datetime, encoding: str) -> int | str:
    if encoding == "text":
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return (moment - _EPOCH) // _MICROSECOND  # integer arithmetic: exact to the microsecond


def summary(event: dict[str, Any], records: int, failures: list[tuple[str, Invalid]]) -> dict[str, Any]:
    """The invocation's one log line: counts, counts per failing field, and each failure's reason."""
    return {
        "stream_transform": "summary",
        "invocation_id": event.get("invocationId"),
        "records": records,
        "ok": records - len(failures),
        "failed": len(failures),
        "failed_by_kind": dict(Counter(invalid.kind for _, invalid in failures)),
        "failures": [
            {"recordId": record_id, "kind": invalid.kind, "reason": invalid.reason}
            for record_id, invalid in failures[:MAX_LOGGED_FAILURES]
        ],
        "failures_not_listed": max(0, len(failures) - MAX_LOGGED_FAILURES),
    }
