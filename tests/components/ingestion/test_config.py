"""IngestionConfig: safe defaults, and bad blocks refused with the path and the reason."""

from __future__ import annotations

import functools

from components.config import validate
from components.ingestion import IngestionConfig
from tests.components.conftest import config_problems

problems = functools.partial(config_problems, "ingestion")


def test_defaults_are_iam_auth_throttled_and_capped():
    config = IngestionConfig()
    assert config.authorization == "iam"
    assert config.jwt is None
    assert (config.throttling.burst_limit, config.throttling.rate_limit) == (100, 50.0)
    assert config.reserved_concurrency == 10
    assert config.timeout_seconds == 10
    assert config.log_retention_days == 30


def test_jwt_block_is_accepted_with_issuer_and_audience():
    config = validate(
        IngestionConfig,
        {"authorization": "jwt", "jwt": {"issuer": "https://id.example.com/", "audience": ["ingest"]}},
        "components",
        "ingestion",
    )
    assert config.jwt.issuer == "https://id.example.com/"
    assert config.jwt.audience == ["ingest"]
    assert config.jwt.scopes == []


def test_jwt_without_issuer_names_the_missing_field():
    assert problems({"authorization": "jwt", "jwt": {"audience": ["ingest"]}}) == [
        "lakehouse:components.ingestion.jwt.issuer: required, but not set"
    ]


def test_jwt_authorization_without_a_jwt_block_is_refused():
    assert problems({"authorization": "jwt"}) == [
        "lakehouse:components.ingestion: authorization 'jwt' needs jwt.issuer and jwt.audience (set a jwt block)"
    ]


def test_jwt_block_with_iam_authorization_is_refused():
    assert problems({"jwt": {"issuer": "https://id.example.com", "audience": ["a"]}}) == [
        "lakehouse:components.ingestion: jwt is set but authorization is 'iam': set authorization: jwt, "
        "or remove the jwt block"
    ]


def test_plain_http_issuer_is_refused():
    assert problems({"authorization": "jwt", "jwt": {"issuer": "http://id.example.com", "audience": ["a"]}}) == [
        "lakehouse:components.ingestion.jwt.issuer: must match ^https://\\S+$ (got 'http://id.example.com')"
    ]


def test_jwt_needs_at_least_one_audience():
    assert problems({"authorization": "jwt", "jwt": {"issuer": "https://id.example.com", "audience": []}}) == [
        "lakehouse:components.ingestion.jwt.audience: list should have at least 1 item after validation, not 0"
    ]


def test_unknown_authorization_kind_is_refused():
    assert problems({"authorization": "api_key"}) == [
        "lakehouse:components.ingestion.authorization: must be one of 'iam' or 'jwt' (got 'api_key')"
    ]


def test_throttle_above_the_account_quota_is_refused():
    assert problems({"throttling": {"burst_limit": 6000}}) == [
        "lakehouse:components.ingestion.throttling.burst_limit: must be <= 5000 (got 6000)"
    ]


def test_handler_timeout_must_end_before_the_api_gives_up():
    assert problems({"timeout_seconds": 30}) == [
        "lakehouse:components.ingestion.timeout_seconds: must be <= 29 (got 30)"
    ]


def test_log_retention_must_be_a_cloudwatch_period():
    assert problems({"log_retention_days": 45})[0].startswith(
        "lakehouse:components.ingestion.log_retention_days: must be one of CloudWatch Logs' retention periods"
    )
