"""The clickstream_events table, defined once by its contract (etl/contracts/clickstream_events.yaml).

The stream transform emits those columns, Firehose writes them, silver_to_gold reads them: the
Glue table the component creates is derived from the same YAML, either as an Apache Iceberg table
(Iceberg types, identity partition on event_date) or as a plain Parquet table (Hive types, event_date
as the partition key, partitions found by Athena partition projection).
"""

from __future__ import annotations

from typing import Any

from etl.contract import ICEBERG_TYPES, EventTable

# Iceberg numbers partition fields from 1000 so they never collide with schema field ids.
FIRST_PARTITION_FIELD_ID = 1000
EARLIEST_EVENT_DATE = "2020-01-01"  # lower bound of the partition projection range


def iceberg_table_input(contract: EventTable, location: Any) -> dict[str, Any]:
    """Glue's ``iceberg_table_input``: schema with field ids, identity partition on the partition column.

    Every field is optional: a required Iceberg field rejects a NULL (duration_ms is often NULL), and
    the transform already refuses records that miss a mandatory value.
    """
    fields = [
        {"id": index, "name": column.name, "type": ICEBERG_TYPES[column.type], "required": False}
        for index, column in enumerate(contract.columns, start=1)
    ]
    partition_source = next(f["id"] for f in fields if f["name"] == contract.partition_by)
    return {
        "location": location,
        "schema": {"schema_id": 0, "type": "struct", "fields": fields},
        "partition_spec": {
            "spec_id": 0,
            "fields": [
                {
                    "name": contract.partition_by,
                    "source_id": partition_source,
                    "transform": "identity",
                    "field_id": FIRST_PARTITION_FIELD_ID,
                }
            ],
        },
    }


def hive_columns(contract: EventTable) -> list[dict[str, str]]:
    """The storage descriptor columns of the Parquet table (every column but the partition key)."""
    return [{"name": c.name, "type": c.type} for c in contract.data_columns]


def hive_partition_keys(contract: EventTable) -> list[dict[str, str]]:
    column = contract.partition_column
    return [{"name": column.name, "type": column.type}]


def partition_prefix(contract: EventTable, table_prefix: str) -> str:
    """Firehose's dynamic-partitioning S3 prefix: ``clickstream_events/event_date=<value>/``."""
    key = contract.partition_by
    return f"{table_prefix}{key}=!{{partitionKeyFromQuery:{key}}}/"


def partition_query(contract: EventTable) -> str:
    """The jq query Firehose runs on each transformed record to find its partition value."""
    key = contract.partition_by
    return f"{{{key}: .{key}}}"


def projection_parameters(contract: EventTable, location: str) -> dict[str, str]:
    """Athena partition projection for the Parquet table: new event_date partitions are queryable at
    once, with no crawler or MSCK REPAIR (only date partition columns are supported here)."""
    key = contract.partition_by
    if contract.partition_column.type != "date":
        raise ValueError(f"{contract.name}: partition projection is defined for a date partition, not {key}")
    return {
        "classification": "parquet",
        "projection.enabled": "true",
        f"projection.{key}.type": "date",
        f"projection.{key}.format": "yyyy-MM-dd",
        f"projection.{key}.range": f"{EARLIEST_EVENT_DATE},NOW",
        f"projection.{key}.interval": "1",
        f"projection.{key}.interval.unit": "DAYS",
        "storage.location.template": f"{location}/{key}=${{{key}}}",
    }
