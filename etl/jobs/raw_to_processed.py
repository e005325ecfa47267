"""raw_to_processed: the ingestion API's raw JSON lines -> one Iceberg table per source.

The ingestion handler writes ``raw/source=<source>/year=YYYY/month=MM/day=DD/<received_at>-<uuid>.json``
under the raw zone: one JSON object per line with event_id, source, received_at, data and metadata
(docs/ingestion.md). This job lands them in ``<silver>.ingest_<source>`` (event_id, source,
received_at, data and metadata as JSON text, and where each row came from):

- one row per event_id: the copy received first wins (order key: received_at, file, line), so a
  client's retry after a 5xx, or a replayed file, adds nothing, whatever the order files are read in;
- a line that is not a valid stored record (not UTF-8, not JSON, a field missing or of the wrong type,
  a source other than its file's) goes to ``<silver>.quarantine`` (the table bronze_to_silver uses:
  table, file, line, reason) and is counted; it never reaches a table;
- runs are incremental: ``<silver>.ingest_applied_files`` lists the files already applied and only
  the others are read, so a re-run with nothing new reads nothing and commits nothing. Recording the
  files is the run's last commit, and the writes before it can be repeated (quarantine inserts the
  lines it lacks; only event_ids the table lacks are added), so a run that crashes part-way and is
  run again gives the same tables.

Files outside that layout are not ingestion output and are ignored.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .. import args as job_args
from .. import silver, templates
from ..session import CATALOG, java_class

RAW_PREFIX = "raw"
TABLE_PREFIX = "ingest_"  # silver table of each source: ingest_<source>
APPLIED_FILES = "ingest_applied_files"
SOURCE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"  # = functions.common.events.SOURCE_PATTERN (a test keeps them equal)
# group 1: the path relative to the raw zone root; group 2: the source
RAW_FILE = re.compile(
    rf"(?:^|/)({RAW_PREFIX}/source=({SOURCE_PATTERN[1:-1]})/year=\d{{4}}/month=\d{{2}}/day=\d{{2}}/[^/]+\.json)$"
)
_EVENT_ID = re.compile(r"^[!-~]{1,128}$")
ORDER_KEY = ("received_at", "_raw_file", "_raw_line")
_LINES = T.StructType(
    [
        T.StructField("source", T.StringType(), False),
        T.StructField("_raw_file", T.StringType(), False),
        T.StructField("_raw_line", T.LongType(), False),
        T.StructField("event_id", T.StringType(), True),
        T.StructField("received_at", T.TimestampType(), True),
        T.StructField("data", T.StringType(), True),
        T.StructField("metadata", T.StringType(), True),
        T.StructField("reason", T.StringType(), True),
        T.StructField("record", T.StringType(), True),
    ]
)
_TABLE_COLUMNS = ("event_id", "source", "received_at", "data", "metadata", "_raw_file", "_raw_line", "_run_id")


@dataclass
class TableSummary:
    table: str
    files_read: int = 0
    rows_read: int = 0
    applied: int = 0
    duplicates: int = 0
    quarantined: int = 0
    seconds: float = 0.0


def table_name(source: str) -> str:
    return f"{TABLE_PREFIX}{source}"


# --- reading -----------------------------------------------------------------------------------


def list_raw_files(spark: SparkSession, root: str) -> dict[str, list[str]]:
    """The raw zone's ingestion files per source, as paths relative to ``root`` (any Hadoop filesystem)."""
    path = java_class(spark, "org.apache.hadoop.fs.Path")(posixpath.join(root.rstrip("/"), RAW_PREFIX))
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    found: dict[str, list[str]] = {}
    if not fs.exists(path):
        return found
    files = fs.listFiles(path, True)
    while files.hasNext():
        name = files.next().getPath().toString()
        match = RAW_FILE.search(name)
        if match:
            found.setdefault(match.group(2), []).append(match.group(1))
    return {source: sorted(paths) for source, paths in sorted(found.items())}


def parse_line(source: str, line: bytes) -> tuple[tuple[str, datetime, str, str | None] | None, str | None]:
    """(event_id, received_at, data, metadata) of one stored line, or the reason it is not a record."""
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "line is not UTF-8 text"
    except ValueError as error:
        return None, f"line is not JSON: {error}"
    if not isinstance(record, dict):
        return None, "line is not a JSON object"
    event_id, received_at = record.get("event_id"), record.get("received_at")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        return None, "event_id: missing, or not 1 to 128 printable ASCII characters"
    if record.get("source") != source:
        return None, f"source: {record.get('source')!r} is not the file's source={source}"
    try:
        moment = datetime.fromisoformat(received_at) if isinstance(received_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None, "received_at: missing, or not an ISO 8601 date-time with a zone"
    if not isinstance(record.get("data"), dict):
        return None, "data: missing, or not a JSON object"
    metadata = record.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, "metadata: not a JSON object"
    return (
        event_id,
        moment.astimezone(UTC),
        _json_text(record["data"]),
        None if metadata is None else _json_text(metadata),
    ), None


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_lines(relative: str, content: bytes) -> Iterator[tuple[Any, ...]]:
    """One row per line of one raw file (1-based line numbers), parsed or with its reason."""
    source = RAW_FILE.search(relative).group(2)  # type: ignore[union-attr]  # only listed files are read
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    for position, line in enumerate(lines, start=1):
        parsed, reason = parse_line(source, line) if line.strip() else (None, "empty line")
        if parsed is None:
            yield (source, relative, position, None, None, None, None, reason, line.decode("utf-8", "replace"))
        else:
            yield (source, relative, position, *parsed, None, None)


def _read(spark: SparkSession, root: str, relatives: list[str]) -> DataFrame:
    base = root.rstrip("/")

    def rows(item: tuple[str, bytes]) -> Iterator[tuple[Any, ...]]:
        path, content = item
        return read_lines(RAW_FILE.search(path).group(1), content)  # type: ignore[union-attr]

    paths = ",".join(f"{base}/{relative}" for relative in relatives)
    return spark.createDataFrame(spark.sparkContext.binaryFiles(paths).flatMap(rows), _LINES)


# --- tables ------------------------------------------------------------------------------------


def _ensure_bookkeeping(spark: SparkSession, db: str) -> None:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{db}")
    # bronze_to_silver's quarantine table: one place to look for rejected records
    spark.sql(templates.render("silver/quarantine.sql", table=silver.name(db, "quarantine")))
    spark.sql(templates.render("silver/ingest_applied_files.sql", table=silver.name(db, APPLIED_FILES)))


def _ensure_table(spark: SparkSession, db: str, source: str) -> str:
    target = silver.name(db, table_name(source))
    spark.sql(templates.render("silver/ingest_table.sql", table=target))
    return target


def applied_files(spark: SparkSession, db: str) -> set[str]:
    return {row["file"] for row in spark.sql(f"SELECT file FROM {silver.name(db, APPLIED_FILES)}").collect()}


def _key(alias: str) -> str:
    """The order key as a struct: structs compare field by field, like the key's tuple."""
    return "struct(" + ", ".join(f"{alias}.{part}" for part in ORDER_KEY) + ")"


def _actions(spark: SparkSession, valid: DataFrame, targets: dict[str, str], run_id: str) -> DataFrame:
    """The first copy of each (source, event_id) of this run, with what to do with it: ``insert``
    when its table lacks the event_id, ``replace`` when its table holds a copy received later (files
    read out of order); copies the tables already hold first are left out. One join for every source."""
    first = Window.partitionBy("source", "event_id").orderBy(*ORDER_KEY)
    winners = (
        valid.withColumn("_rank", F.row_number().over(first))
        .where("_rank = 1")
        .withColumn("_run_id", F.lit(run_id))
        .select(*_TABLE_COLUMNS)
    )
    stored = functools.reduce(
        DataFrame.unionByName,
        [
            spark.table(target).select(F.lit(source).alias("source"), "event_id", F.struct(*ORDER_KEY).alias("_stored"))
            for source, target in targets.items()
        ],
    )
    action = F.when(F.col("_stored").isNull(), "insert").when(F.struct(*ORDER_KEY) < F.col("_stored"), "replace")
    return (
        winners.join(stored, ["source", "event_id"], "left")
        .withColumn("_action", action)
        .where(F.col("_action").isNotNull())
        .select(*_TABLE_COLUMNS, "_action")
    )


def _apply(spark: SparkSession, target: str, rows: DataFrame, action: str) -> None:
    """Append the new event_ids; replace a stored copy only by one received earlier. The job runs one
    at a time (the orchestration's max concurrency is 1): nothing writes between lookup and write."""
    if action == "insert":
        rows.writeTo(target).append()
        return
    view = f"earlier_copies_{uuid.uuid4().hex[:8]}"
    rows.createOrReplaceTempView(view)
    try:
        spark.sql(
            templates.render(
                "silver/replace_later_copies.sql",
                table=target,
                earlier=view,
                source_key=_key("s"),
                target_key=_key("t"),
            )
        )
    finally:
        spark.catalog.dropTempView(view)


# --- the run -----------------------------------------------------------------------------------


def run(spark: SparkSession, bronze: str, silver_db: str = "silver", run_id: str | None = None) -> dict[str, Any]:
    """Apply every source's new raw files; returns a summary per ingest_<source> table."""
    run_id = run_id or str(uuid.uuid4())
    started = time.monotonic()
    _ensure_bookkeeping(spark, silver_db)
    done = applied_files(spark, silver_db)
    new = {source: [f for f in files if f not in done] for source, files in list_raw_files(spark, bronze).items()}
    summaries = {source: TableSummary(table_name(source), files_read=len(files)) for source, files in new.items()}
    paths = [f for files in new.values() for f in files]
    if paths:
        checked = _read(spark, bronze, paths).persist()
        counts = checked.groupBy("source").agg(F.count(F.lit(1)).alias("rows"), F.count("reason").alias("bad"))
        for row in counts.collect():
            summaries[row["source"]].rows_read, summaries[row["source"]].quarantined = row["rows"], row["bad"]
        if any(s.quarantined for s in summaries.values()):
            _quarantine(spark, silver_db, checked.where(F.col("reason").isNotNull()), run_id)
        targets = {
            source: _ensure_table(spark, silver_db, source)
            for source, summary in summaries.items()
            if summary.rows_read > summary.quarantined
        }
        if targets:
            actions = _actions(spark, checked.where(F.col("reason").isNull()), targets, run_id).persist()
            for row in actions.groupBy("source", "_action").count().collect():
                source_started = time.monotonic()
                rows = actions.where((F.col("source") == row["source"]) & (F.col("_action") == row["_action"]))
                _apply(spark, targets[row["source"]], rows.select(*_TABLE_COLUMNS), row["_action"])
                summary = summaries[row["source"]]
                summary.applied += row["count"] if row["_action"] == "insert" else 0
                summary.seconds = round(summary.seconds + time.monotonic() - source_started, 2)
            actions.unpersist()
        for summary in summaries.values():
            summary.duplicates = summary.rows_read - summary.quarantined - summary.applied
        _record_files(spark, silver_db, checked, run_id)
        checked.unpersist()
    return {
        "run_id": run_id,
        "seconds": round(time.monotonic() - started, 2),
        "tables": [asdict(summaries[source]) for source in sorted(summaries)],
    }


def _quarantine(spark: SparkSession, db: str, rejected: DataFrame, run_id: str) -> None:
    rows = silver.quarantine_rows(rejected, _table_name_column(), "_raw_file", "_raw_line", run_id)
    silver.quarantine(spark, db, [rows])


def _table_name_column() -> Column:
    """``table_name(source)`` for every row's source."""
    return F.concat(F.lit(TABLE_PREFIX), F.col("source"))


def _record_files(spark: SparkSession, db: str, checked: DataFrame, run_id: str) -> None:
    """Append the files of this run: they were not listed at its start, and this one commit is the
    run's last, so a crashed run records nothing and its files are read again."""
    (
        checked.groupBy("source", "_raw_file")
        .agg(F.count(F.lit(1)).alias("records"), F.count("reason").alias("quarantined"))
        .select(
            _table_name_column().alias("source_table"),
            F.col("_raw_file").alias("file"),
            "records",
            "quarantined",
            F.lit(run_id).alias("run_id"),
            F.current_timestamp().alias("applied_at"),
        )
    ).writeTo(silver.name(db, APPLIED_FILES)).append()


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Land the ingestion API's raw JSON lines in one Iceberg table per source")
    p.add_argument("--bronze", required=True, help="raw zone root (holds raw/source=<source>/...)")
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    return run(job_args.session(args, spark), args.bronze, args.silver_database, args.run_id)
