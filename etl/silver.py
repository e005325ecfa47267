"""The silver tables and the bookkeeping beside them (etl/sql/silver/*.sql): creating them, applying
a table's newest change per key, and recording quarantined changes, deletes and applied files.

Every write is idempotent, so a run that dies half-way is finished by running again: silver rows
carry the order key of the change they hold and a change applies only when its key is greater;
tombstones keep the greatest delete key; quarantine and applied_files take only rows whose keys
they lack. Each silver table is one commit per run; the shared bookkeeping tables are written once
per run for every table together (so tables can be applied concurrently without conflicting
commits), applied_files last: a file counts as applied only once everything it caused is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from . import iceberg, templates
from .contract import Table
from .session import CATALOG

ORDER_KEY = ("_cdc_phase", "_cdc_ts", "_cdc_file", "_cdc_pos")
BOOKKEEPING = ("tombstones", "quarantine", "applied_files")


def name(db: str, table: str) -> str:
    return f"{CATALOG}.{db}.{table}"


def ensure_tables(spark: SparkSession, db: str, wanted: Sequence[Table]) -> None:
    """Create the silver and bookkeeping tables that do not exist yet, and add the columns a
    contract gained since a silver table was created (a new column is NULL in older rows)."""
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{db}")
    for table in wanted:
        target = name(db, table.silver_table)
        current = iceberg.state(spark, target)
        if current is None:
            columns = ",\n  ".join(f"{column} {kind}" for column, kind in table.silver_columns)
            spark.sql(templates.render("silver/silver_table.sql", table=target, columns=columns))
            continue
        missing = [f"{column} {kind}" for column, kind in table.silver_columns if column not in current.columns]
        if missing:
            spark.sql(f"ALTER TABLE {target} ADD COLUMNS ({', '.join(missing)})")
    for bookkeeping in BOOKKEEPING:
        if iceberg.state(spark, name(db, bookkeeping)) is None:
            spark.sql(templates.render(f"silver/{bookkeeping}.sql", table=name(db, bookkeeping)))


def applied_files(spark: SparkSession, db: str) -> dict[str, set[str]]:
    """Bronze file names already applied, per source table (one query for all tables)."""
    applied: dict[str, set[str]] = {}
    for row in spark.sql(f"SELECT source_table, file FROM {name(db, 'applied_files')}").collect():
        applied.setdefault(row["source_table"], set()).add(row["file"])
    return applied


@dataclass(frozen=True)
class Applied:
    """What bronze_to_silver has applied so far, over every table (``applied_files``)."""

    files: int = 0
    applied: int = 0
    quarantined: int = 0
    newest_change: datetime | None = None  # the greatest valid dms_timestamp applied (UTC)


def applied_so_far(spark: SparkSession, db: str) -> Applied:
    """Files read, changes applied and quarantined, and the newest change applied (one query)."""
    target = name(db, "applied_files")
    if not spark.catalog.tableExists(target):
        return Applied()
    # The newest change as epoch seconds: Python would read a Spark timestamp in the process's local zone.
    row = spark.sql(
        f"SELECT COUNT(*) AS files, COALESCE(SUM(applied), 0) AS applied, "
        f"COALESCE(SUM(quarantined), 0) AS quarantined, CAST(MAX(max_dms_ts) AS DOUBLE) AS newest FROM {target}"
    ).first()
    assert row is not None, "an aggregate has one row"
    newest = None if row["newest"] is None else datetime.fromtimestamp(row["newest"], UTC)
    return Applied(row["files"], row["applied"], row["quarantined"], newest)


def tombstoned_sources(spark: SparkSession, db: str) -> set[str]:
    """Source tables with at least one recorded delete."""
    rows = spark.sql(f"SELECT DISTINCT source_table FROM {name(db, 'tombstones')}").collect()
    return {row["source_table"] for row in rows}


def is_empty(spark: SparkSession, db: str, table: Table) -> bool:
    state = iceberg.state(spark, name(db, table.silver_table))
    return state is None or state.records == 0


# --- applying a table's changes ------------------------------------------------------------------


def winners(changes: DataFrame, table: Table, run_id: str) -> DataFrame:
    """The newest valid change per primary key (op, silver columns, order key, run id)."""
    newest_first = Window.partitionBy(table.primary_key).orderBy(*[F.col(part).desc() for part in ORDER_KEY])
    return (
        changes.withColumn("_rank", F.row_number().over(newest_first))
        .where("_rank = 1")
        .select("op", *silver_columns(table, run_id))
    )


def keys_are_unique(changes: DataFrame, table: Table) -> bool:
    """No key has two changes: then every change is its key's newest, and ordering (a shuffle and a
    sort of whole rows) can be skipped. Asking shuffles the keys only; worth it for a full load."""
    return not changes.groupBy(table.primary_key).count().where("count > 1").limit(1).collect()


def silver_columns(table: Table, run_id: str) -> list[str | F.Column]:
    return [*(column for column, _ in table.silver_columns), *ORDER_KEY, F.lit(run_id).alias("_run_id")]


def _key(alias: str, prefix: str = "") -> str:
    """The order key as a struct; structs compare field by field, exactly like the contract's tuple."""
    parts = ", ".join(f"'{part}', {alias}.{prefix}{part}" for part in ORDER_KEY)
    return f"named_struct({parts})"


def _view(frame: DataFrame, prefix: str) -> str:
    view = f"{prefix}_{uuid.uuid4().hex[:8]}"
    frame.createOrReplaceTempView(view)
    return view


def append(spark: SparkSession, db: str, table: Table, newest: DataFrame) -> None:
    """Insert the newest changes into a silver table that holds no row and whose keys have no
    tombstone: exactly what the MERGE would do, without reading the table."""
    newest.where("op <> 'D'").drop("op").writeTo(name(db, table.silver_table)).append()


def merge(spark: SparkSession, db: str, table: Table, newest: DataFrame) -> None:
    """MERGE the newest changes into silver: applied only when newer than the row, and an insert
    only when newer than the key's tombstone."""
    columns = [column for column, _ in table.silver_columns] + [*ORDER_KEY, "_run_id"]
    view = _view(newest, f"newest_{table.silver_table}")
    try:
        spark.sql(
            templates.render(
                "silver/merge_changes.sql",
                silver=name(db, table.silver_table),
                changes=view,
                tombstones=name(db, "tombstones"),
                source=table.source,
                pk=table.primary_key,
                source_key=_key("s"),
                target_key=_key("t"),
                delete_key=_key("s", "d"),
                assignments=", ".join(f"t.{c} = s.{c}" for c in columns),
                columns=", ".join(columns),
                values=", ".join(f"s.{c}" for c in columns),
            )
        )
    finally:
        spark.catalog.dropTempView(view)


def tombstone_rows(newest: DataFrame, table: Table) -> DataFrame:
    """The newest changes that are deletes, as tombstones rows."""
    return newest.where("op = 'D'").select(
        F.lit(table.source).alias("source_table"), F.col(table.primary_key).alias("pk"), *ORDER_KEY, "_run_id"
    )


# --- bookkeeping, once per run -------------------------------------------------------------------


def _union(frames: Sequence[DataFrame]) -> DataFrame:
    return reduce(DataFrame.unionByName, frames)


def record_tombstones(spark: SparkSession, db: str, frames: Sequence[DataFrame]) -> None:
    """Keep the greatest delete key per source table and key (one commit for every table)."""
    if not frames:
        return
    view = _view(_union(frames), "tombstones")
    try:
        spark.sql(
            templates.render(
                "silver/merge_tombstones.sql",
                tombstones=name(db, "tombstones"),
                changes=view,
                source_key=_key("s"),
                target_key=_key("t"),
            )
        )
    finally:
        spark.catalog.dropTempView(view)


def insert_missing(spark: SparkSession, frames: Sequence[DataFrame], target: str, keys: Sequence[str]) -> None:
    """Insert the rows whose keys ``target`` lacks: re-running after a crash adds nothing twice."""
    if not frames:
        return
    view = _view(_union(frames), "new_rows")
    condition = " AND ".join(f"t.{key} = s.{key}" for key in keys)
    try:
        spark.sql(templates.render("silver/insert_missing.sql", target=target, rows=view, condition=condition))
    finally:
        spark.catalog.dropTempView(view)


def quarantine_rows(rejected: DataFrame, source_table: Column, file: str, position: str, run_id: str) -> DataFrame:
    """Rejected records (with ``reason`` and ``record``) as rows of the quarantine table: which table
    and file they came from, their position in it, why, and the run that read them."""
    return rejected.select(
        source_table.alias("source_table"),
        F.col(file).alias("file"),
        F.col(position).alias("position"),
        "reason",
        "record",
        F.lit(run_id).alias("run_id"),
        F.current_timestamp().alias("quarantined_at"),
    )


def quarantine(spark: SparkSession, db: str, frames: Sequence[DataFrame]) -> None:
    insert_missing(spark, frames, name(db, "quarantine"), ("source_table", "file", "position"))


def record_files(spark: SparkSession, db: str, rows: Sequence[tuple], run_id: str) -> None:
    """One applied_files row per file read: (source_table, file, records, applied, quarantined,
    max_dms_ts as text)."""
    if not rows:
        return
    frame = spark.createDataFrame(
        list(rows),
        "source_table string, file string, records bigint, applied bigint, quarantined bigint, max_dms_ts string",
    ).select(
        "source_table",
        "file",
        "records",
        "applied",
        "quarantined",
        F.col("max_dms_ts").cast("timestamp").alias("max_dms_ts"),
        F.lit(run_id).alias("run_id"),
        F.current_timestamp().alias("applied_at"),
    )
    insert_missing(spark, [frame], name(db, "applied_files"), ("source_table", "file"))
