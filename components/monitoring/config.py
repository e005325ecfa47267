"""Config model of Monitoring: who is alerted, which thresholds differ from the components' defaults,
and how fresh the gold tables must be."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..config import StrictModel

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_THRESHOLD_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_.-]*$")


class Subscriber(StrictModel):
    """One recipient of the alert topic."""

    protocol: Literal["email", "https"] = Field(description="email, or https (a webhook receiving SNS JSON).")
    endpoint: str = Field(description="The e-mail address or the https:// URL.")

    @model_validator(mode="after")
    def _endpoint_matches_protocol(self) -> Subscriber:
        if self.protocol == "email" and not _EMAIL.match(self.endpoint):
            raise ValueError(f"endpoint must be an e-mail address for protocol email (got {self.endpoint!r})")
        if self.protocol == "https" and not self.endpoint.startswith("https://"):
            raise ValueError(f"endpoint must be an https:// URL for protocol https (got {self.endpoint!r})")
        return self


class MonitoringConfig(StrictModel):
    """Monitoring: alert topic, every enabled component's alarms, event alerts, dashboard, data freshness."""

    subscribers: list[Subscriber] = Field(
        default_factory=list, description="Recipients of alarms and event alerts (e-mail or HTTPS); none by default."
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Threshold overrides by '<component>.<alarm>' (see the alarm reference); unknown names are errors.",
    )
    disabled_alarms: list[str] = Field(
        default_factory=list, description="Alarms not to create, by '<component>.<alarm>'."
    )
    freshness_hours: float = Field(
        default=26.0,
        gt=0,
        le=24 * 7,
        description="Alarm when a gold table's newest change is older than this many hours (daily runs + slack).",
    )
    table_freshness_hours: dict[str, float] = Field(
        default_factory=dict, description="Per gold table freshness targets (hours), overriding freshness_hours."
    )
    max_quarantined_percent: float = Field(
        default=5.0, gt=0, le=100, description="Alarm when a run quarantines more than this share of a table's rows."
    )
    dashboard: bool = Field(default=True, description="Create the CloudWatch dashboard (one row per component).")

    @field_validator("thresholds", "disabled_alarms")
    @classmethod
    def _alarm_names(cls, value):
        for name in value:
            if not _THRESHOLD_KEY.match(name):
                raise ValueError(f"{name!r} must be '<component>.<alarm>'")
        return value

    @field_validator("table_freshness_hours")
    @classmethod
    def _positive_hours(cls, value: dict[str, float]) -> dict[str, float]:
        for table, hours in value.items():
            if not 0 < hours <= 24 * 7:
                raise ValueError(f"{table}: must be > 0 and at most 168 hours (got {hours})")
        return value
