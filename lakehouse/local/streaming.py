"""The local real-time paths: the clickstream through the real transform handler, and the demo of
the ingestion API and the clickstream end to end.

``run_stream`` plays Firehose around the real ``functions/stream_transform`` handler: it cuts the
events into Firehose-shaped batches (base64 records with recordIds), invokes the handler, checks its
answer the way Firehose does (every recordId back once, a known result), and then, as the LOCAL
STAND-IN FOR FIREHOSE'S DELIVERY, appends the Ok rows to ``lake.<silver>.clickstream_events`` (the
table of etl/contracts/clickstream_events.yaml, partitioned by event_date) and writes the failed
records like Firehose's error output (``errors/clickstream_events/processing-failed/YYYY/MM/DD/``
under the raw root, one JSON document per record with the base64 raw data). Locally each error
document's ``errorMessage`` is the reason the handler logged for that record; on AWS Firehose writes
its own generic message there ("ProcessingFailed status set for record") and the reason is in the
function's log.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from etl.contract import clickstream_events
from etl.session import CATALOG

DELIVERY_STREAM = "lakehouse-local-clickstream"
DELIVERY_STREAM_ARN = f"arn:aws:firehose:us-east-1:123456789012:deliverystream/{DELIVERY_STREAM}"
TRANSFORM_ARN = "arn:aws:lambda:us-east-1:123456789012:function:lakehouse-local-stream-transform"
ERROR_PREFIX = "errors/clickstream_events/processing-failed"
FIREHOSE_BATCH = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRANSFORM_LOGGER = "functions.stream_transform.handler"


@dataclass
class StreamResult:
    """What one pass of the local stream did."""

    batches: int = 0
    records: int = 0
    ok: int = 0
    failed: int = 0
    failed_by_kind: dict[str, int] = field(default_factory=dict)
    table: str = ""
    error_files: list[str] = field(default_factory=list)


# --- the table -----------------------------------------------------------------------------------


def ensure_clickstream_table(spark: Any, silver_db: str) -> str:
    """The table of etl/contracts/clickstream_events.yaml, as the Streaming component declares it in Glue."""
    contract = clickstream_events()
    columns = ", ".join(f"{column} {kind}" for column, kind in contract.columns)
    name = f"{CATALOG}.{silver_db}.{contract.name}"
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{silver_db}")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {name} ({columns}) USING iceberg PARTITIONED BY ({contract.partition_by})")
    return name


def _typed(value: Any, kind: str) -> Any:
    """An emitted JSON value as the column's Spark value (timestamps arrive as epoch microseconds)."""
    if value is None:
        return None
    if kind == "timestamp":
        return _EPOCH + timedelta(microseconds=value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def deliver(spark: Any, silver_db: str, rows: Sequence[dict[str, Any]]) -> str:
    """The local stand-in for Firehose's Iceberg delivery: append the Ok rows to the table."""
    name = ensure_clickstream_table(spark, silver_db)
    if rows:
        columns = clickstream_events().columns
        schema = ", ".join(f"{column} {kind}" for column, kind in columns)
        typed = [tuple(_typed(row[column], kind) for column, kind in columns) for row in rows]
        spark.createDataFrame(typed, schema).writeTo(name).append()
    return name


# --- Firehose around the handler -----------------------------------------------------------------


def firehose_batches(payloads: Sequence[bytes], batch_size: int = FIREHOSE_BATCH) -> Iterator[dict[str, Any]]:
    """Transformation invocations as Firehose sends them: base64 data, a recordId each."""
    for start in range(0, len(payloads), batch_size):
        arrival = time.time_ns() // 1_000_000
        yield {
            "invocationId": str(uuid.uuid4()),
            "deliveryStreamArn": DELIVERY_STREAM_ARN,
            "region": "us-east-1",
            "records": [
                {
                    "recordId": f"{start + offset:08d}-{uuid.uuid4().hex}",
                    "approximateArrivalTimestamp": arrival,
                    "data": base64.b64encode(payload).decode("ascii"),
                }
                for offset, payload in enumerate(payloads[start : start + batch_size])
            ],
        }


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _transform_log() -> Iterator[_Captured]:
    """The transform handler's log lines while it runs (its summary carries every failure's reason)."""
    captured, logger = _Captured(), logging.getLogger(_TRANSFORM_LOGGER)
    logger.addHandler(captured)
    try:
        yield captured
    finally:
        logger.removeHandler(captured)


def invoke_transform(event: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the real handler on one batch; returns its answers and its summary log line.

    Checks the answer as Firehose does: each recordId exactly once, result Ok or ProcessingFailed.
    """
    from functions.stream_transform.handler import handler

    with _transform_log() as log:
        answers = handler(event, None)["records"]
    sent = [record["recordId"] for record in event["records"]]
    if sorted(answer["recordId"] for answer in answers) != sorted(sent):
        raise RuntimeError("the transform answered other recordIds than it was sent")
    if any(answer["result"] not in ("Ok", "ProcessingFailed") for answer in answers):
        raise RuntimeError("the transform answered a result other than Ok or ProcessingFailed")
    summaries = [line for line in map(_json_object, log.messages) if line.get("stream_transform") == "summary"]
    if len(summaries) != 1:
        raise RuntimeError(f"the transform logged {len(summaries)} summary lines; expected one")
    return answers, summaries[0]


def _json_object(message: str) -> dict[str, Any]:
    try:
        parsed = json.loads(message)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _error_documents(event: dict[str, Any], answers: list[dict[str, Any]], summary: dict[str, Any]) -> list[str]:
    """Firehose's processing-failed documents for a batch's failed records, with the logged reasons."""
    reasons = {failure["recordId"]: failure["reason"] for failure in summary["failures"]}
    arrival = {record["recordId"]: record["approximateArrivalTimestamp"] for record in event["records"]}
    ended = time.time_ns() // 1_000_000
    documents = []
    for answer in answers:
        if answer["result"] == "ProcessingFailed":
            documents.append(
                json.dumps(
                    {
                        "attemptsMade": 1,
                        "arrivalTimestamp": arrival[answer["recordId"]],
                        "errorCode": "Lambda.ProcessingFailedStatus",  # Firehose's code for this result
                        "errorMessage": reasons[answer["recordId"]],
                        "attemptEndingTimestamp": ended,
                        "rawData": answer["data"],
                        "lambdaARN": TRANSFORM_ARN,  # spelt so in objects Firehose wrote (its docs say lambdaArn)
                    }
                )
            )
    return documents


def _write_errors(root: Path, documents: list[str]) -> str:
    now = datetime.now(UTC)
    folder = root / ERROR_PREFIX / f"{now:%Y/%m/%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DELIVERY_STREAM}-1-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}"
    path.write_text("\n".join(documents) + "\n")
    return str(path)


def run_stream(
    spark: Any, payloads: Sequence[bytes], raw_root: Path, silver_db: str = "silver", batch_size: int = FIREHOSE_BATCH
) -> StreamResult:
    """Push ``payloads`` through the transform in Firehose batches; land Ok rows and failed records."""
    result = StreamResult()
    rows: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    for event in firehose_batches(payloads, batch_size):
        answers, summary = invoke_transform(event)
        result.batches += 1
        result.records += len(answers)
        rows += [json.loads(base64.b64decode(a["data"])) for a in answers if a["result"] == "Ok"]
        kinds.update(summary["failed_by_kind"])
        documents = _error_documents(event, answers, summary)
        if documents:
            result.error_files.append(_write_errors(raw_root, documents))
    result.ok, result.failed, result.failed_by_kind = len(rows), sum(kinds.values()), dict(kinds)
    result.table = deliver(spark, silver_db, rows)
    return result


# --- the demo ------------------------------------------------------------------------------------


def post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    """POST over HTTP; returns the status and the JSON answer (4xx/5xx included)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def run_realtime_demo(out: Path, spark: Any, console: Console, silver_db: str = "silver") -> dict[str, Any]:
    """The ingestion API over real HTTP, raw_to_processed, and the clickstream, at demo size.

    Serves the real ingestion handler (moto S3 and KMS), posts generated requests (valid batches,
    retries, and every kind of bad request), copies the raw zone to ``out/raw``, pushes generated
    clickstream through the transform into the clickstream_events table, runs raw_to_processed,
    prints what happened and returns the figures.
    """
    from etl import events_generator
    from etl.jobs import raw_to_processed

    from .serve import IngestionServer, LocalRawZone

    raw = out / "raw"
    statuses: Counter[int] = Counter()
    accepted = mismatched = 0
    with console.status("ingestion API: posting generated requests over HTTP"):
        with LocalRawZone() as zone, IngestionServer(zone) as server:
            for request in events_generator.ingestion_requests():
                status, answer = post(f"{server.url}/events", request.body, request.content_type)
                statuses[status] += 1
                accepted += answer.get("accepted", 0)
                mismatched += status != request.expected_status
            zone.copy_to(raw)
    with console.status("clickstream: transform handler, then the local stand-in for Firehose's delivery"):
        stream = run_stream(spark, [e.payload for e in events_generator.clickstream_events()], raw, silver_db)
    with console.status("raw_to_processed"):
        landed = raw_to_processed.run(spark, str(raw), silver_db)
    figures = {
        "ingestion": {
            "requests": sum(statuses.values()),
            "by_status": dict(sorted(statuses.items())),
            "records_accepted": accepted,
            "unexpected_answers": mismatched,
        },
        "raw_to_processed": landed["tables"],
        "table_rows": {
            row["table"]: spark.table(f"{CATALOG}.{silver_db}.{row['table']}").count() for row in landed["tables"]
        },
        "clickstream": {k: v for k, v in asdict(stream).items() if k != "error_files"},
    }
    _print(console, figures)
    return figures


def _print(console: Console, figures: dict[str, Any]) -> None:
    ingestion = figures["ingestion"]
    answers = Table("status", "requests", title="ingestion API answers", title_justify="left")
    for status, count in ingestion["by_status"].items():
        answers.add_row(str(status), str(count))
    console.print(answers)
    console.print(f"records accepted: {ingestion['records_accepted']}")
    tables = Table(
        "table",
        "files read",
        "rows read",
        "applied",
        "duplicates",
        "quarantined",
        "rows in table",
        title="raw_to_processed",
    )
    for row in figures["raw_to_processed"]:
        counts = (str(row[k]) for k in ("files_read", "rows_read", "applied", "duplicates", "quarantined"))
        tables.add_row(row["table"], *counts, str(figures["table_rows"][row["table"]]))
    console.print(tables)
    stream = figures["clickstream"]
    clicks = Table("result", "records", title=f"clickstream -> {stream['table']}", title_justify="left")
    clicks.add_row("Ok (delivered)", str(stream["ok"]))
    for kind, count in sorted(stream["failed_by_kind"].items()):
        clicks.add_row(f"ProcessingFailed: {kind}", str(count))
    console.print(clicks)
