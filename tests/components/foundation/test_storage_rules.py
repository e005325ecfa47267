"""Pure decisions, tested without Pulumi: lifecycle rules, subnet plan, key and bucket policies."""

from __future__ import annotations

from components.foundation.config import ZoneLifecycle
from components.foundation.network import plan_subnets
from components.foundation.storage_rules import (
    allow_access_log_delivery,
    deny_insecure_transport,
    key_policy_statements,
    lifecycle_rules,
)


def test_a_zone_without_transitions_still_cleans_up_uploads_and_old_versions():
    assert lifecycle_rules(ZoneLifecycle()) == [
        {
            "id": "zone-lifecycle",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            "noncurrent_version_expiration": {"noncurrent_days": 90},
        }
    ]


def test_transitions_are_in_order_and_expiry_follows():
    (rule,) = lifecycle_rules(
        ZoneLifecycle(infrequent_access_after_days=30, glacier_after_days=60, expire_after_days=400)
    )
    assert rule["transitions"] == [
        {"days": 30, "storage_class": "STANDARD_IA"},
        {"days": 60, "storage_class": "GLACIER_IR"},
    ]
    assert rule["expiration"] == {"days": 400}


def test_subnets_keep_their_place_when_zones_or_nat_change():
    two = plan_subnets("10.20.0.0/16", 2, with_public=False)
    three = plan_subnets("10.20.0.0/16", 3, with_public=True)
    assert two.private == ["10.20.0.0/19", "10.20.32.0/19"]
    assert two.public == []
    assert three.private[:2] == two.private
    assert three.public == ["10.20.128.0/19", "10.20.160.0/19", "10.20.192.0/19"]


def test_smallest_vpc_still_gives_usable_subnets():
    plan = plan_subnets("10.1.0.0/22", 3, with_public=True)
    assert plan.private == ["10.1.0.0/25", "10.1.0.128/25", "10.1.1.0/25"]
    assert plan.public[0] == "10.1.2.0/25"


def test_deny_insecure_transport_covers_bucket_and_objects():
    deny_http, deny_old_tls = deny_insecure_transport("arn:aws:s3:::b")
    assert deny_http["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert deny_http["Effect"] == deny_old_tls["Effect"] == "Deny"
    assert deny_http["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_log_delivery_is_scoped_to_source_buckets_and_account():
    statement = allow_access_log_delivery("arn:aws:s3:::logs", ["arn:aws:s3:::raw"], "111122223333")
    assert statement["Resource"] == "arn:aws:s3:::logs/*"
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::raw"]},
        "StringEquals": {"aws:SourceAccount": "111122223333"},
    }


def test_key_policy_uses_the_partition_region_and_account():
    root, logs, delivery = key_policy_statements("111122223333", "cn-north-1", "aws-cn")
    assert root["Principal"] == {"AWS": "arn:aws-cn:iam::111122223333:root"}
    assert logs["Principal"] == {"Service": "logs.cn-north-1.amazonaws.com"}
    assert (
        logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
        == "arn:aws-cn:logs:cn-north-1:111122223333:log-group:*"
    )
    assert delivery["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}
