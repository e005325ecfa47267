"""Pure decisions of Monitoring: which alarms (with their thresholds), the pipeline's own alarms, the
dashboard layout, and the topic and key policies. Plain functions over data, tested without Pulumi."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from etl import metrics

from .. import iam
from ..alarms import Alarm
from .config import MonitoringConfig

PIPELINE = "pipeline"  # the component name under which the pipeline's own data alarms are listed
DAY = 86_400


@dataclass(frozen=True)
class Watched:
    """One alarm of one component, with its final threshold."""

    component: str
    alarm: Alarm

    @property
    def key(self) -> str:
        return f"{self.component}.{self.alarm.name}"


class UnknownAlarms(ValueError):
    """Config names alarms that no component offers (each problem names the config field)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def resolve(offered: Mapping[str, Sequence[Alarm]], config: MonitoringConfig) -> list[Watched]:
    """Every offered alarm not disabled, with config thresholds applied, in component order.

    A threshold or a disabled name that matches no offered alarm is an error: a typo must not
    silently leave the default in place.
    """
    known = {f"{component}.{alarm.name}" for component, alarms in offered.items() for alarm in alarms}
    problems = [
        f"{field}.{name}: no such alarm; known: {', '.join(sorted(known))}"
        for field, names in (("thresholds", config.thresholds), ("disabled_alarms", config.disabled_alarms))
        for name in names
        if name not in known
    ]
    if problems:
        raise UnknownAlarms(problems)
    watched = []
    for component, alarms in offered.items():
        for alarm in alarms:
            key = f"{component}.{alarm.name}"
            if key in config.disabled_alarms:
                continue
            threshold = config.thresholds.get(key)
            watched.append(Watched(component, alarm if threshold is None else alarm.with_threshold(threshold)))
    return watched


FEEDS = {"cdc": "the DMS task feeding bronze", "streaming": "the Firehose delivery into clickstream_events"}


def pipeline_alarms(stack: str, gold_tables: Sequence[str], config: MonitoringConfig) -> list[Alarm]:
    """Data freshness per gold table and the quarantined share per run, from the pipeline's metrics.

    A freshness alarm looks at the smallest age a run published within one evaluation window (at most
    a day, CloudWatch's longest alarm period): no run at all in the window counts as stale.
    """
    from etl.gold import discover

    feeders = metrics.feeding_components({name: table.inputs for name, table in discover().items()})
    alarms = []
    for table in gold_tables:
        hours = config.table_freshness_hours.get(table, config.freshness_hours)
        feeds = " and ".join(FEEDS.get(feeder, feeder) for feeder in sorted(feeders.get(table, ())))
        alarms.append(
            Alarm(
                name=f"freshness-{table}",
                metric=metrics.DATA_AGE,
                namespace=metrics.NAMESPACE,
                dimensions={"Stack": stack, "Table": f"gold.{table}"},
                statistic="Minimum",
                threshold=round(hours * 3600),
                comparison="GreaterThanThreshold",
                period_seconds=min(DAY, max(3600, round(hours * 3600 / 60) * 60)),
                missing_data="breaching",
                unit="Seconds",
                runbook=f"gold.{table} is older than {hours:g} h: check the last pipeline runs and {feeds}",
            )
        )
    alarms.append(
        Alarm(
            name="quarantined-share",
            metric=metrics.QUARANTINED_PERCENT,
            namespace=metrics.NAMESPACE,
            dimensions={"Stack": stack},
            statistic="Maximum",
            threshold=config.max_quarantined_percent,
            comparison="GreaterThanThreshold",
            period_seconds=3600,
            unit="Percent",
            runbook="a run quarantined an unusual share of its rows: read silver.quarantine for the reasons",
        )
    )
    return alarms


def metric_widget(watched: Watched, region: Any, x: int, y: int) -> dict[str, Any]:
    """A time-series widget of one alarm's metric with its threshold drawn in."""
    alarm = watched.alarm
    dimensions = [part for name, value in sorted(alarm.dimensions.items()) for part in (name, value)]
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 8,
        "height": 6,
        "properties": {
            "title": f"{watched.component}: {alarm.name}",
            "view": "timeSeries",
            "region": region,
            "metrics": [[alarm.namespace, alarm.metric, *dimensions]],
            "stat": alarm.statistic,
            "period": alarm.period_seconds,
            "annotations": {"horizontal": [{"label": "alarm threshold", "value": alarm.threshold}]},
        },
    }


def dashboard_body(watched: Sequence[Watched], region: Any) -> dict[str, Any]:
    """One row per component: a title, then its alarms' metrics three to a line."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for component in dict.fromkeys(w.component for w in watched):
        members = [w for w in watched if w.component == component]
        widgets.append(
            {"type": "text", "x": 0, "y": y, "width": 24, "height": 1, "properties": {"markdown": f"## {component}"}}
        )
        y += 1
        for index, member in enumerate(members):
            widgets.append(metric_widget(member, region, x=8 * (index % 3), y=y + 6 * (index // 3)))
        y += 6 * ((len(members) + 2) // 3)
    return {"widgets": widgets}


def topic_policy(topic_arn: Any, account_id: Any, alarm_arns: Any, rule_arns: Sequence[Any]) -> list[iam.Statement]:
    """Only CloudWatch alarms of this stack and this stack's EventBridge rules may publish."""
    statements = [
        iam.allow(
            "CloudWatchAlarmsOfThisStack",
            ["sns:Publish"],
            [topic_arn],
            principal=iam.service_principal("cloudwatch.amazonaws.com"),
            conditions={"StringEquals": {"aws:SourceAccount": account_id}, "ArnLike": {"aws:SourceArn": alarm_arns}},
        )
    ]
    if rule_arns:
        statements.append(
            iam.allow(
                "EventRulesOfThisStack",
                ["sns:Publish"],
                [topic_arn],
                principal=iam.service_principal("events.amazonaws.com"),
                conditions={"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
            )
        )
    return statements


def alarm_arn_pattern(scope: iam.KeyPolicyScope) -> str:
    return f"arn:{scope.partition}:cloudwatch:{scope.region}:{scope.account_id}:alarm:{scope.name_prefix}-*"


def key_grants(scope: iam.KeyPolicyScope, _config: MonitoringConfig) -> list[iam.Statement]:
    """CloudWatch and EventBridge publish to the encrypted topic as themselves, so the key must admit them.

    CloudWatch's grant is scoped to this stack's alarms. EventBridge's cannot be: its KMS requests carry
    no aws:SourceArn or aws:SourceAccount (AWS documents this), so a condition would drop every event.
    """
    actions = ["kms:Decrypt", "kms:GenerateDataKey*"]
    return [
        iam.allow(
            "AllowCloudWatchAlarmsOfThisStack",
            actions,
            "*",  # in a key policy, "*" means this key
            principal=iam.service_principal("cloudwatch.amazonaws.com"),
            conditions={
                "StringEquals": {"aws:SourceAccount": scope.account_id},
                "ArnLike": {"aws:SourceArn": alarm_arn_pattern(scope)},
            },
        ),
        iam.allow(
            "AllowEventBridgeToPublishAlerts",
            actions,
            "*",  # in a key policy, "*" means this key
            principal=iam.service_principal("events.amazonaws.com"),
        ),
    ]
