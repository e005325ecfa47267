"""SQL kept in ``.sql`` files under ``etl/sql/`` (readable on their own; the gold queries run in Athena
with the catalog prefix removed), with ``{name}`` placeholders filled in here.

Only ``{identifier}`` is a placeholder, so a regular expression's ``{2,}`` stays as written; a
placeholder without a value is an error naming it, never SQL with a hole in it.
"""

from __future__ import annotations

import re
from importlib import resources

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read(path: str) -> str:
    """The text of ``etl/sql/<path>``."""
    return resources.files("etl").joinpath("sql", path).read_text()


def fill(template: str, values: dict[str, str], name: str = "template") -> str:
    missing = sorted({m.group(1) for m in PLACEHOLDER.finditer(template)} - set(values))
    if missing:
        raise KeyError(f"{name}: no value for {', '.join('{' + m + '}' for m in missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def render(path: str, **values: str) -> str:
    """``etl/sql/<path>`` with its placeholders filled."""
    return fill(read(path), values, path)
