"""Config model of AuditTrail: the single place where its defaults live.

Every default is the auditor's choice (data events on, Object Lock on, a year of searchable logs,
seven years of files); the dev stack turns the costly parts off in its stack file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..config import LogRetentionDays, StrictModel
from ..foundation.config import ZoneLifecycle

# Which S3 object-level calls on the zone buckets the trail records.
DataEvents = Literal["none", "read", "write", "all"]


class ObjectLockConfig(StrictModel):
    """S3 Object Lock on the audit bucket, governance mode: log files cannot be deleted or
    overwritten before their retention ends, except by a principal granted s3:BypassGovernanceRetention."""

    enabled: bool = Field(
        default=True,
        description="Turn Object Lock on (fixed when the bucket is created: changing it replaces the bucket).",
    )
    retention_days: int = Field(
        default=365, ge=1, le=36500, description="Default retention of every log file, in days (governance mode)."
    )


class AuditTrailConfig(StrictModel):
    """AuditTrail: a multi-region CloudTrail trail to a locked audit bucket and an encrypted log group."""

    s3_data_events: DataEvents = Field(
        default="all",
        description="S3 object-level events recorded on the raw, processed and curated buckets: "
        "none, read, write or all (data events are billed per event).",
    )
    log_retention_days: LogRetentionDays = Field(
        default=365, description="Retention of the trail's CloudWatch Logs group (where the metric filters run)."
    )
    object_lock: ObjectLockConfig = Field(
        default_factory=ObjectLockConfig, description="Object Lock on the audit bucket."
    )
    lifecycle: ZoneLifecycle = Field(
        default=ZoneLifecycle(infrequent_access_after_days=30, glacier_after_days=90, expire_after_days=2555),
        description="Lifecycle of the audit bucket: log files move to colder storage and expire after seven years.",
    )
    force_destroy: bool = Field(
        default=False, description="Let `pulumi destroy` delete a non-empty audit bucket (dev only; never in prod)."
    )
    protect: bool = Field(
        default=False, description="Pulumi-protect the audit bucket and the trail against deletion (prod)."
    )

    @model_validator(mode="after")
    def _expiry_after_retention(self) -> AuditTrailConfig:
        expire, lock = self.lifecycle.expire_after_days, self.object_lock
        if lock.enabled and expire is not None and expire < lock.retention_days:
            raise ValueError(
                f"lifecycle.expire_after_days ({expire}) must be at least object_lock.retention_days "
                f"({lock.retention_days}): locked log files cannot expire before their retention ends"
            )
        return self
