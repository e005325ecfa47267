"""Both Lambda event shapes and document validation, without a store."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from functions.document_processor.records import Document, Rejected, SourceRecord, parse, source_records

ARRIVAL = datetime(2025, 11, 25, 10, 0, 0, 123000, tzinfo=UTC)


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


def _record(data: bytes, position: str = "7") -> SourceRecord:
    return SourceRecord("shardId-000000000001", position, ARRIVAL, data)


def test_kinesis_event_gives_shard_sequence_arrival_and_data():
    event = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventID": "shardId-000000000001:49590338271490256608559692538361571095921575989136588898",
                "kinesis": {
                    "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                    "approximateArrivalTimestamp": 1764064800.123,
                    "data": _b64(b'{"a": 1}'),
                    "partitionKey": "k",
                },
            }
        ]
    }
    assert source_records(event) == [
        SourceRecord(
            "shardId-000000000001",
            "49590338271490256608559692538361571095921575989136588898",
            ARRIVAL,
            b'{"a": 1}',
        )
    ]


def test_msk_event_gives_one_record_per_partition_entry_with_its_offset():
    event = {
        "eventSource": "aws:kafka",
        "records": {
            "documents-0": [{"offset": 15, "timestamp": 1764064800123, "value": _b64(b"{}")}],
            "documents-1": [
                {"offset": 3, "timestamp": 1764064800123, "value": _b64(b"[]")},
                {"offset": 4, "timestamp": 1764064800123, "value": None},
            ],
        },
    }
    assert source_records(event) == [
        SourceRecord("documents-0", "15", ARRIVAL, b"{}"),
        SourceRecord("documents-1", "3", ARRIVAL, b"[]"),
        SourceRecord("documents-1", "4", ARRIVAL, b""),
    ]


def test_an_event_of_another_shape_is_an_error():
    with pytest.raises(ValueError, match="unsupported event"):
        source_records({"Records": "nope", "detail": {}})


def test_valid_document_gets_string_id_and_ingest_metadata():
    parsed = parse(_record(b'{"id": 42, "doc_type": "customer_event", "x": {"y": [1]}}'))
    assert parsed == Document(
        "42",
        "customer_event",
        {
            "_id": "42",
            "id": 42,
            "doc_type": "customer_event",
            "x": {"y": [1]},
            "_ingest": {
                "source": "shardId-000000000001",
                "position": "7",
                "arrival": "2025-11-25T10:00:00.123000Z",
                "version": "001764064800123.0017",
            },
        },
        _record(b'{"id": 42, "doc_type": "customer_event", "x": {"y": [1]}}'),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty record"),
        (b"\xff\xfe", "not JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
        (b'{"_id": "a",', "not JSON: Expecting property name enclosed in double quotes: line 1 column 13 (char 12)"),
        (b'"a string"', "document must be a JSON object, got str"),
        (b'{"doc_type": "t"}', "_id or id: required"),
        (b'{"_id": true, "doc_type": "t"}', "_id/id must be a string or an integer, got bool"),
        (b'{"_id": {"$oid": "x"}, "doc_type": "t"}', "_id/id must be a string or an integer, got dict"),
        (b'{"_id": "", "doc_type": "t"}', "_id/id must be 1-512 characters"),
        (b'{"_id": "a", "id": "b", "doc_type": "t"}', "_id ('a') and id ('b') differ"),
        (b'{"_id": "a"}', "doc_type: required"),
        (b'{"_id": "a", "doc_type": "CMS/doc"}', "doc_type must match ^[a-z][a-z0-9_]{0,63}$, got 'CMS/doc'"),
        (b'{"_id": "a", "doc_type": 3}', "doc_type must match ^[a-z][a-z0-9_]{0,63}$, got 3"),
        (
            b'{"_id": "a", "doc_type": "t", "$set": 1, "_ingest": {}}',
            "field names must not start with '$' or be '_ingest': $set, _ingest",
        ),
    ],
)
def test_malformed_document_is_rejected_with_its_reason(data, reason):
    assert parse(_record(data)) == Rejected(_record(data), reason)


def test_same_id_under_both_names_is_accepted():
    parsed = parse(_record(b'{"_id": "7", "id": 7, "doc_type": "t"}'))
    assert isinstance(parsed, Document) and parsed.id == "7"


def test_undecodable_base64_is_rejected_not_dropped():
    (only,) = source_records({"records": {"t-0": [{"offset": 1, "timestamp": 0, "value": "%%%"}]}})
    assert parse(only).reason.startswith("data is not base64: ")


def test_versions_order_by_arrival_then_by_position_of_any_length():
    early = SourceRecord("s", "99999999999999999999", ARRIVAL, b"")
    later_position = SourceRecord("s", "100000000000000000000", ARRIVAL, b"")  # one digit longer
    later_arrival = SourceRecord("s", "1", datetime(2025, 11, 25, 10, 0, 1, tzinfo=UTC), b"")
    assert sorted([later_arrival, later_position, early], key=lambda r: r.version) == [
        early,
        later_position,
        later_arrival,
    ]
