"""The offline access evaluation, on the foundation's real documents and on small hand-made ones."""

from __future__ import annotations

import json

from lakehouse.preview.access import AccessModel
from lakehouse.preview.mocks import Registered

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
BUCKET = "arn:aws:s3:::lake-raw"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k1"


def record(type_token: str, name: str, inputs: dict, outputs: dict | None = None, id: str = "") -> Registered:
    return Registered(
        urn=f"urn:{name}",
        type=type_token,
        name=name,
        parent=None,
        custom=True,
        inputs=inputs,
        id=id or name,
        outputs=outputs or {},
    )


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def model(
    *identity: dict, bucket_policy: list[dict] | None = None, key_policy: list[dict] | None = None
) -> AccessModel:
    records = [
        record(
            "aws:iam/role:Role", "reader-role", {"assumeRolePolicy": "{}"}, {"arn": ROLE, "name": "reader"}, id="reader"
        ),
        record("aws:iam/rolePolicy:RolePolicy", "reader-policy", {"role": "reader", "policy": doc(*identity)}),
    ]
    if bucket_policy is not None:
        records.append(
            record("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "lake-raw", "policy": doc(*bucket_policy)})
        )
    if key_policy is not None:
        records.append(record("aws:kms/key:Key", "key", {"policy": doc(*key_policy)}, {"arn": KEY}))
    return AccessModel.from_records(records)


def test_identity_allow_on_a_prefix_allows_it_and_denies_the_next_prefix():
    access = model({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{BUCKET}/raw/*"]})
    assert access.allows(ROLE, "s3:PutObject", f"{BUCKET}/raw/source=a/x.json")
    assert not access.allows(ROLE, "s3:PutObject", f"{BUCKET}/dms/x.csv")
    assert not access.allows(ROLE, "s3:GetObject", f"{BUCKET}/raw/x.json")


def test_bucket_policy_deny_without_tls_wins_over_an_identity_allow():
    access = model(
        {"Effect": "Allow", "Action": "s3:*", "Resource": f"{BUCKET}/*"},
        bucket_policy=[
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    )
    assert access.allows(ROLE, "s3:GetObject", f"{BUCKET}/a")
    decision = access.decide(ROLE, "s3:GetObject", f"{BUCKET}/a", {"aws:SecureTransport": "false"})
    assert not decision.allowed and "explicitly denied" in decision.reason


def test_a_key_needs_the_key_policy_to_delegate_to_iam():
    allow_key = {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY]}
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    assert model(allow_key, key_policy=[root]).allows(ROLE, "kms:Decrypt", KEY)
    assert not model(allow_key, key_policy=[]).allows(ROLE, "kms:Decrypt", KEY)
    assert not model({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, key_policy=[root]).allows(
        ROLE, "kms:Decrypt", KEY
    )


def test_conditions_on_service_principals_are_evaluated():
    access = model(
        bucket_policy=[
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{BUCKET}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    )
    assert access.allows("logging.s3.amazonaws.com", "s3:PutObject", f"{BUCKET}/x", {"aws:SourceAccount": ACCOUNT})
    assert not access.allows(
        "logging.s3.amazonaws.com", "s3:PutObject", f"{BUCKET}/x", {"aws:SourceAccount": "999999999999"}
    )
    assert not access.allows("logging.s3.amazonaws.com", "s3:PutObject", f"{BUCKET}/x")


def test_foundation_access_log_delivery_is_scoped_to_the_lake_buckets(dev_plan):
    access = AccessModel.from_records(dev_plan.records)
    logs = dev_plan.outputs["foundation"]["buckets"]["access_logs"]
    raw = dev_plan.outputs["foundation"]["buckets"]["raw"]
    context = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"arn:aws:s3:::{raw}"}
    assert access.allows("logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{logs}/raw/x", context)
    other = {**context, "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket"}
    assert not access.allows("logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{logs}/raw/x", other)
    assert not access.allows("logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{raw}/x", context)
