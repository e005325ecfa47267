"""The bronze layout DMS writes (docs/source_contract.md), in one place: where files live, how a
file name orders, and how a file's records are read (with their 1-based record positions) or written.

Reading is plain Python (gzip + csv, strict RFC 4180): it runs inside Spark tasks and gives the exact
record positions the ordering contract needs even when a quoted field spans lines.
"""

from __future__ import annotations

import csv
import gzip
import io
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LOAD_FILE = re.compile(r"^LOAD\d{8}\.csv\.gz$")
CDC_FILE = re.compile(r"^\d{8}-\d{9}\.csv\.gz$")


def table_prefix(bronze: str, source_table: str) -> str:
    """``<bronze>/dms/public/<table>``."""
    return posixpath.join(bronze.rstrip("/"), "dms", "public", source_table)


def phase(file_name: str) -> int:
    """0 for full-load files, 1 for CDC files (the first part of the order key)."""
    return 0 if file_name.startswith("LOAD") else 1


def is_bronze_file(file_name: str) -> bool:
    return bool(LOAD_FILE.match(file_name) or CDC_FILE.match(file_name))


@dataclass(frozen=True)
class ParsedFile:
    """A bronze file's records in order (record position = index + 1), and, when reading stopped
    early, why: that reason belongs to the record at position ``len(records) + 1``."""

    records: list[list[str]]
    error: str | None = None


def parse_file(content: bytes) -> ParsedFile:
    """Every record of one gzip CSV file; an unreadable file is one record with the reason."""
    try:
        text = gzip.decompress(content).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        return ParsedFile([], f"unreadable file: {type(error).__name__}: {error}")
    try:
        return ParsedFile(list(csv.reader(io.StringIO(text, newline=""), strict=True)))
    except csv.Error:
        return _parse_until_malformed(text)  # rare: read again record by record to keep the good ones


def _parse_until_malformed(text: str) -> ParsedFile:
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        try:
            records.append(next(reader))
        except StopIteration:
            return ParsedFile(records)
        except csv.Error as error:
            return ParsedFile(records, f"malformed CSV: {error}")  # the rest cannot be located reliably


def encode_records(records: Iterable[Sequence[object]]) -> bytes:
    """Records as DMS writes them: RFC 4180 CSV, empty field = NULL, no header, gzip."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    for record in records:
        writer.writerow(["" if value is None else value for value in record])
    # mtime=0: the same records always give the same bytes (deterministic generator output)
    return gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0)


def write_file(bronze: str | Path, source_table: str, file_name: str, records: Iterable[Sequence[object]]) -> Path:
    """Write one bronze file (local paths; tests and the generator)."""
    path = Path(table_prefix(str(bronze), source_table)) / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_records(records))
    return path
