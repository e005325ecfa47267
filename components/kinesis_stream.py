"""A KMS-encrypted Kinesis data stream, built one way by every component that owns one.

Each owner keeps its own config model (its descriptions and messages speak of its own stream), typed
with :data:`CapacityMode` and bounded by Kinesis's retention limits below; the builder reads any
model that has the three settings (:class:`StreamCapacity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol

import pulumi
from pulumi_aws import kinesis

from .tagging import with_name

CapacityMode = Literal["on_demand", "provisioned"]
# Kinesis Data Streams: retention between 24 hours and 365 days.
MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760


class StreamCapacity(Protocol):
    """The settings of a stream's config model the builder reads."""

    @property
    def capacity_mode(self) -> CapacityMode: ...

    @property
    def shard_count(self) -> int | None: ...

    @property
    def retention_hours(self) -> int: ...


def encrypted_stream(
    resource_name: str,
    *,
    name: str,
    capacity: StreamCapacity,
    key_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> kinesis.Stream:
    """The stream ``name`` (the physical name producers and consumers use, and its Name tag beside the
    stack's ``tags``), encrypted with ``key_arn``."""
    return kinesis.Stream(
        resource_name,
        name=name,
        stream_mode_details={"stream_mode": capacity.capacity_mode.upper()},
        shard_count=capacity.shard_count,
        retention_period=capacity.retention_hours,
        encryption_type="KMS",
        kms_key_id=key_arn,
        tags=with_name(tags, name),
        opts=opts,
    )
