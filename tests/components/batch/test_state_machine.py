"""The state machine definition built from the job graph: valid ASL, graph order, retries, failures."""

from __future__ import annotations

import pytest

from components.batch import state_machine
from etl.graph import JOBS, JobSpec, all_in_order
from tests.components.batch.asl import dangling_references, parse

TOPIC = "arn:aws:sns:eu-west-1:111122223333:acme-batch-failures"
# The batch chain of the real graph, fixed here so that these tests do not change when jobs are added.
GRAPH = all_in_order({name: JOBS[name] for name in ("bronze_to_silver", "silver_to_gold", "maintenance")})
GLUE_RUNS = {job.name: state_machine.GlueRun(f"acme-{job.name}") for job in GRAPH}


def _definition(jobs=GRAPH, runs=None):
    return state_machine.definition(jobs, runs or GLUE_RUNS, TOPIC, "acme batch", 7200)


def _job(name: str, *depends_on: str) -> JobSpec:
    return JobSpec(name, f"etl.jobs.{name}", name, depends_on=depends_on)


# A graph with a fork: two independent first jobs, one job needing both, one needing the second.
FORKED = [_job("gold", "silver", "processed"), _job("silver"), _job("processed"), _job("documents", "processed")]
FORKED_RUNS = {job.name: state_machine.GlueRun(f"acme-{job.name}") for job in FORKED}
EMR_RUN = state_machine.EmrRun(
    application_id="00app",
    execution_role_arn="arn:aws:iam::111122223333:role/emr",
    entry_point="s3://art/artifacts/etl/abc/glue/emr_serverless.py",
    arguments=["--bronze", "s3://raw-1"],
    spark_submit_parameters="--conf spark.jars=/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar",
    timeout_minutes=90,
)


def test_the_graph_definition_is_valid_asl_with_no_dangling_references():
    definition = _definition()
    parse(definition)
    assert dangling_references(definition) == []


def test_every_job_of_the_graph_runs_in_graph_order():
    definition = _definition()
    path, name = [], definition["StartAt"]
    while name:
        path.append(name)
        name = definition["States"][name].get("Next")
    assert path == ["bronze_to_silver", "silver_to_gold", "maintenance"]
    assert [job.name for job in GRAPH] == path


def test_the_whole_graph_runs_every_job_after_its_dependencies():
    graph = all_in_order(JOBS)
    runs = {job.name: state_machine.GlueRun(f"acme-{job.name}") for job in graph}
    definition = _definition(graph, runs)
    parse(definition)
    assert dangling_references(definition) == []
    level_of = {job.name: index for index, level in enumerate(state_machine.levels(graph)) for job in level}
    assert set(level_of) == set(JOBS)
    assert all(level_of[dep] < level_of[job.name] for job in graph for dep in job.depends_on)


def test_each_job_waits_for_its_glue_run():
    task = _definition()["States"]["silver_to_gold"]
    assert task["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    assert task["Parameters"] == {"JobName": "acme-silver_to_gold"}
    assert task["ResultPath"] is None
    assert "TimeoutSeconds" not in task  # Glue enforces the job's own timeout


def test_transient_glue_errors_are_retried_with_backoff_and_failed_runs_are_not():
    (retry,) = _definition()["States"]["bronze_to_silver"]["Retry"]
    assert retry == {
        "ErrorEquals": [
            "Glue.ConcurrentRunsExceededException",
            "Glue.InternalServiceException",
            "Glue.OperationTimeoutException",
            "Glue.ThrottlingException",
        ],
        "IntervalSeconds": 60,
        "BackoffRate": 2.0,
        "MaxAttempts": 3,
        "MaxDelaySeconds": 900,
        "JitterStrategy": "FULL",
    }
    assert not {"States.ALL", "States.TaskFailed", "States.Timeout"} & set(retry["ErrorEquals"])


def test_any_other_error_publishes_the_failed_step_and_the_error_then_fails():
    states = _definition()["States"]
    assert states["silver_to_gold"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify silver_to_gold failure"}
    ]
    notify = states["Notify silver_to_gold failure"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"] == {
        "TopicArn": TOPIC,
        "Subject": "acme batch: silver_to_gold failed",
        "Message": {
            "failed_step": "silver_to_gold",
            "error.$": "$.error.Error",
            "cause.$": "$.error.Cause",
            "execution.$": "$$.Execution.Id",
        },
    }
    assert notify["Next"] == "silver_to_gold failed"
    assert notify["Catch"][0]["Next"] == "silver_to_gold failed"  # fails even if publishing fails
    assert states["silver_to_gold failed"] == {
        "Type": "Fail",
        "Error": "BatchJobFailed",
        "CausePath": "States.Format('silver_to_gold failed with {}: {}', $.error.Error, $.error.Cause)",
    }


def test_the_last_job_ends_the_execution_and_the_execution_has_a_time_limit():
    definition = _definition()
    assert definition["States"]["maintenance"]["End"] is True
    assert definition["TimeoutSeconds"] == 7200


def test_independent_jobs_run_in_a_parallel_state_in_graph_order():
    definition = _definition(FORKED, FORKED_RUNS)
    parse(definition)
    assert dangling_references(definition) == []
    assert definition["StartAt"] == "Parallel jobs 1"
    first = definition["States"]["Parallel jobs 1"]
    assert [branch["StartAt"] for branch in first["Branches"]] == ["silver", "processed"]
    assert first["Next"] == "Parallel jobs 2"
    second = definition["States"]["Parallel jobs 2"]
    assert [branch["StartAt"] for branch in second["Branches"]] == ["gold", "documents"]
    assert second["End"] is True
    branch = first["Branches"][0]["States"]
    assert sorted(branch) == ["Notify silver failure", "silver", "silver failed"]
    assert branch["silver"]["End"] is True


def test_dependency_levels_follow_the_graph_not_the_listing_order():
    assert [[job.name for job in level] for level in state_machine.levels(FORKED)] == [
        ["silver", "processed"],
        ["gold", "documents"],
    ]


def test_a_heavy_job_on_emr_serverless_waits_for_its_emr_run():
    runs = {**GLUE_RUNS, "bronze_to_silver": EMR_RUN}
    definition = _definition(runs=runs)
    parse(definition)
    task = definition["States"]["bronze_to_silver"]
    assert task["Resource"] == "arn:aws:states:::emr-serverless:startJobRun.sync"
    assert task["Parameters"] == {
        "ApplicationId": "00app",
        "ExecutionRoleArn": "arn:aws:iam::111122223333:role/emr",
        "Name": "bronze_to_silver",
        "ExecutionTimeoutMinutes": 90,
        "JobDriver": {
            "SparkSubmit": {
                "EntryPoint": "s3://art/artifacts/etl/abc/glue/emr_serverless.py",
                "EntryPointArguments": ["bronze_to_silver", "--bronze", "s3://raw-1"],
                "SparkSubmitParameters": "--conf spark.jars=/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar",
            }
        },
    }
    assert task["Retry"][0]["ErrorEquals"] == [
        "EMRServerless.InternalServerException",
        "EMRServerless.ThrottlingException",
    ]


def test_the_time_limit_adds_each_levels_longest_job_and_an_hour():
    timeouts = {"gold": 30, "silver": 120, "processed": 60, "documents": 45}
    assert state_machine.timeout_seconds(FORKED, timeouts) == (120 + 45) * 60 + 3600


@pytest.mark.parametrize("broken", ["Next", "StartAt"])
def test_the_reference_check_catches_a_dangling_target(broken):
    definition = _definition()
    if broken == "Next":
        definition["States"]["bronze_to_silver"]["Next"] = "nowhere"
    else:
        definition["StartAt"] = "nowhere"
    assert "nowhere: no such state" in dangling_references(definition)
