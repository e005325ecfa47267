"""The ingestion handler's contract: every answer code, the limits at and over the edge, all or
nothing per request, the raw-zone layout and encryption, retries."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from functions.ingestion import handler as ingestion

from .conftest import call, stored_lines

RECORD = {"source": "iot_sensors", "data": {"device_id": "sensor_001", "temperature": 22.5}}
KEY = re.compile(
    r"^raw/source=(?P<source>[a-z_]+)/year=2025/month=11/day=25/20251125T100000\.123Z-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json$"
)


def record(source: str = "iot_sensors", **fields) -> dict:
    return {"source": source, "data": {"n": 1}, **fields}


# --- 202 ---------------------------------------------------------------------------------------


def test_one_record_is_stored_with_its_made_up_id(zone):
    answer = call(RECORD)
    assert answer.status == 202
    assert answer.headers == {"Content-Type": "application/json"}
    assert answer.body["accepted"] == 1
    (made_up,) = answer.body["ids"]
    assert uuid.UUID(made_up).version == 4
    assert stored_lines(zone) == [
        {
            "event_id": made_up,
            "source": "iot_sensors",
            "received_at": "2025-11-25T10:00:00.123Z",
            "data": {"device_id": "sensor_001", "temperature": 22.5},
            "metadata": None,
        }
    ]


def test_client_event_ids_are_kept_and_ids_come_back_in_request_order(zone):
    batch = [record(event_id="b-2"), record("web_orders"), record(event_id="a-1", metadata={"k": "v"})]
    answer = call(batch)
    assert answer.status == 202
    assert answer.body["accepted"] == 3
    assert answer.body["ids"][0] == "b-2" and answer.body["ids"][2] == "a-1"
    assert uuid.UUID(answer.body["ids"][1]).version == 4
    lines = {line["event_id"]: line for line in stored_lines(zone)}
    assert lines["a-1"]["metadata"] == {"k": "v"}
    assert lines["b-2"]["metadata"] is None


def test_one_object_per_source_per_request(zone):
    batch = [record("iot_sensors"), record("web_orders"), record("iot_sensors"), record("mobile_app")]
    assert call(batch).status == 202
    sources = [KEY.match(key)["source"] for key in zone.keys()]
    assert sorted(sources) == ["iot_sensors", "mobile_app", "web_orders"]
    iot = next(key for key in zone.keys() if "source=iot_sensors" in key)
    assert len(zone.read(iot).decode().splitlines()) == 2


def test_put_object_is_called_once_per_source(zone, monkeypatch):
    calls = []
    client = ingestion._s3()
    real = client.put_object
    monkeypatch.setattr(client, "put_object", lambda **kwargs: calls.append(kwargs["Key"]) or real(**kwargs))
    assert call([record("a_source") for _ in range(500)]).status == 202
    assert len(calls) == 1


def test_keys_follow_the_layout_by_utc_receive_time(zone):
    call([record("iot_sensors"), record("web_orders")])
    assert len(zone.keys()) == 2
    assert all(KEY.match(key) for key in zone.keys())


def test_receive_time_sets_the_partition_in_utc(zone):
    call(RECORD, time_epoch=1_767_225_599_999)  # 2025-12-31T23:59:59.999Z
    (key,) = zone.keys()
    assert key.startswith("raw/source=iot_sensors/year=2025/month=12/day=31/20251231T235959.999Z-")
    assert stored_lines(zone)[0]["received_at"] == "2025-12-31T23:59:59.999Z"


def test_every_object_is_encrypted_with_the_stack_key(zone):
    call([record("iot_sensors"), record("web_orders")])
    for key in zone.keys():
        head = zone.s3.head_object(Bucket=zone.bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == zone.key_arn
        assert head["ContentType"] == "application/x-ndjson"


def test_base64_encoded_body_is_decoded(zone):
    answer = call(RECORD, encode=True)
    assert answer.status == 202
    assert stored_lines(zone)[0]["data"] == RECORD["data"]


@pytest.mark.parametrize(
    "content_type", [None, "application/json; charset=utf-8", "Application/JSON", "application/vnd.lakehouse+json"]
)
def test_json_content_types_and_none_are_accepted(zone, content_type):
    assert call(RECORD, content_type).status == 202


def test_non_ascii_data_is_stored_as_utf8(zone):
    call(record(data={"city": "Zürich", "emoji": "🌡"}))
    assert zone.read(zone.keys()[0]).decode("utf-8").count("Zürich") == 1
    assert stored_lines(zone)[0]["data"] == {"city": "Zürich", "emoji": "🌡"}


def test_characters_some_readers_split_lines_on_are_escaped_in_the_stored_line(zone):
    call(record(data={"text": "a\u2028b\u0085c"}))
    raw = zone.read(zone.keys()[0])
    assert raw.count(b"\n") == 1
    assert b"\\u2028" in raw and b"\\u0085" in raw
    assert stored_lines(zone)[0]["data"] == {"text": "a\u2028b\u0085c"}


# --- limits ------------------------------------------------------------------------------------


def test_500_records_are_accepted(zone):
    answer = call([record() for _ in range(500)])
    assert answer.status == 202
    assert answer.body["accepted"] == 500
    assert len(stored_lines(zone)) == 500


def test_501_records_are_413_and_nothing_is_stored(zone):
    answer = call([record() for _ in range(501)])
    assert answer.status == 413
    assert answer.body == {"errors": [{"field": "body", "message": "holds 501 records; at most 500 per request"}]}
    assert zone.keys() == []


def _body_of(size: int) -> bytes:
    """A valid batch of 21 records of ~240 KB, padded with JSON whitespace to exactly ``size`` bytes."""
    body = json.dumps([record(data={"b": "x" * 240_000}) for _ in range(21)], separators=(",", ":")).encode()
    return body + b" " * (size - len(body))


def test_body_of_exactly_5_mib_is_accepted(zone):
    body = _body_of(5_242_880)
    assert len(body) == 5 * 1024 * 1024
    assert call(body).status == 202
    assert len(stored_lines(zone)) == 21


def test_body_one_byte_over_5_mib_is_413(zone):
    answer = call(_body_of(5_242_881))
    assert answer.status == 413
    assert answer.body == {
        "errors": [{"field": "body", "message": "is 5242881 bytes; at most 5242880 bytes per request"}]
    }
    assert zone.keys() == []


def _record_of(size: int) -> dict:
    """A record whose compact JSON is ``size`` bytes (30 bytes of structure around the blob)."""
    return {"source": "s", "data": {"b": "x" * (size - 30)}}


def test_record_of_exactly_256_kib_is_accepted(zone):
    exact = _record_of(262_144)
    assert len(json.dumps(exact, separators=(",", ":"))) == 262_144
    assert call([record(), exact]).status == 202


def test_record_one_byte_over_256_kib_is_413_with_its_index(zone):
    answer = call([record(), _record_of(262_145)])
    assert answer.status == 413
    assert answer.body == {
        "errors": [
            {
                "index": 1,
                "field": "record",
                "message": "is 262145 bytes as compact JSON; at most 262144 bytes per record",
            }
        ]
    }
    assert zone.keys() == []


def test_size_limits_are_checked_before_field_rules(zone):
    answer = call([{"source": "BAD"}, _record_of(262_145)])
    assert answer.status == 413


# --- 400: all or nothing -------------------------------------------------------------------------


def test_one_invalid_record_rejects_the_whole_request_with_every_reason(zone):
    batch = [record(), {"source": "Bad-Source", "data": [1], "extra": 1}, record(), "not a record"]
    answer = call(batch)
    assert answer.status == 400
    assert answer.body == {
        "errors": [
            {"index": 1, "field": "extra", "message": "unknown field (allowed: source, event_id, data, metadata)"},
            {
                "index": 1,
                "field": "source",
                "message": "must be a source name matching ^[a-z][a-z0-9_]{0,63}$ (got 'Bad-Source')",
            },
            {"index": 1, "field": "data", "message": "must be a JSON object (got array)"},
            {"index": 3, "field": "record", "message": "must be a JSON object (got string)"},
        ]
    }
    assert zone.keys() == []


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"data": {}}, "source", "required"),
        ({"source": 7, "data": {}}, "source", "must be a string (got number)"),
        (
            {"source": "x" * 65, "data": {}},
            "source",
            "must be a source name matching ^[a-z][a-z0-9_]{0,63}$ (got '" + "x" * 65 + "')",
        ),
        ({"source": "s"}, "data", "required"),
        ({"source": "s", "data": None}, "data", "must be a JSON object (got null)"),
        ({"source": "s", "data": {}, "metadata": "m"}, "metadata", "must be a JSON object (got string)"),
        (
            {"source": "s", "data": {}, "event_id": "a b"},
            "event_id",
            "must be 1 to 128 printable ASCII characters without spaces (got 'a b')",
        ),
        (
            {"source": "s", "data": {}, "event_id": ""},
            "event_id",
            "must be 1 to 128 printable ASCII characters without spaces (got '')",
        ),
        ({"source": "s", "data": {}, "event_id": 5}, "event_id", "must be a string (got number)"),
    ],
)
def test_each_field_rule_names_the_field(zone, bad, field, message):
    answer = call([record(), bad])
    assert answer.status == 400
    assert answer.body == {"errors": [{"index": 1, "field": field, "message": message}]}
    assert zone.keys() == []


def test_a_long_value_is_cut_in_the_message(zone):
    answer = call({"source": "Y" * 200, "data": {}})
    assert answer.body["errors"][0]["message"].endswith("(got '" + "Y" * 80 + "...')")


def test_empty_array_is_400(zone):
    answer = call([])
    assert answer.status == 400
    assert answer.body == {"errors": [{"field": "body", "message": "is an empty array: send at least one record"}]}


@pytest.mark.parametrize("body", ['"a string"', "42", "null", "true"])
def test_json_that_is_not_a_record_or_batch_is_400(zone, body):
    answer = call(body)
    assert answer.status == 400
    assert answer.body == {
        "errors": [{"field": "body", "message": "must be a record (JSON object) or an array of records"}]
    }


def test_unpaired_surrogate_is_400(zone):
    answer = call('{"source": "s", "data": {"t": "\\ud800"}}')
    assert answer.status == 400
    assert answer.body == {
        "errors": [{"index": 0, "field": "record", "message": "holds an unpaired UTF-16 surrogate: not valid Unicode"}]
    }


def test_number_out_of_double_range_is_400(zone):
    answer = call('{"source": "s", "data": {"t": 1e400}}')
    assert answer.status == 400
    assert answer.body["errors"] == [
        {"index": 0, "field": "record", "message": "holds a number out of the double-precision range"}
    ]


def test_deeply_nested_json_is_400(zone):
    answer = call("[" * 100_000 + "]" * 100_000)
    assert answer.status == 400
    assert answer.body == {"errors": [{"field": "body", "message": "JSON is nested too deeply"}]}


# --- 415 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("source=iot", "is not JSON: Expecting value: line 1 column 1 (char 0)"),
        ("", "is empty"),
        ('{"source": "s", "data": {"t": NaN}}', "is not JSON: NaN is not JSON"),
        ('{"source": "s"', "is not JSON: Expecting ',' delimiter: line 1 column 15 (char 14)"),
    ],
)
def test_a_body_that_is_not_json_is_415(zone, body, message):
    answer = call(body)
    assert answer.status == 415
    assert answer.body == {"errors": [{"field": "body", "message": message}]}
    assert zone.keys() == []


def test_a_body_that_is_not_utf8_is_415(zone):
    answer = call(b'{"source": "\xff"}', encode=True)
    assert answer.status == 415
    assert answer.body == {"errors": [{"field": "body", "message": "is not UTF-8 text: invalid start byte at byte 12"}]}


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("text/plain", "must be application/json (got 'text/plain')"),
        ("application/x-www-form-urlencoded", "must be application/json (got 'application/x-www-form-urlencoded')"),
        ("application/json; charset=latin-1", "charset must be utf-8 (got 'latin-1')"),
    ],
)
def test_a_content_type_other_than_json_is_415(zone, content_type, message):
    answer = call(RECORD, content_type)
    assert answer.status == 415
    assert answer.body == {"errors": [{"field": "Content-Type", "message": message}]}


def test_a_body_marked_base64_that_is_not_is_415(zone):
    event = {"headers": {}, "body": "not base64!", "isBase64Encoded": True, "requestContext": {}}
    answer = ingestion.handler(event, None)
    assert answer["statusCode"] == 415
    assert json.loads(answer["body"]) == {
        "errors": [{"field": "body", "message": "is marked base64-encoded but is not base64"}]
    }


# --- 5xx: storage failed -------------------------------------------------------------------------


def test_missing_bucket_is_500_with_the_ids_to_retry_with(zone, monkeypatch):
    monkeypatch.setenv("RAW_BUCKET", "no-such-bucket")
    answer = call([record(event_id="mine"), record()])
    assert answer.status == 500
    assert answer.body["errors"] == [
        {"field": "storage", "message": "the records could not be stored (NoSuchBucket); retry with the same ids"}
    ]
    assert answer.body["ids"][0] == "mine"
    assert uuid.UUID(answer.body["ids"][1]).version == 4


def _failing_put(error: Exception):
    def put_object(**kwargs):
        raise error

    return put_object


def test_throttled_storage_is_503(zone, monkeypatch):
    throttled = ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "PutObject")
    monkeypatch.setattr(ingestion._s3(), "put_object", _failing_put(throttled))
    answer = call(RECORD)
    assert answer.status == 503
    assert answer.body["errors"][0]["message"] == "the records could not be stored (SlowDown); retry with the same ids"


def test_unreachable_storage_is_503(zone, monkeypatch):
    unreachable = EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")
    monkeypatch.setattr(ingestion._s3(), "put_object", _failing_put(unreachable))
    answer = call(RECORD)
    assert answer.status == 503
    assert answer.body["errors"][0]["message"] == (
        "the records could not be stored (EndpointConnectionError); retry with the same ids"
    )


def test_a_retry_with_the_answered_ids_stores_the_same_event_ids(zone, monkeypatch):
    client = ingestion._s3()
    real = client.put_object
    attempts = []

    def second_source_fails_once(**kwargs):
        attempts.append(kwargs["Key"])
        if "source=web_orders" in kwargs["Key"] and sum("source=web_orders" in k for k in attempts) == 1:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "later"}}, "PutObject")
        return real(**kwargs)

    monkeypatch.setattr(client, "put_object", second_source_fails_once)
    batch = [record("iot_sensors"), record("web_orders")]
    failed = call(batch)
    assert failed.status == 503
    retried = call([{**r, "event_id": i} for r, i in zip(batch, failed.body["ids"], strict=True)])
    assert retried.status == 202
    assert retried.body["ids"] == failed.body["ids"]
    stored = [line["event_id"] for line in stored_lines(zone)]
    # the first source was stored twice (before the failure, and by the retry): raw_to_processed keeps one
    assert sorted(stored) == sorted([failed.body["ids"][0], *failed.body["ids"]])


# --- the document ----------------------------------------------------------------------------------


def test_the_openapi_document_states_the_handlers_limits_and_patterns():
    from functions.common import events
    from lakehouse.local.serve import openapi_document

    document = openapi_document()
    schemas = document["components"]["schemas"]
    operation = document["paths"]["/events"]["post"]
    assert operation["requestBody"]["x-max-body-bytes"] == events.MAX_BODY_BYTES == 5_242_880
    assert schemas["Record"]["x-max-serialised-bytes"] == events.MAX_RECORD_BYTES == 262_144
    assert schemas["RecordBatch"]["maxItems"] == events.MAX_RECORDS == 500
    assert schemas["Record"]["properties"]["source"]["pattern"] == events.SOURCE_PATTERN
    assert schemas["Record"]["properties"]["event_id"]["pattern"] == events.EVENT_ID_PATTERN
    assert tuple(schemas["Record"]["properties"]) == events.RECORD_FIELDS
    assert schemas["Record"]["required"] == ["source", "data"]
    assert set(operation["responses"]) >= {"202", "400", "413", "415", "500", "503"}


def test_the_openapi_document_has_no_aws_extensions():
    from lakehouse.local.serve import openapi_document

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not [key for key in keys(openapi_document()) if str(key).startswith("x-amazon")]
