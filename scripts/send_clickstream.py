"""Send generated clickstream events to the stack's Kinesis data stream (the Streaming component's source).

    .venv/bin/python scripts/send_clickstream.py --stream lakehouse-dev-clickstream --count 10000
    .venv/bin/python scripts/send_clickstream.py --stream arn:aws:kinesis:eu-west-1:123456789012:stream/... \\
        --region eu-west-1 --invalid-share 0.02

Events come from etl/events_generator.py (deterministic for --seed). They go out with PutRecords in
batches of at most 500 records and 5 MiB, partitioned by user_id. Records Kinesis refuses in a batch
(throttling, KMS throttling) are sent again, alone, with exponential backoff and jitter, up to
--max-attempts; the exit code is 1 when some could still not be sent. AWS credentials and region come
from the usual places (environment, profile, instance role) unless --region is given.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from etl.events_generator import clickstream_events

MAX_RECORDS = 500  # PutRecords: at most 500 records ...
MAX_REQUEST_BYTES = 5 * 1024 * 1024  # ... and 5 MiB, partition keys included
MAX_RECORD_BYTES = 1024 * 1024  # one record, data and partition key


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    requests: int = 0
    retried: int = 0


def record_size(record: dict[str, Any]) -> int:
    return len(record["Data"]) + len(record["PartitionKey"].encode("utf-8"))


def batches(records: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """PutRecords batches within Kinesis's limits (records larger than 1 MiB are refused up front)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for record in records:
        if record_size(record) > MAX_RECORD_BYTES:
            raise ValueError(f"a record of {record_size(record)} bytes is over Kinesis's 1 MiB limit")
        if len(batch) == MAX_RECORDS or size + record_size(record) > MAX_REQUEST_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += record_size(record)
    if batch:
        yield batch


def _stream_argument(stream: str) -> dict[str, str]:
    return {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}


def send(
    client: Any,
    stream: str,
    records: Sequence[dict[str, Any]],
    *,
    max_attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> SendResult:
    """Put every record; retry the ones a response marks failed (same data, same partition key)."""
    rng = rng or random.Random()
    result = SendResult()
    for batch in batches(records):
        pending = batch
        for attempt in range(1, max_attempts + 1):
            response = client.put_records(Records=pending, **_stream_argument(stream))
            result.requests += 1
            refused = [r for r, outcome in zip(pending, response["Records"], strict=True) if "ErrorCode" in outcome]
            result.sent += len(pending) - len(refused)
            if not refused:
                break
            if attempt == max_attempts:
                result.failed += len(refused)
                break
            result.retried += len(refused)
            pending = refused
            sleep(min(10.0, 0.1 * 2**attempt) * (0.5 + rng.random() / 2))  # backoff with jitter
    return result


def main(argv: Sequence[str] | None = None, client: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stream", required=True, help="Kinesis stream name or ARN")
    parser.add_argument("--count", type=int, default=1000, help="events to send (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    parser.add_argument(
        "--invalid-share", type=float, default=0.0, help="share of invalid events, to exercise the error output"
    )
    parser.add_argument("--region", help="AWS region (default: from the environment or profile)")
    parser.add_argument(
        "--max-attempts", type=int, default=6, help="PutRecords attempts per record (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if client is None:
        import boto3

        client = boto3.client("kinesis", region_name=args.region)
    events = clickstream_events(args.count, args.seed, invalid_share=args.invalid_share)
    records = [{"Data": e.payload, "PartitionKey": e.user_id or f"unkeyed-{i}"} for i, e in enumerate(events)]
    started = time.monotonic()
    result = send(client, args.stream, records, max_attempts=args.max_attempts)
    seconds = time.monotonic() - started
    print(
        f"sent {result.sent} of {len(records)} events in {result.requests} PutRecords requests "
        f"({result.retried} records retried, {result.failed} failed) in {seconds:.1f}s"
    )
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
