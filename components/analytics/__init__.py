"""Analytics: an Athena workgroup over silver and gold, the named queries of etl/queries/, an analyst role."""

from .component import REGISTRATION, Analytics, AnalyticsOutputs
from .config import AnalystRoleConfig, AnalyticsConfig

__all__ = ["REGISTRATION", "AnalystRoleConfig", "Analytics", "AnalyticsConfig", "AnalyticsOutputs"]
