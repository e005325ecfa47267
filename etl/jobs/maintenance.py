"""maintenance: keep Iceberg tables fast and small. For each silver and gold table: compact small
data files, fold merge-on-read delete files back into data, expire old snapshots (keeping enough
for time travel), and remove orphan files left by failed writes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pyspark.sql import SparkSession

from .. import args as job_args
from ..session import CATALOG, single_row


def _tables(spark: SparkSession, namespace: str) -> list[str]:
    if not spark.catalog.databaseExists(f"{CATALOG}.{namespace}"):
        return []
    return sorted(row["tableName"] for row in spark.sql(f"SHOW TABLES IN {CATALOG}.{namespace}").collect())


def _files(spark: SparkSession, table: str) -> tuple[int, int]:
    """(data files, delete files) of the current snapshot."""
    row = single_row(
        spark.sql(f"SELECT COUNT_IF(content = 0) AS data, COUNT_IF(content <> 0) AS deletes FROM {table}.files")
    )
    return row["data"], row["deletes"]


def maintain(
    spark: SparkSession, table: str, retain_snapshots: int, expire_days: float, orphan_days: float
) -> dict[str, Any]:
    started = time.monotonic()
    name = table.split(".", 1)[1]  # procedures take the table without the catalog
    data_before, deletes_before = _files(spark, table)
    spark.sql(
        f"CALL {CATALOG}.system.rewrite_data_files(table => '{name}', options => map("
        "'min-input-files', '2', 'delete-file-threshold', '1', 'remove-dangling-deletes', 'true'))"
    )
    # Position deletes that still point at live rows are merged; those left dangling are dropped.
    spark.sql(
        f"CALL {CATALOG}.system.rewrite_position_delete_files(table => '{name}', options => map('rewrite-all', 'true'))"
    )
    now = datetime.now(UTC)
    # to the microsecond: with expire_days=0 a snapshot made a moment ago is already older than the bound
    expire_before = (now - timedelta(days=expire_days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    spark.sql(
        f"CALL {CATALOG}.system.expire_snapshots(table => '{name}', older_than => TIMESTAMP '{expire_before}', "
        f"retain_last => {retain_snapshots})"
    )
    orphans_before = (now - timedelta(days=orphan_days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    removed = spark.sql(
        f"CALL {CATALOG}.system.remove_orphan_files(table => '{name}', older_than => TIMESTAMP '{orphans_before}')"
    ).count()
    data_after, deletes_after = _files(spark, table)
    return {
        "table": name,
        "data_files_before": data_before,
        "data_files_after": data_after,
        "delete_files_before": deletes_before,
        "delete_files_after": deletes_after,
        "orphans_removed": removed,
        "seconds": round(time.monotonic() - started, 2),
    }


def run(
    spark: SparkSession,
    namespaces: Sequence[str] = ("silver", "gold"),
    retain_snapshots: int = 5,
    expire_days: float = 7,
    orphan_days: float = 3,
) -> dict[str, Any]:
    results = [
        maintain(spark, f"{CATALOG}.{ns}.{table}", retain_snapshots, expire_days, orphan_days)
        for ns in namespaces
        for table in _tables(spark, ns)
    ]
    return {"tables": results}


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Compact, expire snapshots and remove orphan files of the silver and gold tables")
    p.add_argument("--retain-snapshots", type=int, default=5, help="snapshots always kept for time travel")
    p.add_argument("--expire-days", type=float, default=7, help="expire snapshots older than this (days)")
    p.add_argument("--orphan-days", type=float, default=3, help="remove unreferenced files older than this (days)")
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    return run(
        job_args.session(args, spark),
        (args.silver_database, args.gold_database),
        args.retain_snapshots,
        args.expire_days,
        args.orphan_days,
    )
