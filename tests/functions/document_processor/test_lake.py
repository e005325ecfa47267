"""Lake object names and bodies: deterministic per batch, by type and arrival day."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.document_processor import lake
from functions.document_processor.records import Rejected, SourceRecord, parse

DAY_ONE = datetime(2025, 11, 24, 23, 59, 59, tzinfo=UTC)
DAY_TWO = datetime(2025, 11, 25, 0, 0, 1, tzinfo=UTC)


def test_document_key_is_partitioned_by_type_and_arrival_day_and_named_after_the_batch():
    assert (
        lake.document_key("cms_document", DAY_TWO, "shardId-000000000000", "4959")
        == "bronze/documents/doc_type=cms_document/year=2025/month=11/day=25/shardId-000000000000-4959.json"
    )


def test_error_key_is_under_the_error_prefix_by_day():
    assert (
        lake.error_key(DAY_ONE, "documents-3", "12")
        == "bronze/documents/_errors/year=2025/month=11/day=24/documents-3-12.json"
    )


def test_unsafe_characters_of_a_topic_name_are_replaced():
    assert lake.object_name("my topic/v2-0", "5") == "my_topic_v2-0-5.json"


def test_first_position_is_the_numeric_minimum_per_source():
    records = [
        SourceRecord("a-0", "10", DAY_ONE, b""),
        SourceRecord("a-0", "9", DAY_ONE, b""),
        SourceRecord("a-1", "100", DAY_ONE, b""),
    ]
    assert lake.first_positions(records) == {"a-0": "9", "a-1": "100"}


def test_batch_objects_split_by_type_and_day_and_keep_batch_order():
    records = [
        SourceRecord("s", "5", DAY_ONE, b'{"_id": "a", "doc_type": "x"}'),
        SourceRecord("s", "6", DAY_TWO, b'{"_id": "b", "doc_type": "x"}'),
        SourceRecord("s", "7", DAY_TWO, b'{"_id": "c", "doc_type": "y"}'),
        SourceRecord("s", "8", DAY_TWO, b'{"_id": "d", "doc_type": "x"}'),
        SourceRecord("s", "9", DAY_TWO, b"\xff"),
    ]
    parsed = [parse(r) for r in records]
    objects = lake.batch_objects(records, parsed[:4], [parsed[4]])
    assert {key: body.decode().count("\n") for key, body in objects.items()} == {
        "bronze/documents/doc_type=x/year=2025/month=11/day=24/s-5.json": 1,
        "bronze/documents/doc_type=x/year=2025/month=11/day=25/s-5.json": 2,
        "bronze/documents/doc_type=y/year=2025/month=11/day=25/s-5.json": 1,
        "bronze/documents/_errors/year=2025/month=11/day=25/s-5.json": 1,
    }
    assert objects["bronze/documents/doc_type=x/year=2025/month=11/day=25/s-5.json"].decode() == (
        '{"_id":"b","doc_type":"x","_ingest":{"source":"s","position":"6","arrival":"2025-11-25T00:00:01Z",'
        '"version":"001764028801000.0016"}}\n'
        '{"_id":"d","doc_type":"x","_ingest":{"source":"s","position":"8","arrival":"2025-11-25T00:00:01Z",'
        '"version":"001764028801000.0018"}}\n'
    )


def test_error_line_keeps_the_reason_and_the_raw_record():
    text = lake.error_line(
        Rejected(SourceRecord("s", "3", DAY_ONE, b"[1]"), "document must be a JSON object, got list")
    )
    binary = lake.error_line(Rejected(SourceRecord("s", "4", DAY_ONE, b"\xff"), "not JSON"))
    assert text == {
        "reason": "document must be a JSON object, got list",
        "source": "s",
        "position": "3",
        "arrival": "2025-11-24T23:59:59Z",
        "raw": "[1]",
    }
    assert binary["raw_base64"] == "/w==" and "raw" not in binary
