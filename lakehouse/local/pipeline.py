"""``lakehouse run`` and ``lakehouse query``: the job graph and SQL on a local lake."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from etl import metrics
from etl.graph import JOBS, JobSpec, RunSettings, ordered
from etl.jobs import JobCannotRun


def run_jobs(
    settings: RunSettings,
    jobs: Sequence[str],
    console: Console,
    spark: Any = None,
    verbose: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Walk the job graph in order with one Spark session; returns the run summary.

    A job that cannot run on the lake as it is (``JobCannotRun``, e.g. gold before any valid change)
    stops the walk: the summary keeps the results so far and says why (``summary["stopped"]``).
    The summary ends with the figures the cloud entry points publish to CloudWatch (``etl.metrics``):
    each table's freshness at ``now`` (default: the end of the run) and each job's quarantine shares."""
    from etl.session import local_session

    plan = ordered(jobs)
    started = time.monotonic()
    with console.status("starting Spark"):
        spark = spark or local_session(settings.warehouse, verbose=verbose)
    summary: dict[str, Any] = {"bronze": settings.bronze, "warehouse": settings.warehouse, "jobs": []}
    for job in plan:
        with console.status(f"{job.name}: {job.description}"):
            job_started = time.monotonic()
            try:
                result = job.main()(job.argv(settings), spark=spark)
            except JobCannotRun as reason:
                summary["stopped"] = {"job": job.name, "reason": str(reason)}
                break
        seconds = round(time.monotonic() - job_started, 2)
        summary["jobs"].append({"job": job.name, "seconds": seconds, "result": result})
        console.log(f"[green]done[/green] {job.name} in {seconds}s")
    summary["quarantine"] = [
        asdict(share) | {"percent": share.percent}
        for entry in summary["jobs"]
        for share in metrics.quarantines(entry["job"], entry["result"])
    ]
    freshness = metrics.freshness(spark, settings.silver_database, now or datetime.now(UTC))
    summary["freshness"] = [asdict(figure) for figure in freshness]
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def summary_table(job: JobSpec, seconds: float, result: dict[str, Any]) -> Table:
    """A job's result as its graph entry says to show it."""
    assert job.summary is not None, f"job {job.name} declares no summary"
    table = Table(title=job.summary.title.format(job=job.name, seconds=seconds, result=result), title_justify="left")
    for index, column in enumerate(job.summary.columns):
        aligned = job.summary.right_aligned and index > 0
        table.add_column(column.header, justify="right" if aligned else "left")
    for row in result["tables"]:
        table.add_row(*(column.format(row[column.key]) for column in job.summary.columns))
    return table


def print_summary(summary: dict[str, Any], console: Console) -> None:
    for entry in summary["jobs"]:
        console.print(summary_table(JOBS[entry["job"]], entry["seconds"], entry["result"]))
    if "stopped" in summary:
        console.print(f"[red]{summary['stopped']['job']} did not run[/red]: {summary['stopped']['reason']}")
    if summary.get("quarantine"):
        console.print(quarantine_table(summary["quarantine"]))
    if summary.get("freshness"):
        console.print(freshness_table(summary["freshness"]))
    console.print(f"total: {summary['seconds']}s")


def quarantine_table(shares: list[dict[str, Any]]) -> Table:
    """The share of each table's rows this run quarantined (what the quarantine alarm watches)."""
    table = Table(title="quarantined this run (QuarantinedPercent)", title_justify="left")
    for header in ("job", "table", "rows read", "applied", "quarantined", "%"):
        table.add_column(header, justify="left" if header in ("job", "table") else "right")
    for share in shares:
        table.add_row(
            share["job"],
            share["table"],
            f"{share['rows_read']:,}",
            f"{share['applied']:,}",
            f"{share['quarantined']:,}",
            f"{share['percent']:.3f}",
        )
    return table


def freshness_table(figures: list[dict[str, Any]]) -> Table:
    """Each table's newest change and its age (what the freshness alarms watch, DataAgeSeconds)."""
    table = Table(title="data freshness (DataAgeSeconds)", title_justify="left")
    for header in ("table", "newest change (UTC)", "age"):
        table.add_column(header, justify="right" if header == "age" else "left")
    for figure in figures:
        table.add_row(figure["table"], f"{figure['newest_change']:%Y-%m-%d %H:%M:%S}", age_text(figure["age_seconds"]))
    return table


def age_text(seconds: float) -> str:
    """An age as people read it: ``45 s``, ``12 min``, ``3.5 h``, ``41 d``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} d"


def query(
    warehouse: str, sql: str, output_format: str, console: Console, spark: Any = None, verbose: bool = False
) -> int:
    from etl.session import local_session

    spark = spark or local_session(warehouse, verbose=verbose)
    frame = spark.sql(sql)
    rows = [row.asDict(recursive=True) for row in frame.collect()]
    if output_format == "json":
        print(json.dumps(rows, default=str, indent=2))
    elif output_format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=frame.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = Table(*frame.columns)
        for row in rows:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in frame.columns))
        console.print(table)
    return 0


def write_summary(summary: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str))
