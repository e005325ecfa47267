"""Benchmark of the Lambda handlers: prints its figures (never asserted in tests).

- ingestion: records/s for a 500-record request, one source and three sources, against in-process moto
  S3 + KMS (end to end, moto's own work included) and against botocore's Stubber (the handler and the
  S3 client's request building, no storage): what one Lambda invocation does per record;
- stream transform: records/s for a 500-record Firehose batch, and how much larger the answer is than
  the batch's data (the answer must stay under Lambda's 6 MB: the largest safe processor buffer);
- cold import time of each handler in a fresh interpreter (what a cold start adds before the handler);
- S3 requests per 1,000 ingested records, for 500-record single-source requests and for the demo's
  requests (batches of 20, three sources).

The process is pinned to one core. Aims: >= 5,000 records/s per invocation, one S3 write per source
per request.

    .venv/bin/python bench/handlers.py [--repeat 20] [--json out/bench-handlers.json]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.stub import Stubber
from rich.console import Console
from rich.table import Table

from etl.events_generator import clickstream_events, ingestion_records, ingestion_requests
from functions.ingestion import handler as ingestion
from functions.stream_transform import handler as transform
from lakehouse.local.serve import LocalRawZone, api_event
from lakehouse.local.streaming import firehose_batches

LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


def median_seconds(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm: first-call costs are the cold start's, measured apart
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ingestion_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    return api_event("POST", "/events", "", {"Content-Type": "application/json"}, json.dumps(records).encode())


def _accepted(event: dict[str, Any]) -> None:
    answer = ingestion.handler(event, None)
    if answer["statusCode"] != 202:
        raise RuntimeError(f"the benchmark request was refused: {answer}")


def ingestion_figures(repeat: int) -> dict[str, float]:
    requests = {
        "one source": [{**r, "source": "iot_sensors"} for r in ingestion_records(500, seed=1)],
        "three sources": ingestion_records(500, seed=2),
    }
    figures = {}
    with LocalRawZone():
        client = ingestion._s3()
        for name, records in requests.items():
            event = ingestion_event(records)
            sources = len({r["source"] for r in records})

            def stored(event: dict[str, Any] = event) -> None:
                _accepted(event)

            def stubbed(event: dict[str, Any] = event, sources: int = sources) -> None:
                with Stubber(client) as stub:
                    for _ in range(sources):
                        stub.add_response("put_object", {"ETag": '"0"'})
                    _accepted(event)

            figures[f"moto S3, {name}"] = 500 / median_seconds(stored, repeat)
            figures[f"stubbed S3, {name}"] = 500 / median_seconds(stubbed, repeat)
    return figures


def s3_requests_per_1000() -> dict[str, float]:
    """PutObject calls per 1,000 accepted records, counted on the handler's S3 client."""
    calls: list[str] = []
    figures = {}
    with LocalRawZone():
        client = ingestion._s3()
        client.meta.events.register("before-call.s3.PutObject", lambda **kwargs: calls.append("put"))
        try:
            records = [{**r, "source": "iot_sensors"} for r in ingestion_records(1000, seed=3)]
            for start in (0, 500):
                _accepted(ingestion_event(records[start : start + 500]))
            figures["500-record requests, one source"] = float(len(calls))
            calls.clear()
            accepted = 0
            for request in ingestion_requests():
                answer = ingestion.handler(
                    api_event("POST", "/events", "", {"Content-Type": request.content_type}, request.body), None
                )
                accepted += json.loads(answer["body"]).get("accepted", 0)
            figures["demo requests (20 records, three sources)"] = round(1000 * len(calls) / accepted, 1)
        finally:
            client.meta.events.unregister("before-call.s3.PutObject")
    return figures


def transform_figures(repeat: int) -> dict[str, float]:
    valid = [e.payload for e in clickstream_events(500, seed=4, invalid_share=0, replay_share=0)]
    (event,) = firehose_batches(valid)
    seconds = median_seconds(lambda: transform.handler(event, None), repeat)
    answer = json.dumps(transform.handler(event, None)).encode()
    data = sum(len(base64.b64decode(r["data"])) for r in event["records"])
    growth = len(answer) / data
    return {
        "records/s, 500 valid events": 500 / seconds,
        "answer bytes per byte of event data": round(growth, 2),
        "largest safe processor buffer (MB)": round(LAMBDA_PAYLOAD_LIMIT / growth / 1024 / 1024, 2),
    }


def cold_import_seconds(module: str, runs: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Lambda handler benchmark")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per figure (median)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as one Lambda invocation
    figures = {
        "ingestion_records_per_second": ingestion_figures(args.repeat),
        "stream_transform": transform_figures(args.repeat),
        "cold_import_seconds": {
            module: cold_import_seconds(module)
            for module in ("functions.ingestion.handler", "functions.stream_transform.handler")
        },
        "s3_put_object_per_1000_records": s3_requests_per_1000(),
    }
    console = Console()
    for section, values in figures.items():
        table = Table("measure", "value", title=section.replace("_", " "), title_justify="left")
        for name, value in values.items():
            table.add_row(name, f"{value:,.0f}" if value >= 100 else f"{value:.3g}")
        console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
