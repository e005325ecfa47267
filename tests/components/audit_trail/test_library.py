"""AuditTrail used as a library, outside any stack config: defaults, a custom config, wiring."""

from __future__ import annotations

import json

import pytest

from components import DataLakeFoundation
from components.alarms import Monitored
from components.audit_trail import AuditTrail, AuditTrailConfig, ObjectLockConfig, key_grant
from components.foundation.config import ZoneLifecycle
from tests.components.conftest import build, build_component

TRAIL_TYPE = "aws:cloudtrail/trail:Trail"


def test_defaults_record_data_events_lock_for_a_year_and_keep_logs_a_year():
    created = build(lambda: AuditTrail("audit", foundation=DataLakeFoundation("lake")))
    trail = created.created["audit-trail"].inputs
    assert trail["name"] == "audit-audit"  # without name_prefix, the component's name prefixes its names
    assert [s["name"] for s in trail["advancedEventSelectors"]] == [
        "Management events, read and write (KMS and Glue included)",
        "S3 object events (all) on the lake's zone buckets",
    ]
    assert created.created["audit-bucket"].inputs["objectLockEnabled"] is True
    assert created.created["audit-bucket"].inputs["forceDestroy"] is False
    assert created.created["audit-bucket-object-lock"].inputs["rule"] == {
        "defaultRetention": {"mode": "GOVERNANCE", "days": 365}
    }
    assert created.created["audit-logs"].inputs["retentionInDays"] == 365
    assert created.created["audit-bucket-lifecycle"].inputs["rules"][0]["expiration"] == {"days": 2555}


def test_custom_config_records_writes_only_without_a_lock():
    config = AuditTrailConfig(
        s3_data_events="write",
        log_retention_days=90,
        object_lock=ObjectLockConfig(enabled=False),
        lifecycle=ZoneLifecycle(expire_after_days=30),
        force_destroy=True,
    )
    created = build(
        lambda: AuditTrail(
            "audit", config, foundation=DataLakeFoundation("lake"), tags={"owner": "x"}, name_prefix="acme-qa"
        )
    )
    trail = created.created["audit-trail"].inputs
    assert trail["name"] == "acme-qa-audit"
    assert trail["advancedEventSelectors"][1]["fieldSelectors"][-1] == {"field": "readOnly", "equals": ["false"]}
    assert trail["tags"] == {"owner": "x", "Name": "acme-qa-audit"}
    assert created.created["audit-bucket"].inputs["objectLockEnabled"] is False
    assert created.created["audit-bucket"].inputs["forceDestroy"] is True
    assert "audit-bucket-object-lock" not in created.created
    assert created.created["audit-logs"].inputs["retentionInDays"] == 90
    assert created.created["audit-logs"].inputs["name"] == "aws-cloudtrail-logs-acme-qa"


def test_the_foundation_takes_the_trails_key_grant_for_the_same_prefix():
    created = build(
        lambda: AuditTrail(
            "audit",
            foundation=DataLakeFoundation("lake", name_prefix="acme-qa", key_grants=[key_grant]),
            name_prefix="acme-qa",
        )
    )
    statements = json.loads(created.created["lake-key"].inputs["policy"])["Statement"]
    (encrypt,) = [s for s in statements if s["Sid"] == "AuditTrailEncryptsLogFiles"]
    assert encrypt["Condition"]["StringEquals"] == {
        "aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-qa-audit"
    }
    assert created.created["audit-trail"].inputs["name"] == "acme-qa-audit"


def test_a_prefix_that_cannot_name_a_bucket_stops_before_any_resource():
    with pytest.raises(ValueError, match="name_prefix 'Acme_QA' must be 1-44 lowercase"):
        AuditTrail("audit", foundation=object(), name_prefix="Acme_QA")  # type: ignore[arg-type]


def test_the_trail_is_an_alarm_source_for_monitoring():
    _, trail = build_component(lambda: AuditTrail("audit", foundation=DataLakeFoundation("lake")))
    assert isinstance(trail, Monitored)
    alarms = {alarm.name: alarm for alarm in trail.alarms()}
    assert sorted(alarms) == [
        "kms-key-disabled-or-deletion-scheduled",
        "root-account-usage",
        "s3-bucket-policy-changed",
    ]
    root = alarms["root-account-usage"]
    assert (root.metric, root.namespace, root.dimensions, root.threshold, root.statistic) == (
        "RootAccountUsage",
        "Lakehouse/Audit",
        {},
        1,
        "Sum",
    )
    assert (root.comparison, root.missing_data) == ("GreaterThanOrEqualToThreshold", "notBreaching")
    assert root.runbook
