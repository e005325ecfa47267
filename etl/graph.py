"""The job graph: which jobs exist, what each needs first. ``lakehouse run`` walks it locally; the
batch component's Step Functions state machine is built from the same graph on AWS."""

from __future__ import annotations

import graphlib
import importlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence


@dataclass(frozen=True)
class JobSpec:
    name: str
    module: str
    depends_on: tuple[str, ...]
    description: str

    def main(self) -> Callable[..., dict[str, Any]]:
        return importlib.import_module(self.module).main


JOBS = {
    job.name: job
    for job in (
        JobSpec("bronze_to_silver", "etl.jobs.bronze_to_silver", (), "DMS bronze changes -> silver Iceberg tables"),
        JobSpec("silver_to_gold", "etl.jobs.silver_to_gold", ("bronze_to_silver",), "silver -> gold metrics"),
        JobSpec("maintenance", "etl.jobs.maintenance", ("silver_to_gold",), "compaction, snapshot expiry, orphan cleanup"),
    )
}
DEFAULT_JOBS = ("bronze_to_silver", "silver_to_gold")


def ordered(selected: Sequence[str]) -> list[JobSpec]:
    """The selected jobs in dependency order; an unknown name is an error naming the known ones."""
    unknown = [name for name in selected if name not in JOBS]
    if unknown:
        raise ValueError(f"unknown jobs {', '.join(unknown)}; known: {', '.join(JOBS)}")
    graph = {name: [d for d in JOBS[name].depends_on if d in selected] for name in selected}
    return [JOBS[name] for name in graphlib.TopologicalSorter(graph).static_order()]
