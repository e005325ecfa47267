"""Strict JSON in and out, and the field checks both handlers build their contracts from.

Python's ``json`` accepts ``NaN`` and ``Infinity``, which are not JSON: a record carrying them would be
stored, then break every reader downstream. ``loads`` refuses them; ``dumps`` is the one compact,
UTF-8 serialisation whose size the limits are measured on.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """Why one field of a record is invalid; ``index`` is the record's position in its request."""

    field: str
    message: str
    index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """JSON per RFC 8259: ``NaN``/``Infinity`` are refused (``ValueError``), like any other non-JSON."""
    return json.loads(text, parse_constant=_refuse_constant)


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as UTF-8: the serialisation sizes are measured on."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LINE_BREAK_TABLE = str.maketrans(_LINE_BREAKS)


def dumps_line(value: Any) -> str:
    """``dumps`` for one line of a JSON-lines file: the characters some readers take for line breaks
    (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR; JSON does not require escaping them) are escaped, so
    the line is one line for every reader."""
    return dumps(value).translate(_LINE_BREAK_TABLE)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages ("must be a JSON object (got array)")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shown(value: str, limit: int = 80) -> str:
    """A client value quoted in a message, cut so that an error never echoes a whole payload."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def check_object(record: dict[str, Any], field: str, *, required: bool) -> FieldError | None:
    if field not in record:
        return FieldError(field, "required") if required else None
    value = record[field]
    if not isinstance(value, dict):
        return FieldError(field, f"must be a JSON object (got {json_type(value)})")
    return None


def check_string(
    record: dict[str, Any], field: str, pattern: re.Pattern[str], rule: str, *, required: bool
) -> FieldError | None:
    """A string field matching ``pattern``; ``rule`` says in words what the pattern allows."""
    if field not in record:
        return FieldError(field, "required") if required else None
    value = record[field]
    if not isinstance(value, str):
        return FieldError(field, f"must be a string (got {json_type(value)})")
    if not pattern.fullmatch(value):
        return FieldError(field, f"must be {rule} (got {shown(value)})")
    return None


def check_timestamp(record: dict[str, Any], field: str) -> FieldError | None:
    """An ISO 8601 date-time string with a zone or offset (``Z``, ``+05:30``)."""
    if field not in record:
        return FieldError(field, "required")
    value = record[field]
    if not isinstance(value, str):
        return FieldError(field, f"must be an ISO 8601 date-time string (got {json_type(value)})")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return FieldError(field, f"is not an ISO 8601 date-time: {shown(value)}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return FieldError(field, f"must carry a zone or offset (Z, +02:00, ...): {shown(value)}")
    return None
