"""Bronze files as a Spark DataFrame of records: listed through Hadoop's FileSystem (file://, s3://),
read by Spark's ``binaryFile`` source and parsed by ``etl.bronze.parse_file`` in Python tasks that
hand Arrow batches back to the JVM (``mapInArrow``: columnar, no per-row pickling).

The parser is Python's strict RFC 4180 reader on purpose: it gives exact record positions when a
quoted field spans lines and every quarantine reason (a wrong field count, malformed CSV, an
unreadable file), which Spark's own CSV source does not (it skips blank lines and reads malformed
quoting leniently).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from .bronze import is_bronze_file, parse_file, phase
from .session import java_class

RECORD_SCHEMA = "_cdc_file string, _cdc_pos bigint, fields array<string>, read_error string"


def list_files(spark: SparkSession, prefix: str) -> list[str]:
    """Full paths of the DMS files under ``prefix``, in file order (load files first, then by name)."""
    path = java_class(spark, "org.apache.hadoop.fs.Path")(prefix)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    paths = [status.getPath().toString() for status in fs.listStatus(path) if status.isFile()]
    return sorted((p for p in paths if is_bronze_file(file_name(p))), key=lambda p: (phase(file_name(p)), file_name(p)))


def file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _to_arrow(batches: Iterable[Any]) -> Iterator[Any]:  # pyarrow.RecordBatch in and out (pyarrow has no type hints)
    """Each binaryFile row (path, content) -> one Arrow batch of its records."""
    import pyarrow as pa

    schema = pa.schema(
        [
            ("_cdc_file", pa.string()),
            ("_cdc_pos", pa.int64()),
            ("fields", pa.list_(pa.string())),
            ("read_error", pa.string()),
        ]
    )
    for batch in batches:
        contents = batch.column("content")
        for index, path in enumerate(batch.column("path").to_pylist()):
            parsed = parse_file(contents[index].as_py())
            fields: list[list[str] | None] = list(parsed.records)
            errors = pa.nulls(len(fields), pa.string())
            if parsed.error is not None:  # the record where reading stopped, with the reason
                fields.append(None)
                errors = pa.array([None] * len(parsed.records) + [parsed.error], pa.string())
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([file_name(path)] * len(fields), pa.string()),
                    pa.array(range(1, len(fields) + 1), pa.int64()),
                    pa.array(fields, pa.list_(pa.string())),
                    errors,
                ],
                schema=schema,
            )


def read(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """One row per record: ``_cdc_file`` (name), ``_cdc_pos`` (1-based), ``fields`` (or NULL) and
    ``read_error`` (why the record could not be read, or NULL)."""
    files = spark.read.format("binaryFile").load(list(paths)).select("path", "content")
    return files.mapInArrow(_to_arrow, RECORD_SCHEMA)
