"""The audit guardrails with compliant and violating props, through the policy SDK's own argument
classes, asserting the exact messages (as tests/policies/test_policy_rules.py does for the others)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from lakehouse.preview.mocks import Registered
from lakehouse.preview.policy_gate import _stack_resources, enforcement, load_policy_config
from policies.guardrails import RULES as PACK
from policies.guardrails.audit import RULES
from policies.guardrails.types import TAGGABLE
from tests.conftest import REPO

BY_NAME = {rule.name: rule for rule in RULES}
TRAIL_TYPE = "aws:cloudtrail/trail:Trail"
BUCKET_TYPE = "aws:s3/bucket:Bucket"
LOCK_TYPE = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
K = "arn:aws:kms:eu-west-1:123456789012:key/1111"
OPTS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
GOOD_TRAIL = {
    "enableLogFileValidation": True,
    "enableLogging": True,
    "kmsKeyId": K,
    "isMultiRegionTrail": True,
    "includeGlobalServiceEvents": True,
    "cloudWatchLogsGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:trail:*",
    "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-logs",
    "s3BucketName": "audit-1",
}


def violations(rule_name: str, props: dict[str, Any], resource_type: str = TRAIL_TYPE) -> list[str]:
    rule = BY_NAME[rule_name]
    found: list[str] = []
    args = ResourceValidationArgs(
        resource_type, unknown_checking_proxy(props), "urn:test", "test", OPTS, None, rule.config({})
    )
    rule.policy().validate(args, lambda message, urn=None: found.append(message))
    return found


# (rule, violating change to a compliant trail, exact messages)
RESOURCE_CASES = [
    (
        "cloudtrail-log-file-validation",
        {"enableLogFileValidation": False},
        ["enableLogFileValidation must be True (log file integrity validation); got False"],
    ),
    (
        "cloudtrail-log-file-validation",
        {"enableLogFileValidation": None},
        ["enableLogFileValidation must be True (log file integrity validation); got None"],
    ),
    (
        "cloudtrail-logging-enabled",
        {"enableLogging": False},
        ["enableLogging must not be false: a stopped trail records no API activity"],
    ),
    ("cloudtrail-encrypted-with-cmk", {"kmsKeyId": None}, ["kmsKeyId must name the stack's customer-managed KMS key"]),
    (
        "cloudtrail-encrypted-with-cmk",
        {"kmsKeyId": "alias/aws/s3"},
        ["kmsKeyId is the AWS-managed key 'alias/aws/s3'; use the stack's customer-managed key (rotation, key policy)"],
    ),
    (
        "cloudtrail-multi-region",
        {"isMultiRegionTrail": False},
        ["isMultiRegionTrail must be True (activity in every region is recorded); got False"],
    ),
    (
        "cloudtrail-multi-region",
        {"includeGlobalServiceEvents": False},
        ["includeGlobalServiceEvents must not be false: IAM and STS calls would go unrecorded"],
    ),
    (
        "cloudtrail-sends-to-cloudwatch-logs",
        {"cloudWatchLogsGroupArn": None, "cloudWatchLogsRoleArn": ""},
        [
            "cloudWatchLogsGroupArn must name a log group: without CloudWatch Logs no metric filter or alarm sees the trail",
            "cloudWatchLogsRoleArn must name the role CloudTrail uses: without CloudWatch Logs no metric filter or "
            "alarm sees the trail",
        ],
    ),
]


@pytest.mark.parametrize("rule", sorted({case[0] for case in RESOURCE_CASES}))
def test_a_hardened_trail_passes(rule):
    assert violations(rule, GOOD_TRAIL) == []


@pytest.mark.parametrize(
    "rule, change, expected", RESOURCE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RESOURCE_CASES)]
)
def test_a_weakened_trail_is_reported(rule, change, expected):
    props = {k: v for k, v in {**GOOD_TRAIL, **change}.items() if v is not None}
    assert violations(rule, props) == expected


def test_global_service_events_default_to_on_when_unset():
    props = {k: v for k, v in GOOD_TRAIL.items() if k != "includeGlobalServiceEvents"}
    assert violations("cloudtrail-multi-region", props) == []


def test_logging_defaults_to_on_when_unset():
    props = {k: v for k, v in GOOD_TRAIL.items() if k != "enableLogging"}
    assert violations("cloudtrail-logging-enabled", props) == []


def test_flags_unknown_at_preview_are_reported_not_passed():
    props = {
        **GOOD_TRAIL,
        "enableLogFileValidation": UNKNOWN_BOOLEAN_VALUE,
        "includeGlobalServiceEvents": UNKNOWN_BOOLEAN_VALUE,
        "enableLogging": UNKNOWN_BOOLEAN_VALUE,
    }
    assert violations("cloudtrail-logging-enabled", props) == [
        "enableLogging is unknown at preview, so it cannot be verified; set it to True explicitly"
    ]
    assert violations("cloudtrail-log-file-validation", props) == [
        "enableLogFileValidation is unknown at preview, so 'log file integrity validation' cannot be verified; "
        "set it to True explicitly"
    ]
    assert violations("cloudtrail-multi-region", props) == [
        "includeGlobalServiceEvents is unknown at preview, so it cannot be verified; set it to True explicitly"
    ]


def test_arns_unknown_at_preview_count_as_set():
    props = {**GOOD_TRAIL, "kmsKeyId": UNKNOWN_STRING_VALUE, "cloudWatchLogsRoleArn": UNKNOWN_STRING_VALUE}
    assert violations("cloudtrail-encrypted-with-cmk", props) == []
    assert violations("cloudtrail-sends-to-cloudwatch-logs", props) == []


def test_trail_rules_ignore_other_types():
    assert violations("cloudtrail-log-file-validation", {}, BUCKET_TYPE) == []


# --- the destination bucket's Object Lock (stack rule) -------------------------------------------

TRAIL_URN = f"urn:pulumi:s::p::{TRAIL_TYPE}::trail"
BUCKET_URN = f"urn:pulumi:s::p::{BUCKET_TYPE}::audit"
LOCKED = {"tags": {}, "objectLockEnabled": True}
RETENTION = {"objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 365.0}}}


def trail(props: dict | None = None, depends_on_bucket: bool = True) -> Registered:
    deps = {"s3BucketName": [BUCKET_URN]} if depends_on_bucket else {}
    return Registered(TRAIL_URN, TRAIL_TYPE, "trail", None, True, props or {**GOOD_TRAIL}, [], deps)


def bucket(props: dict) -> Registered:
    return Registered(BUCKET_URN, BUCKET_TYPE, "audit", None, True, props, [], {})


def lock(props: dict, bucket_urn: str = BUCKET_URN) -> Registered:
    return Registered(
        f"urn:pulumi:s::p::{LOCK_TYPE}::lock", LOCK_TYPE, "lock", None, True, props, [], {"bucket": [bucket_urn]}
    )


def stack_violations(records: list[Registered]) -> list[tuple[str, str]]:
    rule = BY_NAME["cloudtrail-bucket-object-lock"]
    found: list[tuple[str, str]] = []
    rule.policy().validate(
        StackValidationArgs(_stack_resources(records), rule.config({})), lambda m, u=None: found.append((u, m))
    )
    return found


def test_a_locked_destination_with_a_default_retention_passes():
    assert stack_violations([trail(), bucket(LOCKED), lock(RETENTION)]) == []


def test_a_destination_without_object_lock_is_reported():
    assert stack_violations([trail(), bucket({"tags": {}})]) == [
        (
            TRAIL_URN,
            "destination bucket audit: objectLockEnabled must be True (Object Lock on the audit bucket); got None",
        ),
        (
            TRAIL_URN,
            "destination bucket audit: no BucketObjectLockConfiguration with a default retention, so log files "
            "CloudTrail writes are not locked",
        ),
    ]


def test_object_lock_without_a_default_retention_is_reported():
    assert stack_violations([trail(), bucket(LOCKED), lock({"objectLockEnabled": "Enabled"})]) == [
        (
            TRAIL_URN,
            "destination bucket audit: no BucketObjectLockConfiguration with a default retention, so log files "
            "CloudTrail writes are not locked",
        )
    ]


def test_a_retention_given_in_years_counts():
    years = {"rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": 7.0}}}
    assert stack_violations([trail(), bucket(LOCKED), lock(years)]) == []


def test_another_buckets_lock_does_not_count():
    assert stack_violations([trail(), bucket(LOCKED), lock(RETENTION, bucket_urn="urn:other")]) == [
        (
            TRAIL_URN,
            "destination bucket audit: no BucketObjectLockConfiguration with a default retention, so log files "
            "CloudTrail writes are not locked",
        )
    ]


def test_the_destination_is_found_by_name_when_no_dependency_is_recorded():
    named = {**LOCKED, "bucket": "audit-1"}
    assert stack_violations([trail(depends_on_bucket=False), bucket(named), lock(RETENTION)]) == []


def test_a_destination_outside_the_stack_cannot_be_verified():
    assert stack_violations([trail({**GOOD_TRAIL, "s3BucketName": "someone-elses"}, depends_on_bucket=False)]) == [
        (TRAIL_URN, "the destination bucket is not created by this stack, so its Object Lock cannot be verified")
    ]


def test_an_unknown_lock_flag_is_reported():
    assert stack_violations([trail(), bucket({"objectLockEnabled": UNKNOWN_BOOLEAN_VALUE}), lock(RETENTION)]) == [
        (
            TRAIL_URN,
            "destination bucket audit: objectLockEnabled is unknown at preview, so 'Object Lock on the audit bucket' "
            "cannot be verified; set it to True explicitly",
        )
    ]


def test_the_lock_rule_is_advisory_unless_configured():
    assert BY_NAME["cloudtrail-bucket-object-lock"].level == "advisory"
    assert {rule.level for rule in RULES if rule.name != "cloudtrail-bucket-object-lock"} == {"mandatory"}


def test_a_destination_unknown_at_preview_cannot_be_verified():
    unknown = trail({**GOOD_TRAIL, "s3BucketName": UNKNOWN_STRING_VALUE}, depends_on_bucket=False)
    assert stack_violations([unknown]) == [
        (TRAIL_URN, "the destination bucket is unknown at preview, so its Object Lock cannot be verified")
    ]


# --- registration ----------------------------------------------------------------------------------


def test_the_audit_rules_are_in_the_pack():
    assert [rule.name for rule in PACK if rule.name in BY_NAME] == [
        "cloudtrail-log-file-validation",
        "cloudtrail-logging-enabled",
        "cloudtrail-encrypted-with-cmk",
        "cloudtrail-multi-region",
        "cloudtrail-sends-to-cloudwatch-logs",
        "cloudtrail-bucket-object-lock",
    ]


@pytest.mark.parametrize("stack, level", [("dev", "disabled"), ("prod", "mandatory")])
def test_the_stack_policy_config_sets_the_object_lock_level(stack, level):
    config = load_policy_config(REPO / "policies" / "config" / f"{stack}.json")
    assert enforcement(BY_NAME["cloudtrail-bucket-object-lock"], config) == level


def test_trails_carry_the_required_tags():
    assert TRAIL_TYPE in TAGGABLE
