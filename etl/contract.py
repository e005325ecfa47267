"""The source contract (contracts/saas_source.yaml): tables, columns and types, in DMS's order.

The one place schemas come from: the generator, the bronze parser and the silver tables all read
it. The YAML is a copy of the shared contract (tests/test_contract.py keeps them identical).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

_DECIMAL = re.compile(r"^numeric\((\d+),(\d+)\)$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # contract type: bigint, integer, text, boolean, jsonb, timestamptz, numeric(p,s)
    nullable: bool = False

    @property
    def spark_type(self) -> str:
        decimal = _DECIMAL.match(self.type)
        if decimal:
            return f"decimal({decimal.group(1)},{decimal.group(2)})"
        return {
            "bigint": "bigint",
            "integer": "int",
            "text": "string",
            "boolean": "boolean",
            "jsonb": "string",
            "timestamptz": "timestamp",
        }[self.type]


@dataclass(frozen=True)
class Table:
    source: str  # core_order
    silver_table: str  # orders
    rows: int  # scale-1 row count
    primary_key: str
    columns: tuple[Column, ...]

    @property
    def field_count(self) -> int:
        """Fields per bronze record: Op, dms_timestamp, then the columns."""
        return 2 + len(self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@functools.cache
def tables() -> dict[str, Table]:
    """Source table name -> Table, in contract order."""
    text = resources.files("etl").joinpath("contracts/saas_source.yaml").read_text()
    document = yaml.safe_load(text)
    return {
        name: Table(
            source=name,
            silver_table=spec["silver_table"],
            rows=spec["rows"],
            primary_key=spec["primary_key"],
            columns=tuple(Column(c["name"], str(c["type"]), bool(c.get("nullable", False))) for c in spec["columns"]),
        )
        for name, spec in document["tables"].items()
    }
