"""The security events the trail's log group is watched for: CloudWatch Logs metric filters.

Patterns are the CIS AWS Foundations Benchmark's (monitoring section; AWS Security Hub controls
CloudWatch.1, CloudWatch.7 and CloudWatch.8). Each filter counts matching events into a metric of
:data:`NAMESPACE`; the component alarms on each (``AuditTrail.alarms``).
"""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "Lakehouse/Audit"


@dataclass(frozen=True)
class MetricFilter:
    """One watched event: filter name, metric name, CloudWatch Logs pattern and what to do."""

    name: str
    metric: str
    pattern: str
    runbook: str


METRIC_FILTERS = (
    MetricFilter(
        "root-account-usage",
        "RootAccountUsage",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        "The root user made a call: find who signed in (sourceIPAddress, userAgent in the trail) and, if it "
        "was not a planned break-glass use, rotate the root password and MFA.",
    ),
    MetricFilter(
        "kms-key-disabled-or-deletion-scheduled",
        "KmsKeyDisabledOrDeletionScheduled",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
        "A KMS key was disabled or scheduled for deletion: if it is the lake key, run kms enable-key or "
        "kms cancel-key-deletion now; everything it encrypts becomes unreadable.",
    ),
    MetricFilter(
        "s3-bucket-policy-changed",
        "S3BucketPolicyChanges",
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) "
        "|| ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) "
        "|| ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) "
        "|| ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
        "A bucket's policy, ACL, CORS, lifecycle or replication changed: check the event's bucket and "
        "caller; outside a pulumi up, revert it with pulumi up and find out who changed it.",
    ),
)
