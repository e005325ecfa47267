"""BatchProcessing under mocks, in the repo's dev and prod stacks with the proposed blocks: the Glue
jobs, their code, the state machine, the schedule, the policy pack, and every permission flow."""

from __future__ import annotations

import json

import pytest

from lakehouse.preview.access import AccessModel
from tests.components.batch.asl import dangling_references, parse
from tests.components.conftest import planned, planned_per_stack
from tests.conftest import one, resources_of, violations

# The blocks proposed for Pulumi.dev.yaml and Pulumi.prod.yaml (lakehouse:components.batch).
DEV_BLOCK = {"flex": True, "max_workers": 4, "timeout_minutes": 60, "log_retention_days": 30}
PROD_BLOCK = {
    "schedule_expression": "cron(0 2 * * ? *)",
    "log_retention_days": 365,
    "jobs": {"bronze_to_silver": {"worker_type": "G.2X", "max_workers": 20, "timeout_minutes": 180}},
}

ACCOUNT = "123456789012"
KEY_PREFIX = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/"
# The mocks name the foundation's buckets deterministically from their logical names.
RAW, PROCESSED, CURATED = "foundation-raw-dbe090e", "foundation-processed-9cf25ea", "foundation-curated-526e421"
ARTIFACTS = "foundation-artifacts-6479d39"
JOB = "aws:glue/job:Job"
# The graph jobs each stack deploys: raw_to_processed needs ingestion (both stacks), documents_analytics
# the document store (prod only).
DEPLOYED = {
    "dev": ["bronze_to_silver", "raw_to_processed", "silver_to_gold", "maintenance"],
    "prod": ["bronze_to_silver", "raw_to_processed", "documents_analytics", "silver_to_gold", "maintenance"],
}
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


plans = planned_per_stack("batch", dev=DEV_BLOCK, prod=PROD_BLOCK)


@pytest.fixture(scope="module")
def access(plans):
    return {name: AccessModel.from_records(plan.records) for name, plan in plans.items()}


def _arguments(plan, job: str) -> dict[str, str]:
    return one(plan, JOB, f"batch-{job}").props["defaultArguments"]


def _prefix(plan) -> str:
    """The content-hash key prefix of this plan's code (s3://<artifacts bucket>/<prefix>)."""
    return plan.outputs["batch"]["artifacts_prefix"].removeprefix(f"s3://{ARTIFACTS}/")


# --- the Glue jobs ----------------------------------------------------------------------------------


def test_one_glue_5_1_job_per_graph_job_with_the_lakes_security_configuration(stack):
    name, plan = stack
    jobs = {r.props["name"]: r.props for r in resources_of(plan, JOB)}
    assert sorted(jobs) == sorted(f"lakehouse-{name}-{job.replace('_', '-')}" for job in DEPLOYED[name])
    for props in jobs.values():
        assert props["glueVersion"] == "5.1"
        assert props["command"]["name"] == "glueetl"
        assert props["command"]["pythonVersion"] == "3"
        assert props["securityConfiguration"] == f"lakehouse-{name}-lake"
        assert props["executionProperty"] == {"maxConcurrentRuns": 1}
        assert props["maxRetries"] == 0


def test_jobs_read_iceberg_through_the_data_catalog_with_insights_metrics_and_auto_scaling(stack):
    _, plan = stack
    arguments = _arguments(plan, "silver_to_gold")
    assert arguments["--datalake-formats"] == "iceberg"
    assert (
        arguments["--conf"] == "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    )
    assert {
        k: arguments[k] for k in ("--enable-glue-datacatalog", "--enable-job-insights", "--enable-auto-scaling")
    } == {
        "--enable-glue-datacatalog": "true",
        "--enable-job-insights": "true",
        "--enable-auto-scaling": "true",
    }
    assert arguments["--enable-continuous-cloudwatch-log"] == "true"
    assert arguments["--enable-metrics"] == "true"
    assert arguments["--additional-python-modules"] == "PyYAML==6.0.2"


def test_job_arguments_point_at_the_foundations_buckets_and_databases(plans):
    plan = plans["prod"]
    bronze_to_silver = _arguments(plan, "bronze_to_silver")
    assert {k: bronze_to_silver[k] for k in ("--bronze", "--warehouse", "--silver-database")} == {
        "--bronze": f"s3://{RAW}",
        "--warehouse": f"s3://{PROCESSED}/",
        "--silver-database": "lakehouse_prod_silver",
    }
    assert "--gold-database" not in bronze_to_silver  # the job takes no gold argument
    silver_to_gold = _arguments(plan, "silver_to_gold")
    assert {k: silver_to_gold[k] for k in ("--warehouse", "--silver-database", "--gold-database")} == {
        "--warehouse": f"s3://{CURATED}/",
        "--silver-database": "lakehouse_prod_silver",
        "--gold-database": "lakehouse_prod_gold",
    }


def test_jobs_run_the_uploaded_entry_script_with_the_uploaded_package(stack):
    _, plan = stack
    prefix = _prefix(plan)
    job = one(plan, JOB, "batch-maintenance").props
    assert job["command"]["scriptLocation"] == f"s3://{ARTIFACTS}/{prefix}glue/maintenance.py"
    assert job["defaultArguments"]["--extra-py-files"] == f"s3://{ARTIFACTS}/{prefix}etl.zip"
    assert prefix.startswith("artifacts/etl/") and len(prefix) == len("artifacts/etl/") + 17


def test_dev_runs_every_job_on_flex_workers_with_its_limits(plans):
    for job in resources_of(plans["dev"], JOB):
        assert (job.props["executionClass"], job.props["workerType"], job.props["numberOfWorkers"]) == (
            "FLEX",
            "G.1X",
            4,
        )
        assert job.props["timeout"] == 60


def test_prod_sizes_bronze_to_silver_by_its_override_and_the_rest_by_the_defaults(plans):
    jobs = {r.name: r.props for r in resources_of(plans["prod"], JOB)}
    sizing = {
        name: (p["executionClass"], p["workerType"], p["numberOfWorkers"], p["timeout"]) for name, p in jobs.items()
    }
    assert sizing == {
        "batch-bronze_to_silver": ("STANDARD", "G.2X", 20, 180),
        "batch-raw_to_processed": ("STANDARD", "G.1X", 10, 120),
        "batch-documents_analytics": ("STANDARD", "G.1X", 10, 120),
        "batch-silver_to_gold": ("STANDARD", "G.1X", 10, 120),
        "batch-maintenance": ("STANDARD", "G.1X", 10, 120),
    }


# --- the code ---------------------------------------------------------------------------------------


def test_code_is_uploaded_under_the_content_hash_prefix_encrypted_with_the_stack_key(stack):
    name, plan = stack
    prefix = _prefix(plan)
    objects = resources_of(plan, "aws:s3/bucketObjectv2:BucketObjectv2")
    scripts = [f"{prefix}glue/{job}.py" for job in DEPLOYED[name]]
    assert sorted(o.props["key"] for o in objects) == sorted(
        [f"{prefix}etl.zip", f"{prefix}glue/emr_serverless.py", *scripts]
    )
    for obj in objects:
        assert obj.props["bucket"] == ARTIFACTS
        assert obj.props["serverSideEncryption"] == "aws:kms"
        assert obj.props["kmsKeyId"].startswith(KEY_PREFIX)


# --- the state machine ------------------------------------------------------------------------------


def test_the_state_machine_runs_the_stacks_glue_jobs_and_is_valid_asl(stack):
    name, plan = stack
    machine = one(plan, STATE_MACHINE, "batch-state-machine").props
    definition = json.loads(machine["definition"])
    parse(definition)
    assert dangling_references(definition) == []
    tasks = _all_states(definition)
    assert {job: tasks[job]["Parameters"]["JobName"] for job in DEPLOYED[name]} == {
        job: f"lakehouse-{name}-{job.replace('_', '-')}" for job in DEPLOYED[name]
    }
    topic = plan.outputs["batch"]["failure_topic_arn"]
    assert definition["States"]["Notify maintenance failure"]["Parameters"]["TopicArn"] == topic


def _all_states(definition: dict) -> dict:
    """Every state by name, those inside Parallel branches too."""
    states = {}
    for name, state in definition["States"].items():
        states[name] = state
        for branch in state.get("Branches", []):
            states.update(_all_states(branch))
    return states


def test_the_time_limit_covers_every_job_timeout_plus_an_hour(plans):
    definition = json.loads(one(plans["prod"], STATE_MACHINE, "batch-state-machine").props["definition"])
    assert definition["TimeoutSeconds"] == (180 + 120 + 120) * 60 + 3600


def test_the_state_machine_logs_everything_traces_and_encrypts_with_the_stack_key(stack):
    name, plan = stack
    machine = one(plan, STATE_MACHINE, "batch-state-machine").props
    assert machine["type"] == "STANDARD"
    assert machine["loggingConfiguration"] == {
        "level": "ALL",
        "includeExecutionData": True,
        "logDestination": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/vendedlogs/states/lakehouse-{name}-batch:*",
    }
    assert machine["tracingConfiguration"] == {"enabled": True}
    assert machine["encryptionConfiguration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    assert machine["encryptionConfiguration"]["kmsKeyId"].startswith(KEY_PREFIX)
    logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", "batch-state-machine-logs").props
    assert logs["kmsKeyId"].startswith(KEY_PREFIX)
    assert logs["retentionInDays"] == {"dev": 30, "prod": 365}[name]


def test_failures_go_to_a_topic_encrypted_with_the_stack_key(stack):
    name, plan = stack
    topic = one(plan, "aws:sns/topic:Topic", "batch-failures").props
    assert topic["name"] == f"lakehouse-{name}-batch-failures"
    assert topic["kmsMasterKeyId"].startswith(KEY_PREFIX)


def test_the_stack_key_lets_log_delivery_decrypt_the_state_machines_execution_data(stack):
    _, plan = stack
    policy = json.loads(one(plan, "aws:kms/key:Key", "foundation-key").props["policy"])
    (statement,) = [s for s in policy["Statement"] if s["Sid"] == "AllowStepFunctionsLogDelivery"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Action"] == ["kms:Decrypt"]


# --- the schedule -----------------------------------------------------------------------------------


def test_prod_starts_the_state_machine_daily_at_two_utc_with_a_dead_letter_queue(plans):
    plan = plans["prod"]
    schedule = one(plan, "aws:scheduler/schedule:Schedule", "batch-schedule").props
    assert schedule["name"] == "lakehouse-prod-batch"
    assert (schedule["scheduleExpression"], schedule["scheduleExpressionTimezone"]) == ("cron(0 2 * * ? *)", "UTC")
    assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
    assert schedule["kmsKeyArn"].startswith(KEY_PREFIX)
    assert schedule["target"]["arn"] == plan.outputs["batch"]["state_machine_arn"]
    (queue,) = [r for r in plan.records if r.name == "batch-schedule-dlq"]
    assert schedule["target"]["deadLetterConfig"] == {"arn": queue.outputs["arn"]}
    assert queue.inputs["kmsMasterKeyId"].startswith(KEY_PREFIX)
    assert plan.outputs["batch"]["schedule_name"] == "lakehouse-prod-batch"


def test_dev_has_no_schedule(plans):
    plan = plans["dev"]
    assert resources_of(plan, "aws:scheduler/schedule:Schedule") == []
    assert [r for r in resources_of(plan, "aws:sqs/queue:Queue") if r.component == "batch"] == []
    assert "schedule_name" not in plan.outputs["batch"]


# --- outputs, structure, policy pack ----------------------------------------------------------------


def test_stack_exports_the_job_names_by_graph_job_and_the_orchestration(plans):
    outputs = plans["prod"].outputs["batch"]
    assert outputs["job_names"] == {
        "bronze_to_silver": "lakehouse-prod-bronze-to-silver",
        "raw_to_processed": "lakehouse-prod-raw-to-processed",
        "documents_analytics": "lakehouse-prod-documents-analytics",
        "silver_to_gold": "lakehouse-prod-silver-to-gold",
        "maintenance": "lakehouse-prod-maintenance",
    }
    assert outputs["state_machine_arn"] == f"arn:aws:sfn:eu-west-1:{ACCOUNT}:stateMachine/lakehouse-prod-batch"
    assert outputs["failure_topic_arn"] == f"arn:aws:sns:eu-west-1:{ACCOUNT}:topic/lakehouse-prod-batch-failures"
    assert "emr_application_id" not in outputs


def test_every_batch_resource_is_parented_to_the_component(stack):
    _, plan = stack
    by_urn = {r.urn: r for r in plan.resources}
    batch = [r for r in plan.resources if r.component == "batch"]
    assert len(batch) > 20
    for resource in batch:
        if resource.type == "lakehouse:index:BatchProcessing":
            assert resource.parent not in by_urn  # directly under the stack
        else:
            assert by_urn[resource.parent].type == "lakehouse:index:BatchProcessing", resource.urn


def test_policy_pack_is_clean(stack):
    name, plan = stack
    assert violations(plan, name) == []


# --- permission flows (offline IAM evaluation) ------------------------------------------------------


def _role(model: AccessModel, logical: str) -> str:
    return model.role_arn(f"batch-{logical}-role")


def test_bronze_to_silver_reads_raw_dms_and_writes_processed_and_silver(access):
    model = access["prod"]
    role = _role(model, "bronze_to_silver")
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{RAW}/dms/public/core_order/LOAD00000001.csv.gz")
    assert model.allows(role, "s3:ListBucket", f"arn:aws:s3:::{RAW}", {"s3:prefix": "dms/public/core_order/"})
    assert model.allows(role, "s3:PutObject", f"arn:aws:s3:::{PROCESSED}/orders/data/00000-0.parquet")
    assert model.allows(
        role, "glue:UpdateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_silver/orders"
    )
    assert model.allows(role, "glue:CreateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:database/lakehouse_prod_silver")


def test_bronze_to_silver_is_denied_curated_gold_and_other_raw_prefixes(access):
    model = access["prod"]
    role = _role(model, "bronze_to_silver")
    assert not model.allows(role, "s3:PutObject", f"arn:aws:s3:::{CURATED}/revenue_daily/data/x.parquet")
    assert not model.allows(role, "s3:GetObject", f"arn:aws:s3:::{RAW}/events/2024/01/01/e.json")
    assert not model.allows(role, "s3:ListBucket", f"arn:aws:s3:::{RAW}", {"s3:prefix": "events/"})
    assert not model.allows(role, "s3:PutObject", f"arn:aws:s3:::{RAW}/dms/public/core_order/forged.csv.gz")
    assert not model.allows(role, "glue:UpdateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_gold/x")


def test_silver_to_gold_reads_silver_and_writes_gold_and_is_denied_raw(access):
    model = access["prod"]
    role = _role(model, "silver_to_gold")
    assert model.allows(role, "glue:GetTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_silver/orders")
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{PROCESSED}/orders/metadata/v3.metadata.json")
    assert model.allows(role, "s3:PutObject", f"arn:aws:s3:::{CURATED}/revenue_daily/data/x.parquet")
    assert model.allows(
        role, "glue:CreateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_gold/revenue_daily"
    )
    assert not model.allows(
        role, "glue:UpdateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_silver/orders"
    )
    assert not model.allows(role, "s3:PutObject", f"arn:aws:s3:::{PROCESSED}/orders/data/x.parquet")
    assert not model.allows(role, "s3:GetObject", f"arn:aws:s3:::{RAW}/dms/public/core_order/LOAD00000001.csv.gz")


def test_a_job_reads_its_own_code_and_uses_the_stack_key(access, plans):
    model, plan = access["prod"], plans["prod"]
    role = _role(model, "silver_to_gold")
    prefix = _prefix(plan)
    key = plan.outputs["foundation"]["kms_key_arn"]
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/{prefix}glue/silver_to_gold.py")
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/{prefix}etl.zip")
    assert not model.allows(role, "s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/{prefix}glue/bronze_to_silver.py")
    assert not model.allows(role, "s3:PutObject", f"arn:aws:s3:::{ARTIFACTS}/{prefix}etl.zip")
    assert model.allows(role, "kms:GenerateDataKey", key)
    assert model.allows(
        role, "logs:PutLogEvents", f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws-glue/jobs/output:log-stream:jr_1"
    )


def test_the_state_machine_starts_its_jobs_and_not_another_job(access):
    model = access["prod"]
    role = _role(model, "state-machine")
    for job in ("bronze-to-silver", "silver-to-gold", "maintenance"):
        assert model.allows(role, "glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/lakehouse-prod-{job}")
    assert model.allows(
        role, "glue:BatchStopJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/lakehouse-prod-maintenance"
    )
    assert not model.allows(role, "glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/lakehouse-dev-maintenance")
    assert not model.allows(role, "glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/someone-elses-job")


def test_the_state_machine_publishes_to_its_topic_only_and_uses_the_key_for_its_executions(access, plans):
    model, plan = access["prod"], plans["prod"]
    role = _role(model, "state-machine")
    topic = plan.outputs["batch"]["failure_topic_arn"]
    key = plan.outputs["foundation"]["kms_key_arn"]
    assert model.allows(role, "sns:Publish", topic)
    assert not model.allows(role, "sns:Publish", f"arn:aws:sns:eu-west-1:{ACCOUNT}:other-topic")
    own = {
        "kms:EncryptionContext:aws:states:stateMachineArn": f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:lakehouse-prod-batch"
    }
    other = {
        "kms:EncryptionContext:aws:states:stateMachineArn": f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:other"
    }
    assert model.allows(role, "kms:Decrypt", key, own)
    assert not model.allows(role, "kms:Decrypt", key, other)
    assert model.allows(role, "kms:GenerateDataKey", key, {"kms:ViaService": "sns.eu-west-1.amazonaws.com"})


def test_the_schedule_starts_only_this_state_machine(access, plans):
    model, plan = access["prod"], plans["prod"]
    role = _role(model, "schedule")
    machine = f"arn:aws:sfn:eu-west-1:{ACCOUNT}:stateMachine/lakehouse-prod-batch"
    assert plan.outputs["batch"]["state_machine_arn"] == machine
    assert model.allows(role, "states:StartExecution", machine)
    assert not model.allows(role, "states:StartExecution", f"arn:aws:sfn:eu-west-1:{ACCOUNT}:stateMachine/other")
    assert not model.allows(
        role, "glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/lakehouse-prod-maintenance"
    )


# --- prod with EMR Serverless on (an option, not the proposed block) ----------------------------------

EMR_BLOCK = {
    **PROD_BLOCK,
    "emr_serverless": {"enabled": True, "python_environment_key": "environments/lakehouse-py311.tar.gz"},
}
emr_plan = planned("prod", batch=EMR_BLOCK)


def test_with_emr_the_policy_pack_is_still_clean(emr_plan):
    assert violations(emr_plan, "prod") == []


def test_with_emr_the_state_machine_passes_only_the_heavy_jobs_role_to_emr(emr_plan):
    model = AccessModel.from_records(emr_plan.records)
    machine = _role(model, "state-machine")
    emr_role = _role(model, "bronze_to_silver-emr")
    glue_role = _role(model, "bronze_to_silver")
    emr = {"iam:PassedToService": "emr-serverless.amazonaws.com"}
    assert model.allows(machine, "iam:PassRole", emr_role, emr)
    assert not model.allows(machine, "iam:PassRole", emr_role, {"iam:PassedToService": "glue.amazonaws.com"})
    assert not model.allows(machine, "iam:PassRole", glue_role, emr)
    assert not model.allows(
        machine, "glue:StartJobRun", f"arn:aws:glue:eu-west-1:{ACCOUNT}:job/lakehouse-prod-bronze-to-silver"
    )


def test_the_emr_role_reads_raw_dms_writes_silver_and_reads_its_python_environment(emr_plan):
    model = AccessModel.from_records(emr_plan.records)
    role = _role(model, "bronze_to_silver-emr")
    prefix = _prefix(emr_plan)
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{RAW}/dms/public/core_order/LOAD00000001.csv.gz")
    assert model.allows(
        role, "glue:UpdateTable", f"arn:aws:glue:eu-west-1:{ACCOUNT}:table/lakehouse_prod_silver/orders"
    )
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/environments/lakehouse-py311.tar.gz")
    assert model.allows(role, "s3:GetObject", f"arn:aws:s3:::{ARTIFACTS}/{prefix}glue/emr_serverless.py")
    assert not model.allows(role, "s3:PutObject", f"arn:aws:s3:::{CURATED}/x/data/y.parquet")


def test_every_job_publishes_its_metrics_to_the_encrypted_pipeline_metrics_log_group(stack, access):
    name, plan = stack
    group = one(plan, "aws:cloudwatch/logGroup:LogGroup", "batch-pipeline-metrics").props
    assert group["name"] == f"/lakehouse/lakehouse-{name}/pipeline-metrics"
    assert group["kmsKeyId"].startswith(KEY_PREFIX)
    for job in DEPLOYED[name]:
        arguments = _arguments(plan, job)
        assert arguments["--metrics-log-group"] == f"/lakehouse/lakehouse-{name}/pipeline-metrics"
        assert arguments["--stack-name"] == f"lakehouse-{name}"
    model, role = access[name], _role(access[name], "silver_to_gold")
    streams = (
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/lakehouse/lakehouse-{name}/pipeline-metrics:log-stream:run-1"
    )
    assert model.allows(role, "logs:PutLogEvents", streams)
    assert not model.allows(role, "logs:PutLogEvents", streams.replace("pipeline-metrics", "other"))
