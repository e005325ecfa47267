"""silver_to_gold: every gold table of contracts/gold_metrics.md, from the silver tables (and,
when a clickstream location is given, the clickstream tables from the processed zone's events).

Each table's SQL lives in ``etl/sql/gold/<table>.sql`` (Spark SQL; the same queries, with the
catalog prefix removed, answer the questions in Athena). Tables are rebuilt atomically with
``CREATE OR REPLACE TABLE`` (Iceberg keeps the previous snapshot for time travel), and only when
their inputs changed: the silver snapshot ids, the as-of date and the SQL itself are hashed into a
table property, so a re-run over unchanged silver writes nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from importlib import resources
from typing import Any

from pyspark.sql import SparkSession

from .. import args as job_args
from ..contract import tables
from ..session import CATALOG

GOLD_TABLES = (
    "revenue_daily",
    "revenue_monthly",
    "subscription_monthly",
    "customer_ltv",
    "customer_acquisition_monthly",
    "cohort_retention",
    "product_performance",
    "event_funnel_daily",
    "invoice_aging",
)
CLICKSTREAM_TABLES = ("hourly_aggregates", "daily_summary")
INPUTS_PROPERTY = "lakehouse.inputs"
CLICKSTREAM_VIEW = "clickstream_events"
_CLICKSTREAM_SCHEMA = (
    "event_id STRING, event_time STRING, user_id STRING, event_type STRING, event_data STRUCT<duration: DOUBLE>"
)


def gold_sql(name: str, silver: str, as_of: str, clickstream: str = CLICKSTREAM_VIEW) -> str:
    template = resources.files("etl").joinpath(f"sql/gold/{name}.sql").read_text()
    return template.replace("{silver}", silver).replace("{as_of}", as_of).replace("{clickstream}", clickstream)


def register_clickstream(spark: SparkSession, location: str) -> str:
    """The processed zone's clickstream events (JSON lines, any folder depth) as a view; returns a
    fingerprint of its files, which are immutable once Firehose has written them."""
    frame = spark.read.schema(_CLICKSTREAM_SCHEMA).option("recursiveFileLookup", "true").json(location)
    frame.selectExpr(
        "event_id",
        "CAST(event_time AS TIMESTAMP) AS event_ts",
        "user_id",
        "event_type",
        "event_data.duration AS duration",
    ).where("event_id IS NOT NULL AND event_ts IS NOT NULL").createOrReplaceTempView(CLICKSTREAM_VIEW)
    return hashlib.sha256("|".join(sorted(frame.inputFiles())).encode()).hexdigest()


def data_as_of(spark: SparkSession, silver_db: str) -> str | None:
    """The date of the greatest dms_timestamp among the changes applied to silver (the data's own time)."""
    row = spark.sql(f"SELECT CAST(MAX(max_dms_ts) AS DATE) AS d FROM {CATALOG}.{silver_db}.applied_files").first()
    return str(row["d"]) if row and row["d"] else None


def _silver_version(spark: SparkSession, silver_db: str) -> str:
    snapshots = []
    for table in tables().values():
        row = spark.sql(
            f"SELECT snapshot_id FROM {CATALOG}.{silver_db}.{table.silver_table}.history WHERE is_current_ancestor "
            "ORDER BY made_current_at DESC LIMIT 1"
        ).first()
        snapshots.append(f"{table.silver_table}={row['snapshot_id'] if row else 'empty'}")
    return ";".join(snapshots)


def _current_inputs(spark: SparkSession, table: str) -> str | None:
    if not spark.catalog.tableExists(table):
        return None
    for row in spark.sql(f"SHOW TBLPROPERTIES {table}").collect():
        if row["key"] == INPUTS_PROPERTY:
            return row["value"]
    return None


def run(
    spark: SparkSession,
    silver_db: str = "silver",
    gold_db: str = "gold",
    as_of: str | None = None,
    only: Sequence[str] | None = None,
    clickstream: str | None = None,
) -> dict[str, Any]:
    as_of = as_of or data_as_of(spark, silver_db)
    if as_of is None:
        raise ValueError("no silver data yet: run bronze_to_silver first, or pass --as-of")
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{gold_db}")
    version = _silver_version(spark, silver_db)
    names = list(GOLD_TABLES)
    if clickstream:
        version += "|clickstream=" + register_clickstream(spark, clickstream)
        names += CLICKSTREAM_TABLES
    results = []
    for name in (n for n in names if not only or n in only):
        started = time.monotonic()
        sql = gold_sql(name, f"{CATALOG}.{silver_db}", as_of)
        inputs = hashlib.sha256(f"{version}|{as_of}|{sql}".encode()).hexdigest()[:32]
        target = f"{CATALOG}.{gold_db}.{name}"
        rebuilt = _current_inputs(spark, target) != inputs
        if rebuilt:
            spark.sql(
                f"CREATE OR REPLACE TABLE {target} USING iceberg TBLPROPERTIES ('{INPUTS_PROPERTY}'='{inputs}') AS {sql}"
            )
        rows = spark.table(target).count()
        results.append(
            {"table": name, "rows": rows, "rebuilt": rebuilt, "seconds": round(time.monotonic() - started, 2)}
        )
    return {"as_of": as_of, "tables": results}


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Build the gold tables of gold_metrics.md from silver")
    p.add_argument(
        "--as-of", default=None, help="invoice_aging date (YYYY-MM-DD); default: the data's own latest change"
    )
    p.add_argument("--tables", default="", help="comma-separated gold tables (default: all)")
    p.add_argument(
        "--clickstream",
        default=None,
        help="processed-zone clickstream events (JSON lines); adds hourly_aggregates and daily_summary",
    )
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    only = [t for t in args.tables.split(",") if t]
    return run(
        job_args.session(args, spark), args.silver_database, args.gold_database, args.as_of, only, args.clickstream
    )
