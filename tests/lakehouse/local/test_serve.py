"""The local ingestion adapter: real HTTP to the real handler, API Gateway's event shape and routing,
the copy to a raw directory, ``serve`` itself, and the API fuzzed from its OpenAPI document."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from lakehouse.local.serve import IngestionServer, LocalRawZone, api_event, openapi_document
from lakehouse.local.streaming import post

OPENAPI = Path(__file__).resolve().parents[3] / "functions" / "ingestion" / "openapi.yaml"
RECORD = {"source": "iot_sensors", "data": {"device_id": "sensor_001", "temperature": 22.5}}


@pytest.fixture(scope="module")
def served():
    with LocalRawZone() as zone, IngestionServer(zone) as server:
        yield zone, server


def request(url: str, method: str = "POST", body: bytes = b"", content_type: str = "application/json"):
    req = urllib.request.Request(url, data=body or None, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# --- the adapter -----------------------------------------------------------------------------------


def test_a_post_over_http_is_stored_and_answered_202(served):
    zone, server = served
    before = set(zone.keys())
    status, answer = post(f"{server.url}/events", json.dumps(RECORD).encode(), "application/json")
    assert status == 202 and answer["accepted"] == 1
    (key,) = set(zone.keys()) - before
    assert json.loads(zone.read(key))["event_id"] == answer["ids"][0]


def test_an_invalid_record_over_http_is_400_with_its_reason(served):
    _, server = served
    status, answer = post(f"{server.url}/events", b'{"source": "iot_sensors"}', "application/json")
    assert (status, answer) == (400, {"errors": [{"index": 0, "field": "data", "message": "required"}]})


@pytest.mark.parametrize(("method", "path"), [("POST", "/nope"), ("GET", "/events"), ("DELETE", "/events")])
def test_a_route_the_document_does_not_declare_is_404(served, method, path):
    _, server = served
    assert request(f"{server.url}{path}", method) == (404, {"message": "Not Found"})


def test_a_body_over_api_gateways_10_mb_is_413_before_the_handler(served):
    _, server = served
    status, answer = request(f"{server.url}/events", body=b" " * (10 * 1024 * 1024 + 1))
    assert (status, answer) == (413, {"message": "Request Entity Too Large"})


def test_a_binary_content_type_reaches_the_handler_base64_encoded():
    event = api_event("POST", "/events", "", {"Content-Type": "application/octet-stream"}, b"\x00\x01")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01"


def test_a_json_body_reaches_the_handler_as_text():
    event = api_event("POST", "/events", "a=1", {"Content-Type": "application/json", "X-Trace": "t"}, b'{"a": 1}')
    assert (event["body"], event["isBase64Encoded"]) == ('{"a": 1}', False)
    assert event["headers"] == {"content-type": "application/json", "x-trace": "t"}
    assert (event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]) == (
        "2.0",
        "POST /events",
        "/events",
        "a=1",
    )
    assert event["requestContext"]["http"]["method"] == "POST"
    assert isinstance(event["requestContext"]["timeEpoch"], int)


def test_repeated_headers_are_joined_with_commas():
    event = api_event("POST", "/events", "", [("X-Tag", "a"), ("x-tag", "b")], b"")
    assert event["headers"] == {"x-tag": "a,b"}


def test_an_empty_body_is_absent_from_the_event():
    assert "body" not in api_event("POST", "/events", "", {}, b"")


def test_the_routes_are_the_documents():
    from lakehouse.local.serve import routes

    assert routes(openapi_document()) == {("POST", "/events")}


def test_copy_to_mirrors_the_bucket_once(tmp_path):
    with LocalRawZone() as zone, IngestionServer(zone, raw_dir=tmp_path) as server:
        post(
            f"{server.url}/events",
            json.dumps([RECORD, {**RECORD, "source": "web_orders"}]).encode(),
            "application/json",
        )
        copied = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.json"))
        assert copied == zone.keys()
        assert zone.copy_to(tmp_path) == 0
    assert len(copied) == 2


def test_the_zone_restores_the_environment_it_set():
    before = {name: os.environ.get(name) for name in ("RAW_BUCKET", "KMS_KEY_ARN")}
    with LocalRawZone() as zone:
        assert os.environ["RAW_BUCKET"] == zone.bucket
        assert os.environ["KMS_KEY_ARN"] == zone.key_arn
    assert {name: os.environ.get(name) for name in ("RAW_BUCKET", "KMS_KEY_ARN")} == before


def test_serve_prints_a_curl_example_serves_and_stops_on_interrupt(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from lakehouse.local.serve import serve; from pathlib import Path; serve({port}, Path({str(tmp_path)!r}))"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        lines = []
        while not any(line.strip().startswith("curl") for line in lines):
            lines.append(process.stdout.readline())
            assert lines[-1], process.stderr.read()
        assert f"curl -s -X POST http://127.0.0.1:{port}/events -H 'Content-Type: application/json'" in lines[-1]
        status, _ = post(f"http://127.0.0.1:{port}/events", json.dumps(RECORD).encode(), "application/json")
        assert status == 202
        assert len(list(tmp_path.rglob("*.json"))) == 1
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert "stopped" in out


# --- fuzzing from the OpenAPI document --------------------------------------------------------------

schema = schemathesis.openapi.from_path(OPENAPI)
checks = schema.config.checks
# Sizes the schema cannot state (5 MiB per body, 256 KiB per record) make 413 a right answer for
# data the schema allows, and for data it refuses.
checks.positive_data_acceptance.expected_statuses = ["202", "413"]
checks.negative_data_rejection.expected_statuses = ["400", "413", "415"]
checks.unsupported_method.enabled = False  # API Gateway answers an undeclared route 404, not 405


@schema.parametrize()
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
def test_fuzzed_requests_get_a_documented_answer_and_never_a_partial_write(case, served):
    zone, server = served
    before = set(zone.keys())
    response = case.call(base_url=server.url)
    new = [line for key in set(zone.keys()) - before for line in zone.read(key).decode().split("\n") if line]
    assert response.status_code < 500, response.text
    body = response.json()
    if case.method != "POST":  # API Gateway answers an undeclared route 404, not 405
        assert (response.status_code, body, new) == (404, {"message": "Not Found"}, [])
        return
    case.validate_response(response)
    if response.status_code == 202:
        assert len(new) == body["accepted"] == len(body["ids"])
        assert sorted(json.loads(line)["event_id"] for line in new) == sorted(body["ids"])
    else:
        assert new == []
        assert body["errors"] and all(error["message"] for error in body["errors"])
