"""IAM statements of the batch roles, from plain names: what each job, the state machine and the
schedule may do, and nothing else.

A job's data access comes from its graph entry alone: each ``Access`` it reads or writes becomes
S3 statements on that zone's bucket and prefix and Glue catalog statements on that layer's
database and its tables. Writing implies reading (Iceberg reads the metadata it commits to).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from etl.graph import Access, JobSpec

from ..iam import Statement, allow
from .jobs import Lake

S3_READ = ["s3:GetObject"]
S3_WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
CATALOG_READ = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"]
CATALOG_WRITE = ["glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"]
KEY_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
GLUE_RUN = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
# The vended-log delivery APIs Step Functions calls to set up its logging (AWS's documented list).
LOG_DELIVERY = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
]
XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
# The EventBridge rule Step Functions manages to learn that an EMR Serverless job run ended (.sync).
EMR_SYNC_RULE = "StepFunctionsGetEventsForEMRServerlessJobRule"


@dataclass(frozen=True)
class Account:
    """Partition, region and account: the parts of every ARN built here."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"


@dataclass(frozen=True)
class Scope:
    """Where the batch roles act: the account, the lake's names and the stack key."""

    account: Account
    lake: Lake
    key_arn: str

    def bucket_arn(self, zone: str) -> str:
        return f"arn:{self.account.partition}:s3:::{self.lake.buckets[zone]}"

    def catalog_arns(self, database: str) -> list[str]:
        """A database and its tables, with the catalog they live in (Glue checks all three)."""
        return [
            self.account.arn("glue", "catalog"),
            self.account.arn("glue", f"database/{database}"),
            self.account.arn("glue", f"table/{database}/*"),
        ]


def _sid(*parts: str | None) -> str:
    return "".join(word.capitalize() for part in parts if part for word in re.split(r"[^A-Za-z0-9]+", part) if word)


def _writable(job: JobSpec, key: Callable[[Access], Hashable | None]) -> dict[Any, bool]:
    """Every location ``key`` picks from the job's accesses -> whether the job writes it (graph order)."""
    grants: dict[Any, bool] = {}
    for access in (*job.reads, *job.writes):
        if key(access) is not None:
            grants.setdefault(key(access), False)
    for access in job.writes:
        if key(access) is not None:
            grants[key(access)] = True
    return grants


def data_statements(job: JobSpec, scope: Scope) -> list[Statement]:
    """S3 and catalog statements for exactly the zones, prefixes and layers of ``job``'s graph entry."""
    statements: list[Statement] = []
    for (zone, prefix), writable in _writable(job, lambda access: (access.zone, access.prefix)).items():
        bucket = scope.bucket_arn(zone)
        listing = {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}} if prefix else None
        statements.append(allow(_sid("List", zone, prefix), ["s3:ListBucket"], [bucket], conditions=listing))
        actions = S3_READ + (S3_WRITE if writable else [])
        statements.append(allow(_sid(_mode(writable), zone, prefix), actions, [f"{bucket}/{prefix or ''}*"]))
    for layer, writable in _writable(job, lambda access: access.layer).items():
        actions = CATALOG_READ + (CATALOG_WRITE if writable else [])
        statements.append(
            allow(_sid(_mode(writable), layer, "tables"), actions, scope.catalog_arns(scope.lake.databases[layer]))
        )
    zones = dict.fromkeys(access.zone for access in (*job.reads, *job.writes))
    statements.append(allow("LocateBuckets", ["s3:GetBucketLocation"], [scope.bucket_arn(zone) for zone in zones]))
    return statements


def _mode(writable: bool) -> str:
    return "Write" if writable else "Read"


def _runtime_statements(scope: Scope, code_arns: Sequence[str]) -> list[Statement]:
    """What any Spark runtime of a job needs besides its data: its code, the catalog's ``default``
    database (Spark's Data Catalog client checks it when it starts, and creates it if the account
    has none) and the stack key."""
    return [
        allow("ReadJobCode", ["s3:GetObject"], list(code_arns)),
        allow("DefaultDatabase", ["glue:GetDatabase", "glue:CreateDatabase"], scope.catalog_arns("default")[:2]),
        allow("UseStackKey", KEY_USE, [scope.key_arn]),
    ]


def glue_job_statements(
    job: JobSpec, scope: Scope, code_arns: Sequence[str], metrics_log_group: str | None = None
) -> list[Statement]:
    """A Glue job's role: its data, its code, its logs (encrypted by the security configuration),
    its metrics, and the pipeline-metrics log group its entry point writes EMF documents to."""
    logs = scope.account.arn("logs", "log-group:/aws-glue/*")
    return [
        *data_statements(job, scope),
        *_runtime_statements(scope, code_arns),
        allow(
            "WriteGlueLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            [logs],
        ),
        # PutMetricData has no resource type: AWS requires "*"; the condition keeps it to Glue's namespace.
        allow(
            "PublishGlueMetrics",
            ["cloudwatch:PutMetricData"],
            "*",
            conditions={"StringEquals": {"cloudwatch:namespace": "Glue"}},
        ),
        *pipeline_metrics_statements(scope, metrics_log_group),
    ]


def pipeline_metrics_statements(scope: Scope, log_group: str | None) -> list[Statement]:
    """Write the run's EMF documents (freshness, quarantine) to the pipeline-metrics log group."""
    if not log_group:
        return []
    streams = scope.account.arn("logs", f"log-group:{log_group}:*")
    return [allow("WritePipelineMetrics", ["logs:CreateLogStream", "logs:PutLogEvents"], [streams])]


def emr_job_statements(
    job: JobSpec, scope: Scope, code_arns: Sequence[str], log_group_arn: str, metrics_log_group: str | None = None
) -> list[Statement]:
    """An EMR Serverless execution role: the Glue job's data and code, the application's log group,
    and the pipeline-metrics log group."""
    return [
        *pipeline_metrics_statements(scope, metrics_log_group),
        *data_statements(job, scope),
        *_runtime_statements(scope, code_arns),
        allow(
            "WriteEmrLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [log_group_arn, f"{log_group_arn}:*"],
        ),
        # DescribeLogGroups lists groups: its only resource is every log group of the account and region.
        allow("FindEmrLogGroup", ["logs:DescribeLogGroups"], [scope.account.arn("logs", "log-group:*")]),
    ]


@dataclass(frozen=True)
class EmrRunner:
    """The EMR Serverless application and the execution roles the state machine passes to it."""

    application_arn: str
    execution_role_arns: Sequence[str]


def state_machine_statements(
    account: Account,
    state_machine_arn: str,
    glue_job_names: Sequence[str],
    topic_arn: str,
    key_arn: str,
    emr: EmrRunner | None = None,
) -> list[Statement]:
    """The state machine's role: start and watch exactly its jobs, publish to its topic, deliver
    its logs and traces, and use the stack key for its executions, topic and logs."""
    statements = []
    if glue_job_names:
        jobs = [account.arn("glue", f"job/{name}") for name in glue_job_names]
        statements.append(allow("RunGlueJobs", GLUE_RUN, jobs))
    statements += [
        allow("NotifyFailures", ["sns:Publish"], [topic_arn]),
        allow(
            "EncryptNotifications",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"sns.{account.region}.amazonaws.com"}},
        ),
        allow(
            "EncryptExecutions",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": state_machine_arn}},
        ),
        allow(
            "EncryptLogDelivery",
            ["kms:GenerateDataKey"],
            [key_arn],
            conditions={"ArnLike": {"kms:EncryptionContext:SourceArn": account.arn("logs", "*")}},
        ),
        # Log delivery and X-Ray APIs have no resource types: AWS requires "*".
        allow("DeliverLogs", LOG_DELIVERY, "*"),
        allow("Trace", XRAY, "*"),
    ]
    if emr is not None:
        statements += [
            allow("RunEmrJobs", ["emr-serverless:StartJobRun"], [emr.application_arn]),
            allow(
                "WatchEmrJobs",
                ["emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
                [f"{emr.application_arn}/jobruns/*"],
            ),
            allow(
                "PassEmrRoles",
                ["iam:PassRole"],
                list(emr.execution_role_arns),
                conditions={"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            ),
            allow(
                "EmrSyncRule",
                ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                [account.arn("events", f"rule/{EMR_SYNC_RULE}")],
            ),
        ]
    return statements


def schedule_statements(
    account: Account, state_machine_arn: str, schedule_arn: str, queue_arn: str, key_arn: str
) -> list[Statement]:
    """The schedule's role: start this state machine, dead-letter to its queue, and use the key
    for the queue and for the schedule's own encrypted payload."""
    return [
        allow("StartBatch", ["states:StartExecution"], [state_machine_arn]),
        allow("DeadLetter", ["sqs:SendMessage"], [queue_arn]),
        allow(
            "EncryptDeadLetters",
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"sqs.{account.region}.amazonaws.com"}},
        ),
        allow(
            "DecryptSchedule",
            ["kms:Decrypt"],
            [key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:aws:scheduler:schedule-arn": schedule_arn}},
        ),
    ]
