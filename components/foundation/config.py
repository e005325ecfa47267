"""Config model of DataLakeFoundation: the single place where its defaults live.

Every default is safe on its own, so ``DataLakeFoundation("lake")`` needs no arguments. S3's and
CloudWatch's own limits are checked here, so that a value AWS would refuse at deploy time is refused
at config time with its path instead.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..config import LogRetentionDays, StrictModel

# S3 refuses a transition to STANDARD_IA before 30 days, and GLACIER less than 30 days after STANDARD_IA.
MIN_DAYS_TO_INFREQUENT_ACCESS = 30
MIN_DAYS_BETWEEN_TRANSITIONS = 30

InterfaceEndpoint = Literal[
    "glue", "kms", "logs", "sts", "secretsmanager", "athena", "states", "kinesis-streams", "firehose", "monitoring"
]


class ZoneLifecycle(StrictModel):
    """Lifecycle of one bucket: storage-class transitions, expiry, and housekeeping of versions."""

    infrequent_access_after_days: int | None = Field(
        default=None,
        ge=MIN_DAYS_TO_INFREQUENT_ACCESS,
        description="Days after creation to move objects to STANDARD_IA (S3 minimum: 30); unset = never.",
    )
    glacier_after_days: int | None = Field(
        default=None, ge=1, description="Days after creation to move objects to GLACIER_IR; unset = never."
    )
    expire_after_days: int | None = Field(
        default=None, ge=1, description="Days after creation to expire current versions; unset = keep."
    )
    noncurrent_version_expire_after_days: int = Field(
        default=90, ge=1, description="Days to keep an object's noncurrent (overwritten/deleted) versions."
    )
    abort_incomplete_multipart_after_days: int = Field(
        default=7, ge=1, description="Days after which incomplete multipart uploads are aborted."
    )

    @model_validator(mode="after")
    def _transitions_in_order(self) -> ZoneLifecycle:
        ia, glacier, expire = self.infrequent_access_after_days, self.glacier_after_days, self.expire_after_days
        if ia is not None and glacier is not None and glacier < ia + MIN_DAYS_BETWEEN_TRANSITIONS:
            raise ValueError(
                f"glacier_after_days must be at least {MIN_DAYS_BETWEEN_TRANSITIONS} days after "
                f"infrequent_access_after_days ({ia}), so >= {ia + MIN_DAYS_BETWEEN_TRANSITIONS} (got {glacier})"
            )
        last_transition = max((d for d in (ia, glacier) if d is not None), default=None)
        if expire is not None and last_transition is not None and expire <= last_transition:
            raise ValueError(
                f"expire_after_days must be after the last transition ({last_transition} days) (got {expire})"
            )
        return self


class LifecycleConfig(StrictModel):
    """Lifecycle per bucket. Zones keep data; Athena results and access logs age out."""

    raw: ZoneLifecycle = Field(
        default=ZoneLifecycle(infrequent_access_after_days=30, glacier_after_days=90),
        description="Raw/bronze zone: landed as-is, rarely re-read after the first days.",
    )
    processed: ZoneLifecycle = Field(
        default=ZoneLifecycle(infrequent_access_after_days=90),
        description="Processed/silver zone (Iceberg tables: old snapshots' files go noncurrent).",
    )
    curated: ZoneLifecycle = Field(default=ZoneLifecycle(), description="Curated/gold zone: read often, kept hot.")
    athena_results: ZoneLifecycle = Field(
        default=ZoneLifecycle(expire_after_days=30, noncurrent_version_expire_after_days=7),
        description="Athena query results: disposable.",
    )
    artifacts: ZoneLifecycle = Field(
        default=ZoneLifecycle(noncurrent_version_expire_after_days=30),
        description="Job scripts and packages: only the deployed version matters.",
    )
    access_logs: ZoneLifecycle = Field(
        default=ZoneLifecycle(infrequent_access_after_days=30, glacier_after_days=90, expire_after_days=365),
        description="S3 server access logs: audit trail, kept a year by default.",
    )


class VpcConfig(StrictModel):
    """Optional VPC for compute (Glue, Lambda, DocumentDB, MSK, DMS): private subnets only by default."""

    enabled: bool = Field(default=False, description="Create the VPC (on in prod, off in dev).")
    cidr: str = Field(default="10.20.0.0/16", description="IPv4 CIDR of the VPC, /16 to /22.")
    availability_zones: int = Field(default=2, ge=2, le=3, description="Number of AZs with a private subnet.")
    nat_gateway: bool = Field(
        default=False,
        description="Add one NAT gateway (and a public subnet) for outbound internet; costs money, off by default.",
    )
    interface_endpoints: list[InterfaceEndpoint] = Field(
        default=["glue", "kms", "logs", "sts", "secretsmanager"],
        description="AWS services reached through interface endpoints (S3 always has a gateway endpoint).",
    )
    flow_logs_retention_days: LogRetentionDays = Field(
        default=90, description="Retention of VPC flow logs in CloudWatch Logs."
    )

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as error:
            raise ValueError(f"must be an IPv4 network like 10.20.0.0/16 ({error})") from None
        if not 16 <= network.prefixlen <= 22:
            raise ValueError("prefix length must be between /16 and /22")
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _unique_endpoints(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a service more than once")
        return value


class FoundationConfig(StrictModel):
    """DataLakeFoundation: KMS key, zone buckets, access logs, Glue catalog and security config, VPC."""

    lifecycle: LifecycleConfig = Field(default_factory=LifecycleConfig, description="Lifecycle per bucket.")
    vpc: VpcConfig = Field(default_factory=VpcConfig, description="Optional VPC for compute.")
    kms_deletion_window_days: int = Field(
        default=30, ge=7, le=30, description="Waiting period before a deleted KMS key is destroyed (7-30)."
    )
    force_destroy: bool = Field(
        default=False, description="Let `pulumi destroy` delete non-empty buckets (dev only; never in prod)."
    )
    protect: bool = Field(
        default=False, description="Pulumi-protect the key, buckets and databases against deletion (prod)."
    )
    catalog_encryption: bool = Field(
        default=True,
        description="Manage the account/region Glue Data Catalog encryption settings (one stack per account may).",
    )
