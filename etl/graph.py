"""The job graph: every job, what it needs first, what it reads and writes, its arguments and the
figures its summary shows.

This is the one place runners learn about jobs. ``lakehouse run`` walks it on local Spark, the Glue
entry points look jobs up in it, and the BatchProcessing component builds one Glue job per spec,
its IAM permissions (from ``reads``/``writes``) and the Step Functions state machine (from
``depends_on``) from it. Adding a job is one module under ``etl/jobs/`` plus one entry here.
"""

from __future__ import annotations

import graphlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

Zone = Literal["raw", "processed", "curated"]
Layer = Literal["bronze", "silver", "gold"]


@dataclass(frozen=True)
class RunSettings:
    """Where a run reads and writes, and its options: local paths or ``s3://`` URIs, Glue databases.

    Each field a job lists in ``JobSpec.arguments`` becomes its Glue-style ``--name value`` argument
    (``silver_database`` -> ``--silver-database``); unset optional values are left out.
    """

    warehouse: str
    bronze: str | None = None
    silver_database: str = "silver"
    gold_database: str = "gold"
    as_of: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def flag(name: str) -> str:
    """``silver_database`` -> ``--silver-database``."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Access:
    """A part of the lake a job reads or writes: a zone bucket's prefix, or a catalog layer's tables.

    ``prefix`` is relative to the zone bucket (``dms/``); ``None`` means the whole zone. On AWS the
    batch component grants exactly these (and nothing else) to the job's role.
    """

    zone: Zone
    prefix: str | None = None
    layer: Layer | None = None


@dataclass(frozen=True)
class SummaryColumn:
    """One column of a job's summary table: a key of each row of ``result["tables"]``."""

    key: str
    header: str
    format: Callable[[Any], str] = str


@dataclass(frozen=True)
class Summary:
    """How ``lakehouse run`` shows a job's result: a title (``str.format`` over the job's name, its
    seconds and its result) and the columns of its per-table rows (the first is left-aligned)."""

    title: str
    columns: tuple[SummaryColumn, ...]
    right_aligned: bool = True


@dataclass(frozen=True)
class JobSpec:
    """Everything runners need to know about one job."""

    name: str
    module: str
    description: str
    depends_on: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ("warehouse", "silver_database", "gold_database")
    reads: tuple[Access, ...] = ()
    writes: tuple[Access, ...] = ()
    summary: Summary | None = None
    heavy: bool = False  # worth EMR Serverless when a stack enables it
    requires: tuple[str, ...] = ()  # components that feed it: deployed only in stacks that enable them
    default: bool = True  # part of a plain ``lakehouse run``
    glue_script: str = ""  # the entry script under etl/glue/ (default: <name>.py)

    def __post_init__(self) -> None:
        unknown = set(self.arguments) - set(RunSettings.names())
        if unknown:
            raise ValueError(f"job {self.name}: unknown arguments {sorted(unknown)}; known: {RunSettings.names()}")

    def main(self) -> Callable[..., dict[str, Any]]:
        return importlib.import_module(self.module).main

    def argv(self, settings: RunSettings) -> list[str]:
        """The job's Glue-style arguments for a run: the same locally and in the cloud."""
        argv: list[str] = []
        for name in self.arguments:
            value = getattr(settings, name)
            if value is not None:
                argv += [flag(name), str(value)]
        return argv

    def argument_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``{"--name": value}`` for the arguments this job takes (Glue's ``default_arguments``)."""
        return {flag(name): values[name] for name in self.arguments if values.get(name) is not None}

    @property
    def script(self) -> str:
        return self.glue_script or f"{self.name}.py"


def _rebuilt(value: Any) -> str:
    return "yes" if value else "no (inputs unchanged)"


JOBS: dict[str, JobSpec] = {
    job.name: job
    for job in (
        JobSpec(
            "bronze_to_silver",
            "etl.jobs.bronze_to_silver",
            "DMS bronze changes -> silver Iceberg tables",
            arguments=("bronze", "warehouse", "silver_database"),
            reads=(Access("raw", "dms/"),),
            writes=(Access("processed", layer="silver"),),
            summary=Summary(
                "bronze_to_silver ({seconds}s)",
                (
                    SummaryColumn("table", "table"),
                    SummaryColumn("files_read", "files read"),
                    SummaryColumn("rows_read", "rows read"),
                    SummaryColumn("applied", "applied"),
                    SummaryColumn("quarantined", "quarantined"),
                    SummaryColumn("seconds", "seconds"),
                ),
            ),
            heavy=True,
        ),
        JobSpec(
            "silver_to_gold",
            "etl.jobs.silver_to_gold",
            "silver -> gold metrics",
            depends_on=("bronze_to_silver",),
            arguments=("warehouse", "silver_database", "gold_database", "as_of"),
            reads=(Access("processed", layer="silver"),),
            writes=(Access("curated", layer="gold"),),
            summary=Summary(
                "silver_to_gold as of {result[as_of]} ({seconds}s)",
                (
                    SummaryColumn("table", "gold table"),
                    SummaryColumn("rows", "rows"),
                    SummaryColumn("rebuilt", "rebuilt", _rebuilt),
                    SummaryColumn("seconds", "seconds"),
                ),
            ),
        ),
        JobSpec(
            "raw_to_processed",
            "etl.jobs.raw_to_processed",
            "ingestion API raw JSON lines -> silver ingest_<source> tables",
            depends_on=("bronze_to_silver",),  # both commit to silver.quarantine: one after the other
            arguments=("bronze", "warehouse", "silver_database"),
            reads=(Access("raw", "raw/"),),
            writes=(Access("processed", layer="silver"),),
            summary=Summary(
                "raw_to_processed ({seconds}s)",
                (
                    SummaryColumn("table", "table"),
                    SummaryColumn("files_read", "files read"),
                    SummaryColumn("rows_read", "rows read"),
                    SummaryColumn("applied", "applied"),
                    SummaryColumn("duplicates", "duplicates"),
                    SummaryColumn("quarantined", "quarantined"),
                    SummaryColumn("seconds", "seconds"),
                ),
            ),
            requires=("ingestion",),
        ),
        JobSpec(
            "documents_analytics",
            "etl.jobs.documents_analytics",
            "lake documents -> per-type/day analytics and ML features in gold, and back into the store",
            arguments=("bronze", "warehouse", "gold_database"),
            reads=(Access("raw", "bronze/documents/"),),
            writes=(Access("curated", layer="gold"),),
            requires=("document_store",),
            summary=Summary(
                "documents_analytics as of {result[as_of]} ({seconds}s): {result[note]}",
                (
                    SummaryColumn("table", "gold table"),
                    SummaryColumn("rows", "rows"),
                    SummaryColumn("rebuilt", "rebuilt", _rebuilt),
                    SummaryColumn("seconds", "seconds"),
                ),
            ),
            default=False,
        ),
        JobSpec(
            "maintenance",
            "etl.jobs.maintenance",
            "compaction, snapshot expiry, orphan cleanup",
            depends_on=("silver_to_gold",),
            arguments=("warehouse", "silver_database", "gold_database"),
            reads=(Access("processed", layer="silver"), Access("curated", layer="gold")),
            writes=(Access("processed", layer="silver"), Access("curated", layer="gold")),
            summary=Summary(
                "maintenance ({seconds}s)",
                (
                    SummaryColumn("table", "table"),
                    SummaryColumn("data_files_before", "data files before"),
                    SummaryColumn("data_files_after", "after"),
                    SummaryColumn("delete_files_before", "delete files before"),
                    SummaryColumn("delete_files_after", "after"),
                    SummaryColumn("orphans_removed", "orphans removed"),
                ),
                right_aligned=False,
            ),
            default=False,
        ),
    )
}
DEFAULT_JOBS: tuple[str, ...] = tuple(name for name, job in JOBS.items() if job.default)


def ordered(selected: Sequence[str], jobs: Mapping[str, JobSpec] | None = None) -> list[JobSpec]:
    """The selected jobs in dependency order; an unknown name is an error naming the known ones."""
    jobs = JOBS if jobs is None else jobs
    unknown = [name for name in selected if name not in jobs]
    if unknown:
        raise ValueError(f"unknown jobs {', '.join(unknown)}; known: {', '.join(jobs)}")
    graph = {name: [d for d in jobs[name].depends_on if d in selected] for name in selected}
    return [jobs[name] for name in graphlib.TopologicalSorter(graph).static_order()]


def all_in_order(jobs: Mapping[str, JobSpec] | None = None) -> list[JobSpec]:
    """Every job of the graph, dependencies first (the order of the cloud's state machine)."""
    jobs = JOBS if jobs is None else jobs
    return ordered(list(jobs), jobs)


__all__ = [
    "DEFAULT_JOBS",
    "JOBS",
    "Access",
    "JobSpec",
    "RunSettings",
    "Summary",
    "SummaryColumn",
    "all_in_order",
    "flag",
    "ordered",
]
