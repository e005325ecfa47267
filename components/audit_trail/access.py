"""Who may do what for the audit trail: the key-policy grant, the bucket policy, the log role.

Pure statement builders over plain ARNs, written from AWS's CloudTrail user guide ("Configure AWS
KMS key policies for CloudTrail", "Amazon S3 bucket policy for CloudTrail", "Role policy document
for CloudTrail to use CloudWatch Logs"), each narrowed to this trail with ``aws:SourceArn``.
"""

from __future__ import annotations

import pulumi

from .. import iam
from . import naming

CLOUDTRAIL = "cloudtrail.amazonaws.com"


def key_grant(scope: iam.KeyPolicyScope) -> list[iam.Statement]:
    """What the stack key's policy must hold for the audit trail of the stack ``scope`` describes.

    Pass it to ``DataLakeFoundation(key_grants=[key_grant])`` when using the components as a
    library; the stack builder passes it for you when the ``audit_trail`` block is enabled.
    """
    return key_policy_statements(
        naming.trail_arn(scope.partition, scope.region, scope.account_id, scope.name_prefix),
        scope.partition,
        scope.account_id,
        naming.trail_name(scope.name_prefix),
    )


def key_policy_statements(trail_arn: str, partition: str, account_id: str, trail_name: str) -> list[iam.Statement]:
    """CloudTrail may encrypt log and digest files, decrypt (S3 bucket keys need it when the trail is
    created or updated) and describe the key, for this trail only.

    In a key policy ``Resource: "*"`` means "this key": AWS requires that form. The encryption
    context keeps AWS's documented region wildcard (the context names the trail's home region, which
    ``aws:SourceArn`` already pins) but names this account and this trail.
    """
    principal = iam.service_principal(CLOUDTRAIL)
    this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
    context = f"arn:{partition}:cloudtrail:*:{account_id}:trail/{trail_name}"
    return [
        iam.allow(
            "AuditTrailEncryptsLogFiles",
            ["kms:GenerateDataKey*"],
            "*",
            principal=principal,
            conditions={**this_trail, "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": context}},
        ),
        iam.allow("AuditTrailDecryptsWithBucketKey", ["kms:Decrypt"], "*", principal=principal, conditions=this_trail),
        iam.allow("AuditTrailDescribesKey", ["kms:DescribeKey"], "*", principal=principal, conditions=this_trail),
    ]


def bucket_policy_statements(bucket_arn: str, account_id: str, trail_arn: str) -> list[iam.Statement]:
    """CloudTrail may check the bucket and write under ``AWSLogs/<account>/`` (log files and
    digests), for this trail only, handing the objects to the bucket owner."""
    principal = iam.service_principal(CLOUDTRAIL)
    return [
        iam.allow(
            "AuditTrailChecksBucketAcl",
            ["s3:GetBucketAcl"],
            bucket_arn,
            principal=principal,
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
        ),
        iam.allow(
            "AuditTrailWritesLogFiles",
            ["s3:PutObject"],
            f"{bucket_arn}/AWSLogs/{account_id}/*",
            principal=principal,
            conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}},
        ),
    ]


def log_delivery_statements(log_group_arn: str, account_id: str) -> list[iam.Statement]:
    """The role CloudTrail assumes to write to its log group: create and write its own streams.

    A multi-region trail writes one stream per region, ``<account>_CloudTrail_<region>``.
    """
    return [
        iam.allow(
            "DeliverTrailEvents",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{log_group_arn}:log-stream:{account_id}_CloudTrail_*"],
        )
    ]


def log_delivery_trust() -> pulumi.Output[str]:
    """Trust CloudTrail to assume the log-delivery role.

    Not :func:`components.iam.assume_role_policy`: AWS documents that confused-deputy condition
    keys (``aws:SourceAccount``, ``aws:SourceArn``) are not supported for this role, so a condition
    would make CloudTrail's AssumeRole fail.
    """
    return iam.document(
        iam.allow("TrustCloudTrail", ["sts:AssumeRole"], resources=None, principal=iam.service_principal(CLOUDTRAIL))
    )
