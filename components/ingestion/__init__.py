"""IngestionApi: HTTP API -> validating Lambda -> the raw zone (contracts/events.md)."""

from .component import REGISTRATION, IngestionApi, IngestionOutputs
from .config import IngestionConfig, JwtConfig, ThrottlingConfig

__all__ = ["REGISTRATION", "IngestionApi", "IngestionConfig", "IngestionOutputs", "JwtConfig", "ThrottlingConfig"]
