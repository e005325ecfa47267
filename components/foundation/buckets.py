"""Bucket hardening: the settings every bucket of the platform gets, in one place.

pulumi-aws v7 keeps each bucket setting in its own resource. The foundation hardens its six
buckets with these functions, and a component that keeps a bucket of its own (the audit trail's)
calls the same ones, so that no bucket is hardened by a copy that could drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
from pulumi_aws import s3

from .. import iam
from . import storage_rules
from .config import ZoneLifecycle


def harden(
    name: str,
    bucket: s3.Bucket,
    *,
    key_arn: pulumi.Input[str],
    lifecycle: ZoneLifecycle,
    log_target: s3.Bucket | None,
    log_prefix: str,
    parent: pulumi.Resource,
) -> None:
    """ACLs off, all public access blocked, SSE-KMS with ``key_arn`` and a bucket key, versioning,
    a lifecycle, and server access logs to ``log_target`` under ``log_prefix``.

    Children are named ``<name>-<setting>``. A log bucket passes ``log_target=None``: logging to
    itself would log its own log deliveries forever.
    """
    child = pulumi.ResourceOptions(parent=parent)
    s3.BucketOwnershipControls(
        f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child
    )
    s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key_arn},
                "bucket_key_enabled": True,  # one data key per bucket, not per object: ~99% fewer KMS calls
            }
        ],
        opts=child,
    )
    s3.BucketVersioning(
        f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
    )
    s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle", bucket=bucket.id, rules=storage_rules.lifecycle_rules(lifecycle), opts=child
    )
    if log_target is not None:
        s3.BucketLogging(
            f"{name}-logging",
            bucket=bucket.id,
            target_bucket=log_target.id,
            target_prefix=log_prefix,
            target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
            opts=child,
        )


def tls_only_policy(
    name: str,
    bucket: s3.Bucket,
    *,
    parent: pulumi.Resource,
    extra: pulumi.Input[Sequence[iam.Statement]] = (),
) -> s3.BucketPolicy:
    """The bucket's one policy (S3 allows one per bucket): deny plain HTTP and old TLS, plus the
    ``extra`` statements its owner needs (log delivery, a service's writes). ``extra`` may be an
    Output, for statements a pure builder makes from resolved ARNs."""
    deny = storage_rules.deny_insecure_transport(bucket.arn)
    statements: pulumi.Output[Sequence[iam.Statement]] = pulumi.Output.from_input(extra)
    return s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        # apply flattens the Output the document is; pulumi's stub does not say so
        policy=statements.apply(lambda more: iam.document(*deny, *more)),  # type: ignore[arg-type,return-value]
        opts=pulumi.ResourceOptions(parent=parent),
    )
