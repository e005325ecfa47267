"""Config model of ChangeDataCapture: the single place where its defaults live.

The source's credentials are never in config: only the ARN of the Secrets Manager secret that holds
them (host, port, username, password), checked to be one. DMS's own limits (storage, capacity
units, maintenance window format) are checked here, so a replication AWS would refuse is refused at
config time with its path.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..config import LogRetentionDays, StrictModel

KEY = "cdc"

_ARN = r"^arn:aws(-cn|-us-gov)?:{service}:[a-z]{{2}}(-[a-z]+)+-\d:\d{{12}}:{resource}$"
# ARN shapes and the wording of the error when a value does not have the shape.
# Secrets Manager appends six random characters to a secret's name in its ARN.
ARNS = {
    "secret": (
        re.compile(_ARN.format(service="secretsmanager", resource=r"secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}")),
        "the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    ),
    "key": (
        re.compile(_ARN.format(service="kms", resource=r"key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})")),
        "the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>)",
    ),
    "certificate": (
        re.compile(_ARN.format(service="dms", resource=r"cert:[A-Za-z0-9-]+")),
        "the ARN of a DMS certificate (arn:aws:dms:<region>:<account>:cert:<id>)",
    ),
}


def _arn_of(kind: str, value: str | None) -> str | None:
    pattern, wording = ARNS[kind]
    if value is not None and not pattern.match(value):
        raise ValueError(f"must be {wording}")
    return value


# DMS Serverless capacity units (1 DCU = 2 GiB of memory).
CapacityUnits = Literal[1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384]


class SourceConfig(StrictModel):
    """The PostgreSQL database DMS reads (logical replication must be on; see docs/components/cdc.md)."""

    secret_arn: str = Field(
        description="Full ARN of the Secrets Manager secret with the source's host, port, username and password.",
    )
    secret_kms_key_arn: str | None = Field(
        default=None,
        description="Customer-managed KMS key encrypting the secret; unset when it uses aws/secretsmanager.",
    )
    database_name: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$", description="The PostgreSQL database to replicate."
    )
    ssl_mode: Literal["require", "verify-full"] = Field(
        default="require",
        description="TLS to the source: require (encrypted) or verify-full (also checks the server's certificate).",
    )
    certificate_arn: str | None = Field(
        default=None,
        description="DMS certificate (the CA of the server's certificate) that verify-full checks against.",
    )
    port: int = Field(default=5432, ge=1, le=65535, description="TCP port of the source, for the egress rule.")
    network_cidrs: list[str] = Field(
        default_factory=list,
        description="IPv4 networks the source listens in (egress rule); empty = the foundation VPC's CIDR.",
    )

    @field_validator("secret_arn")
    @classmethod
    def _secret(cls, value: str) -> str:
        return _arn_of("secret", value)  # type: ignore[return-value]

    @field_validator("secret_kms_key_arn")
    @classmethod
    def _secret_key(cls, value: str | None) -> str | None:
        return _arn_of("key", value)

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        return _arn_of("certificate", value)

    @field_validator("network_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.IPv4Network(cidr)
            except ValueError as error:
                raise ValueError(f"{cidr!r} is not an IPv4 network like 10.0.0.0/16 ({error})") from None
        return value

    @model_validator(mode="after")
    def _verify_full_needs_a_certificate(self) -> SourceConfig:
        if self.ssl_mode == "verify-full" and self.certificate_arn is None:
            raise ValueError("certificate_arn is required with ssl_mode verify-full (the CA that signed the server)")
        return self


class InstanceConfig(StrictModel):
    """A provisioned replication instance: billed per hour while it exists, busy or idle."""

    instance_class: str = Field(
        default="dms.t3.medium", pattern=r"^dms\.[a-z0-9]+\.[a-z0-9]+$", description="Replication instance class."
    )
    allocated_storage_gb: int = Field(
        default=50, ge=5, le=6144, description="Storage for logs and cached changes, 5-6144 GiB."
    )
    multi_az: bool = Field(default=False, description="A synchronous standby in a second AZ (prod).")
    engine_version: str | None = Field(
        default=None, pattern=r"^\d+\.\d+\.\d+$", description="DMS engine version; unset = AWS's current default."
    )
    maintenance_window: str = Field(
        default="sun:03:00-sun:04:00",
        pattern=r"^(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}-(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}$",
        description="Weekly UTC window for minor upgrades (ddd:hh:mm-ddd:hh:mm).",
    )


class ServerlessConfig(StrictModel):
    """DMS Serverless: capacity scales between two bounds, billed per DCU-hour while replicating."""

    min_capacity_units: CapacityUnits = Field(default=1, description="Smallest capacity, in DCUs.")
    max_capacity_units: CapacityUnits = Field(default=4, description="Largest capacity, in DCUs.")
    multi_az: bool = Field(default=False, description="A standby in a second AZ (prod).")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> ServerlessConfig:
        if self.min_capacity_units > self.max_capacity_units:
            raise ValueError(
                f"min_capacity_units ({self.min_capacity_units}) must not exceed max_capacity_units "
                f"({self.max_capacity_units})"
            )
        return self


class CdcConfig(StrictModel):
    """ChangeDataCapture: DMS full load and CDC of the SaaS PostgreSQL into bronze (the contract's layout)."""

    source: SourceConfig = Field(description="The PostgreSQL source; see SourceConfig.")
    compute: Literal["instance", "serverless"] = Field(
        default="instance", description="A replication instance (fixed hourly cost) or DMS Serverless (per DCU-hour)."
    )
    instance: InstanceConfig = Field(default_factory=InstanceConfig, description="Used when compute is instance.")
    serverless: ServerlessConfig = Field(
        default_factory=ServerlessConfig, description="Used when compute is serverless."
    )
    start_replication: bool = Field(
        default=False,
        description="Start replicating on deploy; off so the source's logical replication is ready first.",
    )
    cdc_max_batch_interval_seconds: int = Field(
        default=60, ge=1, le=3600, description="Longest wait before DMS writes a CDC file (freshness vs file count)."
    )
    cdc_min_file_size_kb: int = Field(
        default=32000, ge=1, le=1048576, description="A CDC file is written once this much has accumulated."
    )
    log_retention_days: LogRetentionDays = Field(default=90, description="Retention of the task's CloudWatch logs.")
    account_roles: bool = Field(
        default=True,
        description=(
            "Create dms-vpc-role (network interfaces in this stack's subnets only) and dms-cloudwatch-logs-role "
            "(one per account: off if another stack has them)."
        ),
    )

    @model_validator(mode="after")
    def _compute_block_matches(self) -> CdcConfig:
        unused = "serverless" if self.compute == "instance" else "instance"
        if unused in self.model_fields_set:
            raise ValueError(f"{unused} applies only to compute '{unused}' (compute is '{self.compute}')")
        return self
