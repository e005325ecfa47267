"""DataLakeFoundation: the lake's key, zone buckets, access logs, Glue catalog and optional VPC."""

from .component import REGISTRATION, CatalogDatabases, DataLakeFoundation, ZoneBuckets
from .config import FoundationConfig, LifecycleConfig, VpcConfig, ZoneLifecycle

__all__ = [
    "REGISTRATION",
    "CatalogDatabases",
    "DataLakeFoundation",
    "FoundationConfig",
    "LifecycleConfig",
    "VpcConfig",
    "ZoneBuckets",
    "ZoneLifecycle",
]
