"""Lambda entry point: a batch of documents from Kinesis or MSK, upserted into DocumentDB and written
to the lake (both idempotent), malformed ones set aside with their reason.

Failure handling, decided per kind of failure:

- A malformed document is never a failure: it goes to ``bronze/documents/_errors/`` with its
  reason and is counted (the ``Rejected`` metric), and the rest of the batch goes on.
- The store failing transiently (failover, dropped connection, rotated password) is retried in the
  invocation with backoff. If it keeps failing, or the lake write fails, the whole batch fails and
  Lambda retries it from the same position: the upserts are idempotent (a version guard keeps a
  newer document from being overwritten by a replay) and the lake objects are named after the
  batch, so a retry rewrites the same objects. Nothing is lost and nothing is doubled.
- No ReportBatchItemFailures and no bisecting: failures here are never about one record (those are
  rejected above), and splitting a batch would write its documents under new object names.

Environment: ``RAW_BUCKET``, ``KMS_KEY_ARN``; the store from ``DOCDB_SECRET_ARN`` (AWS) or
``DOCDB_URI`` (local), see ``store.client_from_env``; ``DOCDB_DATABASE`` (default ``lakehouse``).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

import boto3

from . import lake
from .records import Document, Rejected, parse, source_records
from .store import DEFAULT_DATABASE, DOCUMENTS, Store, client_from_env

VERSION_FIELD = "_ingest.version"
METRIC_NAMESPACE = "Lakehouse/Documents"
METRICS = ("Records", "Stored", "Stale", "Rejected")


class Processor:
    """One batch at a time: validate, upsert the newest version of each document, write the lake."""

    def __init__(self, store: Store, s3: Any, bucket: str, key_arn: str):
        self.store, self.s3, self.bucket, self.key_arn = store, s3, bucket, key_arn

    def process(self, event: Mapping[str, Any]) -> dict[str, Any]:
        records = source_records(event)
        parsed = [parse(record) for record in records]
        documents = [item for item in parsed if isinstance(item, Document)]
        rejected = [item for item in parsed if isinstance(item, Rejected)]
        newest = _newest_per_id(documents)

        self.store.ensure_indexes(DOCUMENTS)
        outcome = self.store.upsert(DOCUMENTS, [document.body for document in newest], guard=VERSION_FIELD)
        refused = {newest[index].record: reason for index, reason in outcome.rejected.items()}
        kept = [document for document in documents if document.record not in refused]
        rejected += [
            Rejected(document.record, refused[document.record]) for document in newest if document.record in refused
        ]

        objects = lake.batch_objects(records, kept, rejected)
        lake.write(self.s3, self.bucket, self.key_arn, objects)
        return {
            "records": len(records),
            "stored": outcome.written,
            "stale": len(outcome.stale) + len(documents) - len(newest),  # older than what is (or will be) stored
            "rejected": len(rejected),
            "reasons": [item.reason for item in rejected],
            "objects": sorted(objects),
        }


def _newest_per_id(documents: Sequence[Document]) -> list[Document]:
    """One write per document id (an unordered bulk write must not race two versions of one id)."""
    newest: dict[str, Document] = {}
    for document in documents:
        known = newest.get(document.id)
        if known is None or document.record.version > known.record.version:
            newest[document.id] = document
    return list(newest.values())


def metrics_line(summary: Mapping[str, Any], function_name: str) -> str:
    """A CloudWatch embedded-metric-format log line: metrics from logs, no PutMetricData permission."""
    values = {name: summary[name.lower()] for name in METRICS}
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": METRIC_NAMESPACE,
                        "Dimensions": [["FunctionName"]],
                        "Metrics": [{"Name": name, "Unit": "Count"} for name in METRICS],
                    }
                ],
            },
            "FunctionName": function_name,
            **values,
        }
    )


def processor_from_env(env: Mapping[str, str] | None = None) -> Processor:
    env = os.environ if env is None else env
    store = Store(lambda: client_from_env(env), env.get("DOCDB_DATABASE", DEFAULT_DATABASE))
    return Processor(store, boto3.client("s3"), env["RAW_BUCKET"], env["KMS_KEY_ARN"])


@functools.cache
def container_processor() -> Processor:
    """One per container: connections and created indexes outlive an invocation."""
    return processor_from_env()


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    summary = container_processor().process(event)
    function_name = getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    sys.stdout.write(metrics_line(summary, function_name) + "\n")
    return summary
