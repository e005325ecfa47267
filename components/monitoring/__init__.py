"""Monitoring: alerts, alarms, event rules and a dashboard over every enabled component."""

from .component import REGISTRATION, AlarmReference, Monitoring, MonitoringOutputs
from .config import MonitoringConfig, Subscriber

__all__ = ["REGISTRATION", "AlarmReference", "Monitoring", "MonitoringConfig", "MonitoringOutputs", "Subscriber"]
