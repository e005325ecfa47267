"""bronze_to_silver: DMS CSV changes -> validated, cleaned, ordered MERGE into Iceberg silver tables.

Exactly the source contract (contracts/saas_source.yaml):

- every change has the order key (phase, dms_timestamp, file name, record position); a primary key's
  state is its valid change with the greatest key, and a D means the row does not exist;
- silver rows carry the key of the change they hold (``_cdc_phase, _cdc_ts, _cdc_file, _cdc_pos``; Iceberg reserves ``_file``/``_pos``) and the
  ``tombstones`` table keeps the greatest D key per primary key, so a change is applied only when
  its key is greater than every change already applied to that key. Hence a replayed file, a
  re-run, a late older change or a late older insert after a delete change nothing, and the result
  does not depend on the order or the grouping of runs;
- invalid changes go to ``quarantine`` (table, file, record position, reason, run id), are counted,
  and are never applied; cleaning never quarantines;
- runs are incremental: ``applied_files`` lists every bronze file already applied, and only the
  others are read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .. import args as job_args
from ..bronze import is_bronze_file, phase, read_records, table_prefix
from ..contract import Column, Table, tables
from ..session import CATALOG

ORDER_KEY = ("_cdc_phase", "_cdc_ts", "_cdc_file", "_cdc_pos")
_RAW_SCHEMA = T.StructType(
    [
        T.StructField("_cdc_file", T.StringType(), False),
        T.StructField("_cdc_pos", T.LongType(), False),
        T.StructField("fields", T.ArrayType(T.StringType()), True),
        T.StructField("read_error", T.StringType(), True),
    ]
)
_TIMESTAMP = r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?)(\+00(:?00)?)?$"
_DMS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"
_INTEGER = r"^-?\d+$"
_DECIMAL = r"^-?\d+(\.\d+)?$"
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass
class TableSummary:
    table: str
    files_read: int = 0
    rows_read: int = 0
    applied: int = 0
    quarantined: int = 0
    seconds: float = 0.0


# --- bookkeeping tables ----------------------------------------------------------------------


def _ensure_tables(spark: SparkSession, db: str, wanted: Sequence[Table]) -> None:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{db}")
    merge_on_read = (
        "TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='merge-on-read', "
        "'write.update.mode'='merge-on-read', 'write.delete.mode'='merge-on-read')"
    )
    for table in wanted:
        columns = ", ".join(f"{c.name} {c.spark_type}" for c in table.columns)
        derived = ", plan_type string" if table.source == "core_tenant" else ""
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {CATALOG}.{db}.{table.silver_table} ({columns}{derived}, "
            "_cdc_phase int, _cdc_ts timestamp, _cdc_file string, _cdc_pos bigint, _run_id string) USING iceberg "
            + merge_on_read
        )
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.{db}.tombstones (source_table string, pk bigint, "
        "_cdc_phase int, _cdc_ts timestamp, _cdc_file string, _cdc_pos bigint, _run_id string) USING iceberg "
        + merge_on_read
    )
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.{db}.quarantine (source_table string, file string, position bigint, "
        "reason string, record string, run_id string, quarantined_at timestamp) USING iceberg"
    )
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.{db}.applied_files (source_table string, file string, "
        "records bigint, applied bigint, quarantined bigint, max_dms_ts timestamp, run_id string, "
        "applied_at timestamp) USING iceberg"
    )


# --- reading ---------------------------------------------------------------------------------


def list_bronze_files(spark: SparkSession, prefix: str) -> list[str]:
    """Full paths of the DMS files under ``prefix`` (any Hadoop filesystem: file://, s3://)."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(prefix)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    names = [status.getPath().toString() for status in fs.listStatus(path) if status.isFile()]
    return sorted((p for p in names if is_bronze_file(p.rsplit("/", 1)[-1])), key=_file_order)


def _file_order(path: str) -> tuple[int, str]:
    name = path.rsplit("/", 1)[-1]
    return phase(name), name


def _read(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per record: file name, 1-based position, fields (or the reason it is unreadable)."""

    def records(item: tuple[str, bytes]):
        path, content = item
        for record in read_records(path.rsplit("/", 1)[-1], content):
            yield (record.file, record.position, record.fields, record.error)

    rdd = spark.sparkContext.binaryFiles(",".join(paths), minPartitions=len(paths)).flatMap(records)
    return spark.createDataFrame(rdd, _RAW_SCHEMA)


# --- validation and typing ---------------------------------------------------------------------


def _field(index: int) -> SparkColumn:
    value = F.col("fields").getItem(index)
    return F.when(value != "", value)  # empty field = NULL


def _parse(column: Column, raw: SparkColumn) -> SparkColumn:
    """The typed value, or NULL when ``raw`` does not parse as the column's type."""
    kind = column.type
    if kind in ("bigint", "integer"):
        return F.when(raw.rlike(_INTEGER), raw.cast(column.spark_type))
    if kind.startswith("numeric"):
        return F.when(raw.rlike(_DECIMAL), raw.cast(column.spark_type))
    if kind == "boolean":
        lowered = F.lower(raw)
        return F.when(lowered.isin("t", "true", "1"), F.lit(True)).when(lowered.isin("f", "false", "0"), F.lit(False))
    if kind == "timestamptz":
        return F.when(raw.rlike(_TIMESTAMP), F.regexp_extract(raw, _TIMESTAMP, 1).cast("timestamp"))
    if kind == "jsonb":
        return F.when(F.get_json_object(raw, "$").isNotNull(), raw)
    return raw


def _business_rules(table: Table) -> list[tuple[SparkColumn, str]]:
    """(violated condition over typed columns, reason) for I/U changes, from the contract."""
    c = F.col
    if table.source == "core_product":
        return [(c("price") < 0, "price < 0"), (c("cost") < 0, "cost < 0")]
    if table.source == "core_orderitem":
        return [
            (c("quantity") <= 0, "quantity <= 0"),
            (
                F.abs(c("line_total") - c("quantity") * c("unit_price")) > 0.01,
                "|line_total - quantity * unit_price| > 0.01",
            ),
        ]
    if table.source == "core_order":
        expected = c("subtotal") + c("tax_amount") - c("discount_amount")
        return [
            (
                F.abs(c("total_amount") - expected) > 0.01,
                "|total_amount - (subtotal + tax_amount - discount_amount)| > 0.01",
            )
        ]
    return []


def validate(raw: DataFrame, table: Table) -> DataFrame:
    """Typed changes with ``reason`` set (first failing rule, contract order) or NULL when valid."""
    fields = F.size(F.col("fields"))
    op = _field(0)
    dms_raw = F.col("fields").getItem(1)
    typed = raw.select(
        "_cdc_file",
        "_cdc_pos",
        "fields",
        "read_error",
        op.alias("op"),
        F.when(dms_raw.rlike(_DMS_TIMESTAMP), dms_raw.cast("timestamp")).alias("_cdc_ts"),
        *[_field(2 + i).alias(f"raw_{c.name}") for i, c in enumerate(table.columns)],
    ).select("*", *[_parse(c, F.col(f"raw_{c.name}")).alias(c.name) for c in table.columns])
    is_change = F.col("op").isin("I", "U")
    checks: list[SparkColumn] = [
        F.col("read_error"),
        F.when(
            fields != table.field_count,
            F.format_string(f"wrong number of fields: expected {table.field_count}, got %d", fields),
        ),
        F.when(
            ~F.coalesce(F.col("op").isin("I", "U", "D"), F.lit(False)),
            F.format_string("Op must be I, U or D (got '%s')", F.coalesce(F.col("op"), F.lit(""))),
        ),
        F.when(
            F.col("_cdc_ts").isNull(), F.format_string("unparseable dms_timestamp '%s'", F.coalesce(dms_raw, F.lit("")))
        ),
        F.when(
            F.col(table.primary_key).isNull(),
            F.format_string(
                f"unparseable primary key {table.primary_key} '%s'",
                F.coalesce(F.col(f"raw_{table.primary_key}"), F.lit("")),
            ),
        ),
    ]
    for column in table.columns:
        raw_value = F.col(f"raw_{column.name}")
        checks.append(
            F.when(
                is_change & raw_value.isNotNull() & F.col(column.name).isNull(),
                F.format_string(f"column {column.name}: '%s' does not parse as {column.type}", raw_value),
            )
        )
        if not column.nullable:
            checks.append(
                F.when(is_change & raw_value.isNull(), F.lit(f"column {column.name}: NULL in a non-nullable column"))
            )
    for violated, reason in _business_rules(table):
        checks.append(F.when(is_change & F.coalesce(violated, F.lit(False)), F.lit(reason)))
    return typed.withColumn("reason", F.coalesce(*checks))


def clean(changes: DataFrame, table: Table) -> DataFrame:
    """The contract's cleaning rules (never a reason to quarantine)."""
    if table.source == "core_customer":
        email = F.lower(F.trim(F.col("email")))
        digits = F.regexp_replace(F.col("phone"), r"[^0-9]", "")
        changes = changes.withColumn("email", F.when(email.rlike(_EMAIL), email)).withColumn(
            "phone", F.when(F.length(digits).between(8, 15), F.concat(F.lit("+"), digits))
        )
    elif table.source == "core_product":
        changes = changes.withColumn("category", F.regexp_replace(F.lower(F.trim(F.col("category"))), " {2,}", " "))
    elif table.source == "core_tenant":
        changes = changes.withColumn("plan_type", F.get_json_object(F.col("settings"), "$.plan_type"))
    return changes


# --- applying ----------------------------------------------------------------------------------


def _key(alias: str, prefix: str = "") -> str:
    """The order key as a struct; structs compare field by field, exactly like the contract's tuple."""
    parts = ", ".join(f"'{part}', {alias}.{prefix}{part}" for part in ORDER_KEY)
    return f"named_struct({parts})"


def _apply(spark: SparkSession, db: str, table: Table, changes: DataFrame, run_id: str, with_deletes: bool) -> None:
    """MERGE the newest change per key into silver, then record the newest deletes as tombstones
    (skipped when the batch holds no valid delete)."""
    pk = table.primary_key
    newest_first = Window.partitionBy(pk).orderBy(*[F.col(part).desc() for part in ORDER_KEY])
    columns = [c.name for c in table.columns] + (["plan_type"] if table.source == "core_tenant" else [])
    columns += [*ORDER_KEY, "_run_id"]
    winners = (
        changes.withColumn("_rank", F.row_number().over(newest_first))
        .where("_rank = 1")
        .withColumn("_run_id", F.lit(run_id))
        .select("op", *columns)
    )
    view = f"winners_{table.silver_table}_{uuid.uuid4().hex[:8]}"
    winners.createOrReplaceTempView(view)
    silver = f"{CATALOG}.{db}.{table.silver_table}"
    tombstones = f"{CATALOG}.{db}.tombstones"
    spark.sql(
        f"""
        MERGE INTO {silver} t
        USING (
          SELECT w.*, d._cdc_phase AS d_cdc_phase, d._cdc_ts AS d_cdc_ts, d._cdc_file AS d_cdc_file, d._cdc_pos AS d_cdc_pos
          FROM {view} w LEFT JOIN {tombstones} d ON d.source_table = '{table.source}' AND d.pk = w.{pk}
        ) s
        ON t.{pk} = s.{pk}
        WHEN MATCHED AND s.op = 'D' AND {_key("s")} > {_key("t")} THEN DELETE
        WHEN MATCHED AND s.op <> 'D' AND {_key("s")} > {_key("t")} THEN
          UPDATE SET {", ".join(f"t.{c} = s.{c}" for c in columns)}
        WHEN NOT MATCHED AND s.op <> 'D' AND (s.d_cdc_phase IS NULL OR {_key("s")} > {_key("s", "d")}) THEN
          INSERT ({", ".join(columns)}) VALUES ({", ".join(f"s.{c}" for c in columns)})
        """
    )
    if with_deletes:
        spark.sql(
            f"""
        MERGE INTO {tombstones} t
        USING (SELECT '{table.source}' AS source_table, {pk} AS pk, {", ".join(ORDER_KEY)}, _run_id
               FROM {view} WHERE op = 'D') s
        ON t.source_table = s.source_table AND t.pk = s.pk
        WHEN MATCHED AND {_key("s")} > {_key("t")} THEN UPDATE SET *
        WHEN NOT MATCHED THEN INSERT *
        """
        )
    spark.catalog.dropTempView(view)


def _insert_missing(spark: SparkSession, rows: DataFrame, target: str, keys: Sequence[str]) -> None:
    """Insert the rows whose keys ``target`` lacks: re-running after a crash adds nothing twice."""
    view = f"new_rows_{uuid.uuid4().hex[:8]}"
    rows.createOrReplaceTempView(view)
    condition = " AND ".join(f"t.{key} = s.{key}" for key in keys)
    spark.sql(f"MERGE INTO {target} t USING {view} s ON {condition} WHEN NOT MATCHED THEN INSERT *")
    spark.catalog.dropTempView(view)


def _quarantine(spark: SparkSession, db: str, table: Table, rejected: DataFrame, run_id: str) -> None:
    rows = rejected.select(
        F.lit(table.source).alias("source_table"),
        F.col("_cdc_file").alias("file"),
        F.col("_cdc_pos").alias("position"),
        "reason",
        F.to_json(F.col("fields")).alias("record"),
        F.lit(run_id).alias("run_id"),
        F.current_timestamp().alias("quarantined_at"),
    )
    _insert_missing(spark, rows, f"{CATALOG}.{db}.quarantine", ("source_table", "file", "position"))


def _record_files(spark: SparkSession, db: str, table: Table, checked: DataFrame, run_id: str) -> None:
    rows = (
        checked.groupBy("_cdc_file")
        .agg(
            F.count(F.lit(1)).alias("records"),
            F.sum(F.when(F.col("reason").isNull(), 1).otherwise(0)).alias("applied"),
            F.sum(F.when(F.col("reason").isNotNull(), 1).otherwise(0)).alias("quarantined"),
            F.max(F.when(F.col("reason").isNull(), F.col("_cdc_ts"))).alias("max_dms_ts"),
        )
        .select(
            F.lit(table.source).alias("source_table"),
            F.col("_cdc_file").alias("file"),
            "records",
            "applied",
            "quarantined",
            "max_dms_ts",
            F.lit(run_id).alias("run_id"),
            F.current_timestamp().alias("applied_at"),
        )
    )
    _insert_missing(spark, rows, f"{CATALOG}.{db}.applied_files", ("source_table", "file"))


def applied_files(spark: SparkSession, db: str) -> dict[str, set[str]]:
    """Bronze file names already applied, per source table (one query for all tables)."""
    applied: dict[str, set[str]] = {}
    for row in spark.sql(f"SELECT source_table, file FROM {CATALOG}.{db}.applied_files").collect():
        applied.setdefault(row["source_table"], set()).add(row["file"])
    return applied


def process_table(
    spark: SparkSession, bronze: str, db: str, table: Table, run_id: str, applied: set[str]
) -> TableSummary:
    """Apply the bronze files of one table that are not applied yet."""
    started = time.monotonic()
    summary = TableSummary(table.silver_table)
    paths = [
        p for p in list_bronze_files(spark, table_prefix(bronze, table.source)) if p.rsplit("/", 1)[-1] not in applied
    ]
    if not paths:
        summary.seconds = round(time.monotonic() - started, 2)
        return summary
    checked = validate(_read(spark, paths), table).withColumn(
        "_cdc_phase", F.when(F.col("_cdc_file").startswith("LOAD"), 0).otherwise(1)
    )
    checked = checked.persist()
    counts = checked.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count("reason").alias("bad"),
        F.count(F.when(F.col("reason").isNull() & (F.col("op") == "D"), 1)).alias("deletes"),
    ).first()
    summary.files_read, summary.rows_read, summary.quarantined = len(paths), counts["rows"], counts["bad"]
    summary.applied = summary.rows_read - summary.quarantined
    if summary.quarantined:
        _quarantine(spark, db, table, checked.where(F.col("reason").isNotNull()), run_id)
    if summary.applied:
        valid = clean(checked.where(F.col("reason").isNull()), table)
        _apply(spark, db, table, valid, run_id, with_deletes=counts["deletes"] > 0)
    _record_files(spark, db, table, checked, run_id)
    checked.unpersist()
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def run(
    spark: SparkSession,
    bronze: str,
    silver_db: str = "silver",
    run_id: str | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Apply every table's new bronze files; returns a summary per table."""
    run_id = run_id or str(uuid.uuid4())
    wanted = [t for t in tables().values() if not only or t.source in only or t.silver_table in only]
    _ensure_tables(spark, silver_db, wanted)
    applied = applied_files(spark, silver_db)
    summaries = [
        process_table(spark, bronze, silver_db, table, run_id, applied.get(table.source, set())) for table in wanted
    ]
    return {"run_id": run_id, "tables": [asdict(s) for s in summaries]}


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Apply DMS bronze changes to the silver Iceberg tables")
    p.add_argument("--bronze", required=True, help="bronze root (holds dms/public/<table>/)")
    p.add_argument("--tables", default="", help="comma-separated source or silver table names (default: all)")
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    only = [t for t in args.tables.split(",") if t]
    return run(job_args.session(args, spark), args.bronze, args.silver_database, args.run_id, only)
