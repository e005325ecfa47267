"""The batch component's pure decisions: Glue arguments, IAM statements, EMR settings, key grant."""

from __future__ import annotations

from components.batch import emr, permissions
from components.batch import jobs as glue_jobs
from components.batch.component import key_policy
from components.iam import KeyPolicyScope
from etl.graph import JOBS, Access, JobSpec, RunSettings

LAKE = glue_jobs.Lake(
    buckets={"raw": "raw-1", "processed": "processed-1", "curated": "curated-1"},
    databases={"bronze": "acme_qa_bronze", "silver": "acme_qa_silver", "gold": "acme_qa_gold"},
)
ACCOUNT = permissions.Account("aws", "eu-west-1", "111122223333")
SCOPE = permissions.Scope(ACCOUNT, LAKE, "arn:aws:kms:eu-west-1:111122223333:key/k")
BRONZE_TO_SILVER = JOBS["bronze_to_silver"]


def _by_sid(statements):
    return {s["Sid"]: s for s in statements}


# --- Glue job arguments ---------------------------------------------------------------------------


def test_every_run_setting_has_an_aws_value_or_an_explicit_none():
    for job in JOBS.values():
        assert sorted(glue_jobs.run_values(job, LAKE)) == sorted(RunSettings.names())


def test_bronze_to_silver_gets_the_raw_bucket_the_processed_warehouse_and_the_silver_database():
    values = glue_jobs.run_values(BRONZE_TO_SILVER, LAKE)
    assert glue_jobs.job_arguments(BRONZE_TO_SILVER, values) == {
        "--bronze": "s3://raw-1",
        "--warehouse": "s3://processed-1/",
        "--silver-database": "acme_qa_silver",
    }


def test_silver_to_gold_warehouse_is_the_curated_bucket_and_unset_options_are_left_out():
    job = JOBS["silver_to_gold"]
    assert glue_jobs.job_arguments(job, glue_jobs.run_values(job, LAKE)) == {
        "--warehouse": "s3://curated-1/",
        "--silver-database": "acme_qa_silver",
        "--gold-database": "acme_qa_gold",
    }


def test_default_arguments_turn_on_iceberg_the_catalog_insights_logs_metrics_and_auto_scaling():
    values = glue_jobs.run_values(BRONZE_TO_SILVER, LAKE)
    arguments = glue_jobs.default_arguments(BRONZE_TO_SILVER, values, "s3://art/etl.zip", ["PyYAML==6.0.2"])
    assert arguments == {
        "--job-language": "python",
        "--datalake-formats": "iceberg",
        "--conf": "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "--enable-glue-datacatalog": "true",
        "--enable-job-insights": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--enable-metrics": "true",
        "--enable-auto-scaling": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--extra-py-files": "s3://art/etl.zip",
        "--additional-python-modules": "PyYAML==6.0.2",
        "--bronze": "s3://raw-1",
        "--warehouse": "s3://processed-1/",
        "--silver-database": "acme_qa_silver",
    }


def test_no_python_modules_means_no_install_argument():
    values = glue_jobs.run_values(BRONZE_TO_SILVER, LAKE)
    assert "--additional-python-modules" not in glue_jobs.default_arguments(BRONZE_TO_SILVER, values, "s3://a", [])


def test_arguments_become_argv_pairs_in_order():
    assert glue_jobs.argv({"--a": "1", "--b": "two"}) == ["--a", "1", "--b", "two"]


def test_physical_names_come_from_the_prefix_and_the_graph_name():
    assert glue_jobs.physical_name("lakehouse-dev", BRONZE_TO_SILVER) == "lakehouse-dev-bronze-to-silver"


# --- data access from the graph entry -------------------------------------------------------------


def test_bronze_to_silver_reads_raw_dms_and_writes_processed_and_the_silver_tables():
    statements = _by_sid(permissions.data_statements(BRONZE_TO_SILVER, SCOPE))
    assert statements["ListRawDms"] == {
        "Sid": "ListRawDms",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": ["arn:aws:s3:::raw-1"],
        "Condition": {"StringLike": {"s3:prefix": ["dms/", "dms/*"]}},
    }
    assert statements["ReadRawDms"]["Action"] == ["s3:GetObject"]
    assert statements["ReadRawDms"]["Resource"] == ["arn:aws:s3:::raw-1/dms/*"]
    assert statements["WriteProcessed"]["Action"] == [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
    ]
    assert statements["WriteProcessed"]["Resource"] == ["arn:aws:s3:::processed-1/*"]
    assert "Condition" not in statements["ListProcessed"]
    assert statements["WriteSilverTables"] == {
        "Sid": "WriteSilverTables",
        "Effect": "Allow",
        "Action": [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:DeleteTable",
        ],
        "Resource": [
            "arn:aws:glue:eu-west-1:111122223333:catalog",
            "arn:aws:glue:eu-west-1:111122223333:database/acme_qa_silver",
            "arn:aws:glue:eu-west-1:111122223333:table/acme_qa_silver/*",
        ],
    }
    assert statements["LocateBuckets"]["Resource"] == ["arn:aws:s3:::raw-1", "arn:aws:s3:::processed-1"]
    assert sorted(statements) == [
        "ListProcessed",
        "ListRawDms",
        "LocateBuckets",
        "ReadRawDms",
        "WriteProcessed",
        "WriteSilverTables",
    ]


def test_a_layer_both_read_and_written_is_granted_once_as_writable():
    statements = _by_sid(permissions.data_statements(JOBS["maintenance"], SCOPE))
    assert sorted(statements) == [
        "ListCurated",
        "ListProcessed",
        "LocateBuckets",
        "WriteCurated",
        "WriteGoldTables",
        "WriteProcessed",
        "WriteSilverTables",
    ]


def test_a_read_only_layer_gets_no_write_actions():
    job = JobSpec("reader", "etl.jobs.reader", "reads gold", reads=(Access("curated", layer="gold"),))
    statements = _by_sid(permissions.data_statements(job, SCOPE))
    assert statements["ReadGoldTables"]["Action"] == ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"]
    assert statements["ReadCurated"]["Action"] == ["s3:GetObject"]


def test_a_glue_job_reads_exactly_its_code_and_writes_its_logs_and_glue_metrics():
    code = ["arn:aws:s3:::art/artifacts/etl/abc/etl.zip", "arn:aws:s3:::art/artifacts/etl/abc/glue/b.py"]
    statements = _by_sid(permissions.glue_job_statements(BRONZE_TO_SILVER, SCOPE, code))
    assert statements["ReadJobCode"]["Resource"] == code
    assert statements["WriteGlueLogs"]["Resource"] == ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws-glue/*"]
    assert "logs:AssociateKmsKey" in statements["WriteGlueLogs"]["Action"]  # logs encrypted by the security config
    assert statements["PublishGlueMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Glue"}}
    assert statements["UseStackKey"]["Resource"] == ["arn:aws:kms:eu-west-1:111122223333:key/k"]
    assert statements["DefaultDatabase"]["Action"] == ["glue:GetDatabase", "glue:CreateDatabase"]
    assert statements["DefaultDatabase"]["Resource"] == [
        "arn:aws:glue:eu-west-1:111122223333:catalog",
        "arn:aws:glue:eu-west-1:111122223333:database/default",
    ]


def test_an_emr_execution_role_writes_only_its_application_log_group():
    group = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/emr-serverless/acme-batch"
    statements = _by_sid(permissions.emr_job_statements(BRONZE_TO_SILVER, SCOPE, ["arn:aws:s3:::art/x"], group))
    assert statements["WriteEmrLogs"]["Resource"] == [group, f"{group}:*"]
    assert "WriteGlueLogs" not in statements
    assert (
        statements["WriteSilverTables"]["Resource"][1] == "arn:aws:glue:eu-west-1:111122223333:database/acme_qa_silver"
    )


# --- orchestration roles --------------------------------------------------------------------------


def test_the_state_machine_starts_exactly_its_glue_jobs():
    statements = _by_sid(
        permissions.state_machine_statements(
            ACCOUNT,
            "arn:aws:states:eu-west-1:111122223333:stateMachine:acme-batch",
            ["acme-a", "acme-b"],
            "arn:aws:sns:eu-west-1:111122223333:acme-batch-failures",
            SCOPE.key_arn,
        )
    )
    assert statements["RunGlueJobs"]["Action"] == [
        "glue:StartJobRun",
        "glue:GetJobRun",
        "glue:GetJobRuns",
        "glue:BatchStopJobRun",
    ]
    assert statements["RunGlueJobs"]["Resource"] == [
        "arn:aws:glue:eu-west-1:111122223333:job/acme-a",
        "arn:aws:glue:eu-west-1:111122223333:job/acme-b",
    ]
    assert statements["EncryptExecutions"]["Condition"] == {
        "StringEquals": {
            "kms:EncryptionContext:aws:states:stateMachineArn": "arn:aws:states:eu-west-1:111122223333:stateMachine:acme-batch"
        }
    }
    assert statements["NotifyFailures"]["Resource"] == ["arn:aws:sns:eu-west-1:111122223333:acme-batch-failures"]
    assert statements["DeliverLogs"]["Resource"] == "*"
    assert not {"RunEmrJobs", "PassEmrRoles"} & set(statements)


def test_with_emr_the_state_machine_passes_only_the_execution_roles_to_emr_serverless():
    emr_runner = permissions.EmrRunner(
        "arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1",
        ["arn:aws:iam::111122223333:role/emr-b2s"],
    )
    statements = _by_sid(
        permissions.state_machine_statements(ACCOUNT, "arn:sm", [], "arn:topic", SCOPE.key_arn, emr_runner)
    )
    assert "RunGlueJobs" not in statements
    assert statements["PassEmrRoles"] == {
        "Sid": "PassEmrRoles",
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": ["arn:aws:iam::111122223333:role/emr-b2s"],
        "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
    }
    assert statements["WatchEmrJobs"]["Resource"] == [
        "arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1/jobruns/*"
    ]
    assert statements["EmrSyncRule"]["Resource"] == [
        "arn:aws:events:eu-west-1:111122223333:rule/StepFunctionsGetEventsForEMRServerlessJobRule"
    ]


def test_the_schedule_may_start_only_its_state_machine_and_dead_letter_to_its_queue():
    statements = _by_sid(
        permissions.schedule_statements(
            ACCOUNT,
            "arn:aws:states:eu-west-1:111122223333:stateMachine:acme-batch",
            "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/acme-batch",
            "arn:aws:sqs:eu-west-1:111122223333:dlq",
            SCOPE.key_arn,
        )
    )
    assert statements["StartBatch"]["Action"] == ["states:StartExecution"]
    assert statements["StartBatch"]["Resource"] == ["arn:aws:states:eu-west-1:111122223333:stateMachine:acme-batch"]
    assert statements["DeadLetter"]["Resource"] == ["arn:aws:sqs:eu-west-1:111122223333:dlq"]
    assert statements["DecryptSchedule"]["Condition"] == {
        "StringEquals": {
            "kms:EncryptionContext:aws:scheduler:schedule-arn": "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/acme-batch"
        }
    }


# --- EMR Serverless and the key policy ------------------------------------------------------------


def test_emr_runs_load_iceberg_the_glue_catalog_the_code_and_a_python_311_environment():
    assert emr.spark_submit_parameters("s3://art/etl.zip", "s3://art/py311.tar.gz").split(" --conf ") == [
        "--conf spark.jars=/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar",
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.hadoop.hive.metastore.client.factory.class="
        "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory",
        "spark.submit.pyFiles=s3://art/etl.zip",
        "spark.archives=s3://art/py311.tar.gz#environment",
        "spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON=./environment/bin/python",
        "spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python",
        "spark.executorEnv.PYSPARK_PYTHON=./environment/bin/python",
    ]


def test_the_key_policy_lets_log_delivery_of_this_account_decrypt():
    (statement,) = key_policy(KeyPolicyScope("111122223333", "eu-west-1", "aws", "acme-qa"), None)
    assert statement == {
        "Sid": "AllowStepFunctionsLogDelivery",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
    }


def test_a_job_is_deployed_only_where_the_components_feeding_it_are_enabled():
    from components.batch.component import deployable_jobs

    assert list(deployable_jobs({"foundation": {}, "batch": {}})) == [
        "bronze_to_silver",
        "silver_to_gold",
        "maintenance",
    ]
    assert "raw_to_processed" in deployable_jobs({"foundation": {}, "ingestion": {}})
    assert "documents_analytics" in deployable_jobs({"foundation": {}, "document_store": {}})
