"""docs/source_contract.md's generated section: the packaged source contract (its prose, every table,
column, rule, cleaning and derived column) as Markdown, so that the document users read is the
contract the jobs run, never a retyped copy. ``python -m etl.contract_doc`` prints it.
"""

from __future__ import annotations

import re
from importlib import resources

from .contract import Table, parse

_TABLE = re.compile(r"^  ([A-Za-z_][A-Za-z0-9_]*):\s*$")
_NOTE = re.compile(r"\{name: ([A-Za-z_][A-Za-z0-9_]*),.*\}\s*#\s*(.+)$")


def _prose(text: str) -> list[list[str]]:
    """The comment blocks before ``tables:``, each without its ``# `` prefixes."""
    blocks: list[list[str]] = [[]]
    for line in text[: text.index("\ntables:")].splitlines():
        if line.startswith("#"):
            blocks[-1].append(line[2:] if line.startswith("# ") else line[1:])
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _notes(text: str) -> dict[tuple[str, str], str]:
    """(table, column) -> the comment written beside the column in the YAML."""
    notes, table = {}, ""
    for line in text.splitlines():
        if match := _TABLE.match(line):
            table = match.group(1)
        elif match := _NOTE.search(line):
            notes[(table, match.group(1))] = match.group(2).strip()
    return notes


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _table(table: Table, notes: dict[tuple[str, str], str]) -> list[str]:
    lines = [
        f"### {table.source} -> silver.{table.silver_table}",
        "",
        f"Primary key `{table.primary_key}`; {table.rows:,} rows at scale 1; {table.field_count} fields per "
        "bronze record (Op, dms_timestamp, then the columns).",
        "",
        "| field | column | type | nullable | note |",
        "|---:|---|---|---|---|",
    ]
    for position, column in enumerate(table.columns, start=3):
        note = _cell(notes.get((table.source, column.name), ""))
        lines.append(
            f"| {position} | `{column.name}` | {column.type} | {'yes' if column.nullable else 'no'} | {note} |"
        )
    if table.rules:
        lines += ["", "Business rules (an I/U change is quarantined with the reason when the condition holds):", ""]
        lines += ["| reason | condition (Spark SQL) |", "|---|---|"]
        lines += [f"| {_cell(rule.reason)} | `{_cell(rule.when)}` |" for rule in table.rules]
    if table.cleaning:
        lines += ["", "Cleaning (the silver value, in this order):", ""]
        lines += ["| column | value (Spark SQL) |", "|---|---|"]
        lines += [f"| `{c.column}` | `{_cell(c.value)}` |" for c in table.cleaning]
    if table.derived:
        lines += ["", "Derived columns (after cleaning):", ""]
        lines += ["| column | type | value (Spark SQL) |", "|---|---|---|"]
        lines += [f"| `{d.name}` | {d.type} | `{_cell(d.value)}` |" for d in table.derived]
    return [*lines, ""]


def render(text: str | None = None) -> str:
    """The generated section for the contract ``text`` (default: the packaged etl/contracts/saas_source.yaml)."""
    if text is None:
        text = resources.files("etl").joinpath("contracts/saas_source.yaml").read_text()
    lines = ["Generated from `etl/contracts/saas_source.yaml`, the copy the jobs read.", ""]
    for block in _prose(text):
        lines += ["```text", *block, "```", ""]
    lines += ["## Tables", ""]
    notes = _notes(text)
    for table in parse(text).values():
        lines += _table(table, notes)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
