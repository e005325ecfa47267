"""Every guardrail with a compliant and a violating case, built with the policy SDK's own argument
classes, asserting the exact violation messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from lakehouse.preview.mocks import Registered
from lakehouse.preview.policy_gate import _stack_resources
from policies.guardrails import RULES
from tests.policies.test_audit_rules import RESOURCE_CASES as AUDIT_RESOURCE_CASES

BY_NAME = {rule.name: rule for rule in RULES}
K = "arn:aws:kms:eu-west-1:123456789012:key/1111"
ROLE = "arn:aws:iam::123456789012:role/app"
OPTS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
TAGS = {"project": "p", "environment": "e", "owner": "o", "cost-center": "c", "data-classification": "internal"}


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def violations(rule_name: str, resource_type: str, props: dict[str, Any], config: dict | None = None) -> list[str]:
    rule = BY_NAME[rule_name]
    found: list[str] = []
    args = ResourceValidationArgs(
        resource_type, unknown_checking_proxy(props), "urn:test", "test", OPTS, None, rule.config(config or {})
    )
    rule.policy().validate(args, lambda message, urn=None: found.append(message))
    return found


# (rule, resource type, compliant props, violating props, exact messages for the violating props)
RESOURCE_CASES = [
    (
        "kinesis-stream-encrypted-with-cmk",
        "aws:kinesis/stream:Stream",
        {"encryptionType": "KMS", "kmsKeyId": K},
        {"encryptionType": "NONE"},
        [
            "encryptionType must be 'KMS' (server-side encryption); got 'NONE'",
            "kmsKeyId must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "firehose-encrypted-with-cmk",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        {"kinesisSourceConfiguration": {"kinesisStreamArn": "arn"}, "extendedS3Configuration": {"kmsKeyArn": K}},
        {
            "serverSideEncryption": {"enabled": True, "keyType": "AWS_OWNED_CMK"},
            "extendedS3Configuration": {"bucketArn": "b"},
        },
        [
            "serverSideEncryption.keyType must be 'CUSTOMER_MANAGED_CMK' (a customer-managed key); got 'AWS_OWNED_CMK'",
            "serverSideEncryption.keyArn must name the stack's customer-managed KMS key",
            "extendedS3Configuration.kmsKeyArn must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "documentdb-encrypted-with-cmk",
        "aws:docdb/cluster:Cluster",
        {"storageEncrypted": True, "kmsKeyId": K},
        {"storageEncrypted": True, "kmsKeyId": "alias/aws/rds"},
        [
            "kmsKeyId is the AWS-managed key 'alias/aws/rds'; use the stack's customer-managed key (rotation, key policy)"
        ],
    ),
    (
        "documentdb-encrypted-with-cmk",
        "aws:docdb/globalCluster:GlobalCluster",
        {"storageEncrypted": True},
        {},
        ["storageEncrypted must be True (storage encryption (off by default)); got None"],
    ),
    (
        "msk-encrypted-with-cmk",
        "aws:msk/cluster:Cluster",
        {"encryptionInfo": {"encryptionAtRestKmsKeyArn": K}},
        {"encryptionInfo": {}},
        ["encryptionInfo.encryptionAtRestKmsKeyArn must name the stack's customer-managed KMS key"],
    ),
    (
        "dms-encrypted-with-cmk",
        "aws:dms/replicationInstance:ReplicationInstance",
        {"kmsKeyArn": K},
        {},
        ["kmsKeyArn must name the stack's customer-managed KMS key"],
    ),
    (
        "dms-encrypted-with-cmk",
        "aws:dms/s3Endpoint:S3Endpoint",
        {"kmsKeyArn": K, "encryptionMode": "SSE_KMS", "serverSideEncryptionKmsKeyId": K},
        {"kmsKeyArn": K, "encryptionMode": "SSE_KMS"},
        ["serverSideEncryptionKmsKeyId must name the stack's customer-managed KMS key"],
    ),
    (
        "athena-results-encrypted-with-cmk",
        "aws:athena/workgroup:Workgroup",
        {
            "configuration": {
                "enforceWorkgroupConfiguration": True,
                "resultConfiguration": {"encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": K}},
            }
        },
        {
            "configuration": {
                "enforceWorkgroupConfiguration": True,
                "resultConfiguration": {"encryptionConfiguration": {"encryptionOption": "SSE_S3"}},
            }
        },
        [
            "configuration.resultConfiguration.encryptionConfiguration.encryptionOption must be SSE_KMS or CSE_KMS, got 'SSE_S3'",
            "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "athena-results-encrypted-with-cmk",
        "aws:athena/database:Database",
        {"encryptionConfiguration": {"encryptionOption": "CSE_KMS", "kmsKey": K}},
        {},
        [
            "encryptionConfiguration.encryptionOption must be SSE_KMS or CSE_KMS, got None",
            "encryptionConfiguration.kmsKey must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "sns-topic-encrypted-with-cmk",
        "aws:sns/topic:Topic",
        {"kmsMasterKeyId": K},
        {"kmsMasterKeyId": "alias/aws/sns"},
        [
            "kmsMasterKeyId is the AWS-managed key 'alias/aws/sns'; use the stack's customer-managed key (rotation, key policy)"
        ],
    ),
    (
        "sqs-queue-encrypted-with-cmk",
        "aws:sqs/queue:Queue",
        {"kmsMasterKeyId": K},
        {"sqsManagedSseEnabled": True},
        ["kmsMasterKeyId must name the stack's customer-managed KMS key"],
    ),
    (
        "log-group-encrypted-with-cmk",
        "aws:cloudwatch/logGroup:LogGroup",
        {"kmsKeyId": K},
        {"retentionInDays": 30},
        ["kmsKeyId must name the stack's customer-managed KMS key"],
    ),
    (
        "secret-encrypted-with-cmk",
        "aws:secretsmanager/secret:Secret",
        {"kmsKeyId": K},
        {},
        ["kmsKeyId must name the stack's customer-managed KMS key"],
    ),
    (
        "schedule-encrypted-with-cmk",
        "aws:scheduler/schedule:Schedule",
        {"kmsKeyArn": K},
        {},
        ["kmsKeyArn must name the stack's customer-managed KMS key"],
    ),
    (
        "state-machine-encrypted-with-cmk",
        "aws:sfn/stateMachine:StateMachine",
        {"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": K}},
        {},
        [
            "encryptionConfiguration.type must be 'CUSTOMER_MANAGED_KMS_KEY' (a customer-managed key); got None",
            "encryptionConfiguration.kmsKeyId must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "lambda-environment-encrypted-with-cmk",
        "aws:lambda/function:Function",
        {"environment": {"variables": {"A": "1"}}, "kmsKeyArn": K},
        {"environment": {"variables": {"A": "1"}}},
        ["kmsKeyArn must name the stack's customer-managed KMS key"],
    ),
    (
        "glue-security-configuration-encrypts-everything",
        "aws:glue/securityConfiguration:SecurityConfiguration",
        {
            "encryptionConfiguration": {
                "s3Encryption": {"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": K},
                "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": K},
                "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": K},
            }
        },
        {
            "encryptionConfiguration": {
                "s3Encryption": {"s3EncryptionMode": "SSE-S3"},
                "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": K},
                "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": K},
            }
        },
        [
            "encryptionConfiguration.s3Encryption.s3EncryptionMode must be 'SSE-KMS' (s3Encryption with KMS); got 'SSE-S3'",
            "encryptionConfiguration.s3Encryption.kmsKeyArn must name the stack's customer-managed KMS key",
        ],
    ),
    (
        "glue-catalog-encrypted-with-cmk",
        "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
        {
            "dataCatalogEncryptionSettings": {
                "encryptionAtRest": {"catalogEncryptionMode": "SSE-KMS", "sseAwsKmsKeyId": K},
                "connectionPasswordEncryption": {"returnConnectionPasswordEncrypted": True, "awsKmsKeyId": K},
            }
        },
        {
            "dataCatalogEncryptionSettings": {
                "encryptionAtRest": {"catalogEncryptionMode": "SSE-KMS", "sseAwsKmsKeyId": K},
                "connectionPasswordEncryption": {"returnConnectionPasswordEncrypted": False, "awsKmsKeyId": K},
            }
        },
        [
            "dataCatalogEncryptionSettings.connectionPasswordEncryption.returnConnectionPasswordEncrypted must be True (connection passwords encrypted); got False"
        ],
    ),
    (
        "glue-job-and-crawler-use-security-configuration",
        "aws:glue/crawler:Crawler",
        {"securityConfiguration": "lake"},
        {},
        ["securityConfiguration must name the lake's Glue security configuration"],
    ),
    (
        "emr-serverless-logs-encrypted-with-cmk",
        "aws:emrserverless/application:Application",
        {
            "monitoringConfiguration": {
                "managedPersistenceMonitoringConfiguration": {"enabled": False},
                "s3MonitoringConfiguration": {"logUri": "s3://l/", "encryptionKeyArn": K},
            }
        },
        {
            "monitoringConfiguration": {
                "managedPersistenceMonitoringConfiguration": {"enabled": False},
                "cloudwatchLoggingConfiguration": {"enabled": True},
            }
        },
        [
            "monitoringConfiguration.cloudwatchLoggingConfiguration.encryptionKeyArn must name the stack's customer-managed KMS key"
        ],
    ),
    (
        "documentdb-tls-enabled",
        "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
        {"parameters": [{"name": "tls", "value": "enabled"}]},
        {"parameters": [{"name": "tls", "value": "disabled"}]},
        ["parameter tls must be 'enabled' (or a stricter TLS mode), got 'disabled'"],
    ),
    (
        "msk-tls-only",
        "aws:msk/cluster:Cluster",
        {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS"}}},
        {"encryptionInfo": {"encryptionInTransit": {"clientBroker": "TLS", "inCluster": False}}},
        ["encryptionInfo.encryptionInTransit.inCluster must not be false (broker-to-broker TLS)"],
    ),
    (
        "dms-endpoint-ssl",
        "aws:dms/endpoint:Endpoint",
        {"engineName": "postgres", "sslMode": "verify-full"},
        {"engineName": "postgres"},
        ["sslMode must be require, verify-ca or verify-full, got None"],
    ),
    (
        "no-public-resource-policy",
        "aws:sns/topicPolicy:TopicPolicy",
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                }
            )
        },
        {
            "policy": doc(
                {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*"}
            )
        },
        ["statement Open allows Principal '*' with no Condition: anyone on the internet"],
    ),
    (
        "no-public-resource-policy",
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": doc(
                {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}
            )
        },
        {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})},
        ["statement 0 allows Principal '*' with no Condition: anyone on the internet"],
    ),
    (
        "s3-acl-not-public",
        "aws:s3/bucketAcl:BucketAcl",
        {"acl": "private"},
        {
            "accessControlPolicy": {
                "grants": [
                    {"permission": "READ", "grantee": {"uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}
                ]
            }
        },
        ["grant READ to http://acs.amazonaws.com/groups/global/AllUsers makes the bucket public"],
    ),
    (
        "not-publicly-accessible",
        "aws:dms/replicationInstance:ReplicationInstance",
        {"publiclyAccessible": False},
        {},
        ["publiclyAccessible must be False (no public IP); got None"],
    ),
    (
        "not-publicly-accessible",
        "aws:msk/cluster:Cluster",
        {"brokerNodeGroupInfo": {}},
        {"brokerNodeGroupInfo": {"connectivityInfo": {"publicAccess": {"type": "SERVICE_PROVIDED_EIPS"}}}},
        ["brokerNodeGroupInfo.connectivityInfo.publicAccess.type must be DISABLED, got 'SERVICE_PROVIDED_EIPS'"],
    ),
    (
        "lambda-not-public",
        "aws:lambda/permission:Permission",
        {"principal": "events.amazonaws.com", "sourceArn": "arn:aws:events:eu-west-1:123456789012:rule/x"},
        {"principal": "s3.amazonaws.com"},
        [
            "service principal s3.amazonaws.com without sourceArn or sourceAccount: any account's s3.amazonaws.com could invoke it"
        ],
    ),
    (
        "lambda-not-public",
        "aws:lambda/functionUrl:FunctionUrl",
        {"authorizationType": "AWS_IAM"},
        {"authorizationType": "AWS_IAM", "cors": {"allowOrigins": ["*"]}},
        ["cors.allowOrigins '*' lets any web page call the function from a browser"],
    ),
    (
        "api-route-authorized",
        "aws:apigatewayv2/route:Route",
        {"authorizationType": "JWT"},
        {},
        ["authorizationType must be AWS_IAM, JWT or CUSTOM, got None"],
    ),
    (
        "emr-serverless-in-vpc",
        "aws:emrserverless/application:Application",
        {"networkConfiguration": {"subnetIds": ["subnet-1"]}},
        {},
        ["networkConfiguration.subnetIds should name private subnets"],
    ),
    (
        "required-tags",
        "aws:s3/bucket:Bucket",
        {"tags": TAGS},
        {"tags": {**TAGS, "owner": ""}},
        ["missing required tags: owner"],
    ),
    (
        "iam-no-wildcard-admin",
        "aws:iam/policy:Policy",
        {"policy": doc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})},
        {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        ["policy statement 0 allows NotAction: everything but a list, which grows with every new AWS action"],
    ),
    (
        "kms-key-policy-least-privilege",
        "aws:kms/keyPolicy:KeyPolicy",
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            )
        },
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::123456789012:root", ROLE]},
                    "Action": "*",
                    "Resource": "*",
                }
            )
        },
        [f"statement 0 grants * to {ROLE}: only the account root may hold kms:*"],
    ),
    (
        "iam-no-admin-policy-attachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        {"policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        {"policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"},
        ["arn:aws:iam::aws:policy/IAMFullAccess grants administrator or full IAM access"],
    ),
    (
        "iam-no-user-policies",
        "aws:iam/userPolicy:UserPolicy",
        None,
        {"user": "alice"},
        ["attach permissions to a role (assumed by people through SSO), not to an IAM user"],
    ),
    (
        "queue-policy-no-wildcard-actions",
        "aws:sqs/queuePolicy:QueuePolicy",
        {
            "policy": doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "*",
                }
            )
        },
        {
            "policy": doc(
                {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sqs:*", "Resource": "*"}
            )
        },
        ["statement All allows sqs:*: name the actions (sqs:SendMessage, ...)"],
    ),
    (
        "kms-key-rotation-enabled",
        "aws:kms/key:Key",
        {"enableKeyRotation": True},
        {"enableKeyRotation": True, "isEnabled": False},
        ["isEnabled is false: a disabled key makes every store it encrypts unreadable"],
    ),
    (
        "kms-key-policy-defined",
        "aws:kms/key:Key",
        {"policy": doc()},
        {},
        ["no key policy: the default policy lets any IAM principal of the account with kms:* use the key"],
    ),
    (
        "log-group-retention-set",
        "aws:cloudwatch/logGroup:LogGroup",
        {"retentionInDays": 30.0},
        {"retentionInDays": 0.0},
        ["retentionInDays must be set (0 or absent keeps logs forever)"],
    ),
    (
        "log-group-retention-long-enough",
        "aws:cloudwatch/logGroup:LogGroup",
        {"retentionInDays": 400.0},
        {"retentionInDays": 30.0},
        ["retentionInDays is 30, below the minimum of 365"],
    ),
    (
        "documentdb-backups-and-deletion-protection",
        "aws:docdb/cluster:Cluster",
        {"backupRetentionPeriod": 7.0, "deletionProtection": True},
        {"deletionProtection": False},
        [
            "backupRetentionPeriod must be >= 7 days, got 1",
            "deletionProtection must be True (protection from deletion); got False",
        ],
    ),
    (
        "documentdb-audit-logs",
        "aws:docdb/cluster:Cluster",
        {"enabledCloudwatchLogsExports": ["audit"]},
        {"enabledCloudwatchLogsExports": ["profiler"]},
        ["enabledCloudwatchLogsExports should include 'audit'"],
    ),
    (
        "documentdb-audit-logs",
        "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
        {"parameters": [{"name": "audit_logs", "value": "all"}]},
        {"parameters": []},
        ["parameter audit_logs should be enabled"],
    ),
    (
        "lambda-runtime-supported",
        "aws:lambda/function:Function",
        {"runtime": "python3.12"},
        {"runtime": "nodejs16.x"},
        ["runtime nodejs16.x is deprecated by AWS"],
    ),
    (
        "lambda-no-secrets-in-environment",
        "aws:lambda/function:Function",
        {
            "environment": {
                "variables": {
                    "DB_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x",
                    "API_TOKEN": "arn:aws:ssm:x",
                }
            }
        },
        {"environment": {"variables": {"KEY": "AKIAABCDEFGHIJKLMNOP"}}},
        ["environment variable KEY holds an AWS access key id"],
    ),
    (
        "lambda-observable-and-bounded",
        "aws:lambda/function:Function",
        {
            "tracingConfig": {"mode": "Active"},
            "deadLetterConfig": {"targetArn": "arn:q"},
            "reservedConcurrentExecutions": 10.0,
        },
        {"tracingConfig": {"mode": "PassThrough"}},
        [
            "tracingConfig.mode should be Active (X-Ray)",
            "deadLetterConfig.targetArn should name a dead-letter queue",
            "reservedConcurrentExecutions should cap the function's concurrency",
        ],
    ),
    (
        "state-machine-logged-and-traced",
        "aws:sfn/stateMachine:StateMachine",
        {
            "loggingConfiguration": {"level": "ERROR", "logDestination": "arn:l:*"},
            "tracingConfiguration": {"enabled": True},
        },
        {"loggingConfiguration": {"level": "OFF"}},
        [
            "loggingConfiguration should send execution history (level ERROR or ALL) to a log group",
            "tracingConfiguration.enabled should be true (X-Ray)",
        ],
    ),
    (
        "msk-broker-logs",
        "aws:msk/cluster:Cluster",
        {"loggingInfo": {"brokerLogs": {"s3": {"enabled": True}}}},
        {"loggingInfo": {"brokerLogs": {"s3": {"enabled": False}}}},
        ["loggingInfo.brokerLogs should enable at least one destination"],
    ),
    (
        "api-stage-access-logs",
        "aws:apigatewayv2/stage:Stage",
        {"accessLogSettings": {"destinationArn": "arn:l"}},
        {},
        ["accessLogSettings.destinationArn should name a log group"],
    ),
    (
        "dms-minor-upgrades",
        "aws:dms/replicationInstance:ReplicationInstance",
        {"autoMinorVersionUpgrade": True},
        {},
        ["autoMinorVersionUpgrade should be true"],
    ),
    (
        "cloudwatch-alarm-notifies",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"alarmActions": ["arn:aws:sns:eu-west-1:123456789012:alerts"]},
        {"actionsEnabled": False, "alarmActions": ["arn:aws:sns:eu-west-1:123456789012:alerts"]},
        ["actionsEnabled is false: the alarm changes state and nobody hears of it"],
    ),
    (
        "cloudwatch-alarm-notifies",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"actionsEnabled": True, "alarmActions": ["arn:aws:sns:eu-west-1:123456789012:alerts"]},
        {"alarmActions": []},
        ["no alarmActions: name the topic (or other action) that tells someone the alarm fired"],
    ),
]


@pytest.mark.parametrize(
    "rule, resource_type, good, bad, expected",
    RESOURCE_CASES,
    ids=[f"{c[0]}-{c[1].rsplit(':', 1)[1]}" for c in RESOURCE_CASES],
)
def test_resource_rule_passes_compliant_and_reports_violating_props(rule, resource_type, good, bad, expected):
    if good is not None:
        assert violations(rule, resource_type, good) == []
    assert violations(rule, resource_type, bad) == expected


def test_resource_rules_ignore_other_types():
    assert violations("kinesis-stream-encrypted-with-cmk", "aws:sns/topic:Topic", {}) == []


def test_required_tags_list_is_configurable():
    props = {"tags": {"team": "x"}}
    assert violations("required-tags", "aws:sqs/queue:Queue", props, {"requiredTags": ["team"]}) == []
    assert violations("required-tags", "aws:sqs/queue:Queue", props, {"requiredTags": ["team", "tier"]}) == [
        "missing required tags: tier"
    ]


def test_minimum_days_are_configurable():
    assert (
        violations(
            "log-group-retention-long-enough",
            "aws:cloudwatch/logGroup:LogGroup",
            {"retentionInDays": 30.0},
            {"minimumDays": 30},
        )
        == []
    )


# --- unknown values at preview ------------------------------------------------------------------


def test_a_flag_unknown_at_preview_is_reported_not_passed():
    assert violations("kms-key-rotation-enabled", "aws:kms/key:Key", {"enableKeyRotation": UNKNOWN_BOOLEAN_VALUE}) == [
        "enableKeyRotation is unknown at preview, so 'yearly rotation of key material' cannot be verified; set it to True explicitly"
    ]


def test_alarm_actions_unknown_at_preview_are_reported_but_an_unknown_topic_counts_as_set():
    props = {"actionsEnabled": UNKNOWN_BOOLEAN_VALUE, "alarmActions": [UNKNOWN_STRING_VALUE]}
    assert violations("cloudwatch-alarm-notifies", "aws:cloudwatch/metricAlarm:MetricAlarm", props) == [
        "actionsEnabled is unknown at preview, so it cannot be verified; set it to True explicitly"
    ]


def test_a_key_arn_unknown_at_preview_counts_as_set():
    assert (
        violations(
            "log-group-encrypted-with-cmk", "aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": UNKNOWN_STRING_VALUE}
        )
        == []
    )


def test_unknown_tags_are_reported():
    assert violations("required-tags", "aws:s3/bucket:Bucket", {"tags": UNKNOWN_STRING_VALUE}) == [
        "tags are unknown at preview: pass plain values, not Outputs"
    ]
    assert violations("required-tags", "aws:s3/bucket:Bucket", {"tags": {**TAGS, "owner": UNKNOWN_STRING_VALUE}}) == [
        "tags unknown at preview (use plain values): owner"
    ]


def test_an_unknown_policy_document_is_reported():
    assert violations("iam-no-wildcard-admin", "aws:iam/rolePolicy:RolePolicy", {"policy": UNKNOWN_STRING_VALUE}) == [
        "policy: the policy document is unknown at preview, so it cannot be checked; build it from known values"
    ]


# --- stack rules ---------------------------------------------------------------------------------

BUCKET = "urn:pulumi:s::p::aws:s3/bucket:Bucket::lake"


def _record(
    name: str, resource_type: str, props: dict, bucket_dependency: str | None = BUCKET, prop: str = "bucket"
) -> Registered:
    deps = {prop: [bucket_dependency]} if bucket_dependency else {}
    return Registered(f"urn:pulumi:s::p::{resource_type}::{name}", resource_type, name, None, True, props, [], deps)


def stack_violations(rule_name: str, records: list[Registered], config: dict | None = None) -> list[tuple[str, str]]:
    rule = BY_NAME[rule_name]
    found: list[tuple[str, str]] = []
    rule.policy().validate(
        StackValidationArgs(_stack_resources(records), rule.config(config or {})),
        lambda m, u=None: found.append((u, m)),
    )
    return found


def _bucket(unknown_name: bool = True) -> Registered:
    props = {"tags": TAGS} if unknown_name else {"bucket": "lake-raw", "tags": TAGS}
    return Registered(BUCKET, "aws:s3/bucket:Bucket", "lake", None, True, props, [], {})


SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
DENY_HTTP = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::lake-raw/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

STACK_CASES = [
    (
        "s3-bucket-encrypted-with-cmk",
        [
            _record(
                "sse",
                SSE,
                {
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": UNKNOWN_STRING_VALUE,
                            }
                        }
                    ]
                },
            )
        ],
        [_record("sse", SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]})],
        ["applyServerSideEncryptionByDefault.kmsMasterKeyId must name the stack's customer-managed KMS key"],
    ),
    (
        "s3-bucket-blocks-public-access",
        [
            _record(
                "pab",
                PAB,
                {
                    k: True
                    for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
                },
            )
        ],
        [_record("pab", PAB, {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True})],
        ["restrictPublicBuckets must be True (public access blocked); got None"],
    ),
    (
        "s3-bucket-denies-insecure-transport",
        [_record("policy", POLICY, {"policy": doc(DENY_HTTP)})],
        [
            _record(
                "policy", POLICY, {"policy": doc({**DENY_HTTP, "Condition": {"Bool": {"aws:SecureTransport": "true"}}})}
            )
        ],
        ["no bucket policy statement denies s3:* to '*' when aws:SecureTransport is false"],
    ),
    (
        "s3-bucket-versioned",
        [_record("v", VERSIONING, {"versioningConfiguration": {"status": "Enabled"}})],
        [],
        ["no BucketVersioning for this bucket"],
    ),
    (
        "s3-bucket-has-lifecycle",
        [
            _record(
                "lc",
                LIFECYCLE,
                {
                    "rules": [
                        {
                            "status": "Enabled",
                            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
                            "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
                        }
                    ]
                },
            )
        ],
        [
            _record(
                "lc",
                LIFECYCLE,
                {
                    "rules": [
                        {
                            "status": "Disabled",
                            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
                            "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
                        }
                    ]
                },
            )
        ],
        [
            "no enabled lifecycle rule aborts incomplete multipart uploads",
            "no enabled lifecycle rule expires noncurrent versions",
        ],
    ),
    (
        "s3-bucket-access-logged",
        [_record("log", LOGGING, {"targetBucket": "logs"})],
        [],
        ["no BucketLogging for this bucket"],
    ),
    (
        "s3-bucket-acls-disabled",
        [_record("own", OWNERSHIP, {"rule": {"objectOwnership": "BucketOwnerEnforced"}})],
        [_record("own", OWNERSHIP, {"rule": {"objectOwnership": "ObjectWriter"}})],
        ["rule.objectOwnership must be 'BucketOwnerEnforced' (ACLs disabled); got 'ObjectWriter'"],
    ),
]


@pytest.mark.parametrize("rule, good, bad, expected", STACK_CASES, ids=[c[0] for c in STACK_CASES])
def test_stack_rule_matches_settings_to_their_bucket_by_dependency(rule, good, bad, expected):
    assert stack_violations(rule, [_bucket(), *good]) == []
    assert stack_violations(rule, [_bucket(), *bad]) == [(BUCKET, message) for message in expected]


def test_settings_match_their_bucket_by_name_when_no_dependency_is_recorded():
    versioning = _record(
        "v",
        VERSIONING,
        {"bucket": "lake-raw", "versioningConfiguration": {"status": "Enabled"}},
        bucket_dependency=None,
    )
    assert stack_violations("s3-bucket-versioned", [_bucket(unknown_name=False), versioning]) == []


def test_settings_of_another_bucket_do_not_count():
    other = _record("v", VERSIONING, {"versioningConfiguration": {"status": "Enabled"}}, bucket_dependency="urn:other")
    assert stack_violations("s3-bucket-versioned", [_bucket(), other]) == [
        (BUCKET, "no BucketVersioning for this bucket")
    ]


def test_the_access_log_target_bucket_needs_no_logging_of_its_own():
    logs = Registered("urn:logs", "aws:s3/bucket:Bucket", "logs", None, True, {"tags": TAGS}, [], {})
    logging = _record("log", LOGGING, {}, prop="bucket")
    logging.property_dependencies["targetBucket"] = ["urn:logs"]
    assert stack_violations("s3-bucket-access-logged", [_bucket(), logs, logging]) == []


def test_secret_rotation_is_matched_and_its_period_checked():
    secret = Registered("urn:secret", "aws:secretsmanager/secret:Secret", "db", None, True, {}, [], {})
    slow = _record(
        "rot",
        "aws:secretsmanager/secretRotation:SecretRotation",
        {"rotationRules": {"automaticallyAfterDays": 180.0}},
        bucket_dependency="urn:secret",
        prop="secretId",
    )
    assert stack_violations("secret-rotated", [secret]) == [("urn:secret", "no SecretRotation for this secret")]
    assert stack_violations("secret-rotated", [secret, slow]) == [
        ("urn:secret", "rotates every 180 days, more than 90")
    ]
    assert stack_violations("secret-rotated", [secret, slow], {"maximumDays": 365}) == []


def test_every_rule_has_a_test_case():
    # the escalation and world-ingress rules have their own module (test_escalation_and_exposure_rules.py),
    # the CloudTrail rules theirs (test_audit_rules.py)
    tested = {c[0] for c in RESOURCE_CASES} | {c[0] for c in STACK_CASES} | {"secret-rotated"}
    tested |= {"iam-no-privilege-escalation", "security-group-no-world-ingress"}
    tested |= {c[0] for c in AUDIT_RESOURCE_CASES} | {"cloudtrail-bucket-object-lock"}
    assert tested == set(BY_NAME)
