"""Bronze records -> typed, validated, cleaned changes, exactly as the source contract says
(docs/source_contract.md): type checks, then the contract's business rules, cleaning and derived
columns, which are Spark SQL written in the contract itself.

The whole step is one SQL query generated from the contract (``changes_sql``): one statement to
parse and analyse instead of hundreds of DataFrame calls, and readable when printed.
"""

from __future__ import annotations

import uuid

from pyspark.sql import DataFrame, SparkSession

from .contract import Column, Table
from .silver import ORDER_KEY

_TIMESTAMP = r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?)(\+00(:?00)?)?$"
_DMS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"
_INTEGER = r"^-?\d+$"
_DECIMAL = r"^-?\d+(\.\d+)?$"


def literal(text: str) -> str:
    """A Spark SQL string literal (backslash escapes are on by default)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _name(column: str) -> str:
    return f"`{column}`"


def _parse(column: Column) -> str:
    """The typed value, or NULL when the raw text does not parse as the column's type."""
    raw, kind = _name(f"raw_{column.name}"), column.type
    if kind in ("bigint", "integer"):
        return f"CASE WHEN {raw} RLIKE {literal(_INTEGER)} THEN CAST({raw} AS {column.spark_type}) END"
    if kind.startswith("numeric"):
        return f"CASE WHEN {raw} RLIKE {literal(_DECIMAL)} THEN CAST({raw} AS {column.spark_type}) END"
    if kind == "boolean":
        return (
            f"CASE WHEN lower({raw}) IN ('t', 'true', '1') THEN true "
            f"WHEN lower({raw}) IN ('f', 'false', '0') THEN false END"
        )
    if kind == "timestamptz":  # the format is checked first, so the text before any '+' is the time
        return f"CASE WHEN {raw} RLIKE {literal(_TIMESTAMP)} THEN CAST(substring_index({raw}, '+', 1) AS timestamp) END"
    if kind == "jsonb":
        return f"CASE WHEN get_json_object({raw}, '$') IS NOT NULL THEN {raw} END"
    return raw


def _checks(table: Table) -> list[str]:
    """Every check in contract order: the first that yields a reason decides."""
    is_change = "op IN ('I', 'U')"
    pk, raw_pk = _name(table.primary_key), _name(f"raw_{table.primary_key}")
    wrong_count = literal(f"wrong number of fields: expected {table.field_count}, got %d")
    bad_op = literal("Op must be I, U or D (got '%s')")
    bad_time = literal("unparseable dms_timestamp '%s'")
    bad_key = literal(f"unparseable primary key {table.primary_key} '%s'")
    checks = [
        "read_error",
        f"CASE WHEN size(fields) != {table.field_count} THEN format_string({wrong_count}, size(fields)) END",
        f"CASE WHEN NOT coalesce(op IN ('I', 'U', 'D'), false) THEN format_string({bad_op}, coalesce(op, '')) END",
        f"CASE WHEN _cdc_ts IS NULL THEN format_string({bad_time}, coalesce(fields[1], '')) END",
        f"CASE WHEN {pk} IS NULL THEN format_string({bad_key}, coalesce({raw_pk}, '')) END",
    ]
    for column in table.columns:
        raw, typed = _name(f"raw_{column.name}"), _name(column.name)
        unparseable = f"column {column.name}: '%s' does not parse as {column.type}"
        checks.append(
            f"CASE WHEN {is_change} AND {raw} IS NOT NULL AND {typed} IS NULL "
            f"THEN format_string({literal(unparseable)}, {raw}) END"
        )
        if not column.nullable:
            null = f"column {column.name}: NULL in a non-nullable column"
            checks.append(f"CASE WHEN {is_change} AND {raw} IS NULL THEN {literal(null)} END")
    for rule in table.rules:
        checks.append(f"CASE WHEN {is_change} AND coalesce({rule.when}, false) THEN {literal(rule.reason)} END")
    return checks


_CARRIED = ("_cdc_file", "_cdc_pos", "fields", "_cdc_phase", "_cdc_ts", "op", "reason")


def changes_sql(table: Table, records: str) -> str:
    """The query from ``records`` (``_cdc_file, _cdc_pos, fields, read_error``) to checked changes:
    the order key, ``op``, ``reason`` (NULL when valid), ``record`` (the fields as JSON, for rejected
    changes) and the silver columns (cleaned and derived, for valid changes)."""
    raw = [
        f"CASE WHEN fields[{2 + i}] != '' THEN fields[{2 + i}] END AS {_name('raw_' + c.name)}"
        for i, c in enumerate(table.columns)
    ]
    typed = [f"{_parse(c)} AS {_name(c.name)}" for c in table.columns]
    separator = ",\n  "
    query = f"""SELECT *, coalesce(
  {separator.join(_checks(table))}) AS reason
FROM (
SELECT *,
  {separator.join(typed)}
FROM (
SELECT _cdc_file, _cdc_pos, fields, read_error,
  CASE WHEN startswith(_cdc_file, 'LOAD') THEN 0 ELSE 1 END AS _cdc_phase,
  CASE WHEN fields[0] != '' THEN fields[0] END AS op,
  CASE WHEN fields[1] RLIKE {literal(_DMS_TIMESTAMP)} THEN CAST(fields[1] AS timestamp) END AS _cdc_ts,
  {separator.join(raw)}
FROM {records}))"""
    names = [c.name for c in table.columns]
    for cleaning in table.cleaning:  # in order: each sees the values the ones before it cleaned
        value = f"CAST(({cleaning.value}) AS {table.column(cleaning.column).spark_type})"
        columns = [
            f"CASE WHEN reason IS NULL THEN {value} END AS {_name(n)}" if n == cleaning.column else _name(n)
            for n in (*_CARRIED, *names)
        ]
        query = f"SELECT {', '.join(columns)}\nFROM ({query})"
    derived = [
        f"CASE WHEN reason IS NULL THEN CAST(({d.value}) AS {d.spark_type}) END AS {_name(d.name)}"
        for d in table.derived
    ]
    record = "CASE WHEN reason IS NOT NULL THEN to_json(fields) END AS record"
    columns = [*ORDER_KEY, "op", "reason", record, *(_name(n) for n in names), *derived]
    return f"SELECT {separator.join(columns)}\nFROM ({query})"


def checked(spark: SparkSession, records: DataFrame, table: Table) -> DataFrame:
    """``records`` checked against ``table``'s contract (``changes_sql``)."""
    view = f"records_{table.silver_table}_{uuid.uuid4().hex[:8]}"
    records.createOrReplaceTempView(view)
    try:
        return spark.sql(changes_sql(table, view))
    finally:
        spark.catalog.dropTempView(view)  # the query holds the view's plan already
