"""DocumentStore: a DocumentDB cluster and the processor dual-writing documents to it and the lake."""

from .component import REGISTRATION, DocumentStore, DocumentStoreOutputs
from .config import DocumentStoreConfig, KinesisSourceConfig, ProcessorConfig

__all__ = [
    "REGISTRATION",
    "DocumentStore",
    "DocumentStoreConfig",
    "DocumentStoreOutputs",
    "KinesisSourceConfig",
    "ProcessorConfig",
]
