"""AuditTrail's config: defaults, and bad values stopped by the registry with their path."""

from __future__ import annotations

import functools

import pytest

from components.audit_trail import AuditTrailConfig
from components.config import ConfigError
from components.registry import Registry
from tests.components.conftest import config_problems

ROOT = "lakehouse:components.audit_trail"
problems = functools.partial(config_problems, "audit_trail")


def test_defaults_record_everything_and_lock_the_files():
    config = AuditTrailConfig()
    assert config.s3_data_events == "all"
    assert config.log_retention_days == 365
    assert (config.object_lock.enabled, config.object_lock.retention_days) == (True, 365)
    assert (
        config.lifecycle.infrequent_access_after_days,
        config.lifecycle.glacier_after_days,
        config.lifecycle.expire_after_days,
    ) == (30, 90, 2555)
    assert (config.force_destroy, config.protect) == (False, False)


def test_unknown_data_event_mode_is_refused():
    assert problems({"s3_data_events": "everything"}) == [
        f"{ROOT}.s3_data_events: must be one of 'none', 'read', 'write' or 'all' (got 'everything')"
    ]


def test_log_retention_must_be_a_cloudwatch_period():
    assert problems({"log_retention_days": 45}) == [
        f"{ROOT}.log_retention_days: must be one of CloudWatch Logs' retention periods [1, 3, 5, 7, 14, 30, 60, "
        "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] (got 45)"
    ]


def test_object_lock_retention_needs_a_day_at_least():
    assert problems({"object_lock": {"retention_days": 0}}) == [
        f"{ROOT}.object_lock.retention_days: must be >= 1 (got 0)"
    ]


def test_files_cannot_expire_before_their_lock_ends():
    assert problems({"lifecycle": {"expire_after_days": 90}}) == [
        f"{ROOT}: lifecycle.expire_after_days (90) must be at least object_lock.retention_days (365): "
        "locked log files cannot expire before their retention ends"
    ]


def test_early_expiry_is_fine_without_object_lock():
    config = AuditTrailConfig.model_validate(
        {"object_lock": {"enabled": False}, "lifecycle": {"expire_after_days": 90}}
    )
    assert config.lifecycle.expire_after_days == 90


def test_a_misspelt_key_is_named():
    assert problems({"object_lock": {"retention_day": 3}}) == [
        f"{ROOT}.object_lock.retention_day: unknown key (check the spelling; see the config reference in README.md)"
    ]


def test_the_trail_needs_the_foundation():
    with pytest.raises(ConfigError) as raised:
        Registry.discover().plan({"audit_trail": {}})
    assert raised.value.problems == [
        f"{ROOT}: needs component 'foundation', which is not enabled (add a 'foundation' block under "
        "lakehouse:components)"
    ]
