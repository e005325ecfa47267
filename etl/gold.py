"""The gold tables, discovered from their SQL: one ``etl/sql/gold/<table>.sql`` per table
(definitions: docs/gold_metrics.md). Adding a gold table is adding a file; no Python changes.

A query names its inputs with placeholders: ``{silver}.orders`` (a silver table), ``{gold}.revenue_daily``
(another gold table, built first) and ``{as_of}`` (the as-of date). The inputs a query names are the
only ones whose changes rebuild it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from . import templates

LAYERS = ("silver", "gold")
_INPUT = re.compile(r"\{(silver|gold)\}\.([A-Za-z_][A-Za-z0-9_]*)")
_KNOWN = {"silver", "gold", "as_of"}


@dataclass(frozen=True)
class GoldTable:
    name: str
    sql: str  # the template, placeholders unfilled
    inputs: tuple[tuple[str, str], ...]  # (layer, table), in order of first mention
    uses_as_of: bool

    def render(self, silver: str, gold: str, as_of: str | None) -> str:
        """The query with namespaces (``lake.silver``) and, when it uses one, the as-of date filled in."""
        values = {"silver": silver, "gold": gold}
        if self.uses_as_of:
            if as_of is None:
                raise ValueError(f"gold table {self.name} needs an as-of date")
            values["as_of"] = as_of
        return templates.fill(self.sql, values, f"gold/{self.name}.sql")


def _parse(name: str, sql: str) -> GoldTable:
    unknown = sorted({m.group(1) for m in templates.PLACEHOLDER.finditer(sql)} - _KNOWN)
    if unknown:
        raise ValueError(f"gold/{name}.sql: unknown placeholders {unknown}; known: {sorted(_KNOWN)}")
    inputs = tuple(dict.fromkeys((m.group(1), m.group(2)) for m in _INPUT.finditer(sql)))
    if ("gold", name) in inputs:
        raise ValueError(f"gold/{name}.sql reads itself")
    return GoldTable(name, sql, inputs, "{as_of}" in sql)


def discover(directory: str | Path | Traversable | None = None) -> dict[str, GoldTable]:
    """Every gold table of ``directory`` (default: the packaged ``etl/sql/gold``), each after the
    gold tables it reads, otherwise by name."""
    folder = resources.files("etl").joinpath("sql/gold") if directory is None else directory
    if isinstance(folder, str | Path):
        folder = Path(folder)
    found = {
        entry.name.removesuffix(".sql"): _parse(entry.name.removesuffix(".sql"), entry.read_text())
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    }
    ordered: dict[str, GoldTable] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise ValueError(f"gold tables read each other in a cycle: {' -> '.join([*visiting, name])}")
        visiting.append(name)
        for layer, dependency in found[name].inputs:
            if layer == "gold":
                if dependency not in found:
                    raise ValueError(f"gold/{name}.sql reads gold.{dependency}, which no gold/*.sql builds")
                visit(dependency)
        visiting.pop()
        ordered[name] = found[name]

    for name in sorted(found):
        visit(name)
    return ordered
