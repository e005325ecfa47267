"""The source contract (etl/contracts/saas_source.yaml, read as docs/source_contract.md): tables,
columns and types in DMS's order, and the validation, cleaning and derived-column rules as data.

The one place schemas and rules come from: the generator, the bronze parser and the silver tables
all read it. The YAML is the shared contract plus its rules written as data
(tests/etl/test_contract_copy.py keeps the two saying the same). A copy with more columns or rules
is loaded with ``load(path)`` and handed to the jobs: no Python changes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

_DECIMAL = re.compile(r"^numeric\((\d+),(\d+)\)$")
_SPARK_TYPES = {
    "bigint": "bigint",
    "integer": "int",
    "text": "string",
    "boolean": "boolean",
    "jsonb": "string",
    "timestamptz": "timestamp",
}


def spark_type(contract_type: str) -> str:
    """The Spark SQL type of a contract type: bigint, integer, text, boolean, jsonb, timestamptz, numeric(p,s)."""
    decimal = _DECIMAL.match(contract_type)
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    if contract_type not in _SPARK_TYPES:
        raise ValueError(f"unknown contract type {contract_type!r}; known: {', '.join(_SPARK_TYPES)}, numeric(p,s)")
    return _SPARK_TYPES[contract_type]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # contract type: bigint, integer, text, boolean, jsonb, timestamptz, numeric(p,s)
    nullable: bool = False

    @property
    def spark_type(self) -> str:
        return spark_type(self.type)


@dataclass(frozen=True)
class Rule:
    """A business rule: an I/U change for which the Spark SQL condition ``when`` holds is quarantined."""

    reason: str
    when: str


@dataclass(frozen=True)
class Cleaning:
    """A column's silver value as a Spark SQL expression over the typed change (never quarantines)."""

    column: str
    value: str


@dataclass(frozen=True)
class Derived:
    """A silver column that is not in the source, computed (Spark SQL) after cleaning."""

    name: str
    type: str
    value: str

    @property
    def spark_type(self) -> str:
        return spark_type(self.type)


@dataclass(frozen=True)
class Table:
    source: str  # core_order
    silver_table: str  # orders
    rows: int  # scale-1 row count
    primary_key: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    cleaning: tuple[Cleaning, ...] = ()
    derived: tuple[Derived, ...] = ()

    @property
    def field_count(self) -> int:
        """Fields per bronze record: Op, dms_timestamp, then the columns."""
        return 2 + len(self.columns)

    @property
    def silver_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, Spark type) of the silver table's data columns: the source's, then the derived ones."""
        return tuple((c.name, c.spark_type) for c in self.columns) + tuple((d.name, d.spark_type) for d in self.derived)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _table(name: str, spec: dict[str, Any]) -> Table:
    columns = tuple(Column(c["name"], str(c["type"]), bool(c.get("nullable", False))) for c in spec["columns"])
    table = Table(
        source=name,
        silver_table=spec["silver_table"],
        rows=spec["rows"],
        primary_key=spec["primary_key"],
        columns=columns,
        rules=tuple(Rule(str(r["reason"]), str(r["when"])) for r in spec.get("rules", ())),
        cleaning=tuple(Cleaning(column, str(value)) for column, value in spec.get("cleaning", {}).items()),
        derived=tuple(Derived(d["name"], str(d["type"]), str(d["value"])) for d in spec.get("derived", ())),
    )
    names = [c.name for c in columns]
    for cleaning in table.cleaning:
        if cleaning.column not in names:
            raise ValueError(f"contract {name}.cleaning.{cleaning.column}: no such column; columns: {', '.join(names)}")
    for derived in table.derived:
        spark_type(derived.type)  # an unknown type fails at load time, not in the middle of a run
        if derived.name in names or derived.name.startswith("_"):
            raise ValueError(f"contract {name}.derived.{derived.name}: clashes with a column or a bookkeeping name")
    if table.primary_key not in names:
        raise ValueError(f"contract {name}.primary_key: {table.primary_key} is not a column")
    return table


def parse(text: str) -> dict[str, Table]:
    """Source table name -> Table, in contract order, from the contract's YAML text."""
    document = yaml.safe_load(text)
    return {name: _table(name, spec) for name, spec in document["tables"].items()}


def load(path: str | Path) -> dict[str, Table]:
    """A contract file other than the packaged one (a copy with more columns or rules)."""
    return parse(Path(path).read_text())


@functools.cache
def tables() -> dict[str, Table]:
    """The packaged contract: source table name -> Table, in contract order."""
    return parse(resources.files("etl").joinpath("contracts/saas_source.yaml").read_text())


class EventColumn(NamedTuple):
    """A column of an event table: its name and its contract (Glue/Hive) type."""

    name: str
    type: str


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


@dataclass(frozen=True)
class EventTable:
    """An event table's contract (etl/contracts/clickstream_events.yaml): the one definition the stream
    transform's output, the Streaming component's Glue table and the local stand-in all follow."""

    name: str
    partition_by: str
    columns: tuple[EventColumn, ...]

    @property
    def partition_column(self) -> EventColumn:
        return next(c for c in self.columns if c.name == self.partition_by)

    @property
    def data_columns(self) -> tuple[EventColumn, ...]:
        """The columns stored in the files of a Hive-style table (the partition key lives in the path)."""
        return tuple(c for c in self.columns if c.name != self.partition_by)


def parse_event_table(document: Any) -> EventTable:
    """An event table from its YAML document; refuses one it cannot turn into a table."""
    columns = tuple(EventColumn(str(c["name"]), str(c["type"])) for c in document["columns"])
    table = EventTable(str(document["table"]), str(document["partition_by"]), columns)
    unknown = sorted({c.type for c in columns} - set(ICEBERG_TYPES))
    if unknown:
        raise ValueError(f"{table.name}: column types {unknown} have no Iceberg equivalent here")
    if table.partition_by not in {c.name for c in columns}:
        raise ValueError(f"{table.name}: partition_by {table.partition_by!r} is not one of its columns")
    return table


@functools.cache
def clickstream_events() -> EventTable:
    """The clickstream_events contract shipped with the etl package."""
    return parse_event_table(
        yaml.safe_load(resources.files("etl").joinpath("contracts/clickstream_events.yaml").read_text())
    )
