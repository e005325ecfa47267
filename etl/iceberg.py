"""What runners need to know about an Iceberg table, read from its metadata through the catalog's
Java API: no Spark job and one round trip, so asking costs milliseconds (a no-op run stays a no-op
in time too)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

from .session import java_class


@dataclass(frozen=True)
class TableState:
    snapshot_id: int | None  # None before the first write
    records: int  # rows in the current snapshot's data files (delete files not subtracted)
    properties: dict[str, str]
    columns: tuple[str, ...]


def _table(spark: SparkSession, name: str) -> Any | None:
    """The org.apache.iceberg.Table behind ``catalog.namespace.table``, refreshed, or None."""
    catalog_name, *namespace, table = name.split(".")
    catalog = spark._jsparkSession.sessionState().catalogManager().catalog(catalog_name)
    gateway = spark.sparkContext._gateway
    assert gateway is not None, "a local or Glue session always has a JVM"
    levels = gateway.new_array(java_class(spark, "java.lang.String"), len(namespace))
    for index, level in enumerate(namespace):
        levels[index] = level
    identifier = java_class(spark, "org.apache.spark.sql.connector.catalog.Identifier").of(levels, table)
    try:
        iceberg = catalog.loadTable(identifier).table()
    except AnalysisException as error:  # PySpark converts the JVM's NoSuchTableException
        if error.getErrorClass() == "TABLE_OR_VIEW_NOT_FOUND":
            return None
        raise
    iceberg.refresh()
    return iceberg


def state(spark: SparkSession, name: str) -> TableState | None:
    """The table's current state, or None when it does not exist (its metadata in one call)."""
    table = _table(spark, name)
    if table is None:
        return None
    metadata = json.loads(
        java_class(spark, "org.apache.iceberg.TableMetadataParser").toJson(table.operations().current())
    )
    current = metadata.get("current-snapshot-id")
    snapshot = next((s for s in metadata.get("snapshots", []) if s["snapshot-id"] == current), None)
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    return TableState(
        snapshot_id=snapshot["snapshot-id"] if snapshot else None,
        records=int(snapshot["summary"].get("total-records", 0)) if snapshot else 0,
        properties=metadata.get("properties", {}),
        columns=tuple(field["name"] for field in schema["fields"]),
    )
