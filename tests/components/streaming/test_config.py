"""StreamingConfig: safe defaults, AWS's limits and Firehose's supported combinations, exact messages."""

from __future__ import annotations

import functools

from components.config import validate
from components.streaming import StreamingConfig
from tests.components.conftest import config_problems

problems = functools.partial(config_problems, "streaming")


def test_defaults_are_on_demand_kinesis_into_iceberg():
    config = StreamingConfig()
    assert (config.source, config.destination) == ("kinesis", "iceberg")
    assert config.kinesis.capacity_mode == "on_demand"
    assert config.kinesis.shard_count is None
    assert config.kinesis.retention_hours == 24
    assert (config.buffering.size_mb, config.buffering.interval_seconds) == (64, 300)


def test_provisioned_stream_with_shards_is_accepted():
    config = validate(
        StreamingConfig, {"kinesis": {"capacity_mode": "provisioned", "shard_count": 4}}, "components", "streaming"
    )
    assert config.kinesis.shard_count == 4


def test_provisioned_stream_without_shards_is_refused():
    assert problems({"kinesis": {"capacity_mode": "provisioned"}}) == [
        "lakehouse:components.streaming.kinesis: capacity_mode 'provisioned' needs shard_count"
    ]


def test_shards_on_an_on_demand_stream_are_refused():
    assert problems({"kinesis": {"shard_count": 2}}) == [
        "lakehouse:components.streaming.kinesis: shard_count applies only to capacity_mode 'provisioned' "
        "(on_demand scales by itself)"
    ]


def test_retention_beyond_a_year_is_refused():
    assert problems({"kinesis": {"retention_hours": 9000}}) == [
        "lakehouse:components.streaming.kinesis.retention_hours: must be <= 8760 (got 9000)"
    ]


def test_buffer_larger_than_firehose_allows_is_refused():
    assert problems({"buffering": {"size_mb": 256}}) == [
        "lakehouse:components.streaming.buffering.size_mb: must be <= 128 (got 256)"
    ]


def test_buffer_interval_beyond_fifteen_minutes_is_refused():
    assert problems({"buffering": {"interval_seconds": 1200}}) == [
        "lakehouse:components.streaming.buffering.interval_seconds: must be <= 900 (got 1200)"
    ]


def test_parquet_needs_a_64_mib_buffer():
    assert problems({"destination": "parquet", "buffering": {"size_mb": 5}}) == [
        "lakehouse:components.streaming: buffering.size_mb must be >= 64 with destination 'parquet' "
        "(Firehose's minimum for record format conversion) (got 5)"
    ]


def test_parquet_refuses_zero_buffering():
    assert problems({"destination": "parquet", "buffering": {"interval_seconds": 0}}) == [
        "lakehouse:components.streaming: buffering.interval_seconds must be >= 1 with destination 'parquet' "
        "(dynamic partitioning has no zero buffering) (got 0)"
    ]


def test_iceberg_accepts_small_and_zero_buffering():
    config = validate(StreamingConfig, {"buffering": {"size_mb": 1, "interval_seconds": 0}}, "components", "streaming")
    assert (config.buffering.size_mb, config.buffering.interval_seconds) == (1, 0)


def test_msk_serverless_is_refused_with_the_reason():
    assert problems({"source": "msk", "msk": {"cluster_type": "serverless"}}) == [
        "lakehouse:components.streaming.msk: cluster_type 'serverless' cannot feed Firehose here: Firehose reads "
        "MSK privately through multi-VPC private connectivity, which pulumi-aws can enable only on provisioned "
        "clusters; use cluster_type: provisioned, or source: kinesis"
    ]


def test_msk_t3_small_brokers_are_refused():
    assert problems({"source": "msk", "msk": {"instance_type": "kafka.t3.small"}}) == [
        "lakehouse:components.streaming.msk: instance_type kafka.t3.small does not support multi-VPC private "
        "connectivity, which Firehose needs to read the cluster; use kafka.m7g.large or larger"
    ]


def test_a_block_for_the_other_source_is_refused():
    assert problems({"source": "kinesis", "msk": {"broker_nodes": 3}}) == [
        "lakehouse:components.streaming: msk is set but source is 'kinesis': remove the msk block or change source"
    ]
    assert problems({"source": "msk", "kinesis": {"retention_hours": 48}}) == [
        "lakehouse:components.streaming: kinesis is set but source is 'msk': remove the kinesis block or change source"
    ]


def test_unknown_destination_is_refused():
    assert problems({"destination": "delta"}) == [
        "lakehouse:components.streaming.destination: must be one of 'iceberg' or 'parquet' (got 'delta')"
    ]
