"""documents_analytics on local Spark over lake files written by the processor's own lake writer,
with the write-back going to a real MongoDB wire-protocol server."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo import MongoClient

from etl.jobs import documents_analytics
from functions.document_processor import lake
from functions.document_processor.records import Document, Rejected, SourceRecord, parse
from lakehouse.local.documents import DocumentServer

CMS_A1 = {
    "_id": "a",
    "doc_type": "cms_document",
    "content": "abcdef",
    "metadata": {"tags": ["x", "y"], "created_at": "2025-11-01"},
    "analytics": {"views": 10},
}
CMS_A2 = {**CMS_A1, "content": "abcdefgh", "metadata": {"tags": ["x", "y", "z"], "created_at": "2025-11-01"}}
CMS_A2["analytics"] = {"views": 25}
CMS_B = {"_id": "b", "doc_type": "cms_document", "content": "hi"}
SENSOR_1 = {"id": "s1", "doc_type": "sensor_reading", "readings": {"t": 1}}
SENSOR_2 = {"id": "s2", "doc_type": "sensor_reading", "readings": {"t": 2}}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write_batch(
    bronze: Path, first: int, items: list[tuple[object, str]], source: str = "shardId-000000000000"
) -> None:
    """Lake objects for one batch, exactly as the processor writes them."""
    records = [
        SourceRecord(source, str(first + i), _at(at), doc if isinstance(doc, bytes) else json.dumps(doc).encode())
        for i, (doc, at) in enumerate(items)
    ]
    parsed = [parse(r) for r in records]
    documents = [p for p in parsed if isinstance(p, Document)]
    rejected = [p for p in parsed if isinstance(p, Rejected)]
    for key, body in lake.batch_objects(records, documents, rejected).items():
        (bronze / key).parent.mkdir(parents=True, exist_ok=True)
        (bronze / key).write_bytes(body)


def line_bytes(bronze: Path, document_id: str, position: str) -> int:
    """The size of a document's line in the lake (what avg_size_bytes averages)."""
    for path in (bronze / "bronze/documents").glob("doc_type=*/*/*/*/*.json"):
        for line in path.read_bytes().splitlines():
            parsed = json.loads(line)
            if parsed["_id"] == document_id and parsed["_ingest"]["position"] == position:
                return len(line)  # the line without its newline, as Spark's text reader sees it
    raise AssertionError(f"no line for {document_id} at {position}")


def build_lake(bronze: Path) -> None:
    write_batch(
        bronze,
        100,
        [(CMS_A1, "2025-11-24 10:00:00"), (SENSOR_1, "2025-11-24 10:00:01"), (b"[]", "2025-11-24 10:00:02")],
    )
    write_batch(
        bronze,
        200,
        [(CMS_A2, "2025-11-25 09:00:00"), (CMS_B, "2025-11-25 09:00:01"), (SENSOR_2, "2025-11-25 09:00:02")],
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with DocumentServer(tmp_path_factory.mktemp("store")) as running:
        yield running


@pytest.fixture(scope="module")
def runs(spark, server, tmp_path_factory):
    """The job run twice over the same lake: results, store contents and gold snapshots after each."""
    bronze = tmp_path_factory.mktemp("lake")
    build_lake(bronze)
    gold, database = f"gold_{uuid.uuid4().hex[:8]}", f"d{uuid.uuid4().hex[:8]}"
    env = {"DOCDB_URI": server.uri, "DOCDB_DATABASE": database}
    analytics = MongoClient(server.uri)[database]["analytics"]

    def snapshot():
        return {
            name: [
                r["snapshot_id"] for r in spark.sql(f"SELECT snapshot_id FROM lake.{gold}.{name}.snapshots").collect()
            ]
            for name in (documents_analytics.DAILY, documents_analytics.FEATURES)
        }

    first = documents_analytics.run(spark, str(bronze), gold, env)
    after_first = (list(analytics.find({}, sort=[("_id", 1)])), snapshot())
    second = documents_analytics.run(spark, str(bronze), gold, env)
    after_second = (list(analytics.find({}, sort=[("_id", 1)])), snapshot())
    return {
        "bronze": bronze,
        "gold": gold,
        "first": first,
        "second": second,
        "after_first": after_first,
        "after_second": after_second,
    }


def test_daily_figures_per_type_and_arrival_day(spark, runs):
    rows = spark.sql(f"SELECT * FROM lake.{runs['gold']}.documents_daily ORDER BY day, doc_type").collect()
    size = {
        key: line_bytes(runs["bronze"], *key)
        for key in [("a", "100"), ("s1", "101"), ("a", "200"), ("b", "201"), ("s2", "202")]
    }
    assert [tuple(r) for r in rows] == [
        ("cms_document", datetime(2025, 11, 24).date(), 1, 1, 1, float(size["a", "100"]), 6.0, 2.0),
        ("sensor_reading", datetime(2025, 11, 24).date(), 1, 1, 1, float(size["s1", "101"]), None, None),
        (
            "cms_document",
            datetime(2025, 11, 25).date(),
            2,
            2,
            1,
            round((size["a", "200"] + size["b", "201"]) / 2, 1),
            5.0,
            3.0,
        ),
        ("sensor_reading", datetime(2025, 11, 25).date(), 1, 1, 1, float(size["s2", "202"]), None, None),
    ]


def test_features_come_from_the_newest_version_of_each_document(spark, runs):
    rows = spark.sql(
        f"SELECT document_id, doc_type, text_length, tag_count, view_count, recency_days, versions, "
        f"CAST(last_seen AS STRING) FROM lake.{runs['gold']}.document_features ORDER BY document_id"
    ).collect()
    assert [tuple(r) for r in rows] == [
        ("a", "cms_document", 8, 3, 25, 24, 2, "2025-11-25 09:00:00"),
        ("b", "cms_document", 2, 0, 0, None, 1, "2025-11-25 09:00:01"),
        ("s1", "sensor_reading", 0, 0, 0, None, 1, "2025-11-24 10:00:01"),
        ("s2", "sensor_reading", 0, 0, 0, None, 1, "2025-11-25 09:00:02"),
    ]
    assert runs["first"]["as_of"] == "2025-11-25"


def test_write_back_upserts_one_document_per_type_and_day_and_per_document(runs):
    stored, _ = runs["after_first"]
    assert [d["_id"] for d in stored] == [
        "daily:cms_document:2025-11-24",
        "daily:cms_document:2025-11-25",
        "daily:sensor_reading:2025-11-24",
        "daily:sensor_reading:2025-11-25",
        "features:a",
        "features:b",
        "features:s1",
        "features:s2",
    ]
    features_a = next(d for d in stored if d["_id"] == "features:a")
    assert features_a == {
        "_id": "features:a",
        "kind": "document_features",
        "document_id": "a",
        "doc_type": "cms_document",
        "text_length": 8,
        "tag_count": 3,
        "view_count": 25,
        "recency_days": 24,
        "versions": 2,
        "last_seen": "2025-11-25T09:00:00.000Z",
        "computed_at": datetime(2025, 11, 25, 9, 0, 2),
    }
    assert runs["first"]["written"] == 8 and runs["first"]["note"] == "analytics upserted: 8"


def test_a_rerun_over_the_same_lake_changes_neither_gold_nor_the_store(runs):
    assert [t["rebuilt"] for t in runs["first"]["tables"]] == [True, True]
    assert [t["rebuilt"] for t in runs["second"]["tables"]] == [False, False]
    assert runs["after_second"] == runs["after_first"]


def test_a_batch_written_twice_under_two_names_counts_once(spark, tmp_path):
    bronze = tmp_path / "lake"
    items = [(CMS_B, "2025-11-25 09:00:01")]
    write_batch(bronze, 7, items)
    copy = next((bronze / "bronze/documents").rglob("*.json"))
    copy.with_name("shardId-000000000000-6.json").write_bytes(copy.read_bytes())  # same lines, other name
    gold = f"gold_{uuid.uuid4().hex[:8]}"
    result = documents_analytics.run(spark, str(bronze), gold, env={})
    row = spark.sql(f"SELECT writes, documents FROM lake.{gold}.documents_daily").first()
    assert (row["writes"], row["documents"]) == (1, 1)
    assert result["note"] == "write-back skipped: neither DOCDB_SECRET_ARN nor DOCDB_URI is set"


def test_documents_with_fields_of_unexpected_types_do_not_break_the_job(spark, tmp_path):
    bronze = tmp_path / "lake"
    odd = {"_id": "odd", "doc_type": "cms_document", "content": 5, "metadata": {"tags": "one", "created_at": "soon"}}
    write_batch(bronze, 1, [({**odd, "analytics": {"views": "many"}}, "2025-11-25 09:00:01")])
    gold = f"gold_{uuid.uuid4().hex[:8]}"
    documents_analytics.run(spark, str(bronze), gold, env={})
    row = spark.sql(
        f"SELECT text_length, tag_count, view_count, recency_days FROM lake.{gold}.document_features"
    ).first()
    assert tuple(row) == (1, 0, 0, None)  # content 5 reads as the text "5"


def test_an_empty_lake_gives_an_empty_result(spark, tmp_path):
    assert documents_analytics.run(spark, str(tmp_path), "gold_none", env={}) == {
        "as_of": "-",
        "tables": [],
        "written": 0,
        "note": "no documents in the lake yet",
    }


def test_main_takes_glue_style_arguments_and_the_store_from_the_environment(spark, server, tmp_path, monkeypatch):
    bronze, database = tmp_path / "lake", f"d{uuid.uuid4().hex[:8]}"
    write_batch(bronze, 1, [(SENSOR_1, "2025-11-24 10:00:01")])
    monkeypatch.setenv("DOCDB_URI", server.uri)
    monkeypatch.setenv("DOCDB_DATABASE", database)
    gold = f"gold_{uuid.uuid4().hex[:8]}"
    result = documents_analytics.main(
        ["--bronze", str(bronze), "--warehouse", "ignored", "--gold-database", gold, "--JOB_NAME", "x"], spark=spark
    )
    assert [(t["table"], t["rows"]) for t in result["tables"]] == [("documents_daily", 1), ("document_features", 1)]
    assert MongoClient(server.uri)[database]["analytics"].count_documents({}) == 2
