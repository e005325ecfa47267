"""The named queries: Athena (Trino) SQL that answers the lake's questions, written once.

Each ``etl/queries/<name>.sql`` is one query. Its first line is a comment that describes it (the
Athena console shows it as the query's description). Tables are named through two placeholders,
``{silver}`` and ``{gold}``, that stand for the databases of the silver and gold layers: the
Analytics component substitutes the foundation's Glue databases (``lakehouse_prod_gold``), the
local runner the local lake's namespaces (``gold``). Nothing else in a query is a placeholder.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from .. import templates

PLACEHOLDERS = ("silver", "gold")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DATABASE = re.compile(r"^[a-z_][a-z0-9_]*$")

# Athena's NamedQuery limits (CreateNamedQuery).
MAX_NAME = 128
MAX_DESCRIPTION = 1024
MAX_QUERY = 262_144


class QueryFileError(ValueError):
    """A query file that breaks the conventions above (names the file and the problem)."""


@dataclass(frozen=True)
class NamedQuery:
    """One query: its name (the file name), its description (the first comment line), its SQL."""

    name: str
    description: str
    template: str  # Trino SQL with {silver} and {gold}

    def render(self, silver: str, gold: str) -> str:
        """The query with the placeholders replaced by database (or namespace) names."""
        databases = {"silver": silver, "gold": gold}
        for database in databases.values():
            if not _DATABASE.match(database):
                raise ValueError(f"database name {database!r} must be lower-case letters, digits and _")
        return templates.fill(self.template, databases, f"queries/{self.name}.sql")


def parse(name: str, text: str) -> NamedQuery:
    """A query from its file name and text, checked against the conventions and Athena's limits."""
    where = f"etl/queries/{name}.sql"
    if not _NAME.match(name) or len(name) > MAX_NAME:
        raise QueryFileError(f"{where}: the name must be lower-case letters, digits and _ (at most {MAX_NAME})")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.startswith("-- ") or not first[3:].strip():
        raise QueryFileError(f"{where}: the first line must be a '-- ' comment describing the query")
    description = first[3:].strip()
    if len(description) > MAX_DESCRIPTION:
        raise QueryFileError(f"{where}: the description is longer than {MAX_DESCRIPTION} characters")
    unknown = sorted({m.group(1) for m in templates.PLACEHOLDER.finditer(text)} - set(PLACEHOLDERS))
    if unknown:
        raise QueryFileError(f"{where}: unknown placeholders {unknown}; only {{silver}} and {{gold}} exist")
    if len(text) > MAX_QUERY:
        raise QueryFileError(f"{where}: longer than Athena's {MAX_QUERY} characters")
    return NamedQuery(name=name, description=description, template=text.strip() + "\n")


@functools.cache
def named_queries() -> dict[str, NamedQuery]:
    """Every query of ``etl/queries/``, by name, in name order."""
    folder = resources.files("etl").joinpath("queries")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return {query.name: query for query in (parse(f.name.removesuffix(".sql"), f.read_text()) for f in files)}
