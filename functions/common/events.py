"""The event contracts (docs/ingestion.md): the ingestion API's records and limits, and the
clickstream events the stream transform accepts, with the rules that decide what is valid.

These constants are the handlers' single source: ``functions/ingestion/openapi.yaml`` states the same
limits and patterns, and a test keeps the two equal.
"""

from __future__ import annotations

import re
from typing import Any

from .validation import FieldError, check_object, check_string, check_timestamp, json_type

# --- ingestion API -------------------------------------------------------------------------------

MAX_RECORDS = 500
MAX_BODY_BYTES = 5 * 1024 * 1024  # the whole request body, decoded
MAX_RECORD_BYTES = 256 * 1024  # one record, compact JSON, UTF-8
SOURCE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
EVENT_ID_PATTERN = r"^[!-~]{1,128}$"  # printable ASCII, no spaces: safe in logs, keys and SQL literals
RECORD_FIELDS = ("source", "event_id", "data", "metadata")

_SOURCE = re.compile(SOURCE_PATTERN)
_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_SOURCE_RULE = f"a source name matching {SOURCE_PATTERN}"
_EVENT_ID_RULE = "1 to 128 printable ASCII characters without spaces"


def ingestion_record_errors(record: Any) -> list[FieldError]:
    """Every reason one ingestion record is invalid (empty when it is valid)."""
    if not isinstance(record, dict):
        return [FieldError("record", f"must be a JSON object (got {json_type(record)})")]
    errors = [
        FieldError(name, f"unknown field (allowed: {', '.join(RECORD_FIELDS)})")
        for name in record
        if name not in RECORD_FIELDS
    ]
    checks = (
        check_string(record, "source", _SOURCE, _SOURCE_RULE, required=True),
        check_string(record, "event_id", _EVENT_ID, _EVENT_ID_RULE, required=False),
        check_object(record, "data", required=True),
        check_object(record, "metadata", required=False),
    )
    return errors + [error for error in checks if error is not None]


# --- clickstream ---------------------------------------------------------------------------------

EVENT_TYPES = ("page_view", "button_click", "form_submit", "api_call")
CLICKSTREAM_FIELDS = ("event_id", "event_time", "user_id", "event_type", "event_data")
_NON_EMPTY = re.compile(r"^\S(.{0,254}\S)?$", re.DOTALL)
_NON_EMPTY_RULE = "a non-empty string of at most 256 characters without leading or trailing spaces"
_EVENT_TYPE = re.compile("|".join(EVENT_TYPES))
_EVENT_TYPE_RULE = f"one of {', '.join(EVENT_TYPES)}"


def clickstream_event_errors(event: Any) -> list[FieldError]:
    """Every reason one clickstream event is invalid (empty when it is valid).

    Fields other than the contract's are allowed and not kept: producers may add their own.
    """
    if not isinstance(event, dict):
        return [FieldError("event", f"must be a JSON object (got {json_type(event)})")]
    checks = (
        check_string(event, "event_id", _NON_EMPTY, _NON_EMPTY_RULE, required=True),
        check_timestamp(event, "event_time"),
        check_string(event, "user_id", _NON_EMPTY, _NON_EMPTY_RULE, required=True),
        check_string(event, "event_type", _EVENT_TYPE, _EVENT_TYPE_RULE, required=True),
        check_object(event, "event_data", required=True),
    )
    return [error for error in checks if error is not None]
