"""The monitoring interface: the alarms a component's operators need, as data.

A component (built-in or third-party) that wants watching defines ``alarms()`` returning
:class:`Alarm` values, and ``event_alerts()`` returning :class:`EventAlert` values for AWS events
worth a page (a Glue job failed, a DMS task failed). The Monitoring component turns every alarm of
every enabled component into a CloudWatch alarm wired to the stack's alert topic and a dashboard
widget, and every event alert into an EventBridge rule targeting the same topic. A component with
neither is simply not monitored: the registry needs to know nothing about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Comparison = Literal[
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch alarm on one metric, with its default threshold and a runbook hint.

    ``name`` is unique within its component; stack config overrides a threshold by
    ``<component>.<name>``. ``statistic`` is a CloudWatch statistic (Sum, Average, Maximum, ...) or a
    percentile (p99).
    """

    name: str
    metric: str
    namespace: str
    dimensions: Mapping[str, Any]
    threshold: float
    runbook: str
    statistic: str = "Sum"
    comparison: Comparison = "GreaterThanOrEqualToThreshold"
    period_seconds: int = 300
    evaluation_periods: int = 1
    missing_data: MissingData = "notBreaching"
    unit: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_threshold(self, threshold: float) -> Alarm:
        return Alarm(**{**self.__dict__, "threshold": threshold})


@dataclass(frozen=True)
class EventAlert:
    """An EventBridge event pattern whose matches are sent to the alert topic as they happen."""

    name: str
    pattern: Mapping[str, Any]  # may hold Outputs (resource ARNs, job names)
    runbook: str


@runtime_checkable
class Monitored(Protocol):
    """A component that offers alarms."""

    def alarms(self) -> Sequence[Alarm]: ...


@runtime_checkable
class EventMonitored(Protocol):
    """A component that offers event alerts."""

    def event_alerts(self) -> Sequence[EventAlert]: ...
