"""The audit trail's pure decisions: names, the key grant, the bucket and role statements, selectors."""

from __future__ import annotations

import pytest

from components.audit_trail import key_grant
from components.audit_trail.access import bucket_policy_statements, log_delivery_statements
from components.audit_trail.naming import bucket_name, check_name_prefix, log_group_name, trail_arn
from components.audit_trail.selectors import advanced_event_selectors
from components.iam import KeyPolicyScope

TRAIL = "arn:aws-cn:cloudtrail:cn-north-1:111122223333:trail/acme-qa-audit"
ZONES = ["arn:aws:s3:::raw-1", "arn:aws:s3:::processed-1", "arn:aws:s3:::curated-1"]
MANAGEMENT = {
    "name": "Management events, read and write (KMS and Glue included)",
    "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
}


def test_names_derive_from_the_prefix_and_the_account():
    assert trail_arn("aws", "eu-west-1", "123456789012", "acme-qa") == (
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-qa-audit"
    )
    assert bucket_name("acme-qa", "123456789012") == "acme-qa-audit-123456789012"
    assert log_group_name("acme-qa") == "aws-cloudtrail-logs-acme-qa"


@pytest.mark.parametrize("prefix", ["Acme", "acme_qa", "-acme", "a" * 45, ""])
def test_a_prefix_that_cannot_name_a_bucket_is_refused(prefix):
    with pytest.raises(ValueError, match="must be 1-44 lowercase letters, digits or '-'"):
        check_name_prefix(prefix)


def test_longest_prefix_still_gives_a_valid_bucket_name():
    assert len(bucket_name(check_name_prefix("a" * 44), "123456789012")) == 63


def test_key_grant_admits_cloudtrail_for_the_stacks_trail_only():
    statements = key_grant(KeyPolicyScope("111122223333", "cn-north-1", "aws-cn", "acme-qa"))
    principal = {"Service": "cloudtrail.amazonaws.com"}
    this_trail = {"StringEquals": {"aws:SourceArn": TRAIL}}
    assert statements == [
        {
            "Sid": "AuditTrailEncryptsLogFiles",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey*"],
            "Principal": principal,
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceArn": TRAIL},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws-cn:cloudtrail:*:111122223333:trail/acme-qa-audit"
                },
            },
        },
        {
            "Sid": "AuditTrailDecryptsWithBucketKey",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Principal": principal,
            "Resource": "*",
            "Condition": this_trail,
        },
        {
            "Sid": "AuditTrailDescribesKey",
            "Effect": "Allow",
            "Action": ["kms:DescribeKey"],
            "Principal": principal,
            "Resource": "*",
            "Condition": this_trail,
        },
    ]


def test_bucket_policy_lets_the_trail_check_the_bucket_and_write_under_its_account_prefix():
    statements = bucket_policy_statements("arn:aws:s3:::audit-1", "111122223333", TRAIL)
    assert statements == [
        {
            "Sid": "AuditTrailChecksBucketAcl",
            "Effect": "Allow",
            "Action": ["s3:GetBucketAcl"],
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Resource": "arn:aws:s3:::audit-1",
            "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}},
        },
        {
            "Sid": "AuditTrailWritesLogFiles",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Resource": "arn:aws:s3:::audit-1/AWSLogs/111122223333/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}},
        },
    ]


def test_log_role_writes_only_the_trails_own_streams_of_its_log_group():
    group = "arn:aws:logs:eu-west-1:111122223333:log-group:trail-logs"
    assert log_delivery_statements(group, "111122223333") == [
        {
            "Sid": "DeliverTrailEvents",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{group}:log-stream:111122223333_CloudTrail_*"],
        }
    ]


def test_no_data_events_leaves_management_events_only():
    assert advanced_event_selectors(ZONES, "none") == [MANAGEMENT]


def test_all_data_events_select_every_object_call_on_exactly_the_zone_buckets():
    assert advanced_event_selectors(ZONES, "all") == [
        MANAGEMENT,
        {
            "name": "S3 object events (all) on the lake's zone buckets",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {
                    "field": "resources.ARN",
                    "starts_withs": ["arn:aws:s3:::raw-1/", "arn:aws:s3:::processed-1/", "arn:aws:s3:::curated-1/"],
                },
            ],
        },
    ]


@pytest.mark.parametrize("mode, read_only", [("read", ["true"]), ("write", ["false"])])
def test_read_or_write_data_events_add_a_read_only_field(mode, read_only):
    data = advanced_event_selectors(ZONES, mode)[1]
    assert data["name"] == f"S3 object events ({mode}) on the lake's zone buckets"
    assert data["field_selectors"][-1] == {"field": "readOnly", "equals": read_only}
