"""Config model of Streaming: the single place where its defaults live.

Kinesis's, MSK's and Firehose's own limits and the combinations Firehose supports are checked here,
so a stream AWS would refuse to create (a Parquet conversion with a 5 MiB buffer, an MSK source
Firehose cannot reach) is refused at config time with its path and the reason.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..config import LogRetentionDays, StrictModel
from ..kinesis_stream import MAX_RETENTION_HOURS, MIN_RETENTION_HOURS, CapacityMode

KEY = "streaming"

# Firehose BufferingHints: 1-128 MiB, 0-900 s; record format conversion needs at least 64 MiB.
MIN_PARQUET_BUFFER_MB = 64
# Port of MSK's IAM-authenticated TLS listener inside the VPC.
MSK_IAM_PORT = 9098
# Multi-VPC private connectivity (how Firehose reaches a cluster privately) is not offered on t3.small.
MSK_NO_MULTI_VPC_INSTANCE = "kafka.t3.small"


class KinesisConfig(StrictModel):
    """The Kinesis data stream producers write clickstream events to."""

    capacity_mode: CapacityMode = Field(
        default="on_demand",
        description="on_demand (scales by itself, billed per GB and stream-hour) or provisioned (fixed shards).",
    )
    shard_count: int | None = Field(
        default=None,
        ge=1,
        description="Shards of a provisioned stream (each 1 MiB/s or 1,000 records/s in); required when provisioned.",
    )
    retention_hours: int = Field(
        default=MIN_RETENTION_HOURS,
        ge=MIN_RETENTION_HOURS,
        le=MAX_RETENTION_HOURS,
        description="How long records stay readable for replay, 24-8760 hours (beyond 24 h costs extra).",
    )

    @model_validator(mode="after")
    def _shards_match_mode(self) -> KinesisConfig:
        if self.capacity_mode == "provisioned" and self.shard_count is None:
            raise ValueError("capacity_mode 'provisioned' needs shard_count")
        if self.capacity_mode == "on_demand" and self.shard_count is not None:
            raise ValueError("shard_count applies only to capacity_mode 'provisioned' (on_demand scales by itself)")
        return self


class MskConfig(StrictModel):
    """The MSK cluster producers write clickstream events to (IAM auth, TLS only, private subnets)."""

    cluster_type: Literal["provisioned", "serverless"] = Field(
        default="provisioned",
        description="Only provisioned can feed Firehose (see the streaming docs); serverless is refused.",
    )
    kafka_version: str = Field(
        default="3.6.0", pattern=r"^\d+\.\d+\.(\d+|x)$", description="Apache Kafka version of the cluster."
    )
    instance_type: str = Field(
        default="kafka.m7g.large",
        pattern=r"^kafka\.[a-z0-9]+\.[a-z0-9]+$",
        description="Broker instance type (kafka.t3.small cannot offer the private connectivity Firehose uses).",
    )
    broker_nodes: int = Field(
        default=2, ge=2, description="Brokers in the cluster: a multiple of the foundation's availability zones."
    )
    volume_size_gb: int = Field(default=100, ge=1, le=16384, description="EBS storage per broker, in GiB.")
    topic: str = Field(
        default="clickstream",
        pattern=r"^[A-Za-z0-9._-]{1,249}$",
        description="Topic Firehose reads; create it before events flow (MSK does not create topics by default).",
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Retention of the broker logs in CloudWatch Logs."
    )

    @model_validator(mode="after")
    def _firehose_can_read_it(self) -> MskConfig:
        if self.cluster_type == "serverless":
            raise ValueError(
                "cluster_type 'serverless' cannot feed Firehose here: Firehose reads MSK privately through "
                "multi-VPC private connectivity, which pulumi-aws can enable only on provisioned clusters; "
                "use cluster_type: provisioned, or source: kinesis"
            )
        if self.instance_type == MSK_NO_MULTI_VPC_INSTANCE:
            raise ValueError(
                f"instance_type {MSK_NO_MULTI_VPC_INSTANCE} does not support multi-VPC private connectivity, "
                "which Firehose needs to read the cluster; use kafka.m7g.large or larger"
            )
        return self


class BufferingConfig(StrictModel):
    """How long and how much Firehose buffers before it writes (fewer, larger files vs. fresher data)."""

    size_mb: int = Field(default=64, ge=1, le=128, description="Buffer size in MiB, 1-128 (parquet: at least 64).")
    interval_seconds: int = Field(
        default=300, ge=0, le=900, description="Buffer interval in seconds, 0-900 (parquet: at least 1)."
    )


class TransformConfig(StrictModel):
    """The transform Lambda Firehose calls on each batch (enrich, validate)."""

    memory_mb: int = Field(default=256, ge=128, le=10240, description="Transform function memory in MB.")
    timeout_seconds: int = Field(
        default=60, ge=1, le=300, description="Transform function timeout, 1-300 s (Firehose waits 5 minutes at most)."
    )
    reserved_concurrency: int = Field(
        default=10, ge=1, description="Concurrent executions reserved for (and capping) the transform function."
    )


class StreamingConfig(StrictModel):
    """Streaming: Kinesis (or MSK) -> transform Lambda -> Firehose -> the clickstream_events table."""

    source: Literal["kinesis", "msk"] = Field(
        default="kinesis",
        description="Where events arrive: kinesis (no VPC needed) or msk (needs the foundation's VPC).",
    )
    kinesis: KinesisConfig = Field(default_factory=KinesisConfig, description="The Kinesis stream (source: kinesis).")
    msk: MskConfig = Field(default_factory=MskConfig, description="The MSK cluster (source: msk).")
    destination: Literal["iceberg", "parquet"] = Field(
        default="iceberg",
        description="iceberg (Firehose writes the Iceberg table) or parquet (Parquet files, partitioned by event_date).",
    )
    buffering: BufferingConfig = Field(default_factory=BufferingConfig, description="Firehose buffering.")
    transform: TransformConfig = Field(default_factory=TransformConfig, description="The transform Lambda.")
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Retention of Firehose's and the transform function's logs."
    )

    @model_validator(mode="after")
    def _consistent(self) -> StreamingConfig:
        unused = "msk" if self.source == "kinesis" else "kinesis"
        if unused in self.model_fields_set:
            raise ValueError(
                f"{unused} is set but source is '{self.source}': remove the {unused} block or change source"
            )
        if self.destination == "parquet" and self.buffering.size_mb < MIN_PARQUET_BUFFER_MB:
            raise ValueError(
                f"buffering.size_mb must be >= {MIN_PARQUET_BUFFER_MB} with destination 'parquet' "
                f"(Firehose's minimum for record format conversion) (got {self.buffering.size_mb})"
            )
        if self.destination == "parquet" and self.buffering.interval_seconds == 0:
            raise ValueError(
                "buffering.interval_seconds must be >= 1 with destination 'parquet' "
                "(dynamic partitioning has no zero buffering) (got 0)"
            )
        return self
