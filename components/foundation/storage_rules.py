"""Pure decisions about buckets and the key: lifecycle rules, bucket policy, key policy.

Plain functions over config and ARNs, tested without Pulumi; the foundation only turns their
results into resources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import iam
from .config import ZoneLifecycle

MIN_TLS_VERSION = "1.2"


def lifecycle_rules(zone: ZoneLifecycle) -> list[dict[str, Any]]:
    """The S3 lifecycle rules of one bucket, from its zone config (one rule: whole bucket)."""
    rule: dict[str, Any] = {
        "id": "zone-lifecycle",
        "status": "Enabled",
        "filter": {},  # whole bucket; an explicit empty filter avoids the provider's prefix warning
        "abort_incomplete_multipart_upload": {"days_after_initiation": zone.abort_incomplete_multipart_after_days},
        "noncurrent_version_expiration": {"noncurrent_days": zone.noncurrent_version_expire_after_days},
    }
    transitions = []
    if zone.infrequent_access_after_days is not None:
        transitions.append({"days": zone.infrequent_access_after_days, "storage_class": "STANDARD_IA"})
    if zone.glacier_after_days is not None:
        # Glacier Instant Retrieval: still readable by Athena and Spark in milliseconds, unlike GLACIER.
        transitions.append({"days": zone.glacier_after_days, "storage_class": "GLACIER_IR"})
    if transitions:
        rule["transitions"] = transitions
    if zone.expire_after_days is not None:
        rule["expiration"] = {"days": zone.expire_after_days}
    return [rule]


def deny_insecure_transport(bucket_arn: Any) -> list[iam.Statement]:
    """Deny any request over plain HTTP, and TLS older than 1.2, for the bucket and its objects."""
    resources = _bucket_and_objects(bucket_arn)
    return [
        iam.deny(
            "DenyInsecureTransport",
            ["s3:*"],
            resources,
            principal="*",
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        ),
        iam.deny(
            "DenyOutdatedTls",
            ["s3:*"],
            resources,
            principal="*",
            conditions={"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
        ),
    ]


def allow_access_log_delivery(log_bucket_arn: Any, source_bucket_arns: Sequence[Any], account_id: Any) -> iam.Statement:
    """Let S3's logging service write access logs, only for our buckets in our account.

    With BucketOwnerEnforced ownership, ACL-based log delivery is gone: a bucket policy is the way.
    """
    return iam.allow(
        "AllowS3ServerAccessLogDelivery",
        ["s3:PutObject"],
        _objects(log_bucket_arn),
        principal=iam.service_principal("logging.s3.amazonaws.com"),
        conditions={
            "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    )


def key_policy_statements(account_id: str, region: str, partition: str) -> list[iam.Statement]:
    """The key policy: the account (through IAM), CloudWatch Logs, and S3 log delivery; no one else.

    In a key policy, ``Resource: "*"`` means "this key": AWS requires that form.
    S3, Glue, Firehose and Kinesis use the key on behalf of a caller whose IAM role is granted
    ``kms:*Decrypt``/``GenerateDataKey`` by the component that creates the role, so they need no
    statement of their own here. CloudWatch Logs and S3 access-log delivery act as themselves.
    """
    root = {"AWS": f"arn:{partition}:iam::{account_id}:root"}
    return [
        iam.allow("EnableIamPoliciesOfThisAccount", ["kms:*"], "*", principal=root),
        iam.allow(
            "AllowCloudWatchLogsOfThisAccount",
            ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "*",
            principal=iam.service_principal(f"logs.{region}.amazonaws.com"),
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
                }
            },
        ),
        iam.allow(
            "AllowS3AccessLogDeliveryOfThisAccount",
            ["kms:GenerateDataKey*", "kms:Decrypt"],
            "*",
            principal=iam.service_principal("logging.s3.amazonaws.com"),
            conditions={"StringEquals": {"aws:SourceAccount": account_id}},
        ),
    ]


def _objects(bucket_arn: Any) -> Any:
    return f"{bucket_arn}/*" if isinstance(bucket_arn, str) else bucket_arn.apply(lambda arn: f"{arn}/*")


def _bucket_and_objects(bucket_arn: Any) -> list[Any]:
    return [bucket_arn, _objects(bucket_arn)]
