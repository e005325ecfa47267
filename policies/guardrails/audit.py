"""Audit: CloudTrail trails that cover the account, can be trusted, and cannot be quietly erased."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .encryption import customer_key
from .framework import ADVISORY, MANDATORY, UNKNOWN, Node, get, is_set, must_equal, resource_rule, stack_rule
from .s3 import settings_of
from .types import CLOUDTRAIL, S3_BUCKETS, S3_OBJECT_LOCK

DOMAIN = "audit"


@resource_rule(
    "cloudtrail-log-file-validation",
    "CloudTrail trails write signed digest files, so a changed or deleted log file can be detected",
    (CLOUDTRAIL,),
    MANDATORY,
    DOMAIN,
)
def log_file_validation(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from must_equal(props, "enableLogFileValidation", True, "log file integrity validation")


@resource_rule(
    "cloudtrail-logging-enabled",
    "CloudTrail trails are logging (a stopped trail records nothing)",
    (CLOUDTRAIL,),
    MANDATORY,
    DOMAIN,
)
def logging_enabled(props: Any, config: Any, _: str) -> Iterable[str]:
    logging = get(props, "enableLogging")  # AWS's default is true: only false or unknown fails
    if logging is UNKNOWN:
        yield "enableLogging is unknown at preview, so it cannot be verified; set it to True explicitly"
    elif logging is False:
        yield "enableLogging must not be false: a stopped trail records no API activity"


@resource_rule(
    "cloudtrail-encrypted-with-cmk",
    "CloudTrail trails encrypt log files with a customer-managed key (SSE-KMS), not S3-managed keys",
    (CLOUDTRAIL,),
    MANDATORY,
    "encryption at rest",
)
def encrypted_with_cmk(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from customer_key(props, "kmsKeyId")


@resource_rule(
    "cloudtrail-multi-region",
    "CloudTrail trails record every region and the global services (IAM, STS, CloudFront)",
    (CLOUDTRAIL,),
    MANDATORY,
    DOMAIN,
)
def multi_region(props: Any, config: Any, _: str) -> Iterable[str]:
    yield from must_equal(props, "isMultiRegionTrail", True, "activity in every region is recorded")
    global_events = get(props, "includeGlobalServiceEvents")  # AWS's default is true: only false or unknown fails
    if global_events is UNKNOWN:
        yield "includeGlobalServiceEvents is unknown at preview, so it cannot be verified; set it to True explicitly"
    elif global_events is False:
        yield "includeGlobalServiceEvents must not be false: IAM and STS calls would go unrecorded"


@resource_rule(
    "cloudtrail-sends-to-cloudwatch-logs",
    "CloudTrail trails deliver to a CloudWatch Logs group (with the role to write there), where alarms watch them",
    (CLOUDTRAIL,),
    MANDATORY,
    DOMAIN,
)
def sends_to_cloudwatch_logs(props: Any, config: Any, _: str) -> Iterable[str]:
    for path, what in (
        ("cloudWatchLogsGroupArn", "a log group"),
        ("cloudWatchLogsRoleArn", "the role CloudTrail uses"),
    ):
        if not is_set(get(props, path)):
            yield f"{path} must name {what}: without CloudWatch Logs no metric filter or alarm sees the trail"


def _destinations(trail: Node, nodes: list[Node]) -> list[Node]:
    """The buckets of the stack a trail delivers to (by the URN ``s3BucketName`` depends on, else by name)."""
    name = get(trail.props, "s3BucketName")
    return [
        node
        for node in nodes
        if node.type in S3_BUCKETS
        and (trail.depends_on("s3BucketName", node.urn) or name in (get(node.props, "bucket"), get(node.props, "id")))
    ]


def _retains_by_default(lock: Node) -> bool:
    rule = get(lock.props, "rule.defaultRetention")
    return rule is UNKNOWN or (is_set(rule) and (is_set(get(rule, "days")) or is_set(get(rule, "years"))))


@stack_rule(
    "cloudtrail-bucket-object-lock",
    "A trail's destination bucket has S3 Object Lock on, with a default retention (log files cannot be deleted)",
    (CLOUDTRAIL, *S3_BUCKETS, *S3_OBJECT_LOCK),
    ADVISORY,
    DOMAIN,
)
def bucket_object_lock(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for trail in (n for n in nodes if n.type == CLOUDTRAIL):
        buckets = _destinations(trail, nodes)
        if not buckets:
            shown = "unknown at preview" if get(trail.props, "s3BucketName") is UNKNOWN else "not created by this stack"
            yield trail.urn, f"the destination bucket is {shown}, so its Object Lock cannot be verified"
        for bucket in buckets:
            for problem in must_equal(bucket.props, "objectLockEnabled", True, "Object Lock on the audit bucket"):
                yield trail.urn, f"destination bucket {bucket.name}: {problem}"
            locks = settings_of(bucket, nodes, S3_OBJECT_LOCK)
            if not any(_retains_by_default(lock) for lock in locks):
                yield (
                    trail.urn,
                    f"destination bucket {bucket.name}: no BucketObjectLockConfiguration with a default retention, "
                    "so log files CloudTrail writes are not locked",
                )


RULES = [
    log_file_validation,
    logging_enabled,
    encrypted_with_cmk,
    multi_region,
    sends_to_cloudwatch_logs,
    bucket_object_lock,
]
