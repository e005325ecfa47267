"""ChangeDataCapture: AWS DMS full load and CDC of the SaaS PostgreSQL into bronze (the contract's layout)."""

from .component import REGISTRATION, CdcOutputs, ChangeDataCapture
from .config import CdcConfig, InstanceConfig, ServerlessConfig, SourceConfig

__all__ = [
    "REGISTRATION",
    "CdcConfig",
    "CdcOutputs",
    "ChangeDataCapture",
    "InstanceConfig",
    "ServerlessConfig",
    "SourceConfig",
]
