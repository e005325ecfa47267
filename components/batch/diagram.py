"""A Mermaid flowchart of the state machine, from the same graph and levels as its definition,
so the picture in the docs cannot drift from what is deployed (a test compares them)."""

from __future__ import annotations

from collections.abc import Sequence

from etl.graph import JobSpec

from .state_machine import levels


def _node(job: JobSpec, on_emr: bool) -> str:
    runner = "EMR Serverless" if on_emr else "Glue 5.1"
    return f'  {job.name}["{job.name}<br/>{runner}"]'


def mermaid(jobs: Sequence[JobSpec], emr_heavy: bool = False) -> str:
    """``flowchart TD``: start, each level (a fork where jobs are independent), success; every
    job's error path to the failure notification and the failed end."""
    plan = levels(jobs)
    lines = ["flowchart TD", "  start((start))"]
    lines += [_node(job, emr_heavy and job.heavy) for level in plan for job in level]
    lines += [
        '  notify["SNS failure topic<br/>failed step + error"]',
        "  failed((failed))",
        "  succeeded((succeeded))",
    ]
    previous = "start"
    for level in plan:
        names = " & ".join(job.name for job in level)
        lines.append(f"  {previous} --> {names}")
        previous = names
    lines.append(f"  {previous} --> succeeded")
    every = " & ".join(job.name for level in plan for job in level)
    lines += [f"  {every} -. error after retries .-> notify", "  notify --> failed"]
    return "\n".join(lines) + "\n"


def markdown(jobs: Sequence[JobSpec], emr_heavy: bool = False) -> str:
    """The diagram as a fenced Mermaid block, as the docs embed it."""
    return f"```mermaid\n{mermaid(jobs, emr_heavy)}```\n"
