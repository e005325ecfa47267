"""AuditTrail: who did what in the account, kept where nobody can quietly remove it.

A multi-region CloudTrail trail (global service events, log file validation, encrypted with the
stack key) delivering to a dedicated audit bucket, hardened like the lake's buckets and locked with
S3 Object Lock, and to an encrypted CloudWatch Logs group whose metric filters count root use, KMS
key deletion and bucket policy changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudtrail, cloudwatch, s3
from pulumi_aws import iam as aws_iam

from .. import iam
from ..alarms import Alarm
from ..factory import standard_factory
from ..foundation import DataLakeFoundation, buckets
from ..logs import encrypted_log_group
from ..registry import Registration, exported
from ..roles import role_with_policy
from ..tagging import with_name
from . import access, naming, selectors
from .config import AuditTrailConfig
from .metric_filters import METRIC_FILTERS, NAMESPACE

# The lake's zone buckets: the only ones whose object-level calls the trail records.
ZONE_ROLES = ("raw", "processed", "curated")


@dataclass(frozen=True)
class AuditTrailOutputs:
    """What the stack exports, and what the monitoring component reads."""

    trail_arn: pulumi.Output[str]
    audit_bucket: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    metric_filters: list[tuple[str, str]]  # (filter name, CloudWatch Logs pattern)


class AuditTrail(pulumi.ComponentResource):
    """A CloudTrail trail of the whole account to a locked audit bucket and a watched log group."""

    bucket: s3.Bucket
    bucket_policy: s3.BucketPolicy
    object_lock: s3.BucketObjectLockConfiguration | None
    log_group: cloudwatch.LogGroup
    role: aws_iam.Role
    role_policy: aws_iam.RolePolicy
    trail: cloudtrail.Trail
    metric_filters: list[cloudwatch.LogMetricFilter]

    def __init__(
        self,
        name: str,
        config: AuditTrailConfig | None = None,
        *,
        foundation: DataLakeFoundation,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """``name_prefix`` must be the foundation's: the stack key's policy admits the trail named
        from it (``DataLakeFoundation(..., name_prefix=P, key_grants=[key_grant])``)."""
        config = config or AuditTrailConfig()
        prefix = naming.check_name_prefix(name_prefix or name)
        super().__init__("lakehouse:index:AuditTrail", name, None, opts)
        tags = dict(tags or {})
        key_arn = foundation.key.arn
        account_id = foundation.account_id
        trail_arn = pulumi.Output.all(
            partition=foundation.partition, region=foundation.region, account_id=account_id
        ).apply(lambda v: naming.trail_arn(v["partition"], v["region"], v["account_id"], prefix))
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=config.protect)

        self.bucket = s3.Bucket(
            f"{name}-bucket",
            bucket=account_id.apply(lambda account: naming.bucket_name(prefix, account)),
            object_lock_enabled=config.object_lock.enabled,
            force_destroy=config.force_destroy,
            tags=with_name(tags, f"{prefix}-audit", **{"lake-zone": "audit"}),
            opts=protected,
        )
        buckets.harden(
            f"{name}-bucket",
            self.bucket,
            key_arn=key_arn,
            lifecycle=config.lifecycle,
            log_target=foundation.buckets.access_logs,
            log_prefix="audit/",
            parent=self,
        )
        self.object_lock = (
            s3.BucketObjectLockConfiguration(
                f"{name}-bucket-object-lock",
                bucket=self.bucket.id,
                object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": "GOVERNANCE", "days": config.object_lock.retention_days}},
                opts=child,
            )
            if config.object_lock.enabled
            else None
        )
        self.bucket_policy = buckets.tls_only_policy(
            f"{name}-bucket",
            self.bucket,
            parent=self,
            extra=pulumi.Output.all(self.bucket.arn, account_id, trail_arn).apply(
                lambda values: access.bucket_policy_statements(*values)
            ),
        )

        log_group_name = naming.log_group_name(prefix)
        self.log_group = encrypted_log_group(
            f"{name}-logs",
            name=log_group_name,
            key_arn=key_arn,
            retention_days=config.log_retention_days,
            tags=with_name(tags, log_group_name),
            opts=child,
        )
        self.role, self.role_policy = role_with_policy(
            f"{name}-logs-role",
            policy_resource_name=f"{name}-logs-policy",
            description=f"Lets CloudTrail deliver the {prefix} audit trail to its log group",
            assume_role_policy=access.log_delivery_trust(),
            policy=iam.document_from(access.log_delivery_statements, self.log_group.arn, account_id),
            tags=with_name(tags, f"{prefix}-audit-logs"),
            opts=child,
        )

        zone_arns = [foundation.buckets.by_role()[role].arn for role in ZONE_ROLES]
        trail = naming.trail_name(prefix)
        self.trail = cloudtrail.Trail(
            f"{name}-trail",
            name=trail,
            s3_bucket_name=self.bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key_arn,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),  # CloudTrail wants the ":*"
            cloud_watch_logs_role_arn=self.role.arn,
            advanced_event_selectors=pulumi.Output.all(*zone_arns).apply(
                lambda arns: selectors.advanced_event_selectors(arns, config.s3_data_events)
            ),
            tags=with_name(tags, trail),
            # CreateTrail checks the bucket policy and the role at once; lock before the first file lands.
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=config.protect,
                depends_on=[self.bucket_policy, self.role_policy, *([self.object_lock] if self.object_lock else [])],
            ),
        )
        self.metric_filters = [
            cloudwatch.LogMetricFilter(
                f"{name}-{spec.name}",
                name=f"{prefix}-{spec.name}",
                log_group_name=self.log_group.name,
                pattern=spec.pattern,
                metric_transformation={"name": spec.metric, "namespace": NAMESPACE, "value": "1"},
                opts=child,
            )
            for spec in METRIC_FILTERS
        ]
        self.register_outputs(exported(self.stack_outputs()))

    def stack_outputs(self) -> AuditTrailOutputs:
        return AuditTrailOutputs(
            trail_arn=self.trail.arn,
            audit_bucket=self.bucket.bucket,
            log_group_name=self.log_group.name,
            metric_filters=[(spec.name, spec.pattern) for spec in METRIC_FILTERS],
        )

    def alarms(self) -> list[Alarm]:
        """One alarm per metric filter: any single event is worth a look."""
        return [
            Alarm(
                name=spec.name,
                metric=spec.metric,
                namespace=NAMESPACE,
                dimensions={},
                threshold=1,
                runbook=spec.runbook,
                statistic="Sum",
                comparison="GreaterThanOrEqualToThreshold",
                missing_data="notBreaching",
            )
            for spec in METRIC_FILTERS
        ]


def _key_policy(scope: iam.KeyPolicyScope, config: AuditTrailConfig) -> list[iam.Statement]:
    return access.key_grant(scope)  # the trail's name, hence its grant, does not depend on config


REGISTRATION = Registration(
    key="audit_trail",
    config_model=AuditTrailConfig,
    factory=standard_factory(AuditTrail),
    key_policy=_key_policy,
    depends_on=("foundation",),
    summary="Multi-region CloudTrail trail to an Object Lock audit bucket and a watched CloudWatch Logs group",
)
