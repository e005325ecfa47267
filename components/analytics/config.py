"""Config model of Analytics: the single place where its defaults live.

Athena bills by the bytes a query scans ($5 per TiB in most regions), so the per-query cutoff is the
cost control that matters; Athena refuses one below 10 MiB, and so does this model.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from ..config import StrictModel

KEY = "analytics"
MIN_BYTES_SCANNED_CUTOFF = 10 * 1024**2  # Athena's minimum per-query cutoff
_PRINCIPAL = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$")


class AnalystRoleConfig(StrictModel):
    """The role people (or BI tools) assume to run queries in the workgroup: gold and silver, nothing else."""

    enabled: bool = Field(default=True, description="Create the analyst role.")
    trusted_principals: list[str] = Field(
        default_factory=list,
        description="IAM role or user ARNs that may assume it; empty = principals of this account IAM allows.",
    )

    @field_validator("trusted_principals")
    @classmethod
    def _principals(cls, value: list[str]) -> list[str]:
        for principal in value:
            if not _PRINCIPAL.match(principal):
                raise ValueError(
                    f"{principal!r} is not an IAM principal ARN (arn:aws:iam::<account>:role/<name>, user/<name> or root)"
                )
        return value


class AnalyticsConfig(StrictModel):
    """Analytics: an Athena workgroup over the lake, the named queries of etl/queries/, an analyst role."""

    bytes_scanned_cutoff_per_query: int = Field(
        default=10 * 1024**3,
        ge=MIN_BYTES_SCANNED_CUTOFF,
        description="Athena cancels a query that scans more bytes (at least 10 MiB; 10 GiB costs about $0.05).",
    )
    named_queries: bool = Field(default=True, description="Create the named queries of etl/queries/ in the workgroup.")
    analyst_role: AnalystRoleConfig = Field(
        default_factory=AnalystRoleConfig, description="The role that runs queries; see AnalystRoleConfig."
    )
    force_destroy: bool = Field(
        default=False, description="Let `pulumi destroy` delete the workgroup with its named queries (dev only)."
    )
