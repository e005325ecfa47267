"""The local document store run: a real wire-protocol server, the real processor and the real job."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pymongo import MongoClient
from rich.console import Console

from etl.documents_generator import MALFORMED, generate_documents
from lakehouse.local.documents import DocumentServer, free_port, kinesis_events, run_documents


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from etl.session import local_session

    root = tmp_path_factory.mktemp("documents")
    # The session of the run (getOrCreate: another module's, if one is up); left running for the others.
    spark = local_session(root / "warehouse", app_name="documents-test", shuffle_partitions=2)
    output = io.StringIO()
    figures = run_documents(root / "run", Console(file=output, width=160), spark=spark)
    return figures, output.getvalue(), root / "run"


def test_documents_flow_into_the_store_the_lake_and_back_as_analytics(demo):
    figures, _, _ = demo
    assert {k: v for k, v in figures.items() if k != "seconds"} == {
        "records": 133,
        "stored": 128,
        "stale": 0,
        "rejected": 5,
        "batches": 6,
        "replay_changed": False,
        "replay_stale": 2,
        "store_by_type": {"cms_document": 40, "customer_event": 40, "sensor_reading": 40},
        "lake_objects": 23,
        "error_objects": 5,
        "encryption": ("aws:kms", True),
        "gold": {"documents_daily": 12, "document_features": 120},
        "analytics_in_store": {"documents_daily": 12, "document_features": 120},
    }


def test_the_run_prints_what_is_where_with_every_rejection_reason(demo):
    _, printed, _ = demo
    for title in ("store: documents by type", "lake: 23 objects under bronze/documents/", "gold.documents_daily"):
        assert title in printed
    for _, reason in MALFORMED:
        assert reason in printed


def test_the_lake_copy_holds_the_documents_and_the_rejects(demo):
    _, _, out = demo
    documents = sorted((out / "lake/bronze/documents").glob("doc_type=*/*/*/*/*.json"))
    errors = sorted((out / "lake/bronze/documents/_errors").rglob("*.json"))
    assert len(documents) == 23 and len(errors) == 5
    assert sum(len(p.read_text().splitlines()) for p in documents) == 128


def test_generated_records_are_deterministic_and_include_every_kind_of_malformed_record():
    first, second = generate_documents(), generate_documents()
    assert first == second
    assert sum(1 for r in first if r.key.startswith("malformed-")) == len(MALFORMED)


def test_kinesis_batches_have_consecutive_sequence_numbers_across_batches():
    events = kinesis_events(generate_documents()[:5], batch_size=2)
    sequences = [int(r["kinesis"]["sequenceNumber"]) for e in events for r in e["Records"]]
    assert [len(e["Records"]) for e in events] == [2, 2, 1]
    assert sequences == list(range(sequences[0], sequences[0] + 5))


def test_the_server_keeps_its_data_across_a_restart_on_the_same_port(tmp_path: Path):
    server = DocumentServer(tmp_path, port=free_port())
    with server:
        MongoClient(server.uri).db.c.insert_one({"_id": 1})
        server.stop()
        server.start()
        assert MongoClient(server.uri).db.c.find_one() == {"_id": 1}
