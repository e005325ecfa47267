"""silver_to_gold: every gold table of docs/gold_metrics.md, from the silver tables.

Each table's SQL lives in ``etl/sql/gold/<table>.sql`` (Spark SQL; the same queries, with the
catalog prefix removed, answer the questions in Athena) and is discovered there (``etl.gold``).
Tables are rebuilt atomically with ``CREATE OR REPLACE TABLE`` (Iceberg keeps the previous snapshot
for time travel), and only when their own inputs changed: the snapshot ids of the tables the query
reads, the as-of date when it uses one, and the SQL itself are hashed into a table property, so a
re-run over unchanged inputs writes nothing. A table whose inputs do not exist is not built: the
clickstream tables appear once ``<silver>.clickstream_events`` does.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from .. import args as job_args
from .. import iceberg, silver
from ..gold import GoldTable, discover
from ..session import CATALOG
from . import JobCannotRun

INPUTS_PROPERTY = "lakehouse.inputs"
DEFAULT_PARALLELISM = 6  # threads: each mostly waits on Spark, so more than the cores overlap planning and commits


class NoSilverData(JobCannotRun):
    """No change has been applied to silver yet, so there is no as-of date to build gold with."""


def data_as_of(spark: SparkSession, silver_db: str) -> str | None:
    """The UTC date of the newest change applied to silver (the data's own time)."""
    newest = silver.applied_so_far(spark, silver_db).newest_change
    return newest.date().isoformat() if newest else None


def _no_data(spark: SparkSession, silver_db: str) -> NoSilverData:
    """Why there is no as-of date: nothing read yet, or every record read was quarantined."""
    applied = silver.applied_so_far(spark, silver_db)
    if not applied.files:
        return NoSilverData("no silver data yet: run bronze_to_silver first, or pass --as-of")
    return NoSilverData(
        f"no valid change in silver yet: all {applied.quarantined} records read from {applied.files} bronze files "
        f"were quarantined (see {silver_db}.quarantine); fix the source or pass --as-of"
    )


def build(
    spark: SparkSession, table: GoldTable, silver_db: str, gold_db: str, as_of: str | None
) -> dict[str, Any] | None:
    """Rebuild one gold table if its inputs changed; None when an input does not exist."""
    started = time.monotonic()
    namespaces = {"silver": f"{CATALOG}.{silver_db}", "gold": f"{CATALOG}.{gold_db}"}
    versions = []
    for layer, name in table.inputs:
        state = iceberg.state(spark, f"{namespaces[layer]}.{name}")
        if state is None:
            return None
        versions.append(f"{layer}.{name}={state.snapshot_id or 'empty'}")
    sql = table.render(namespaces["silver"], namespaces["gold"], as_of)
    fingerprint = ";".join(versions) + (f"|{as_of}" if table.uses_as_of else "") + f"|{sql}"
    inputs = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    target = f"{namespaces['gold']}.{table.name}"
    current = iceberg.state(spark, target)
    rebuilt = current is None or current.properties.get(INPUTS_PROPERTY) != inputs
    if rebuilt:
        spark.sql(
            f"CREATE OR REPLACE TABLE {target} USING iceberg TBLPROPERTIES ('{INPUTS_PROPERTY}'='{inputs}') AS {sql}"
        )
        current = iceberg.state(spark, target)
    assert current is not None
    return {
        "table": table.name,
        "rows": current.records,
        "rebuilt": rebuilt,
        "seconds": round(time.monotonic() - started, 2),
    }


def _waves(selected: Sequence[GoldTable]) -> list[list[GoldTable]]:
    """The tables in groups that can be built at the same time: each after the gold tables it reads."""
    names = {t.name for t in selected}
    level: dict[str, int] = {}
    for table in selected:  # discovery order puts every table after the gold tables it reads
        reads = [n for layer, n in table.inputs if layer == "gold" and n in names]
        level[table.name] = 1 + max((level[n] for n in reads), default=-1)
    return [[t for t in selected if level[t.name] == wave] for wave in range(max(level.values(), default=-1) + 1)]


def run(
    spark: SparkSession,
    silver_db: str = "silver",
    gold_db: str = "gold",
    as_of: str | None = None,
    only: Sequence[str] | None = None,
    sql_dir: str | Path | None = None,
    parallelism: int = DEFAULT_PARALLELISM,
) -> dict[str, Any]:
    """Build the gold tables (``only`` those, when given) of ``sql_dir`` (default: the packaged SQL),
    independent ones at the same time; results in discovery order."""
    selected = [t for t in discover(sql_dir).values() if not only or t.name in only]
    as_of = as_of or data_as_of(spark, silver_db)
    if as_of is None and any(t.uses_as_of for t in selected):
        raise _no_data(spark, silver_db)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{gold_db}")
    results: dict[str, dict[str, Any] | None] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="silver_to_gold") as pool:
        for wave in _waves(selected):
            futures = {t.name: pool.submit(build, spark, t, silver_db, gold_db, as_of) for t in wave}
            results.update({name: future.result() for name, future in futures.items()})
    built = [results[t.name] for t in selected]
    return {"as_of": as_of, "tables": [r for r in built if r is not None]}


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Build the gold tables of docs/gold_metrics.md from silver")
    p.add_argument(
        "--as-of", default=None, help="invoice_aging date (YYYY-MM-DD); default: the data's own latest change"
    )
    p.add_argument("--tables", default="", help="comma-separated gold tables (default: all)")
    p.add_argument(
        "--parallelism",
        type=int,
        default=DEFAULT_PARALLELISM,
        help="gold tables built at the same time (driver threads)",
    )
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    only = [t for t in args.tables.split(",") if t]
    return run(
        job_args.session(args, spark),
        args.silver_database,
        args.gold_database,
        args.as_of,
        only,
        parallelism=args.parallelism,
    )
