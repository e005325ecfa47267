"""``lakehouse query --named NAME`` and ``--list``: the Athena named queries on the local lake.

The queries are written once, in Athena's dialect (Trino SQL, ``etl/queries/``); locally they are
transpiled to Spark SQL with sqlglot and run against the local lake, whose ``silver`` and ``gold``
namespaces stand in for the Glue databases. The same text therefore answers the same question on a
laptop and in the Athena console.
"""

from __future__ import annotations

import difflib
import sys
from typing import Any

import sqlglot
from rich.console import Console
from rich.table import Table

from etl.queries import NamedQuery, named_queries

from .pipeline import query

EXIT_USAGE = 2


class UnknownQuery(KeyError):
    """A name that is not a file of ``etl/queries/`` (the message suggests the closest ones)."""

    def __str__(self) -> str:
        return str(self.args[0])


def find(name: str) -> NamedQuery:
    """The named query ``name``, or UnknownQuery naming the closest names."""
    queries = named_queries()
    if name not in queries:
        close = difflib.get_close_matches(name, queries, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UnknownQuery(f"no named query '{name}'; {hint}`lakehouse query --list` shows them all")
    return queries[name]


def to_spark(named: NamedQuery, silver: str = "silver", gold: str = "gold") -> str:
    """The query as Spark SQL over the given namespaces of the local ``lake`` catalog."""
    (statement,) = sqlglot.transpile(named.render(silver, gold), read="trino", write="spark")
    return statement


def list_queries(console: Console) -> int:
    """Print every named query with its description."""
    table = Table("name", "description", title="named queries (etl/queries/, Athena SQL)", title_justify="left")
    for named in named_queries().values():
        table.add_row(named.name, named.description)
    console.print(table)
    return 0


def run_named(
    warehouse: str,
    name: str,
    output_format: str,
    console: Console,
    spark: Any = None,
    silver: str = "silver",
    gold: str = "gold",
    verbose: bool = False,
) -> int:
    """Run one named query on the local lake and print its rows (exit code 2 for an unknown name)."""
    try:
        named = find(name)
    except UnknownQuery as error:
        print(f"lakehouse query: {error}", file=sys.stderr)
        return EXIT_USAGE
    return query(warehouse, to_spark(named, silver, gold), output_format, console, spark=spark, verbose=verbose)
