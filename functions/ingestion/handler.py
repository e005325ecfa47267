"""The ingestion API's Lambda handler: API Gateway HTTP API (payload format 2.0) in, raw zone out.

Parse, check, store, answer (openapi.yaml is the shape of every answer):

- the body (base64-decoded when API Gateway encoded it) is at most 5 MiB, else 413; a ``Content-Type``,
  when sent, is ``application/json`` or ``application/*+json`` with no charset but utf-8, else 415;
  a body that does not parse as JSON (UTF-8, no NaN/Infinity) is 415;
- the body is one record (object) or a batch (non-empty array) of at most 500, else 400 / 413; every
  record is at most 256 KiB as compact JSON, else 413; any invalid record makes the request 400
  with every reason, and nothing of it is stored;
- valid records get their ``event_id`` (made up when absent) and the receive time, and are written
  as JSON lines: ONE S3 PutObject per source per request, SSE-KMS with the stack key, under
  ``raw/source=<source>/year=YYYY/month=MM/day=DD/<received_at>-<uuid>.json`` (UTC receive time, in
  ISO 8601 basic form so that no key holds a colon);
- a failed PutObject is 503 (throttled or unavailable) or 500 (refused), with the ids to retry with:
  a retry stores the records again and ``raw_to_processed`` keeps the first copy of each event_id.

Environment: RAW_BUCKET (the raw zone bucket), KMS_KEY_ARN (the stack key).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.common import events
from functions.common.validation import FieldError, dumps, dumps_line, loads

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

RAW_PREFIX = "raw"
_JSON_MEDIA = "application/json"
# S3 and KMS codes that mean "try again": the client gets 503 and retries with the same ids.
_TRANSIENT = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "Throttling",
        "ThrottlingException",
        "KMS.ThrottlingException",
        "KMS.KMSInternalException",
    }
)
_S3_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)
_YEAR_10000_MS = 253_402_300_800_000
_clients: dict[str, Any] = {}


class Rejected(Exception):
    """The request is refused before anything is stored."""

    def __init__(self, status: int, errors: list[FieldError]):
        super().__init__(status, errors)
        self.status, self.errors = status, errors


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    received_at = _received_at(event)
    try:
        records = _records(event)
    except Rejected as rejected:
        logger.info(dumps({"ingestion": "rejected", "status": rejected.status, "errors": len(rejected.errors)}))
        return _answer(rejected.status, {"errors": [e.as_dict() for e in rejected.errors]})
    ids = [record.get("event_id") or str(uuid.uuid4()) for record in records]
    try:
        keys = store(_s3(), os.environ["RAW_BUCKET"], os.environ["KMS_KEY_ARN"], records, ids, received_at)
    except (ClientError, BotoCoreError) as error:
        status, code = storage_status(error)
        logger.error(dumps({"ingestion": "storage_failed", "status": status, "code": code, "error": str(error)}))
        message = f"the records could not be stored ({code}); retry with the same ids"
        return _answer(status, {"errors": [FieldError("storage", message).as_dict()], "ids": ids})
    logger.info(dumps({"ingestion": "stored", "records": len(records), "objects": keys}))
    return _answer(202, {"accepted": len(records), "ids": ids})


# --- parsing and checking --------------------------------------------------------------------------


def _records(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's records, or ``Rejected`` with the status and every reason."""
    body = _body(event)
    if len(body) > events.MAX_BODY_BYTES:
        raise Rejected(
            413, [FieldError("body", f"is {len(body)} bytes; at most {events.MAX_BODY_BYTES} bytes per request")]
        )
    _check_content_type(event.get("headers") or {})
    try:
        parsed = loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise Rejected(415, [FieldError("body", f"is not UTF-8 text: {error.reason} at byte {error.start}")]) from None
    except RecursionError:
        raise Rejected(400, [FieldError("body", "JSON is nested too deeply")]) from None
    except ValueError as error:
        reason = "empty" if not body.strip() else f"not JSON: {error}"
        raise Rejected(415, [FieldError("body", f"is {reason}")]) from None
    records = _as_batch(parsed)
    _check_sizes_and_fields(records)
    return records


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(415, [FieldError("body", "is marked base64-encoded but is not base64")]) from None


def _check_content_type(headers: dict[str, str]) -> None:
    value = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if value is None:
        return  # judged by the body alone: it must parse as JSON
    media, *params = (part.strip() for part in value.split(";"))
    media = media.lower()
    if not (media == _JSON_MEDIA or (media.startswith("application/") and media.endswith("+json"))):
        raise Rejected(415, [FieldError("Content-Type", f"must be {_JSON_MEDIA} (got {value[:100]!r})")])
    for param in params:
        name, _, charset = param.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise Rejected(415, [FieldError("Content-Type", f"charset must be utf-8 (got {charset.strip()[:40]!r})")])


def _as_batch(parsed: Any) -> list[Any]:
    if isinstance(parsed, dict):
        return [parsed]
    if not isinstance(parsed, list):
        raise Rejected(400, [FieldError("body", "must be a record (JSON object) or an array of records")])
    if not parsed:
        raise Rejected(400, [FieldError("body", "is an empty array: send at least one record")])
    if len(parsed) > events.MAX_RECORDS:
        raise Rejected(
            413, [FieldError("body", f"holds {len(parsed)} records; at most {events.MAX_RECORDS} per request")]
        )
    return parsed


def _check_sizes_and_fields(records: list[Any]) -> None:
    """413 when any record is too large, else 400 when any is invalid (every reason, every record)."""
    too_large: list[FieldError] = []
    invalid: list[FieldError] = []
    for index, record in enumerate(records):
        try:
            size = len(dumps(record).encode("utf-8"))
        except UnicodeEncodeError:
            invalid.append(FieldError("record", "holds an unpaired UTF-16 surrogate: not valid Unicode", index))
            continue
        except ValueError:
            invalid.append(FieldError("record", "holds a number out of the double-precision range", index))
            continue
        if size > events.MAX_RECORD_BYTES:
            message = f"is {size} bytes as compact JSON; at most {events.MAX_RECORD_BYTES} bytes per record"
            too_large.append(FieldError("record", message, index))
            continue
        invalid += [FieldError(e.field, e.message, index) for e in events.ingestion_record_errors(record)]
    if too_large:
        raise Rejected(413, too_large)
    if invalid:
        raise Rejected(400, invalid)


# --- storing ---------------------------------------------------------------------------------------


def _received_at(event: dict[str, Any]) -> datetime:
    """When API Gateway received the request (``requestContext.timeEpoch``, ms), else now; UTC."""
    epoch_ms = (event.get("requestContext") or {}).get("timeEpoch")
    if isinstance(epoch_ms, int) and not isinstance(epoch_ms, bool) and 0 < epoch_ms < _YEAR_10000_MS:
        seconds, millis = divmod(epoch_ms, 1000)  # integers: no float rounding of the milliseconds
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)
    return datetime.now(UTC)


def iso_millis(moment: datetime) -> str:
    """``2025-11-25T10:00:00.123Z``: the stored ``received_at``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def object_key(source: str, received_at: datetime, unique: str) -> str:
    """``raw/source=<s>/year=YYYY/month=MM/day=DD/<YYYYMMDDTHHMMSS.mmmZ>-<unique>.json`` (UTC)."""
    stamp = received_at.strftime("%Y%m%dT%H%M%S.") + f"{received_at.microsecond // 1000:03d}Z"
    return (
        f"{RAW_PREFIX}/source={source}/year={received_at:%Y}/month={received_at:%m}/day={received_at:%d}/"
        f"{stamp}-{unique}.json"
    )


def raw_lines(records: list[dict[str, Any]], ids: list[str], received_at: datetime) -> dict[str, str]:
    """The stored JSON lines of a request, one text per source (sources in order of first record)."""
    stamp = iso_millis(received_at)
    lines: dict[str, list[str]] = {}
    for record, event_id in zip(records, ids, strict=True):
        stored = {
            "event_id": event_id,
            "source": record["source"],
            "received_at": stamp,
            "data": record["data"],
            "metadata": record.get("metadata"),
        }
        lines.setdefault(record["source"], []).append(dumps_line(stored))
    return {source: "\n".join(text) + "\n" for source, text in lines.items()}


def store(
    s3: Any, bucket: str, key_arn: str, records: list[dict[str, Any]], ids: list[str], received_at: datetime
) -> list[str]:
    """One PutObject per source, encrypted with the stack key; returns the keys written."""
    keys = []
    for source, text in raw_lines(records, ids, received_at).items():
        key = object_key(source, received_at, str(uuid.uuid4()))
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType="application/x-ndjson",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=key_arn,
        )
        keys.append(key)
    return keys


def storage_status(error: ClientError | BotoCoreError) -> tuple[int, str]:
    """503 when retrying may succeed (throttled, unavailable, unreachable), else 500; and the code."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "Unknown"))
        return (503 if code in _TRANSIENT else 500), code
    return 503, type(error).__name__


def _s3() -> Any:
    """One S3 client per region for the life of the execution environment (created on first use)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if region not in _clients:
        _clients[region] = boto3.client("s3", region_name=region, config=_S3_CONFIG)
    return _clients[region]


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": _JSON_MEDIA}, "body": json.dumps(body)}
