"""The clickstream_events table, defined once by its contract (etl/contracts/clickstream_events.yaml).

The stream transform emits those columns, Firehose writes them, silver_to_gold reads them: the
Glue table the component creates is derived from the same YAML, either as an Apache Iceberg table
(Iceberg types, identity partition on event_date) or as a plain Parquet table (Hive types, event_date
as the partition key, partitions found by Athena partition projection).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

CONTRACT = "contracts/clickstream_events.yaml"
# Contract (Glue) type -> Iceberg type. Timestamps are UTC instants kept without a zone, as the
# contract says; bigint is Iceberg's long.
ICEBERG_TYPES = {
    "string": "string",
    "timestamp": "timestamp",
    "bigint": "long",
    "int": "int",
    "date": "date",
    "double": "double",
    "boolean": "boolean",
}
# Iceberg numbers partition fields from 1000 so they never collide with schema field ids.
FIRST_PARTITION_FIELD_ID = 1000
EARLIEST_EVENT_DATE = "2020-01-01"  # lower bound of the partition projection range


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Glue/Hive type from the contract


@dataclass(frozen=True)
class TableContract:
    name: str
    partition_by: str
    columns: tuple[Column, ...]

    @property
    def partition_column(self) -> Column:
        return next(c for c in self.columns if c.name == self.partition_by)

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """The columns stored in the files of a Hive-style table (the partition key lives in the path)."""
        return tuple(c for c in self.columns if c.name != self.partition_by)


def parse_contract(document: Any) -> TableContract:
    """A table contract from its YAML document; refuses one it cannot turn into a table."""
    columns = tuple(Column(str(c["name"]), str(c["type"])) for c in document["columns"])
    contract = TableContract(str(document["table"]), str(document["partition_by"]), columns)
    unknown = sorted({c.type for c in columns} - set(ICEBERG_TYPES))
    if unknown:
        raise ValueError(f"{contract.name}: column types {unknown} have no Iceberg equivalent here")
    if contract.partition_by not in {c.name for c in columns}:
        raise ValueError(f"{contract.name}: partition_by {contract.partition_by!r} is not one of its columns")
    return contract


@functools.cache
def clickstream_contract() -> TableContract:
    """The clickstream_events contract shipped with the etl package."""
    return parse_contract(yaml.safe_load(resources.files("etl").joinpath(CONTRACT).read_text()))


def iceberg_table_input(contract: TableContract, location: Any) -> dict[str, Any]:
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


def hive_columns(contract: TableContract) -> list[dict[str, str]]:
    """The storage descriptor columns of the Parquet table (every column but the partition key)."""
    return [{"name": c.name, "type": c.type} for c in contract.data_columns]


def hive_partition_keys(contract: TableContract) -> list[dict[str, str]]:
    column = contract.partition_column
    return [{"name": column.name, "type": column.type}]


def partition_prefix(contract: TableContract, table_prefix: str) -> str:
    """Firehose's dynamic-partitioning S3 prefix: ``clickstream_events/event_date=<value>/``."""
    key = contract.partition_by
    return f"{table_prefix}{key}=!{{partitionKeyFromQuery:{key}}}/"


def partition_query(contract: TableContract) -> str:
    """The jq query Firehose runs on each transformed record to find its partition value."""
    key = contract.partition_by
    return f"{{{key}: .{key}}}"


def projection_parameters(contract: TableContract, location: str) -> dict[str, str]:
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
