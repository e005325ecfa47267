"""Monitoring's pure decisions: thresholds, the pipeline's own alarms, the dashboard, the policies."""

from __future__ import annotations

import json

import pytest

from components.alarms import Alarm
from components.iam import KeyPolicyScope
from components.monitoring.builders import (
    UnknownAlarms,
    Watched,
    dashboard_body,
    key_grants,
    pipeline_alarms,
    resolve,
    topic_policy,
)
from components.monitoring.config import MonitoringConfig

ERRORS = Alarm(
    name="errors",
    metric="Errors",
    namespace="AWS/Lambda",
    dimensions={"FunctionName": "f"},
    threshold=1,
    runbook="the function failed",
)
LATENCY = Alarm(
    name="latency",
    metric="Latency",
    namespace="AWS/ApiGateway",
    dimensions={"ApiId": "a"},
    threshold=2000,
    statistic="p99",
    runbook="slow",
)


def test_thresholds_from_config_replace_the_defaults_and_disabled_alarms_are_left_out():
    config = MonitoringConfig(thresholds={"api.latency": 900}, disabled_alarms=["fn.errors"])
    watched = resolve({"fn": [ERRORS], "api": [LATENCY]}, config)
    assert [(w.key, w.alarm.threshold) for w in watched] == [("api.latency", 900)]


def test_a_threshold_for_an_alarm_nobody_offers_is_an_error_naming_the_known_ones():
    with pytest.raises(UnknownAlarms) as raised:
        resolve({"fn": [ERRORS]}, MonitoringConfig(thresholds={"fn.erors": 3}))
    assert raised.value.problems == ["thresholds.fn.erors: no such alarm; known: fn.errors"]


def test_pipeline_alarms_cover_every_gold_table_and_the_quarantined_share():
    config = MonitoringConfig(freshness_hours=26, table_freshness_hours={"revenue_daily": 2}, max_quarantined_percent=1)
    alarms = {a.name: a for a in pipeline_alarms("lh-prod", ["revenue_daily", "invoice_aging"], config)}
    assert set(alarms) == {"freshness-revenue_daily", "freshness-invoice_aging", "quarantined-share"}
    daily = alarms["freshness-revenue_daily"]
    assert (daily.threshold, daily.period_seconds, daily.statistic, daily.missing_data) == (
        7200,
        7200,
        "Minimum",
        "breaching",
    )
    assert daily.dimensions == {"Stack": "lh-prod", "Table": "gold.revenue_daily"}
    assert (alarms["freshness-invoice_aging"].threshold, alarms["freshness-invoice_aging"].period_seconds) == (
        93600,
        86400,
    )
    assert alarms["quarantined-share"].threshold == 1


def test_the_dashboard_has_one_row_per_component_and_every_alarm_metric():
    watched = [Watched("fn", ERRORS), Watched("api", LATENCY), Watched("fn", ERRORS.with_threshold(5))]
    body = json.loads(json.dumps(dashboard_body(watched, "eu-west-1")))
    texts = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    metrics = [w["properties"]["metrics"][0] for w in body["widgets"] if w["type"] == "metric"]
    assert texts == ["## fn", "## api"]
    assert metrics == [
        ["AWS/Lambda", "Errors", "FunctionName", "f"],
        ["AWS/Lambda", "Errors", "FunctionName", "f"],
        ["AWS/ApiGateway", "Latency", "ApiId", "a"],
    ]
    rows = [(w["type"], w["x"], w["y"]) for w in body["widgets"]]
    assert rows == [("text", 0, 0), ("metric", 0, 1), ("metric", 8, 1), ("text", 0, 7), ("metric", 0, 8)]


def test_only_this_stacks_alarms_and_rules_may_publish():
    statements = topic_policy("arn:topic", "123456789012", "arn:alarm:lh-*", ["arn:rule/a"])
    assert [s["Principal"] for s in statements] == [
        {"Service": "cloudwatch.amazonaws.com"},
        {"Service": "events.amazonaws.com"},
    ]
    assert statements[0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:alarm:lh-*"},
    }
    assert statements[1]["Condition"] == {"ArnEquals": {"aws:SourceArn": ["arn:rule/a"]}}
    assert [s["Sid"] for s in topic_policy("arn:topic", "1", "a", [])] == ["CloudWatchAlarmsOfThisStack"]


def test_the_key_admits_cloudwatch_for_this_stacks_alarms_only():
    scope = KeyPolicyScope("123456789012", "eu-west-1", "aws", "lh-prod")
    cloudwatch, events = key_grants(scope, MonitoringConfig())
    assert cloudwatch["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:lh-prod-*"
    }
    assert cloudwatch["Action"] == events["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert "Condition" not in events  # EventBridge's KMS calls carry no source keys
