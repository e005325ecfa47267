"""One Spark session for the whole test run; each test gets its own bronze folder and namespaces."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from etl.bronze import write_file
from etl.contract import Table, clickstream_events, tables
from etl.jobs import bronze_to_silver
from etl.session import CATALOG


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from etl.session import local_session

    session = local_session(tmp_path_factory.mktemp("warehouse"), app_name="lakehouse-tests", shuffle_partitions=2)
    yield session
    session.stop()


class Lake:
    """A bronze folder and a silver namespace of one test, with helpers to write, run and read."""

    def __init__(self, spark, root: Path):
        self.spark, self.bronze = spark, root / "bronze"
        suffix = uuid.uuid4().hex[:8]
        self.silver, self.gold = f"silver_{suffix}", f"gold_{suffix}"

    def write(self, table: str, file_name: str, records: Sequence[Sequence[Any]]) -> None:
        write_file(self.bronze, table, file_name, records)

    def run(self, *only: str, contract: Mapping[str, Table] | None = None) -> dict[str, Any]:
        result = bronze_to_silver.run(self.spark, str(self.bronze), self.silver, only=list(only), contract=contract)
        return {t["table"]: t for t in result["tables"]}

    def rows(self, table: str, *columns: str, contract: Mapping[str, Table] | None = None) -> list[tuple]:
        """Silver rows of a source table, ordered by primary key, as plain tuples."""
        spec = (contract or tables())[table]
        wanted = ", ".join(columns or [c.name for c in spec.columns])
        frame = self.spark.sql(
            f"SELECT {wanted} FROM {CATALOG}.{self.silver}.{spec.silver_table} ORDER BY {spec.primary_key}"
        )
        return [tuple(row) for row in frame.collect()]

    def insert(self, source: str, rows: Sequence[dict[str, Any]]) -> None:
        """Append rows (columns by name, the others NULL) straight to a silver table."""
        target = f"{CATALOG}.{self.silver}.{tables()[source].silver_table}"
        schema = self.spark.table(target).schema
        full = [{field.name: row.get(field.name) for field in schema} for row in rows]
        self.spark.createDataFrame(full, schema).writeTo(target).append()

    def clickstream(self, events: Sequence[tuple[str, str, str, str, int | None]]) -> None:
        """Create ``clickstream_events`` (etl/contracts/clickstream_events.yaml) in the silver namespace
        with these (event_id, ISO 8601 event_time with any offset, user_id, event_type, duration) rows,
        as the stream's Iceberg delivery writes them."""
        spec = clickstream_events()
        target = f"{CATALOG}.{self.silver}.{spec.name}"
        columns = ", ".join(f"{name} {kind}" for name, kind in spec.columns)
        self.spark.sql(f"CREATE TABLE {target} ({columns}) USING iceberg PARTITIONED BY ({spec.partition_by})")
        frame = self.spark.createDataFrame(
            list(events), "event_id string, event_time string, user_id string, event_type string, duration bigint"
        ).selectExpr(
            "event_id",
            "CAST(event_time AS TIMESTAMP) AS event_time",
            "user_id",
            "event_type",
            "to_json(CASE WHEN duration IS NULL THEN map() ELSE map('duration', duration) END) AS event_data",
            "duration AS duration_ms",
            "current_timestamp() AS processed_timestamp",
        )
        frame.selectExpr(
            "*",
            "CAST(event_time AS DATE) AS event_date",
            "hour(event_time) AS hour_of_day",
            "(dayofweek(event_time) + 5) % 7 + 1 AS day_of_week",
        ).writeTo(target).append()

    def quarantine(self) -> list[tuple]:
        frame = self.spark.sql(
            f"SELECT source_table, file, position, reason FROM {CATALOG}.{self.silver}.quarantine ORDER BY file, position"
        )
        return [tuple(row) for row in frame.collect()]


@pytest.fixture
def lake(spark, tmp_path) -> Lake:
    return Lake(spark, tmp_path)
