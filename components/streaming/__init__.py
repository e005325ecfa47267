"""Streaming: Kinesis (or MSK) -> transform Lambda -> Firehose -> the clickstream_events table."""

from .component import REGISTRATION, Streaming, StreamingOutputs
from .config import BufferingConfig, KinesisConfig, MskConfig, StreamingConfig, TransformConfig

__all__ = [
    "REGISTRATION",
    "BufferingConfig",
    "KinesisConfig",
    "MskConfig",
    "Streaming",
    "StreamingConfig",
    "StreamingOutputs",
    "TransformConfig",
]
