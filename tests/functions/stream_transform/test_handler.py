"""The Firehose transformation contract: Ok with exactly the table's columns, enrichment in UTC on
day, year and week boundaries, every ProcessingFailed reason, nothing dropped, one summary line."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime

import pytest
import yaml

from functions.stream_transform import handler as transform

EVENT = {
    "event_id": "5f0c6a2e-8a34-4c5b-9f51-0c8a9d6b2f11",
    "event_time": "2025-11-25T10:00:00.123Z",
    "user_id": "user_42",
    "event_type": "page_view",
    "event_data": {"page": "/page_7", "duration": 1200, "success": True},
}


def encoded(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.b64encode(raw).decode()


def invoke(*payloads, field: str = "data") -> list[dict]:
    records = [
        {"recordId": f"r{i}", field: encoded(p), "approximateArrivalTimestamp": 0} for i, p in enumerate(payloads)
    ]
    return transform.handler({"invocationId": "inv-1", "records": records}, None)["records"]


def row(event: dict) -> dict:
    (answer,) = invoke(event)
    assert answer["result"] == "Ok", answer
    data = base64.b64decode(answer["data"])
    assert data.endswith(b"\n")
    return json.loads(data)


def reason_of(payload, caplog) -> tuple[str, str]:
    with caplog.at_level(logging.INFO, logger="functions.stream_transform.handler"):
        (answer,) = invoke(payload)
    assert answer == {"recordId": "r0", "result": "ProcessingFailed", "data": encoded(payload)}
    (failure,) = json.loads(caplog.records[-1].getMessage())["failures"]
    return failure["kind"], failure["reason"]


# --- Ok --------------------------------------------------------------------------------------------


def test_ok_row_has_exactly_the_clickstream_table_columns():
    contract = yaml.safe_load(open("etl/contracts/clickstream_events.yaml"))
    assert list(row(EVENT)) == [column["name"] for column in contract["columns"]]


def test_ok_row_values():
    emitted = row(EVENT)
    processed = emitted.pop("processed_timestamp")
    assert emitted == {
        "event_id": "5f0c6a2e-8a34-4c5b-9f51-0c8a9d6b2f11",
        "event_time": 1_764_064_800_123_000,
        "user_id": "user_42",
        "event_type": "page_view",
        "event_data": '{"page":"/page_7","duration":1200,"success":true}',
        "duration_ms": 1200,
        "event_date": "2025-11-25",
        "hour_of_day": 10,
        "day_of_week": 2,
    }
    assert abs(processed / 1e6 - datetime.now(UTC).timestamp()) < 60


@pytest.mark.parametrize(
    ("event_time", "micros", "event_date", "hour", "weekday"),
    [
        # a negative offset moves the event into the next day AND the next year in UTC
        ("2025-12-31T23:30:00-02:00", 1_767_231_000_000_000, "2026-01-01", 1, 4),
        # a positive offset moves it back across the year boundary
        ("2025-01-01T00:30:00+01:00", 1_735_687_800_000_000, "2024-12-31", 23, 2),
        # India: +05:30 moves it into the previous day (a Monday)
        ("2025-11-25T02:00:00+05:30", 1_764_016_200_000_000, "2025-11-24", 20, 1),
        # a Sunday is 7 (ISO), not 0
        ("2025-11-30T12:00:00Z", 1_764_504_000_000_000, "2025-11-30", 12, 7),
        ("2025-11-30T23:59:59.999999+00:00", 1_764_547_199_999_999, "2025-11-30", 23, 7),
        # a leap day
        ("2024-02-29T23:00:00-01:00", 1_709_251_200_000_000, "2024-03-01", 0, 5),
    ],
)
def test_enrichment_is_computed_in_utc(event_time, micros, event_date, hour, weekday):
    emitted = row({**EVENT, "event_time": event_time})
    assert (emitted["event_time"], emitted["event_date"], emitted["hour_of_day"], emitted["day_of_week"]) == (
        micros,
        event_date,
        hour,
        weekday,
    )


@pytest.mark.parametrize(
    ("event_data", "duration_ms"),
    [
        ({"duration": 1200}, 1200),
        ({"duration": 85.4}, 85),
        ({"duration": 85.6}, 86),
        ({"duration": "1200"}, None),
        ({"duration": True}, None),
        ({"duration": None}, None),
        ({"button": "buy"}, None),
    ],
)
def test_duration_ms_is_the_numeric_duration_else_null(event_data, duration_ms):
    assert row({**EVENT, "event_data": event_data})["duration_ms"] == duration_ms


def test_line_separators_in_event_data_are_escaped_so_the_row_stays_one_line():
    (answer,) = invoke({**EVENT, "event_data": {"note": "a\u2028b"}})
    data = base64.b64decode(answer["data"])
    assert data.count(b"\n") == 1 and "\u2028".encode() not in data
    assert json.loads(json.loads(data)["event_data"]) == {"note": "a\u2028b"}


def test_text_timestamps_for_a_parquet_destination(monkeypatch):
    monkeypatch.setenv("TIMESTAMP_ENCODING", "text")
    assert row({**EVENT, "event_time": "2025-12-31T23:30:00-02:00"})["event_time"] == "2026-01-01 01:30:00.000000"


def test_an_unknown_timestamp_encoding_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("TIMESTAMP_ENCODING", "iso")
    with pytest.raises(ValueError, match="TIMESTAMP_ENCODING must be one of epoch_micros, text"):
        invoke(EVENT)


def test_extra_producer_fields_are_not_emitted():
    assert "campaign" not in row({**EVENT, "campaign": "spring"})


def test_msk_records_answer_in_kafka_record_value():
    (answer,) = invoke(EVENT, field="kafkaRecordValue")
    assert set(answer) == {"recordId", "result", "kafkaRecordValue"}
    assert answer["result"] == "Ok"
    assert json.loads(base64.b64decode(answer["kafkaRecordValue"]))["event_id"] == EVENT["event_id"]


# --- ProcessingFailed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "kind", "reason"),
    [
        (b"page_view user_42", "json", "record data is not JSON: Expecting value: line 1 column 1 (char 0)"),
        (b'{"event_id": "\xff"}', "utf-8", "record data is not UTF-8 text"),
        (b'{"event_id": NaN}', "json", "record data is not JSON: NaN is not JSON"),
        ([EVENT], "event", "event: must be a JSON object (got array)"),
        ({k: v for k, v in EVENT.items() if k != "event_id"}, "event_id", "event_id: required"),
        (
            {**EVENT, "event_id": ""},
            "event_id",
            "event_id: must be a non-empty string of at most 256 characters without leading or trailing spaces (got '')",
        ),
        ({**EVENT, "event_id": 7}, "event_id", "event_id: must be a string (got number)"),
        ({k: v for k, v in EVENT.items() if k != "event_time"}, "event_time", "event_time: required"),
        (
            {**EVENT, "event_time": "2025-11-25T10:00:00"},
            "event_time",
            "event_time: must carry a zone or offset (Z, +02:00, ...): '2025-11-25T10:00:00'",
        ),
        ({**EVENT, "event_time": "yesterday"}, "event_time", "event_time: is not an ISO 8601 date-time: 'yesterday'"),
        (
            {**EVENT, "event_time": 1764064800},
            "event_time",
            "event_time: must be an ISO 8601 date-time string (got number)",
        ),
        (
            {**EVENT, "user_id": " "},
            "user_id",
            "user_id: must be a non-empty string of at most 256 characters without leading or trailing spaces (got ' ')",
        ),
        ({k: v for k, v in EVENT.items() if k != "user_id"}, "user_id", "user_id: required"),
        (
            {**EVENT, "event_type": "scroll"},
            "event_type",
            "event_type: must be one of page_view, button_click, form_submit, api_call (got 'scroll')",
        ),
        ({**EVENT, "event_data": "page=/p"}, "event_data", "event_data: must be a JSON object (got string)"),
        ({k: v for k, v in EVENT.items() if k != "event_data"}, "event_data", "event_data: required"),
        (
            {**EVENT, "event_data": {"duration": 1e30}},
            "event_data",
            "event_data: duration 1e+30 is out of the bigint range",
        ),
        (
            b'{"event_id": "e", "event_time": "2025-11-25T10:00:00Z", "user_id": "u", "event_type": "api_call", "event_data": {"d": 1e400}}',
            "event_data",
            "event_data: holds a number out of the double-precision range",
        ),
        (
            b'{"event_id": "\\ud800", "event_time": "2025-11-25T10:00:00Z", "user_id": "u", "event_type": "api_call", "event_data": {}}',
            "unicode",
            "event holds an unpaired UTF-16 surrogate: not valid Unicode",
        ),
    ],
)
def test_each_invalid_event_fails_with_its_reason_and_keeps_its_data(payload, kind, reason, caplog):
    assert reason_of(payload, caplog) == (kind, reason)


def test_data_that_is_not_base64_fails():
    records = [{"recordId": "r0", "data": "***"}]
    (answer,) = transform.handler({"records": records}, None)["records"]
    assert answer == {"recordId": "r0", "result": "ProcessingFailed", "data": "***"}


def test_every_fault_of_an_event_is_in_its_reason():
    bad = {"event_id": "e", "event_time": "2025-11-25", "user_id": "u", "event_type": "x", "event_data": 1}
    with pytest.raises(transform.Invalid) as raised:
        transform.decode(encoded(bad))
    assert raised.value.kind == "event_time"
    assert raised.value.reason == (
        "event_time: must carry a zone or offset (Z, +02:00, ...): '2025-11-25'; "
        "event_type: must be one of page_view, button_click, form_submit, api_call (got 'x'); "
        "event_data: must be a JSON object (got number)"
    )


# --- the batch -------------------------------------------------------------------------------------


def test_every_record_comes_back_once_in_order_and_nothing_is_dropped():
    answers = invoke(EVENT, b"nope", {**EVENT, "event_id": "second"}, [1])
    assert [(a["recordId"], a["result"]) for a in answers] == [
        ("r0", "Ok"),
        ("r1", "ProcessingFailed"),
        ("r2", "Ok"),
        ("r3", "ProcessingFailed"),
    ]


def test_one_summary_line_counts_the_batch(caplog):
    with caplog.at_level(logging.INFO, logger="functions.stream_transform.handler"):
        invoke(EVENT, b"nope", {**EVENT, "event_type": "scroll"}, EVENT)
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "functions.stream_transform.handler"]
    assert line == {
        "stream_transform": "summary",
        "invocation_id": "inv-1",
        "records": 4,
        "ok": 2,
        "failed": 2,
        "failed_by_kind": {"json": 1, "event_type": 1},
        "failures": [
            {
                "recordId": "r1",
                "kind": "json",
                "reason": "record data is not JSON: Expecting value: line 1 column 1 (char 0)",
            },
            {
                "recordId": "r2",
                "kind": "event_type",
                "reason": "event_type: must be one of page_view, button_click, form_submit, api_call (got 'scroll')",
            },
        ],
        "failures_not_listed": 0,
    }


def test_the_summary_lists_at_most_500_failures(caplog):
    with caplog.at_level(logging.INFO, logger="functions.stream_transform.handler"):
        invoke(*([b"x"] * 501))
    line = json.loads(caplog.records[-1].getMessage())
    assert (line["failed"], len(line["failures"]), line["failures_not_listed"]) == (501, 500, 1)


def test_an_empty_batch_answers_no_records():
    assert transform.handler({"records": []}, None) == {"records": []}
