"""Monitoring under mocks: every offered alarm wired to the encrypted topic, config thresholds,
event rules, the dashboard, the key and topic policies, and a clean policy pack."""

from __future__ import annotations

import json

import pytest

from components.config import ConfigError
from lakehouse.preview.access import AccessModel
from tests.conftest import one, plan_config, plan_stack_with, policy_of, resources_of, violations, with_components

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def plugin_plan(tmp_path_factory, plugin_site):
    import importlib
    import sys

    sys.path.insert(0, str(plugin_site))
    importlib.invalidate_caches()
    try:
        config = with_components(
            foundation={},
            audit_log={"retention_days": 30},
            monitoring={
                "subscribers": [{"protocol": "email", "endpoint": "oncall@example.com"}],
                "thresholds": {"audit_log.silent": 5},
            },
        )
        yield plan_config(tmp_path_factory.mktemp("monitoring"), config)
    finally:
        sys.path.remove(str(plugin_site))
        sys.modules.pop("lakehouse_audit_plugin", None)


def _topic_arn(plan):
    return plan.outputs["monitoring"]["topic_arn"]


def test_a_third_party_components_alarm_is_wired_to_the_topic_with_the_config_threshold(plugin_plan):
    alarm = one(plugin_plan, ALARM, "monitoring-audit_log-silent")
    assert alarm.props["alarmActions"] == alarm.props["okActions"] == [_topic_arn(plugin_plan)]
    assert alarm.props["threshold"] == 5
    assert alarm.props["comparisonOperator"] == "LessThanThreshold"
    assert alarm.props["treatMissingData"] == "breaching"
    assert alarm.props["namespace"] == "AWS/Logs"
    assert alarm.props["dimensions"]["LogGroupName"].startswith("audit_log-events-")
    assert alarm.props["name"] == "lakehouse-test-audit_log-silent"


def test_every_alarm_goes_to_the_topic_and_the_pipeline_freshness_alarms_exist(plugin_plan):
    alarms = resources_of(plugin_plan, ALARM)
    assert all(a.props["alarmActions"] == [_topic_arn(plugin_plan)] for a in alarms)
    names = {a.props["name"] for a in alarms}
    assert "lakehouse-test-pipeline-quarantined-share" in names
    assert not any("freshness" in name for name in names)  # no batch pipeline here: no freshness to expect
    assert len(alarms) == len(plugin_plan.outputs["monitoring"]["alarm_names"])


def test_the_topic_is_encrypted_with_the_stack_key_and_admits_only_this_stacks_publishers(plugin_plan):
    topic = one(plugin_plan, "aws:sns/topic:Topic", "monitoring-alerts")
    assert topic.props["kmsMasterKeyId"] == plugin_plan.outputs["foundation"]["kms_key_arn"]
    access = AccessModel.from_records(plugin_plan.records)
    own = {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:lakehouse-test-x",
    }
    other = {**own, "aws:SourceArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:someone-else"}
    topic_arn = _topic_arn(plugin_plan)
    assert access.allows("cloudwatch.amazonaws.com", "sns:Publish", topic_arn, own)
    assert not access.allows("cloudwatch.amazonaws.com", "sns:Publish", topic_arn, other)
    key = plugin_plan.outputs["foundation"]["kms_key_arn"]
    assert access.allows("cloudwatch.amazonaws.com", "kms:GenerateDataKey", key, own)
    assert not access.allows("cloudwatch.amazonaws.com", "kms:GenerateDataKey", key, other)


def test_subscribers_from_config_are_subscribed(plugin_plan):
    (subscription,) = resources_of(plugin_plan, "aws:sns/topicSubscription:TopicSubscription")
    assert (subscription.props["protocol"], subscription.props["endpoint"]) == ("email", "oncall@example.com")


def test_the_dashboard_body_is_json_showing_every_alarms_metric(plugin_plan):
    dashboard = one(plugin_plan, "aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard")
    body = json.loads(dashboard.props["dashboardBody"])
    shown = {tuple(w["properties"]["metrics"][0][:2]) for w in body["widgets"] if w["type"] == "metric"}
    wanted = {(a.props["namespace"], a.props["metricName"]) for a in resources_of(plugin_plan, ALARM)}
    assert shown == wanted
    titles = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert titles == ["## audit_log", "## pipeline"]


def test_an_unknown_threshold_stops_the_stack_with_its_path(tmp_path):
    config = with_components(foundation={}, monitoring={"thresholds": {"pipeline.freshnes-revenue_daily": 1}})
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, config)
    (problem,) = raised.value.problems
    assert problem.startswith(
        "lakehouse:components.monitoring.thresholds.pipeline.freshnes-revenue_daily: no such alarm; known: "
    )


def test_a_bad_subscriber_is_a_config_error(tmp_path):
    config = with_components(foundation={}, monitoring={"subscribers": [{"protocol": "https", "endpoint": "http://x"}]})
    with pytest.raises(ConfigError) as raised:
        plan_config(tmp_path, config)
    assert raised.value.problems == [
        "lakehouse:components.monitoring.subscribers[0]: endpoint must be an https:// URL for protocol https "
        "(got 'http://x')"
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policy_pack_is_clean_with_monitoring(tmp_path, stack):
    plan = plan_stack_with(tmp_path, stack, monitoring={})
    assert violations(plan, stack) == []
    key_policy = policy_of(one(plan, "aws:kms/key:Key", "foundation-key"))
    assert "AllowCloudWatchAlarmsOfThisStack" in [s["Sid"] for s in key_policy["Statement"]]


def test_freshness_is_watched_for_the_gold_tables_the_stacks_components_feed():
    from components.monitoring.component import watched_gold_tables

    assert watched_gold_tables({"foundation": {}, "streaming": {}}) == []  # no batch pipeline
    assert watched_gold_tables({"batch": {}, "streaming": {}}) == ["daily_summary", "hourly_aggregates"]
    assert watched_gold_tables({"batch": {}, "cdc": {}}) == [
        "cohort_retention",
        "customer_acquisition_monthly",
        "customer_ltv",
        "event_funnel_daily",
        "invoice_aging",
        "product_performance",
        "revenue_daily",
        "revenue_monthly",
        "subscription_monthly",
    ]
