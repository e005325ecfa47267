"""Encryption at rest with a customer-managed KMS key, wherever the service supports one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import types as t
from .framework import MANDATORY, UNKNOWN, Node, get, is_set, listed, must_equal, resource_rule, stack_rule
from .s3 import buckets_with_settings

DOMAIN = "encryption at rest"


def customer_key(props: Any, path: str) -> Iterable[str]:
    """The key at ``path`` is set and is not an AWS-managed key (``alias/aws/...``).

    An unknown key ARN counts as set: it comes from a key resource of the stack.
    """
    key = get(props, path)
    if not is_set(key):
        yield f"{path} must name the stack's customer-managed KMS key"
    elif key is not UNKNOWN and str(key).startswith("alias/aws/"):
        yield f"{path} is the AWS-managed key {key!r}; use the stack's customer-managed key (rotation, key policy)"


@stack_rule(
    "s3-bucket-encrypted-with-cmk",
    "Every S3 bucket has default encryption SSE-KMS with a customer-managed key",
    (*t.S3_BUCKETS, *t.S3_ENCRYPTION),
    MANDATORY,
    DOMAIN,
)
def s3_bucket_encrypted(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, settings in buckets_with_settings(nodes, t.S3_ENCRYPTION):
        inline = get(bucket.props, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault")
        rules = [rule for s in settings for rule in listed(get(s.props, "rules"))]
        rules += [{"applyServerSideEncryptionByDefault": inline}] if inline else []
        if not rules:
            yield bucket.urn, "no BucketServerSideEncryptionConfiguration for this bucket"
            continue
        for rule in rules:
            algorithm = get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm")
            if algorithm not in ("aws:kms", "aws:kms:dsse"):
                shown = "unknown at preview" if algorithm is UNKNOWN else repr(algorithm)
                yield bucket.urn, f"sseAlgorithm must be 'aws:kms' (customer-managed key), got {shown}"
                continue
            for problem in customer_key(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId"):
                yield bucket.urn, problem


@resource_rule(
    "kinesis-stream-encrypted-with-cmk",
    "Kinesis data streams use KMS encryption with a customer-managed key",
    (t.KINESIS_STREAM,),
    MANDATORY,
    DOMAIN,
)
def kinesis_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from must_equal(props, "encryptionType", "KMS", "server-side encryption")
    yield from customer_key(props, "kmsKeyId")


@resource_rule(
    "firehose-encrypted-with-cmk",
    "Firehose delivery streams encrypt with a customer-managed key (stream SSE for direct put, and the S3 destination)",
    (t.FIREHOSE,),
    MANDATORY,
    DOMAIN,
)
def firehose_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    # With a Kinesis or MSK source Firehose refuses its own SSE: the source stream's encryption applies.
    if not is_set(get(props, "kinesisSourceConfiguration")) and not is_set(get(props, "mskSourceConfiguration")):
        yield from must_equal(props, "serverSideEncryption.enabled", True, "encryption of the delivery stream")
        yield from must_equal(props, "serverSideEncryption.keyType", "CUSTOMER_MANAGED_CMK", "a customer-managed key")
        yield from customer_key(props, "serverSideEncryption.keyArn")
    if is_set(get(props, "extendedS3Configuration")):
        yield from customer_key(props, "extendedS3Configuration.kmsKeyArn")


@resource_rule(
    "documentdb-encrypted-with-cmk",
    "DocumentDB clusters encrypt storage with a customer-managed key",
    (t.DOCDB_CLUSTER, t.DOCDB_GLOBAL_CLUSTER),
    MANDATORY,
    DOMAIN,
)
def documentdb_encrypted(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    yield from must_equal(props, "storageEncrypted", True, "storage encryption (off by default)")
    if resource_type == t.DOCDB_CLUSTER:
        yield from customer_key(props, "kmsKeyId")


@resource_rule(
    "msk-encrypted-with-cmk",
    "MSK clusters encrypt data at rest with a customer-managed key",
    (t.MSK_CLUSTER,),
    MANDATORY,
    DOMAIN,
)
def msk_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from customer_key(props, "encryptionInfo.encryptionAtRestKmsKeyArn")


@resource_rule(
    "dms-encrypted-with-cmk",
    "DMS replication instances and endpoints encrypt with a customer-managed key (S3 targets: SSE-KMS)",
    (t.DMS_INSTANCE, t.DMS_ENDPOINT, t.DMS_S3_ENDPOINT),
    MANDATORY,
    DOMAIN,
)
def dms_encrypted(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    yield from customer_key(props, "kmsKeyArn")
    if resource_type == t.DMS_S3_ENDPOINT:
        yield from must_equal(props, "encryptionMode", "SSE_KMS", "objects DMS writes are KMS-encrypted")
        yield from customer_key(props, "serverSideEncryptionKmsKeyId")


@resource_rule(
    "athena-results-encrypted-with-cmk",
    "Athena workgroups encrypt query results with a customer-managed key and enforce it on clients",
    (t.ATHENA_WORKGROUP, t.ATHENA_DATABASE),
    MANDATORY,
    DOMAIN,
)
def athena_encrypted(props: Any, config: Any, resource_type: str) -> Iterable[str]:
    if resource_type == t.ATHENA_DATABASE:
        option, key = "encryptionConfiguration.encryptionOption", "encryptionConfiguration.kmsKey"
    else:
        option = "configuration.resultConfiguration.encryptionConfiguration.encryptionOption"
        key = "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn"
        yield from must_equal(
            props, "configuration.enforceWorkgroupConfiguration", True, "clients cannot turn encryption off"
        )
    value = get(props, option)
    if value is UNKNOWN or value not in ("SSE_KMS", "CSE_KMS"):
        yield f"{option} must be SSE_KMS or CSE_KMS, got {'unknown at preview' if value is UNKNOWN else repr(value)}"
    yield from customer_key(props, key)


def _simple_cmk_rule(name: str, description: str, types: tuple[str, ...], path: str):
    @resource_rule(name, description, types, MANDATORY, DOMAIN)
    def check(props: Any, config: Any, _: str) -> Iterable[str]:
        yield from customer_key(props, path)

    return check


SNS = _simple_cmk_rule(
    "sns-topic-encrypted-with-cmk",
    "SNS topics encrypt messages with a customer-managed key",
    (t.SNS_TOPIC,),
    "kmsMasterKeyId",
)
SQS = _simple_cmk_rule(
    "sqs-queue-encrypted-with-cmk",
    "SQS queues encrypt messages with a customer-managed key (not SQS-managed SSE)",
    (t.SQS_QUEUE,),
    "kmsMasterKeyId",
)
LOGS = _simple_cmk_rule(
    "log-group-encrypted-with-cmk",
    "CloudWatch log groups are encrypted with a customer-managed key",
    (t.LOG_GROUP,),
    "kmsKeyId",
)
SECRETS = _simple_cmk_rule(
    "secret-encrypted-with-cmk",
    "Secrets Manager secrets are encrypted with a customer-managed key",
    (t.SECRET,),
    "kmsKeyId",
)
SCHEDULES = _simple_cmk_rule(
    "schedule-encrypted-with-cmk",
    "EventBridge Scheduler schedules encrypt their payload with a customer-managed key",
    (t.SCHEDULE,),
    "kmsKeyArn",
)


@resource_rule(
    "state-machine-encrypted-with-cmk",
    "Step Functions state machines encrypt executions with a customer-managed key",
    (t.STATE_MACHINE,),
    MANDATORY,
    DOMAIN,
)
def state_machine_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from must_equal(props, "encryptionConfiguration.type", "CUSTOMER_MANAGED_KMS_KEY", "a customer-managed key")
    yield from customer_key(props, "encryptionConfiguration.kmsKeyId")


@resource_rule(
    "lambda-environment-encrypted-with-cmk",
    "Lambda functions with environment variables encrypt them with a customer-managed key",
    (t.LAMBDA_FUNCTION,),
    MANDATORY,
    DOMAIN,
)
def lambda_environment_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    if is_set(get(props, "environment.variables")):
        yield from customer_key(props, "kmsKeyArn")


@resource_rule(
    "glue-security-configuration-encrypts-everything",
    "Glue security configurations encrypt S3 data (SSE-KMS), CloudWatch logs (SSE-KMS) and job bookmarks (CSE-KMS)",
    (t.GLUE_SECURITY_CONFIGURATION,),
    MANDATORY,
    DOMAIN,
)
def glue_security_configuration(props: Any, config: Any, _: str) -> Iterable[str]:
    base = "encryptionConfiguration"
    for part, mode, expected in (
        ("s3Encryption", "s3EncryptionMode", "SSE-KMS"),
        ("cloudwatchEncryption", "cloudwatchEncryptionMode", "SSE-KMS"),
        ("jobBookmarksEncryption", "jobBookmarksEncryptionMode", "CSE-KMS"),
    ):
        yield from must_equal(props, f"{base}.{part}.{mode}", expected, f"{part} with KMS")
        yield from customer_key(props, f"{base}.{part}.kmsKeyArn")


@resource_rule(
    "glue-catalog-encrypted-with-cmk",
    "The Glue Data Catalog encrypts metadata and connection passwords with a customer-managed key",
    (t.GLUE_CATALOG_ENCRYPTION,),
    MANDATORY,
    DOMAIN,
)
def glue_catalog_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    base = "dataCatalogEncryptionSettings"
    yield from must_equal(props, f"{base}.encryptionAtRest.catalogEncryptionMode", "SSE-KMS", "catalog encryption")
    yield from customer_key(props, f"{base}.encryptionAtRest.sseAwsKmsKeyId")
    yield from must_equal(
        props,
        f"{base}.connectionPasswordEncryption.returnConnectionPasswordEncrypted",
        True,
        "connection passwords encrypted",
    )
    yield from customer_key(props, f"{base}.connectionPasswordEncryption.awsKmsKeyId")


@resource_rule(
    "glue-job-and-crawler-use-security-configuration",
    "Every Glue job and crawler runs with a security configuration (encrypted output, logs and bookmarks)",
    (t.GLUE_JOB, t.GLUE_CRAWLER),
    MANDATORY,
    DOMAIN,
)
def glue_uses_security_configuration(props: Any, config: Any, _: str) -> Iterable[str]:
    if not is_set(get(props, "securityConfiguration")):
        yield "securityConfiguration must name the lake's Glue security configuration"


@resource_rule(
    "emr-serverless-logs-encrypted-with-cmk",
    "EMR Serverless applications encrypt the logs they ship (S3, CloudWatch, managed persistence) with a customer-managed key",
    (t.EMR_SERVERLESS_APP,),
    MANDATORY,
    DOMAIN,
)
def emr_serverless_logs_encrypted(props: Any, config: Any, _: str) -> Iterable[str]:
    for part in ("s3MonitoringConfiguration", "cloudwatchLoggingConfiguration"):
        if is_set(get(props, f"monitoringConfiguration.{part}")):
            yield from customer_key(props, f"monitoringConfiguration.{part}.encryptionKeyArn")
    managed = get(props, "monitoringConfiguration.managedPersistenceMonitoringConfiguration")
    if managed is None or (managed is not UNKNOWN and get(managed, "enabled", True) is not False):
        yield from customer_key(
            props, "monitoringConfiguration.managedPersistenceMonitoringConfiguration.encryptionKeyArn"
        )


RULES = [
    s3_bucket_encrypted,
    kinesis_encrypted,
    firehose_encrypted,
    documentdb_encrypted,
    msk_encrypted,
    dms_encrypted,
    athena_encrypted,
    SNS,
    SQS,
    LOGS,
    SECRETS,
    SCHEDULES,
    state_machine_encrypted,
    lambda_environment_encrypted,
    glue_security_configuration,
    glue_catalog_encrypted,
    glue_uses_security_configuration,
    emr_serverless_logs_encrypted,
]
