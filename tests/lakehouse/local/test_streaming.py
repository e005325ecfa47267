"""The local clickstream path (the real transform handler in Firehose batches, the local stand-in for
Firehose's delivery into the clickstream_events table, Firehose-like error output) and the demo of
both real-time paths."""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.events_generator import VALID, clickstream_events, ingestion_requests
from etl.session import CATALOG
from lakehouse.local import streaming

EVENT = {
    "event_id": "e-1",
    "event_time": "2025-12-31T23:30:00-02:00",
    "user_id": "user_1",
    "event_type": "page_view",
    "event_data": {"page": "/p", "duration": 1200},
}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from etl.session import local_session

    # one session per test process (getOrCreate); left running for the other modules that share it
    return local_session(tmp_path_factory.mktemp("warehouse"), app_name="lakehouse-tests", shuffle_partitions=2)


@pytest.fixture
def silver() -> str:
    return f"silver_{uuid.uuid4().hex[:8]}"


def test_firehose_batches_hold_at_most_500_base64_records():
    payloads = [f"p{i}".encode() for i in range(1001)]
    batches = list(streaming.firehose_batches(payloads))
    assert [len(b["records"]) for b in batches] == [500, 500, 1]
    records = [r for b in batches for r in b["records"]]
    assert len({r["recordId"] for r in records}) == 1001
    assert [base64.b64decode(r["data"]) for r in records] == payloads


def test_a_transform_that_loses_a_record_is_refused_as_firehose_would(monkeypatch):
    from functions.stream_transform import handler as transform

    real = transform.handler
    monkeypatch.setattr(transform, "handler", lambda event, context: {"records": real(event, context)["records"][1:]})
    (event,) = streaming.firehose_batches([json.dumps(EVENT).encode()] * 2)
    with pytest.raises(RuntimeError, match="the transform answered other recordIds than it was sent"):
        streaming.invoke_transform(event)


def test_an_event_lands_in_the_table_with_its_utc_enrichment(spark, silver, tmp_path):
    result = streaming.run_stream(spark, [json.dumps(EVENT).encode()], tmp_path, silver)
    assert (result.ok, result.failed, result.table) == (1, 0, f"{CATALOG}.{silver}.clickstream_events")
    row = spark.sql(f"SELECT * FROM {result.table}").first().asDict()
    assert abs((row.pop("processed_timestamp") - datetime.now()).total_seconds()) < 300
    assert row == {
        "event_id": "e-1",
        "event_time": datetime(2026, 1, 1, 1, 30),
        "user_id": "user_1",
        "event_type": "page_view",
        "event_data": '{"page":"/p","duration":1200}',
        "duration_ms": 1200,
        "event_date": date(2026, 1, 1),
        "hour_of_day": 1,
        "day_of_week": 4,
    }


def test_the_table_is_the_contracts_partitioned_by_event_date(spark, silver, tmp_path):
    table = streaming.run_stream(spark, [], tmp_path, silver).table
    columns = [(f.name, f.dataType.simpleString()) for f in spark.table(table).schema.fields]
    assert columns == [
        ("event_id", "string"),
        ("event_time", "timestamp"),
        ("user_id", "string"),
        ("event_type", "string"),
        ("event_data", "string"),
        ("duration_ms", "bigint"),
        ("processed_timestamp", "timestamp"),
        ("event_date", "date"),
        ("hour_of_day", "int"),
        ("day_of_week", "int"),
    ]
    partition = spark.sql(f"SELECT * FROM {table}.partitions").schema["partition"].dataType
    assert partition.simpleString() == "struct<event_date:date>"


def test_failed_records_go_to_the_error_output_with_their_reasons(spark, silver, tmp_path):
    bad = json.dumps({**EVENT, "event_type": "scroll"}).encode()
    result = streaming.run_stream(spark, [json.dumps(EVENT).encode(), bad, b"not json"], tmp_path, silver)
    assert (result.ok, result.failed, result.failed_by_kind) == (1, 2, {"event_type": 1, "json": 1})
    (path,) = result.error_files
    relative = str(Path(path).relative_to(tmp_path))
    assert relative.startswith("errors/clickstream_events/processing-failed/")
    documents = [json.loads(line) for line in open(path).read().splitlines()]
    assert [base64.b64decode(d["rawData"]) for d in documents] == [bad, b"not json"]
    assert [d["errorMessage"] for d in documents] == [
        "event_type: must be one of page_view, button_click, form_submit, api_call (got 'scroll')",
        "record data is not JSON: Expecting value: line 1 column 1 (char 0)",
    ]
    assert {key for d in documents for key in d} == {
        "attemptsMade",
        "arrivalTimestamp",
        "errorCode",
        "errorMessage",
        "attemptEndingTimestamp",
        "rawData",
        "lambdaARN",
    }


def test_generated_clickstream_is_delivered_or_failed_never_dropped(spark, silver, tmp_path):
    events = clickstream_events(count=1200, seed=3)
    result = streaming.run_stream(spark, [e.payload for e in events], tmp_path, silver)
    kinds = Counter(e.kind for e in events)
    invalid = sum(n for kind, n in kinds.items() if kind not in (VALID, "replay"))
    assert (result.batches, result.records) == (3, 1200)
    assert (result.ok, result.failed) == (kinds[VALID] + kinds["replay"], invalid)
    assert spark.table(result.table).count() == result.ok
    failed_lines = sum(len(open(p).read().splitlines()) for p in result.error_files)
    assert failed_lines == invalid


def test_the_realtime_demo_reports_every_answer_and_lands_every_accepted_record(spark, tmp_path):
    from rich.console import Console

    console = Console(record=True, width=160)
    silver = f"silver_{uuid.uuid4().hex[:8]}"
    figures = streaming.run_realtime_demo(tmp_path, spark, console, silver)
    requests = ingestion_requests()
    expected = Counter(r.expected_status for r in requests)
    assert figures["ingestion"]["by_status"] == dict(sorted(expected.items()))
    assert figures["ingestion"]["unexpected_answers"] == 0
    accepted = [r for r in requests if r.expected_status == 202]
    assert figures["ingestion"]["records_accepted"] == sum(r.records for r in accepted)
    distinct = set()
    for request in accepted:
        body = json.loads(request.body)
        distinct |= {record["event_id"] for record in (body if isinstance(body, list) else [body])}
    landed = figures["raw_to_processed"]
    assert sum(t["applied"] for t in landed) == len(distinct)
    assert sum(t["applied"] + t["duplicates"] for t in landed) == figures["ingestion"]["records_accepted"]
    assert sum(t["quarantined"] for t in landed) == 0
    assert sum(figures["table_rows"].values()) == len(distinct)
    assert figures["clickstream"]["failed"] == 40
    text = console.export_text()
    assert "ingestion API answers" in text and "raw_to_processed" in text and "clickstream" in text
