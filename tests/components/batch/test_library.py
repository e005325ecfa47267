"""BatchProcessing used as a library, outside any stack config: defaults, a custom config with EMR
Serverless, code versions, alarms, and the checks that run before any resource."""

from __future__ import annotations

import json
import shutil

import pytest

from components import DataLakeFoundation, FoundationConfig
from components.alarms import Monitored
from components.batch import BatchConfig, BatchProcessing, EmrServerlessConfig, JobOverride
from components.batch.artifacts import ETL_ROOT
from components.config import ConfigError
from components.foundation.config import VpcConfig
from etl.graph import JOBS, JobSpec
from tests.components.batch.asl import parse
from tests.components.conftest import build, build_component

JOB = "aws:glue/job:Job"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
# The batch chain of the graph, fixed so that these tests do not change when jobs are added.
CHAIN = {name: JOBS[name] for name in ("bronze_to_silver", "silver_to_gold", "maintenance")}
EMR_CONFIG = BatchConfig(
    schedule_expression="rate(1 day)",
    schedule_timezone="Europe/Paris",
    jobs={"silver_to_gold": JobOverride(flex=True, max_workers=3)},
    emr_serverless=EmrServerlessConfig(
        enabled=True,
        python_environment_key="environments/py311.tar.gz",
        max_cpu="8 vCPU",
        max_memory="32 GB",
        idle_timeout_minutes=5,
    ),
)


def _vpc_foundation() -> DataLakeFoundation:
    return DataLakeFoundation("lake", FoundationConfig(vpc=VpcConfig(enabled=True)), name_prefix="acme-qa")


@pytest.fixture(scope="module")
def emr_build():
    """The custom config on a foundation with a VPC: EMR runs bronze_to_silver (the heavy job)."""
    return build_component(
        lambda: BatchProcessing(
            "batch",
            EMR_CONFIG,
            foundation=_vpc_foundation(),
            graph=CHAIN,
            tags={"owner": "x"},
            name_prefix="acme-qa",
        )
    )


def _keys(created) -> list[str]:
    return sorted(args.inputs["key"] for args in created.of_type(OBJECT))


def test_defaults_need_only_the_foundation():
    created = build(lambda: BatchProcessing("batch", foundation=DataLakeFoundation("lake")))
    jobs = {args.inputs["name"]: args.inputs for args in created.of_type(JOB)}
    assert sorted(jobs) == [  # a library user gets every job of the graph
        "batch-bronze-to-silver",
        "batch-documents-analytics",
        "batch-maintenance",
        "batch-raw-to-processed",
        "batch-silver-to-gold",
    ]
    for job in jobs.values():
        assert (job["workerType"], job["numberOfWorkers"], job["executionClass"], job["timeout"]) == (
            "G.1X",
            10,
            "STANDARD",
            120,
        )
        assert job["securityConfiguration"] == "lake-lake"
    assert created.of_type("aws:scheduler/schedule:Schedule") == []
    assert created.of_type("aws:emrserverless/application:Application") == []
    assert created.created["batch-state-machine"].inputs["name"] == "batch-batch"
    assert created.created["batch-state-machine-logs"].inputs["retentionInDays"] == 90


def test_custom_config_schedules_with_its_time_zone(emr_build):
    created, _ = emr_build
    schedule = created.created["batch-schedule"].inputs
    assert (schedule["name"], schedule["scheduleExpression"], schedule["scheduleExpressionTimezone"]) == (
        "acme-qa-batch",
        "rate(1 day)",
        "Europe/Paris",
    )
    assert created.created["batch-silver_to_gold"].inputs["executionClass"] == "FLEX"
    assert created.created["batch-silver_to_gold"].inputs["numberOfWorkers"] == 3
    assert created.created["batch-silver_to_gold"].inputs["tags"] == {
        "owner": "x",
        "Name": "acme-qa-silver-to-gold",
    }


def test_emr_application_runs_spark_3_5_6_in_the_private_subnets_and_stops_when_idle(emr_build):
    created, _ = emr_build
    app = created.created["batch-emr"].inputs
    assert (app["name"], app["releaseLabel"], app["type"], app["architecture"]) == (
        "acme-qa-batch",
        "emr-7.12.0",
        "spark",
        "X86_64",
    )
    assert app["maximumCapacity"] == {"cpu": "8 vCPU", "memory": "32 GB"}
    assert app["autoStopConfiguration"] == {"enabled": True, "idleTimeoutMinutes": 5}
    subnets = sorted(args.inputs["cidrBlock"] for args in created.of_type("aws:ec2/subnet:Subnet"))
    assert subnets == ["10.20.0.0/19", "10.20.32.0/19"]
    assert len(app["networkConfiguration"]["subnetIds"]) == 2
    assert all(s.startswith("subnet-0") for s in app["networkConfiguration"]["subnetIds"])
    assert app["networkConfiguration"]["securityGroupIds"][0].startswith("sg-0")
    monitoring = app["monitoringConfiguration"]
    assert monitoring["cloudwatchLoggingConfiguration"]["logGroupName"] == "/aws/emr-serverless/acme-qa-batch"
    assert monitoring["cloudwatchLoggingConfiguration"]["encryptionKeyArn"].startswith("arn:aws:kms:")
    assert monitoring["managedPersistenceMonitoringConfiguration"]["encryptionKeyArn"].startswith("arn:aws:kms:")


def test_with_emr_the_heavy_job_runs_on_emr_and_the_others_on_glue(emr_build):
    created, _ = emr_build
    definition = json.loads(created.created["batch-state-machine"].inputs["definition"])
    parse(definition)
    heavy = definition["States"]["bronze_to_silver"]
    assert heavy["Resource"] == "arn:aws:states:::emr-serverless:startJobRun.sync"
    driver = heavy["Parameters"]["JobDriver"]["SparkSubmit"]
    assert driver["EntryPoint"].endswith("/glue/emr_serverless.py")
    job, flag, bronze, *_ = driver["EntryPointArguments"]
    assert (job, flag) == ("bronze_to_silver", "--bronze")
    assert bronze.startswith("s3://lake-raw-")
    assert "environments/py311.tar.gz#environment" in driver["SparkSubmitParameters"]
    assert heavy["Parameters"]["ExecutionRoleArn"].startswith(
        "arn:aws:iam::123456789012:role/batch-bronze_to_silver-emr-role-"
    )
    assert definition["States"]["silver_to_gold"]["Resource"] == "arn:aws:states:::glue:startJobRun.sync"
    trust = json.loads(created.created["batch-bronze_to_silver-emr-role"].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "emr-serverless.amazonaws.com"}


def test_the_state_machine_may_pass_only_the_emr_roles(emr_build):
    created, _ = emr_build
    policy = json.loads(created.created["batch-state-machine-policy"].inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    (role,) = statements["PassEmrRoles"]["Resource"]
    assert role.startswith("arn:aws:iam::123456789012:role/batch-bronze_to_silver-emr-role-")
    assert statements["RunGlueJobs"]["Resource"] == [
        "arn:aws:glue:eu-west-1:123456789012:job/acme-qa-silver-to-gold",
        "arn:aws:glue:eu-west-1:123456789012:job/acme-qa-maintenance",
    ]


def test_alarms_watch_each_glue_run_job_and_the_executions(emr_build):
    _, batch = emr_build
    assert isinstance(batch, Monitored)
    alarms = {alarm.name: alarm for alarm in batch.alarms()}
    assert sorted(alarms) == [
        "executions-failed",
        "executions-timed-out",
        "maintenance-duration",
        "maintenance-failed",
        "silver_to_gold-duration",
        "silver_to_gold-failed",
    ]  # bronze_to_silver runs on EMR: the execution alarms cover it
    failed = alarms["silver_to_gold-failed"]
    assert (failed.namespace, failed.metric, failed.threshold, failed.statistic) == (
        "AWS/Events",
        "TriggeredRules",
        1,
        "Sum",
    )
    duration = alarms["maintenance-duration"]
    assert (duration.namespace, duration.metric, duration.statistic, duration.unit) == (
        "Glue",
        "glue.driver.aggregate.elapsedTime",
        "Maximum",
        "Milliseconds",
    )
    assert duration.threshold == 120 * 60_000 * 0.8
    assert duration.dimensions == {"JobName": "acme-qa-maintenance", "JobRunId": "ALL", "Type": "count"}
    assert (alarms["executions-failed"].namespace, alarms["executions-failed"].metric) == (
        "AWS/States",
        "ExecutionsFailed",
    )
    assert alarms["executions-timed-out"].metric == "ExecutionsTimedOut"
    assert all(alarm.runbook for alarm in alarms.values())


def test_a_failed_runs_rule_matches_only_its_jobs_failed_and_timed_out_runs(emr_build):
    created, _ = emr_build
    rule = created.created["batch-silver_to_gold-failed"].inputs
    assert rule["name"] == "acme-qa-silver-to-gold-failed"
    assert json.loads(rule["eventPattern"]) == {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": ["acme-qa-silver-to-gold"], "state": ["FAILED", "TIMEOUT"]},
    }


# --- code versions ----------------------------------------------------------------------------------


@pytest.fixture
def etl_copy(tmp_path):
    """A copy of the etl package to change without touching the checkout."""
    copy = tmp_path / "etl"
    shutil.copytree(ETL_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _code_build(root):
    return build(lambda: BatchProcessing("batch", foundation=DataLakeFoundation("lake"), etl_root=root))


def test_unchanged_code_keeps_its_keys_and_a_changed_byte_moves_every_key(etl_copy):
    first, again = _keys(_code_build(etl_copy)), _keys(_code_build(etl_copy))
    assert first == again
    sql = etl_copy / "sql" / "gold" / "revenue_daily.sql"
    sql.write_text(sql.read_text() + " ")
    changed = _code_build(etl_copy)
    assert set(_keys(changed)).isdisjoint(first)
    prefix = _keys(changed)[0].rsplit("/", 1)[0] + "/"
    job = changed.created["batch-maintenance"].inputs
    assert job["command"]["scriptLocation"].endswith(f"/{prefix}glue/maintenance.py")
    assert job["defaultArguments"]["--extra-py-files"].endswith(f"/{prefix}etl.zip")


def test_a_graph_job_without_an_entry_script_stops_before_any_resource(etl_copy):
    graph = {**JOBS, "fresh_job": JobSpec("fresh_job", "etl.jobs.fresh_job", "a job nobody wrote a script for")}
    with pytest.raises(ValueError, match=r"lacks: fresh_job\.py"):
        build(lambda: BatchProcessing("batch", foundation=DataLakeFoundation("lake"), graph=graph, etl_root=etl_copy))


def test_an_override_of_a_job_outside_a_custom_graph_is_a_config_error():
    graph = {"bronze_to_silver": JOBS["bronze_to_silver"]}
    config = BatchConfig(jobs={"maintenance": JobOverride(max_workers=2)})
    with pytest.raises(ConfigError) as raised:
        build(lambda: BatchProcessing("batch", config, foundation=DataLakeFoundation("lake"), graph=graph))
    assert raised.value.problems == [
        "lakehouse:components.batch.jobs: unknown jobs maintenance; known: bronze_to_silver"
    ]
