"""POST generated records to the stack's ingestion API, signed for IAM authorization (SigV4).

    .venv/bin/python scripts/post_records.py --url https://abc123.execute-api.eu-west-1.amazonaws.com/events
    .venv/bin/python scripts/post_records.py --url https://... --token "$JWT"      # JWT authorization
    .venv/bin/python scripts/post_records.py --url http://127.0.0.1:8080/events --no-sign  # lakehouse serve

Records come from etl/events_generator.py (deterministic for --seed); every record gets its event_id
before the first attempt, so that a retry after a 5xx or 429 answer, or a lost connection, sends the
same ids and the lake keeps one copy. Batches of --batch-size records (at most 500). Requests are
signed with botocore's SigV4 for the execute-api service with the usual AWS credentials; the region is
read from the URL unless --region is given. The exit code is 1 when some batch was refused or failed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from etl.events_generator import ingestion_records

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")


def region_of(url: str) -> str | None:
    """The region in an API Gateway URL (``<id>.execute-api.<region>.amazonaws.com``)."""
    match = _API_HOST.match(urlsplit(url).hostname or "")
    return match.group(1) if match else None


def sigv4_headers(url: str, body: bytes, region: str, credentials: Any) -> dict[str, str]:
    """Headers of a POST signed with SigV4 for the execute-api service."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    return dict(request.headers.items())


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def send_batch(
    url: str,
    records: list[dict[str, Any]],
    headers_for: Callable[[bytes], dict[str, str]],
    *,
    max_attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> tuple[int, dict[str, Any], int]:
    """POST one batch until it is answered with something other than a retryable status; returns the
    status, the answer and the attempts. The body is the same on every attempt (same event_ids)."""
    rng = rng or random.Random()
    body = json.dumps(records).encode()
    for attempt in range(1, max_attempts + 1):
        try:
            status, answer = post(url, body, headers_for(body))  # signed again: a signature expires
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            status, answer = 0, {"errors": [{"field": "connection", "message": str(error)}]}
        if status not in RETRIED_STATUSES and status != 0:
            return status, answer, attempt
        if attempt < max_attempts:
            sleep(min(10.0, 0.2 * 2**attempt) * (0.5 + rng.random() / 2))
    return status, answer, max_attempts


def with_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every record with an event_id, set once, before the first attempt."""
    return [{**r, "event_id": r.get("event_id") or str(uuid.uuid4())} for r in records]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the API's /events URL")
    parser.add_argument("--count", type=int, default=1000, help="records to send (default: %(default)s)")
    parser.add_argument(
        "--batch-size", type=int, default=500, help="records per request, at most 500 (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default: %(default)s)")
    parser.add_argument("--region", help="region to sign for (default: read from the URL)")
    parser.add_argument("--max-attempts", type=int, default=5, help="attempts per batch (default: %(default)s)")
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument("--token", help="a JWT, sent as a bearer token (JWT authorization)")
    auth.add_argument("--no-sign", action="store_true", help="send unsigned (lakehouse serve ingestion)")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 500:
        parser.error("--batch-size must be between 1 and 500")
    headers_for = _authorization(args, parser)
    records = with_ids(ingestion_records(args.count, args.seed))
    statuses: Counter[int] = Counter()
    accepted = attempts = 0
    started = time.monotonic()
    for start in range(0, len(records), args.batch_size):
        status, answer, tries = send_batch(
            args.url, records[start : start + args.batch_size], headers_for, max_attempts=args.max_attempts
        )
        statuses[status] += 1
        attempts += tries
        accepted += answer.get("accepted", 0)
        if status != 202:
            print(f"batch at record {start}: {status} {json.dumps(answer)[:500]}", file=sys.stderr)
    answered = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    print(
        f"accepted {accepted} of {len(records)} records; answers: {answered}; {attempts} requests in {time.monotonic() - started:.1f}s"
    )
    return 0 if accepted == len(records) else 1


def _authorization(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Callable[[bytes], dict[str, str]]:
    json_type = {"Content-Type": "application/json"}
    if args.no_sign:
        return lambda body: json_type
    if args.token:
        return lambda body: {**json_type, "Authorization": f"Bearer {args.token}"}
    import boto3

    session = boto3.Session()
    credentials = session.get_credentials()
    region = args.region or region_of(args.url) or session.region_name
    if credentials is None or region is None:
        parser.error("signing needs AWS credentials and a region (--region), or --token / --no-sign")
    return lambda body: sigv4_headers(args.url, body, region, credentials.get_frozen_credentials())


if __name__ == "__main__":
    sys.exit(main())
