"""``lakehouse run`` and ``lakehouse query``: the job graph and SQL on a local lake."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from etl.graph import JOBS, JobSpec, RunSettings, ordered


def run_jobs(settings: RunSettings, jobs: Sequence[str], console: Console, spark: Any = None) -> dict[str, Any]:
    """Walk the job graph in order with one Spark session; returns the run summary."""
    from etl.session import local_session

    plan = ordered(jobs)
    started = time.monotonic()
    with console.status("starting Spark"):
        spark = spark or local_session(settings.warehouse)
    summary: dict[str, Any] = {"bronze": settings.bronze, "warehouse": settings.warehouse, "jobs": []}
    for job in plan:
        with console.status(f"{job.name}: {job.description}"):
            job_started = time.monotonic()
            result = job.main()(job.argv(settings), spark=spark)
        seconds = round(time.monotonic() - job_started, 2)
        summary["jobs"].append({"job": job.name, "seconds": seconds, "result": result})
        console.log(f"[green]done[/green] {job.name} in {seconds}s")
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
    console.print(f"total: {summary['seconds']}s")


def query(warehouse: str, sql: str, output_format: str, console: Console, spark=None) -> int:
    from etl.session import local_session

    spark = spark or local_session(warehouse)
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
