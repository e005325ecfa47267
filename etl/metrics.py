"""The pipeline's operational metrics: what each run publishes, under one name on every platform.

Per table, the age of the newest change it holds (freshness) and, per run and table, the rows read,
applied and quarantined. ``lakehouse run`` shows them in its summary; on AWS the Glue entry point
publishes them to CloudWatch in the embedded metric format (EMF documents written with PutLogEvents
to the stack's pipeline-metrics log group, from which CloudWatch extracts the metrics), where the
Monitoring component alarms on a gold table older than its freshness target or a run that quarantines
more than its allowed share.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NAMESPACE = "Lakehouse/Pipeline"
DATA_AGE = "DataAgeSeconds"  # age of the newest applied change a table holds, at the end of a run
ROWS_APPLIED = "RowsApplied"
ROWS_QUARANTINED = "RowsQuarantined"
QUARANTINED_PERCENT = "QuarantinedPercent"  # quarantined / read, per run and table, in percent

# Which component feeds each kind of silver table: a gold table is only watched for freshness in a
# stack that enables every component feeding it (no CDC feed, no freshness to expect).
CLICKSTREAM_TABLE = "clickstream_events"
FEEDERS = {CLICKSTREAM_TABLE: "streaming"}
CDC_FEEDER = "cdc"


@dataclass(frozen=True)
class Freshness:
    """The newest change a table holds (UTC) and its age at ``now`` (seconds)."""

    table: str  # "silver.orders", "gold.revenue_daily"
    newest_change: datetime
    age_seconds: float


@dataclass(frozen=True)
class Quarantine:
    """How much of one table's input one job run quarantined."""

    job: str
    table: str
    rows_read: int
    applied: int
    quarantined: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.quarantined / self.rows_read, 3) if self.rows_read else 0.0


def gold_freshness(
    silver: Mapping[str, datetime], gold_inputs: Mapping[str, Sequence[tuple[str, str]]], now: datetime
) -> list[Freshness]:
    """Each gold table holds the newest change among the tables it reads (gold ones transitively);
    a gold table none of whose inputs has a known newest change gets no figure."""
    newest: dict[str, datetime] = {}
    for table, inputs in gold_inputs.items():  # in build order: a gold input comes before its readers
        known = [silver.get(name) if layer == "silver" else newest.get(name) for layer, name in inputs]
        stamps = [stamp for stamp in known if stamp is not None]
        if stamps:
            newest[table] = max(stamps)
    return [
        Freshness(f"gold.{table}", stamp, round((now - stamp).total_seconds(), 3)) for table, stamp in newest.items()
    ]


def silver_newest(spark: Any, silver_db: str) -> dict[str, datetime]:
    """The newest change each silver table holds: the greatest applied dms_timestamp of its source
    table (applied_files), and the newest event of clickstream_events."""
    from .contract import tables
    from .session import CATALOG

    newest: dict[str, datetime] = {}
    by_source = {table.source: table.silver_table for table in tables().values()}
    if spark.catalog.tableExists(f"{CATALOG}.{silver_db}.applied_files"):
        # As epoch seconds: Python would read a Spark timestamp in the process's local zone.
        query = (
            f"SELECT source_table, CAST(MAX(max_dms_ts) AS DOUBLE) AS newest "
            f"FROM {CATALOG}.{silver_db}.applied_files GROUP BY source_table"
        )
        for row in spark.sql(query).collect():
            if row["newest"] is not None and row["source_table"] in by_source:
                newest[by_source[row["source_table"]]] = datetime.fromtimestamp(row["newest"], UTC)
    if spark.catalog.tableExists(f"{CATALOG}.{silver_db}.{CLICKSTREAM_TABLE}"):
        query = f"SELECT CAST(MAX(event_time) AS DOUBLE) AS newest FROM {CATALOG}.{silver_db}.{CLICKSTREAM_TABLE}"
        (row,) = spark.sql(query).collect()
        if row["newest"] is not None:
            newest[CLICKSTREAM_TABLE] = datetime.fromtimestamp(row["newest"], UTC)
    return newest


def freshness(spark: Any, silver_db: str, now: datetime) -> list[Freshness]:
    """Freshness of every silver table with a known newest change and of every gold table."""
    from .gold import discover

    silver = silver_newest(spark, silver_db)
    figures = [Freshness(f"silver.{t}", stamp, round((now - stamp).total_seconds(), 3)) for t, stamp in silver.items()]
    return figures + gold_freshness(silver, {name: table.inputs for name, table in discover().items()}, now)


def quarantines(job: str, result: Mapping[str, Any]) -> list[Quarantine]:
    """The quarantine figures of a job's result rows (the jobs that read records report them)."""
    return [
        Quarantine(job, row["table"], int(row["rows_read"]), int(row["applied"]), int(row["quarantined"]))
        for row in result.get("tables", [])
        if {"rows_read", "applied", "quarantined"} <= set(row)
    ]


def feeding_components(gold_inputs: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, set[str]]:
    """The components that must be enabled for each gold table to receive data."""
    feeders: dict[str, set[str]] = {}
    for table, inputs in gold_inputs.items():
        needed: set[str] = set()
        for layer, name in inputs:
            needed |= feeders.get(name, set()) if layer == "gold" else {FEEDERS.get(name, CDC_FEEDER)}
        feeders[table] = needed
    return feeders


def emf_documents(
    stack: str, job: str, freshness: Iterable[Freshness], quarantined: Iterable[Quarantine], timestamp_ms: int
) -> list[dict[str, Any]]:
    """CloudWatch embedded-metric-format documents: one per table figure.

    Freshness is published per table (dimensions Stack, Table); quarantine shares per table and, so
    that one alarm covers every table, also with the Stack dimension alone.
    """
    documents = []
    for figure in freshness:
        documents.append(
            _emf(timestamp_ms, [["Stack", "Table"]], [(DATA_AGE, "Seconds")], Stack=stack, Table=figure.table, Job=job)
            | {DATA_AGE: figure.age_seconds}
        )
    counts = [(ROWS_APPLIED, "Count"), (ROWS_QUARANTINED, "Count"), (QUARANTINED_PERCENT, "Percent")]
    for share in quarantined:
        documents.append(
            _emf(timestamp_ms, [["Stack"], ["Stack", "Table"]], counts, Stack=stack, Table=share.table, Job=job)
            | {ROWS_APPLIED: share.applied, ROWS_QUARANTINED: share.quarantined, QUARANTINED_PERCENT: share.percent}
        )
    return documents


def _emf(timestamp_ms: int, dimensions: list[list[str]], metrics: list[tuple[str, str]], **properties: str) -> dict:
    directive = {
        "Namespace": NAMESPACE,
        "Dimensions": dimensions,
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics],
    }
    return {"_aws": {"Timestamp": timestamp_ms, "CloudWatchMetrics": [directive]}, **properties}


def publish(documents: Sequence[Mapping[str, Any]], log_group: str, logs: Any, stream: str | None = None) -> str:
    """Write EMF documents to ``log_group`` (one new stream per run); CloudWatch extracts the metrics.

    The ``x-amzn-logs-format: json/emf`` header tells CloudWatch Logs to extract them.
    """
    stream = stream or f"pipeline-{time.strftime('%Y/%m/%d')}-{uuid.uuid4().hex[:12]}"

    def emf_header(request: Any, **_: Any) -> None:
        request.headers["x-amzn-logs-format"] = "json/emf"

    logs.meta.events.register("before-sign.cloudwatch-logs.PutLogEvents", emf_header)
    logs.create_log_stream(logGroupName=log_group, logStreamName=stream)
    if documents:
        events = [
            {"timestamp": document["_aws"]["Timestamp"], "message": json.dumps(document, sort_keys=True)}
            for document in documents
        ]
        logs.put_log_events(logGroupName=log_group, logStreamName=stream, logEvents=events)
    return stream


def report(
    job: str,
    result: Mapping[str, Any],
    spark: Any,
    *,
    silver_db: str,
    stack: str,
    log_group: str,
    logs: Any,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """After a job run on AWS: publish its quarantine shares and the lake's freshness as EMF."""
    now = now or datetime.now(UTC)
    documents = emf_documents(
        stack, job, freshness(spark, silver_db, now), quarantines(job, result), int(now.timestamp() * 1000)
    )
    publish(documents, log_group, logs)
    return documents


def report_run(job: str, result: Mapping[str, Any], spark: Any, argv: Sequence[str]) -> list[dict[str, Any]]:
    """The cloud entry points' step after a job: with ``--metrics-log-group`` and ``--stack-name``
    among the job's arguments (the batch component passes both), publish the run's figures."""
    import argparse

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--metrics-log-group")
    parser.add_argument("--stack-name")
    parser.add_argument("--silver-database", default="silver")
    options, _ = parser.parse_known_args(argv)
    if not (options.metrics_log_group and options.stack_name):
        return []
    import boto3

    logs = boto3.client("logs")
    return report(
        job,
        result,
        spark,
        silver_db=options.silver_database,
        stack=options.stack_name,
        log_group=options.metrics_log_group,
        logs=logs,
    )
