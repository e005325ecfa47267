"""S3 stack rules. In pulumi-aws v7 a bucket's settings are separate resources, so each rule
matches settings to their bucket (by the URN the ``bucket`` property depends on, else by a known
bucket name) and reports on the bucket that lacks them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import documents
from . import types as t
from .framework import ADVISORY, MANDATORY, UNKNOWN, Node, get, listed, must_equal, stack_rule


def _names(bucket: Node) -> set[str]:
    return {n for n in (get(bucket.props, "bucket"), get(bucket.props, "id")) if isinstance(n, str)}


def settings_of(bucket: Node, nodes: list[Node], types: tuple[str, ...]) -> list[Node]:
    """Settings resources of ``types`` that configure ``bucket``."""
    names = _names(bucket)
    return [
        node
        for node in nodes
        if node.type in types and (node.depends_on("bucket", bucket.urn) or get(node.props, "bucket") in names)
    ]


def buckets_with_settings(nodes: list[Node], types: tuple[str, ...]) -> Iterable[tuple[Node, list[Node]]]:
    for bucket in nodes:
        if bucket.type in t.S3_BUCKETS:
            yield bucket, settings_of(bucket, nodes, types)


def log_targets(nodes: list[Node]) -> set[str]:
    """URNs (and names) of buckets that receive another bucket's access logs."""
    targets: set[str] = set()
    for node in nodes:
        if node.type in t.S3_LOGGING:
            targets.update(node.property_dependencies.get("targetBucket", []))
            target = get(node.props, "targetBucket")
            if isinstance(target, str):
                targets.add(target)
    return targets


@stack_rule(
    "s3-bucket-blocks-public-access",
    "Every S3 bucket has a public access block with all four settings on",
    (*t.S3_BUCKETS, *t.S3_PUBLIC_ACCESS_BLOCK),
    MANDATORY,
    "exposure",
)
def public_access_blocked(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, blocks in buckets_with_settings(nodes, t.S3_PUBLIC_ACCESS_BLOCK):
        if not blocks:
            yield bucket.urn, "no BucketPublicAccessBlock for this bucket"
        for block in blocks:
            for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
                for problem in must_equal(block.props, flag, True, "public access blocked"):
                    yield bucket.urn, problem


def _denies_plain_http(statement: dict[str, Any]) -> bool:
    secure = get(statement, "Condition.Bool.aws:SecureTransport")
    return (
        statement.get("Effect") == "Deny"
        and "*" in documents.principals(statement)
        and str(secure).lower() == "false"
        and any(a in ("s3:*", "*") for a in documents.actions(statement))
    )


@stack_rule(
    "s3-bucket-denies-insecure-transport",
    "Every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport false)",
    (*t.S3_BUCKETS, *t.S3_POLICY),
    MANDATORY,
    "encryption in transit",
)
def denies_insecure_transport(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, policies in buckets_with_settings(nodes, t.S3_POLICY):
        parsed = [documents.parse(get(p.props, "policy")) for p in policies]
        problems = [problem for _, problem in parsed if problem]
        for problem in problems:
            yield bucket.urn, problem
        if problems:
            continue
        if not any(_denies_plain_http(s) for doc, _ in parsed if doc for s in documents.statements(doc)):
            yield bucket.urn, "no bucket policy statement denies s3:* to '*' when aws:SecureTransport is false"


@stack_rule(
    "s3-bucket-versioned",
    "Every S3 bucket has versioning enabled (recover from bad writes and deletes)",
    (*t.S3_BUCKETS, *t.S3_VERSIONING),
    MANDATORY,
    "operations",
)
def versioned(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, settings in buckets_with_settings(nodes, t.S3_VERSIONING):
        if not settings:
            yield bucket.urn, "no BucketVersioning for this bucket"
        for setting in settings:
            for problem in must_equal(setting.props, "versioningConfiguration.status", "Enabled", "versioning"):
                yield bucket.urn, problem


@stack_rule(
    "s3-bucket-has-lifecycle",
    "Every S3 bucket has a lifecycle configuration that aborts incomplete multipart uploads and expires noncurrent versions",
    (*t.S3_BUCKETS, *t.S3_LIFECYCLE),
    ADVISORY,
    "operations",
)
def has_lifecycle(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, settings in buckets_with_settings(nodes, t.S3_LIFECYCLE):
        rules = [rule for s in settings for rule in listed(get(s.props, "rules"))]
        if not rules:
            yield bucket.urn, "no BucketLifecycleConfiguration for this bucket"
            continue
        if UNKNOWN in rules:
            yield bucket.urn, "lifecycle rules are unknown at preview, so they cannot be verified"
            continue
        enabled = [r for r in rules if get(r, "status") == "Enabled"]
        if not any(get(r, "abortIncompleteMultipartUpload.daysAfterInitiation") for r in enabled):
            yield bucket.urn, "no enabled lifecycle rule aborts incomplete multipart uploads"
        if not any(get(r, "noncurrentVersionExpiration.noncurrentDays") for r in enabled):
            yield bucket.urn, "no enabled lifecycle rule expires noncurrent versions"


@stack_rule(
    "s3-bucket-access-logged",
    "Every S3 bucket except the access-log target logs server access (audit trail)",
    (*t.S3_BUCKETS, *t.S3_LOGGING),
    ADVISORY,
    "operations",
)
def access_logged(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    targets = log_targets(nodes)
    for bucket, settings in buckets_with_settings(nodes, t.S3_LOGGING):
        if bucket.urn in targets or _names(bucket) & targets:
            continue  # a log bucket logging to itself would log its own deliveries forever
        if not settings:
            yield bucket.urn, "no BucketLogging for this bucket"


@stack_rule(
    "s3-bucket-acls-disabled",
    "Every S3 bucket enforces bucket-owner ownership, which disables ACLs",
    (*t.S3_BUCKETS, *t.S3_OWNERSHIP),
    ADVISORY,
    "exposure",
)
def acls_disabled(nodes: list[Node], config: Any) -> Iterable[tuple[str, str]]:
    for bucket, settings in buckets_with_settings(nodes, t.S3_OWNERSHIP):
        if not settings:
            yield bucket.urn, "no BucketOwnershipControls for this bucket"
        for setting in settings:
            for problem in must_equal(setting.props, "rule.objectOwnership", "BucketOwnerEnforced", "ACLs disabled"):
                yield bucket.urn, problem


RULES = [public_access_blocked, denies_insecure_transport, versioned, has_lifecycle, access_logged, acls_disabled]
