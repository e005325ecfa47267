"""The Step Functions state machine of the job graph, as an Amazon States Language document.

Jobs run in graph order, one dependency level after another: a level of one job is a Task, a
level of jobs independent of each other is a Parallel state with a branch per job (graph order,
so the same graph always gives the same document). Every job run:

- waits for its Glue (or EMR Serverless) run to finish (``.sync``);
- retries, with exponential backoff and jitter, the errors that say "not now" (too many
  concurrent runs, throttling, a service-side fault). A run that failed or hit its own timeout
  is not retried: the cause is in the data or the code, and a second run would fail the same way
  at the same cost. Glue enforces each job's timeout, so tasks set none of their own;
- on any other error, publishes the failed step and the error to the failure topic, then fails
  the execution (``BatchJobFailed``, the step and the job's error in the cause).
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from etl.graph import JobSpec

GLUE_SYNC = "arn:aws:states:::glue:startJobRun.sync"
EMR_SYNC = "arn:aws:states:::emr-serverless:startJobRun.sync"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
GLUE_TRANSIENT = (
    "Glue.ConcurrentRunsExceededException",
    "Glue.InternalServiceException",
    "Glue.OperationTimeoutException",
    "Glue.ThrottlingException",
)
EMR_TRANSIENT = ("EMRServerless.InternalServerException", "EMRServerless.ThrottlingException")
JOB_FAILED = "BatchJobFailed"  # the error a failed execution ends with (the job's own is in its cause)
RETRY_INTERVAL_SECONDS = 60
RETRY_ATTEMPTS = 3
RETRY_MAX_DELAY_SECONDS = 900


@dataclass(frozen=True)
class GlueRun:
    """Run a job as its Glue job."""

    job_name: str


@dataclass(frozen=True)
class EmrRun:
    """Run a job on the EMR Serverless application (a heavy job, when the stack enables EMR)."""

    application_id: str
    execution_role_arn: str
    entry_point: str
    arguments: Sequence[str]
    spark_submit_parameters: str
    timeout_minutes: int


Run = GlueRun | EmrRun


def levels(jobs: Sequence[JobSpec]) -> list[list[JobSpec]]:
    """The jobs by dependency level: each level needs only earlier ones; graph order within a level."""
    position = {job.name: index for index, job in enumerate(jobs)}
    by_name = {job.name: job for job in jobs}
    sorter = graphlib.TopologicalSorter({job.name: [d for d in job.depends_on if d in by_name] for job in jobs})
    sorter.prepare()
    result = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        result.append([by_name[name] for name in ready])
        sorter.done(*ready)
    return result


def notify_state(job: str) -> str:
    return f"Notify {job} failure"


def failed_state(job: str) -> str:
    return f"{job} failed"


def parallel_state(index: int) -> str:
    return f"Parallel jobs {index}"


def _task(job: str, run: Run) -> dict[str, Any]:
    resource: str
    parameters: dict[str, Any]
    transient: tuple[str, ...]
    if isinstance(run, GlueRun):
        resource, parameters, transient = GLUE_SYNC, {"JobName": run.job_name}, GLUE_TRANSIENT
    else:
        resource, transient = EMR_SYNC, EMR_TRANSIENT
        parameters = {
            "ApplicationId": run.application_id,
            "ExecutionRoleArn": run.execution_role_arn,
            "Name": job,
            "ExecutionTimeoutMinutes": run.timeout_minutes,
            "JobDriver": {
                "SparkSubmit": {
                    "EntryPoint": run.entry_point,
                    "EntryPointArguments": [job, *run.arguments],
                    "SparkSubmitParameters": run.spark_submit_parameters,
                }
            },
        }
    return {
        "Type": "Task",
        "Comment": f"Run {job} and wait for it to finish",
        "Resource": resource,
        "Parameters": parameters,
        "ResultPath": None,  # the execution's input flows on unchanged; run details are in its history
        "Retry": [
            {
                "ErrorEquals": list(transient),
                "IntervalSeconds": RETRY_INTERVAL_SECONDS,
                "BackoffRate": 2.0,
                "MaxAttempts": RETRY_ATTEMPTS,
                "MaxDelaySeconds": RETRY_MAX_DELAY_SECONDS,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": notify_state(job)}],
    }


def _failure_states(job: str, topic_arn: str, subject: str) -> dict[str, dict[str, Any]]:
    """Publish which step failed and why, then fail with the job's own error (even if publishing fails)."""
    return {
        notify_state(job): {
            "Type": "Task",
            "Resource": SNS_PUBLISH,
            "Parameters": {
                "TopicArn": topic_arn,
                "Subject": f"{subject}: {job} failed",
                "Message": {
                    "failed_step": job,
                    "error.$": "$.error.Error",
                    "cause.$": "$.error.Cause",
                    "execution.$": "$$.Execution.Id",
                },
            },
            "ResultPath": None,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notification_error", "Next": failed_state(job)}],
            "Next": failed_state(job),
        },
        failed_state(job): {
            "Type": "Fail",
            "Error": JOB_FAILED,
            # The job's error goes in the cause: Fail states may not raise States.* errors themselves.
            "CausePath": f"States.Format('{job} failed with {{}}: {{}}', $.error.Error, $.error.Cause)",
        },
    }


def _job_states(job: str, run: Run, topic_arn: str, subject: str, following: str | None) -> dict[str, Any]:
    task = _task(job, run)
    task.update({"Next": following} if following else {"End": True})
    return {job: task, **_failure_states(job, topic_arn, subject)}


def definition(
    jobs: Sequence[JobSpec], runs: Mapping[str, Run], topic_arn: str, subject: str, timeout_seconds: int
) -> dict[str, Any]:
    """The ASL document running ``jobs`` (any order; dependencies decide) with ``runs[job.name]``."""
    plan = levels(jobs)
    entries = [level[0].name if len(level) == 1 else parallel_state(index) for index, level in enumerate(plan, 1)]
    states: dict[str, Any] = {}
    for index, level in enumerate(plan):
        following = entries[index + 1] if index + 1 < len(plan) else None
        if len(level) == 1:
            states.update(_job_states(level[0].name, runs[level[0].name], topic_arn, subject, following))
            continue
        parallel: dict[str, Any] = {
            "Type": "Parallel",
            "Comment": "Jobs that do not depend on each other",
            "Branches": [
                {"StartAt": job.name, "States": _job_states(job.name, runs[job.name], topic_arn, subject, None)}
                for job in level
            ],
            "ResultPath": None,
        }
        parallel.update({"Next": following} if following else {"End": True})
        states[entries[index]] = parallel
    return {
        "Comment": "The lakehouse job graph (etl/graph.py), in dependency order",
        "StartAt": entries[0],
        "TimeoutSeconds": timeout_seconds,
        "States": states,
    }


def timeout_seconds(jobs: Sequence[JobSpec], timeouts: Mapping[str, int], slack_seconds: int = 3600) -> int:
    """An execution's time limit: each level's longest job timeout (minutes), plus slack for retries
    and start-up (Flex capacity, EMR workers)."""
    return sum(max(timeouts[job.name] for job in level) * 60 for level in levels(jobs)) + slack_seconds
