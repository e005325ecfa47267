"""Monitoring: one alert topic, every enabled component's alarms and event alerts wired to it, a
dashboard generated from the same list, and the pipeline's data-freshness alarms.

It is built after every other component (``observes_all``) and asks each for ``alarms()`` and
``event_alerts()`` (components.alarms); a component offering neither is not monitored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, get_caller_identity_output, get_partition_output, get_region_output, sns

from .. import iam
from ..alarms import Alarm, EventAlert, EventMonitored, Monitored
from ..config import ConfigError, config_path
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..registry import Registration, exported
from ..tagging import with_name
from . import builders
from .config import MonitoringConfig


@dataclass(frozen=True)
class AlarmReference:
    """One alarm as users read it in the alarm reference."""

    component: str
    name: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    runbook: str


@dataclass(frozen=True)
class MonitoringOutputs:
    topic_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str] | None
    alarm_names: list[pulumi.Output[str]]
    alarms: list[dict[str, Any]]


class Monitoring(pulumi.ComponentResource):
    """Alert topic, alarms, event rules and dashboard over the components it is given."""

    topic: sns.Topic
    alarms: dict[str, cloudwatch.MetricAlarm]
    event_rules: dict[str, cloudwatch.EventRule]
    dashboard: cloudwatch.Dashboard | None
    watched: list[builders.Watched]

    def __init__(
        self,
        name: str,
        config: MonitoringConfig | None = None,
        *,
        foundation: DataLakeFoundation,
        components: Mapping[str, Any] | None = None,
        gold_tables: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:Monitoring", name, None, opts)
        config = config or MonitoringConfig()
        tags = dict(tags or {})
        prefix = name_prefix or name
        components = dict(components or {})
        offered: dict[str, Sequence[Alarm]] = {
            key: list(component.alarms()) for key, component in components.items() if isinstance(component, Monitored)
        }
        offered[builders.PIPELINE] = builders.pipeline_alarms(prefix, gold_tables, config)
        try:
            self.watched = builders.resolve(offered, config)
        except builders.UnknownAlarms as error:
            raise ConfigError([f"{config_path('components', name)}.{problem}" for problem in error.problems]) from None
        events: list[tuple[str, EventAlert]] = [
            (key, alert)
            for key, component in components.items()
            if isinstance(component, EventMonitored)
            for alert in component.event_alerts()
        ]
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = get_caller_identity_output(opts=invoke).account_id
        region = get_region_output(opts=invoke).region
        partition = get_partition_output(opts=invoke).partition

        self.topic = sns.Topic(
            f"{name}-alerts",
            name=f"{prefix}-alerts",
            kms_master_key_id=foundation.key.arn,
            tags=with_name(tags, f"{prefix}-alerts"),
            opts=child,
        )
        for index, subscriber in enumerate(config.subscribers):
            sns.TopicSubscription(
                f"{name}-subscriber-{index}",
                topic=self.topic.arn,
                protocol=subscriber.protocol,
                endpoint=subscriber.endpoint,
                opts=child,
            )
        actions = [self.topic.arn]
        self.alarms = {
            w.key: cloudwatch.MetricAlarm(
                f"{name}-{w.component}-{w.alarm.name}",
                name=f"{prefix}-{w.component}-{w.alarm.name}",
                alarm_description=w.alarm.runbook,
                namespace=w.alarm.namespace,
                metric_name=w.alarm.metric,
                dimensions=dict(w.alarm.dimensions),
                **_statistic(w.alarm),
                threshold=w.alarm.threshold,
                comparison_operator=w.alarm.comparison,
                period=w.alarm.period_seconds,
                evaluation_periods=w.alarm.evaluation_periods,
                treat_missing_data=w.alarm.missing_data,
                unit=w.alarm.unit,
                alarm_actions=actions,
                ok_actions=actions,
                tags=with_name(tags, f"{prefix}-{w.component}-{w.alarm.name}"),
                opts=child,
            )
            for w in self.watched
        }
        self.event_rules = {}
        for key, alert in events:
            rule = cloudwatch.EventRule(
                f"{name}-{key}-{alert.name}",
                name=f"{prefix}-{key}-{alert.name}",
                description=alert.runbook,
                event_pattern=pulumi.Output.json_dumps(alert.pattern),
                tags=with_name(tags, f"{prefix}-{key}-{alert.name}"),
                opts=child,
            )
            cloudwatch.EventTarget(
                f"{name}-{key}-{alert.name}-to-topic", rule=rule.name, arn=self.topic.arn, opts=child
            )
            self.event_rules[f"{key}.{alert.name}"] = rule
        alarm_arns = pulumi.Output.concat(
            "arn:", partition, ":cloudwatch:", region, ":", account_id, ":alarm:", prefix, "-*"
        )
        sns.TopicPolicy(
            f"{name}-alerts-policy",
            arn=self.topic.arn,
            policy=iam.document(
                *builders.topic_policy(
                    self.topic.arn, account_id, alarm_arns, [rule.arn for rule in self.event_rules.values()]
                )
            ),
            opts=child,
        )
        self.dashboard = (
            cloudwatch.Dashboard(
                f"{name}-dashboard",
                dashboard_name=f"{prefix}-lakehouse",
                dashboard_body=pulumi.Output.json_dumps(builders.dashboard_body(self.watched, region)),
                opts=child,
            )
            if config.dashboard
            else None
        )
        self.register_outputs(exported(self.stack_outputs()))

    def stack_outputs(self) -> MonitoringOutputs:
        return MonitoringOutputs(
            topic_arn=self.topic.arn,
            dashboard_name=self.dashboard.dashboard_name if self.dashboard else None,
            alarm_names=[alarm.name for alarm in self.alarms.values()],
            alarms=[vars(reference(w)) for w in self.watched],
        )


def reference(watched: builders.Watched) -> AlarmReference:
    alarm = watched.alarm
    return AlarmReference(
        watched.component,
        alarm.name,
        alarm.namespace,
        alarm.metric,
        alarm.statistic,
        alarm.comparison,
        alarm.threshold,
        alarm.runbook,
    )


def _statistic(alarm: Alarm) -> dict[str, str]:
    """Percentiles (p99) go in extended_statistic; the five plain statistics in statistic."""
    if alarm.statistic.startswith("p"):
        return {"extended_statistic": alarm.statistic}
    return {"statistic": alarm.statistic}


def watched_gold_tables(enabled: Mapping[str, Any]) -> list[str]:
    """The gold tables whose freshness the stack can expect: with the batch pipeline deployed, those
    whose every feeding component is enabled (no CDC feed in dev: no CDC freshness to alarm on)."""
    from etl.gold import discover
    from etl.metrics import feeding_components

    if "batch" not in enabled:
        return []
    feeders = feeding_components({name: table.inputs for name, table in discover().items()})
    return sorted(table for table, needed in feeders.items() if needed <= set(enabled))


REGISTRATION = Registration(
    key="monitoring",
    config_model=MonitoringConfig,
    factory=standard_factory(
        Monitoring,
        components=lambda context: context.dependencies,
        gold_tables=lambda context: watched_gold_tables(context.settings.components),
    ),
    depends_on=("foundation",),
    summary="Alert topic, every component's alarms and event alerts, a dashboard, data freshness",
    key_policy=builders.key_grants,
    observes_all=True,
)
