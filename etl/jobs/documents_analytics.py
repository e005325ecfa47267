"""documents_analytics: the lake's documents (``bronze/documents/`` of the raw zone, written by the
document processor) -> per-type, per-day analytics and the ML features of the document store's
seed, as gold Iceberg tables, upserted back into the store's ``analytics`` collection.

- ``documents_daily``: per ``doc_type`` and arrival day (UTC): writes, distinct documents, documents
  first seen that day, average size, text length and tag count.
- ``document_features``: per document, its newest version: ``text_length`` (characters of
  ``content``), ``tag_count`` (``metadata.tags``), ``view_count`` (``analytics.views``),
  ``recency_days`` (days from ``metadata.created_at`` to the data's as-of date), and how many
  versions the lake holds.

Deterministic and idempotent: lines are de-duplicated by their source and position (``_ingest``),
"now" is the data's own latest arrival, a table is rewritten only when its content changes, and the
write-back replaces ``daily:<doc_type>:<day>`` and ``features:<document id>`` documents by ``_id``,
so a re-run changes nothing. Fields are read with JSON paths from the raw lines, so documents of any
shape (a field missing, or of another type) never break the job.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession

from functions.document_processor.store import ANALYTICS, DEFAULT_DATABASE, Store, client_from_env, settings_from_env

from .. import args as job_args
from ..session import CATALOG

LAKE_PREFIX = "bronze/documents"
DAILY, FEATURES = "documents_daily", "document_features"
CONTENT_PROPERTY = "lakehouse.content"
WRITE_BACK_CHUNK = 1000

_DOCUMENTS_SQL = """
SELECT
  get_json_object(value, '$._id') AS id,
  doc_type,
  make_date(year, month, day) AS day,
  get_json_object(value, '$._ingest.source') AS source,
  get_json_object(value, '$._ingest.position') AS position,
  get_json_object(value, '$._ingest.version') AS version,
  CAST(get_json_object(value, '$._ingest.arrival') AS TIMESTAMP) AS arrival,
  octet_length(value) AS size_bytes,
  length(get_json_object(value, '$.content')) AS text_length,
  json_array_length(get_json_object(value, '$.metadata.tags')) AS tag_count,
  CAST(get_json_object(value, '$.analytics.views') AS BIGINT) AS view_count,
  to_date(get_json_object(value, '$.metadata.created_at')) AS created_at
FROM document_lines
"""

_DAILY_SQL = """
WITH firsts AS (SELECT id, MIN(version) AS first_version FROM documents GROUP BY id)
SELECT d.doc_type, d.day,
  COUNT(*) AS writes,
  COUNT(DISTINCT d.id) AS documents,
  COUNT(DISTINCT CASE WHEN d.version = f.first_version THEN d.id END) AS new_documents,
  ROUND(AVG(d.size_bytes), 1) AS avg_size_bytes,
  ROUND(AVG(d.text_length), 1) AS avg_text_length,
  ROUND(AVG(d.tag_count), 2) AS avg_tag_count
FROM documents d JOIN firsts f ON f.id = d.id
GROUP BY d.doc_type, d.day
"""

_FEATURES_SQL = """
SELECT id AS document_id, doc_type,
  COALESCE(text_length, 0) AS text_length,
  COALESCE(tag_count, 0) AS tag_count,
  COALESCE(view_count, 0) AS view_count,
  datediff(DATE '{as_of}', created_at) AS recency_days,
  versions,
  arrival AS last_seen
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY version DESC) AS newest,
         COUNT(*) OVER (PARTITION BY id) AS versions
  FROM documents
) WHERE newest = 1
"""


def read_documents(spark: SparkSession, bronze: str) -> DataFrame | None:
    """The lake's document lines, one row per (source, position); ``None`` when there are none yet."""
    base = f"{bronze.rstrip('/')}/{LAKE_PREFIX}"
    try:
        lines = spark.read.option("basePath", base).text(f"{base}/doc_type=*/year=*/month=*/day=*/*.json")
    except AnalysisException as error:
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return None
        raise
    lines.createOrReplaceTempView("document_lines")
    # A batch written twice under different names (never in normal retries) holds the same lines twice.
    return spark.sql(_DOCUMENTS_SQL).where("id IS NOT NULL").dropDuplicates(["source", "position"])


def _content(spark: SparkSession, frame: DataFrame) -> tuple[int, str]:
    """Row count and an order-independent fingerprint of a result (the sum of its row hashes)."""
    frame.createOrReplaceTempView("fingerprinted")
    (row,) = spark.sql("SELECT COUNT(*) AS n, SUM(xxhash64(*)) AS h FROM fingerprinted").collect()
    return row["n"], f"{row['n']}:{row['h']}"


def _stored_content(spark: SparkSession, table: str) -> str | None:
    if not spark.catalog.tableExists(table):
        return None
    for row in spark.sql(f"SHOW TBLPROPERTIES {table}").collect():
        if row["key"] == CONTENT_PROPERTY:
            return row["value"]
    return None


def write_gold(spark: SparkSession, gold_db: str, name: str, frame: DataFrame) -> dict[str, Any]:
    """Replace the gold table atomically when its content changed (Iceberg keeps the old snapshot)."""
    started = time.monotonic()
    target = f"{CATALOG}.{gold_db}.{name}"
    rows, content = _content(spark, frame)
    rebuilt = _stored_content(spark, target) != content
    if rebuilt:
        frame.createOrReplaceTempView(f"{name}_result")
        spark.sql(
            f"CREATE OR REPLACE TABLE {target} USING iceberg TBLPROPERTIES ('{CONTENT_PROPERTY}'='{content}') "
            f"AS SELECT * FROM {name}_result"
        )
    return {"table": name, "rows": rows, "rebuilt": rebuilt, "seconds": round(time.monotonic() - started, 2)}


def analytics_documents(daily: DataFrame, features: DataFrame, computed_at: datetime) -> Iterator[dict[str, Any]]:
    """The store's ``analytics`` documents: one per (doc_type, day) and one per document, with
    stable ids and the data's as-of time as ``computed_at`` (so a re-run writes the same thing)."""
    for row in daily.toLocalIterator():
        values = row.asDict()
        day = values.pop("day").isoformat()
        yield {
            "_id": f"daily:{values['doc_type']}:{day}",
            "kind": DAILY,
            "day": day,
            **values,
            "computed_at": computed_at,
        }
    for row in features.selectExpr(
        "*", "date_format(last_seen, \"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\") AS seen"
    ).toLocalIterator():
        values = row.asDict()
        values["last_seen"] = values.pop("seen")
        yield {
            "_id": f"features:{values['document_id']}",
            "kind": FEATURES,
            **values,
            "computed_at": computed_at,
        }


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_back(documents: Iterable[dict[str, Any]], env: Mapping[str, str]) -> dict[str, Any]:
    """Upsert into the store's ``analytics`` collection; skipped, with the reason, when the
    environment names no store."""
    if settings_from_env(env) is None:
        return {"written": 0, "note": "write-back skipped: neither DOCDB_SECRET_ARN nor DOCDB_URI is set"}
    store = Store(lambda: client_from_env(env), env.get("DOCDB_DATABASE", DEFAULT_DATABASE))
    try:
        store.ensure_indexes(ANALYTICS)
        written = 0
        for chunk in _chunks(documents, WRITE_BACK_CHUNK):
            outcome = store.upsert(ANALYTICS, chunk)
            if outcome.rejected:
                raise RuntimeError(f"the store refused analytics documents: {sorted(outcome.rejected.values())[:3]}")
            written += outcome.written
    finally:
        store.close()
    return {"written": written, "note": f"analytics upserted: {written}"}


def run(
    spark: SparkSession, bronze: str, gold_db: str = "gold", env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    env = os.environ if env is None else env
    documents = read_documents(spark, bronze)
    if documents is None:
        return {"as_of": "-", "tables": [], "written": 0, "note": "no documents in the lake yet"}
    documents = documents.cache()
    documents.createOrReplaceTempView("documents")
    # As strings from Spark (UTC session): Python would read a timestamp in the process's local zone.
    (bounds,) = documents.selectExpr(
        "CAST(CAST(MAX(arrival) AS DATE) AS STRING) AS day",
        "date_format(MAX(arrival), 'yyyy-MM-dd HH:mm:ss.SSS') AS at",
    ).collect()
    as_of, latest = bounds["day"], datetime.fromisoformat(bounds["at"]).replace(tzinfo=UTC)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{gold_db}")
    daily = spark.sql(_DAILY_SQL).cache()
    features = spark.sql(_FEATURES_SQL.format(as_of=as_of)).cache()
    tables = [write_gold(spark, gold_db, DAILY, daily), write_gold(spark, gold_db, FEATURES, features)]
    stored = write_back(
        analytics_documents(daily.orderBy("doc_type", "day"), features.orderBy("document_id"), latest), env
    )
    for frame in (documents, daily, features):
        frame.unpersist()
    return {"as_of": as_of, "tables": tables, **stored}


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Document analytics and ML features from the lake, to gold and back to the store")
    p.add_argument("--bronze", required=True, help="raw zone root holding bronze/documents/ (directory or s3://)")
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    return run(job_args.session(args, spark), args.bronze, args.gold_database)
