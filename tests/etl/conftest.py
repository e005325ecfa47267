"""One Spark session for the whole test run; each test gets its own bronze folder and namespaces."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from etl.bronze import write_file
from etl.contract import tables
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

    def run(self, *only: str) -> dict[str, Any]:
        result = bronze_to_silver.run(self.spark, str(self.bronze), self.silver, only=list(only))
        return {t["table"]: t for t in result["tables"]}

    def rows(self, table: str, *columns: str) -> list[tuple]:
        """Silver rows of a source table, ordered by primary key, as plain tuples."""
        spec = tables()[table]
        wanted = ", ".join(columns or [c.name for c in spec.columns])
        frame = self.spark.sql(
            f"SELECT {wanted} FROM {CATALOG}.{self.silver}.{spec.silver_table} ORDER BY {spec.primary_key}"
        )
        return [tuple(row) for row in frame.collect()]

    def quarantine(self) -> list[tuple]:
        frame = self.spark.sql(
            f"SELECT source_table, file, position, reason FROM {CATALOG}.{self.silver}.quarantine ORDER BY file, position"
        )
        return [tuple(row) for row in frame.collect()]


@pytest.fixture
def lake(spark, tmp_path) -> Lake:
    return Lake(spark, tmp_path)
