"""``lakehouse run`` and ``lakehouse query``: the job graph and SQL on a local lake."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.table import Table

from etl.graph import ordered


def job_argv(job: str, bronze: str, warehouse: str, as_of: str | None, clickstream: str | None = None) -> list[str]:
    """The Glue-style arguments of a job: the same ones the cloud orchestration passes."""
    argv = ["--warehouse", warehouse]
    if job == "bronze_to_silver":
        argv += ["--bronze", bronze]
    if job == "silver_to_gold" and as_of:
        argv += ["--as-of", as_of]
    if job == "silver_to_gold" and clickstream:
        argv += ["--clickstream", clickstream]
    return argv


def run_jobs(
    bronze: str, warehouse: str, jobs: Sequence[str], as_of: str | None, console: Console, spark=None, clickstream: str | None = None
) -> dict[str, Any]:
    """Walk the job graph in order with one Spark session; returns the run summary."""
    from etl.session import local_session

    plan = ordered(jobs)
    started = time.monotonic()
    with console.status("starting Spark"):
        spark = spark or local_session(warehouse)
    summary: dict[str, Any] = {"bronze": bronze, "warehouse": warehouse, "jobs": []}
    for job in plan:
        with console.status(f"{job.name}: {job.description}"):
            job_started = time.monotonic()
            result = job.main()(job_argv(job.name, bronze, warehouse, as_of, clickstream), spark=spark)
        seconds = round(time.monotonic() - job_started, 2)
        summary["jobs"].append({"job": job.name, "seconds": seconds, "result": result})
        console.log(f"[green]done[/green] {job.name} in {seconds}s")
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary


def print_summary(summary: dict[str, Any], console: Console) -> None:
    for job in summary["jobs"]:
        result = job["result"]
        if job["job"] == "bronze_to_silver":
            table = Table(title=f"bronze_to_silver ({job['seconds']}s)", title_justify="left")
            for column in ("table", "files read", "rows read", "applied", "quarantined", "seconds"):
                table.add_column(column, justify="left" if column == "table" else "right")
            for row in result["tables"]:
                table.add_row(row["table"], *(str(row[k]) for k in ("files_read", "rows_read", "applied", "quarantined", "seconds")))
        elif job["job"] == "silver_to_gold":
            table = Table(title=f"silver_to_gold as of {result['as_of']} ({job['seconds']}s)", title_justify="left")
            for column in ("gold table", "rows", "rebuilt", "seconds"):
                table.add_column(column, justify="left" if column == "gold table" else "right")
            for row in result["tables"]:
                table.add_row(row["table"], str(row["rows"]), "yes" if row["rebuilt"] else "no (inputs unchanged)", str(row["seconds"]))
        else:
            table = Table(title=f"maintenance ({job['seconds']}s)", title_justify="left")
            for column in ("table", "data files before", "after", "delete files before", "after", "orphans removed"):
                table.add_column(column)
            for row in result["tables"]:
                table.add_row(row["table"], *(str(row[k]) for k in (
                    "data_files_before", "data_files_after", "delete_files_before", "delete_files_after", "orphans_removed")))
        console.print(table)
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
