"""Config model of DocumentStore: the single place where its defaults live.

Every default is safe on its own (deletion protection, a final snapshot, a week of backups, audit
and profiler logs kept a year), so ``DocumentStore("docs", foundation=lake)`` needs no arguments;
dev stacks opt out of protection explicitly. DocumentDB's, Kinesis's and Lambda's own limits are
checked here, so a value AWS would refuse at deploy time is refused at config time with its path.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..config import LogRetentionDays, StrictModel
from ..kinesis_stream import MAX_RETENTION_HOURS, MIN_RETENTION_HOURS, CapacityMode

KEY = "document_store"
DOCDB_PORT = 27017

# Engine version -> cluster parameter group family. Text indexes (the store's search) need 5.0 or later.
ENGINE_FAMILIES = {"5.0.0": "docdb5.0", "8.0.0": "docdb8.0"}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BACKUP_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_MAINTENANCE_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)
MINUTES_PER_DAY, MINUTES_PER_WEEK = 24 * 60, 7 * 24 * 60


def backup_minutes(window: str) -> tuple[int, int]:
    """A daily ``hh:mm-hh:mm`` window as minutes of the day (the end may pass midnight)."""
    start_h, start_m, end_h, end_m = (int(g) for g in _BACKUP_WINDOW.match(window).groups())  # type: ignore[union-attr]
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    return start, end if end > start else end + MINUTES_PER_DAY


def maintenance_minutes(window: str) -> tuple[int, int]:
    """A weekly ``ddd:hh:mm-ddd:hh:mm`` window as minutes of the week (the end may pass Sunday)."""
    d1, h1, m1, d2, h2, m2 = _MAINTENANCE_WINDOW.match(window).groups()  # type: ignore[union-attr]
    start = _DAYS.index(d1) * MINUTES_PER_DAY + int(h1) * 60 + int(m1)
    end = _DAYS.index(d2) * MINUTES_PER_DAY + int(h2) * 60 + int(m2)
    return start, end if end > start else end + MINUTES_PER_WEEK


def windows_overlap(backup: str, maintenance: str) -> bool:
    """Whether the daily backup window meets the weekly maintenance window on any day (AWS refuses it)."""
    b_start, b_end = backup_minutes(backup)
    m_start, m_end = maintenance_minutes(maintenance)
    for day in range(-1, 8):  # every daily occurrence, including those wrapping around the week
        start, end = day * MINUTES_PER_DAY + b_start, day * MINUTES_PER_DAY + b_end
        if start < m_end and m_start < end:
            return True
    return False


class KinesisSourceConfig(StrictModel):
    """The component's own documents stream, when the Streaming source is Kinesis."""

    capacity_mode: CapacityMode = Field(
        default="on_demand", description="on_demand (scales by itself) or provisioned (fixed shards)."
    )
    shard_count: int | None = Field(
        default=None, ge=1, description="Shards of a provisioned stream; required when provisioned."
    )
    retention_hours: int = Field(
        default=MIN_RETENTION_HOURS,
        ge=MIN_RETENTION_HOURS,
        le=MAX_RETENTION_HOURS,
        description="How long documents stay readable for replay (and survive a store outage), 24-8760 hours.",
    )

    @model_validator(mode="after")
    def _shards_match_mode(self) -> KinesisSourceConfig:
        if (self.capacity_mode == "provisioned") != (self.shard_count is not None):
            raise ValueError("shard_count is required with capacity_mode 'provisioned' and only allowed with it")
        return self


class ProcessorConfig(StrictModel):
    """The document processor Lambda and its event source mapping."""

    memory_mb: int = Field(default=512, ge=128, le=10240, description="Processor memory in MB.")
    timeout_seconds: int = Field(
        default=60,
        ge=30,
        le=900,
        description="Processor timeout; leaves room for the store retries (about 8 s of backoff plus connects).",
    )
    reserved_concurrency: int = Field(
        default=5, ge=1, description="Concurrent executions reserved for (and capping) the processor."
    )
    batch_size: int = Field(default=100, ge=1, le=10000, description="Records per invocation, 1-10000.")
    batching_window_seconds: int = Field(
        default=5, ge=0, le=300, description="How long Lambda gathers records before invoking, 0-300 s."
    )
    retry_attempts: int = Field(
        default=-1,
        ge=-1,
        le=10000,
        description="Kinesis: retries of a failed batch before it is set aside (-1: until it succeeds or expires).",
    )
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = Field(
        default="TRIM_HORIZON", description="Where a new mapping starts reading (TRIM_HORIZON loses nothing)."
    )


class DocumentStoreConfig(StrictModel):
    """DocumentStore: a DocumentDB cluster and the processor that dual-writes documents to it and the lake."""

    engine_version: Literal["5.0.0", "8.0.0"] = Field(
        default="5.0.0", description="DocumentDB engine version (5.0 or later: the store uses a text index)."
    )
    instance_class: str = Field(
        default="db.t4g.medium",
        pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
        description="Instance class of every instance (db.t4g.medium is the smallest; r6g for production load).",
    )
    instances: int = Field(
        default=1, ge=1, le=16, description="Instances: one primary plus replicas (2+ for failover), at most 16."
    )
    master_username: str = Field(
        default="lakehouse",
        pattern=r"^[a-zA-Z][a-zA-Z0-9]{0,62}$",
        description="Master user name (its password is generated and rotated by DocumentDB in Secrets Manager).",
    )
    database: str = Field(
        default="lakehouse",
        pattern=r"^[a-zA-Z0-9_-]{1,63}$",
        description="Database holding the documents and analytics collections.",
    )
    backup_retention_days: int = Field(default=7, ge=1, le=35, description="Days of automated backups, 1-35.")
    backup_window: str = Field(
        default="02:00-03:00", pattern=_BACKUP_WINDOW.pattern, description="Daily backup window, UTC (hh:mm-hh:mm)."
    )
    maintenance_window: str = Field(
        default="sun:04:00-sun:05:00",
        pattern=_MAINTENANCE_WINDOW.pattern,
        description="Weekly maintenance window, UTC (ddd:hh:mm-ddd:hh:mm); must not overlap the backup window.",
    )
    deletion_protection: bool = Field(default=True, description="Refuse to delete the cluster (turn off in dev only).")
    final_snapshot: bool = Field(default=True, description="Take a final snapshot when the cluster is deleted.")
    profiler_threshold_ms: int = Field(
        default=100, ge=50, le=2147483646, description="Operations slower than this go to the profiler log."
    )
    log_retention_days: LogRetentionDays = Field(
        default=365, description="Retention of the audit, profiler and processor logs."
    )
    consumer_security_group_ids: list[str] = Field(
        default_factory=list,
        description="Security groups (besides the processor's) admitted to the cluster on port 27017.",
    )
    kinesis: KinesisSourceConfig = Field(
        default_factory=KinesisSourceConfig, description="The documents stream (when Streaming uses Kinesis)."
    )
    msk_topic: str = Field(
        default="documents",
        pattern=r"^[A-Za-z0-9._-]{1,249}$",
        description="Topic of the Streaming component's MSK cluster the documents arrive on (when it uses MSK).",
    )
    processor: ProcessorConfig = Field(default_factory=ProcessorConfig, description="The document processor.")

    @field_validator("consumer_security_group_ids")
    @classmethod
    def _security_groups(cls, value: list[str]) -> list[str]:
        bad = [group for group in value if not re.fullmatch(r"sg-[0-9a-f]{8,17}", group)]
        if bad:
            raise ValueError(f"must be security group ids like sg-0123456789abcdef0, got {bad}")
        if len(set(value)) != len(value):
            raise ValueError("lists a security group more than once")
        return value

    @model_validator(mode="after")
    def _windows_apart(self) -> DocumentStoreConfig:
        if windows_overlap(self.backup_window, self.maintenance_window):
            raise ValueError(
                f"maintenance_window ({self.maintenance_window}) overlaps backup_window ({self.backup_window}); "
                "AWS requires them apart"
            )
        return self

    @property
    def parameter_family(self) -> str:
        return ENGINE_FAMILIES[self.engine_version]
