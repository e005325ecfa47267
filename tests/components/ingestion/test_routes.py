"""Routes from the OpenAPI document: one route per operation, and the invocation ARN each may use."""

from __future__ import annotations

import pytest

from components.ingestion.routes import Route, load_routes, routes_of

EXECUTION_ARN = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3"


def test_the_handlers_document_serves_post_events():
    assert [r.key for r in load_routes()] == ["POST /events"]


def test_every_operation_becomes_a_route_in_document_order():
    document = {
        "openapi": "3.0.3",
        "paths": {
            "/events": {"post": {}, "parameters": []},
            "/events/{event_id}": {"get": {}, "delete": {}},
        },
    }
    assert [r.key for r in routes_of(document)] == [
        "POST /events",
        "GET /events/{event_id}",
        "DELETE /events/{event_id}",
    ]


def test_source_arn_covers_every_stage_and_replaces_path_parameters():
    assert Route("POST", "/events").source_arn(EXECUTION_ARN) == f"{EXECUTION_ARN}/*/POST/events"
    assert Route("GET", "/events/{event_id}").source_arn(EXECUTION_ARN) == f"{EXECUTION_ARN}/*/GET/events/*"


def test_slug_is_a_stable_resource_name_fragment():
    assert Route("POST", "/events").slug == "post-events"
    assert Route("GET", "/events/{event_id}").slug == "get-events-by"


def test_a_swagger_2_document_is_refused():
    with pytest.raises(ValueError, match="must be OpenAPI 3"):
        routes_of({"swagger": "2.0", "paths": {"/events": {"post": {}}}})


def test_a_document_without_operations_is_refused():
    with pytest.raises(ValueError, match="defines no operation"):
        routes_of({"openapi": "3.0.3", "paths": {"/events": {"parameters": []}}})
