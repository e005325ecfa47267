"""AuditTrail under mocks, in the repo's dev and prod stacks: what a security reviewer checks."""

from __future__ import annotations

import json

import pytest

from lakehouse.preview import policy_gate
from lakehouse.preview.access import AccessModel
from policies.guardrails import RULES, audit
from tests.components.conftest import planned_per_stack
from tests.conftest import REPO, one, plan_stack_with, policy_of, resources_of

# The blocks proposed for Pulumi.dev.yaml and Pulumi.prod.yaml.
DEV_BLOCK = {
    "s3_data_events": "none",
    "log_retention_days": 30,
    "force_destroy": True,
    "object_lock": {"enabled": False},
    "lifecycle": {"expire_after_days": 90},
}
PROD_BLOCK = {
    "s3_data_events": "all",
    "log_retention_days": 365,
    "protect": True,
    "object_lock": {"enabled": True, "retention_days": 365},
    "lifecycle": {"infrequent_access_after_days": 30, "glacier_after_days": 90, "expire_after_days": 2555},
}

# The entries proposed for policies/config/{dev,prod}.json: dev keeps no lock (disposable), prod must.
PROPOSED_POLICY_CONFIG = {
    "dev": {"cloudtrail-bucket-object-lock": "disabled"},
    "prod": {"cloudtrail-bucket-object-lock": "mandatory"},
}

ACCOUNT = "123456789012"
KEY_PREFIX = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/"
CLOUDTRAIL = "cloudtrail.amazonaws.com"
TRAIL = {"dev": "lakehouse-dev-audit", "prod": "lakehouse-prod-audit"}
AUDIT_BUCKET = {"dev": f"lakehouse-dev-audit-{ACCOUNT}", "prod": f"lakehouse-prod-audit-{ACCOUNT}"}
OTHER_TRAIL = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/someone-elses-trail"
# The mocks name the foundation's buckets deterministically from their logical names.
RAW, PROCESSED, CURATED = "foundation-raw-dbe090e", "foundation-processed-9cf25ea", "foundation-curated-526e421"
ACCESS_LOGS = "foundation-access-logs-ba9893e"
MANAGEMENT = {
    "name": "Management events, read and write (KMS and Glue included)",
    "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
}


plans = planned_per_stack("audit_trail", dev=DEV_BLOCK, prod=PROD_BLOCK)


@pytest.fixture(scope="module")
def models(plans):
    return {name: AccessModel.from_records(plan.records) for name, plan in plans.items()}


def trail_arn(stack_name: str) -> str:
    return f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/{TRAIL[stack_name]}"


def trail_of(plan):
    return one(plan, "aws:cloudtrail/trail:Trail", "audit_trail-trail")


def statements_by_sid(resource) -> dict[str, dict]:
    return {s["Sid"]: s for s in policy_of(resource)["Statement"]}


# --- the trail ---------------------------------------------------------------------------------


def test_trail_records_every_region_and_global_services_with_validated_files(stack):
    name, plan = stack
    props = trail_of(plan).props
    assert {k: props[k] for k in ("name", "isMultiRegionTrail", "includeGlobalServiceEvents")} == {
        "name": TRAIL[name],
        "isMultiRegionTrail": True,
        "includeGlobalServiceEvents": True,
    }
    assert (props["enableLogFileValidation"], props["enableLogging"]) == (True, True)


def test_trail_encrypts_with_the_stack_key(stack):
    _, plan = stack
    assert trail_of(plan).props["kmsKeyId"] == plan.outputs["foundation"]["kms_key_arn"]
    assert trail_of(plan).props["kmsKeyId"].startswith(KEY_PREFIX)


def test_trail_delivers_to_the_audit_bucket_and_to_its_log_group_through_its_role(stack, models):
    name, plan = stack
    props = trail_of(plan).props
    assert props["s3BucketName"] == AUDIT_BUCKET[name]
    assert "s3KeyPrefix" not in props  # files land under AWSLogs/<account>/, as the bucket policy expects
    assert props["cloudWatchLogsGroupArn"] == (
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:aws-cloudtrail-logs-lakehouse-{name}:*"
    )
    assert props["cloudWatchLogsRoleArn"] == models[name].role_arn("audit_trail-logs-role")


def test_trail_waits_for_the_bucket_policy_the_log_role_and_the_lock(plans):
    # CreateTrail checks the bucket policy and the role when it is called; files must land locked.
    (record,) = [r for r in plans["prod"].records if r.name == "audit_trail-trail"]
    waited_for = {urn.rsplit("::", 1)[1] for urn in record.dependencies}
    assert {"audit_trail-bucket-policy", "audit_trail-logs-policy", "audit_trail-bucket-object-lock"} <= waited_for


def test_prod_records_management_events_and_object_events_of_exactly_the_zone_buckets(plans):
    assert trail_of(plans["prod"]).props["advancedEventSelectors"] == [
        MANAGEMENT,
        {
            "name": "S3 object events (all) on the lake's zone buckets",
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {
                    "field": "resources.ARN",
                    "startsWiths": [f"arn:aws:s3:::{RAW}/", f"arn:aws:s3:::{PROCESSED}/", f"arn:aws:s3:::{CURATED}/"],
                },
            ],
        },
    ]


def test_dev_records_management_events_only(plans):
    assert trail_of(plans["dev"]).props["advancedEventSelectors"] == [MANAGEMENT]


def test_zone_buckets_named_by_the_selectors_are_the_foundations(plans):
    buckets = plans["prod"].outputs["foundation"]["buckets"]
    assert (buckets["raw"], buckets["processed"], buckets["curated"]) == (RAW, PROCESSED, CURATED)


def test_no_self_logging_loop(stack):
    name, plan = stack
    selectors = json.dumps(trail_of(plan).props["advancedEventSelectors"])
    assert AUDIT_BUCKET[name] not in selectors
    assert ACCESS_LOGS not in selectors
    assert trail_of(plan).props["s3BucketName"] not in (RAW, PROCESSED, CURATED)


# --- the stack key -------------------------------------------------------------------------------


def test_key_policy_admits_cloudtrail_for_this_trail_only(stack):
    name, plan = stack
    statements = statements_by_sid(one(plan, "aws:kms/key:Key", "foundation-key"))
    this_trail = {"StringEquals": {"aws:SourceArn": trail_arn(name)}}
    assert statements["AuditTrailEncryptsLogFiles"] == {
        "Sid": "AuditTrailEncryptsLogFiles",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey*"],
        "Principal": {"Service": CLOUDTRAIL},
        "Resource": "*",
        "Condition": {
            **this_trail,
            "StringLike": {
                "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/{TRAIL[name]}"
            },
        },
    }
    assert statements["AuditTrailDecryptsWithBucketKey"]["Condition"] == this_trail
    assert statements["AuditTrailDescribesKey"]["Condition"] == this_trail
    cloudtrail_sids = sorted(sid for sid, s in statements.items() if s["Principal"] == {"Service": CLOUDTRAIL})
    assert cloudtrail_sids == [
        "AuditTrailDecryptsWithBucketKey",
        "AuditTrailDescribesKey",
        "AuditTrailEncryptsLogFiles",
    ]


def test_the_key_grant_names_the_trail_that_is_created(stack):
    name, plan = stack
    assert plan.outputs["audit_trail"]["trail_arn"] == trail_arn(name)


def test_without_the_audit_trail_the_key_admits_no_cloudtrail(tmp_path):
    plan = plan_stack_with(tmp_path, "dev", audit_trail=None)
    principals = [s["Principal"] for s in policy_of(one(plan, "aws:kms/key:Key", "foundation-key"))["Statement"]]
    assert {"Service": CLOUDTRAIL} not in principals


# --- the audit bucket ----------------------------------------------------------------------------


def test_prod_audit_bucket_is_locked_in_governance_mode_for_a_year(plans):
    plan = plans["prod"]
    assert one(plan, "aws:s3/bucket:Bucket", "audit_trail-bucket").props["objectLockEnabled"] is True
    lock = one(
        plan,
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "audit_trail-bucket-object-lock",
    )
    assert lock.props == {
        "bucket": AUDIT_BUCKET["prod"],
        "objectLockEnabled": "Enabled",
        "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}},
    }
    assert one(plan, "aws:s3/bucket:Bucket", "audit_trail-bucket").props["forceDestroy"] is False


def test_dev_audit_bucket_is_unlocked_and_deletable(plans):
    plan = plans["dev"]
    bucket = one(plan, "aws:s3/bucket:Bucket", "audit_trail-bucket")
    assert (bucket.props["objectLockEnabled"], bucket.props["forceDestroy"]) == (False, True)
    assert resources_of(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration") == []


def test_audit_bucket_is_hardened_like_the_lake_buckets(stack):
    name, plan = stack

    def setting(kind: str, suffix: str):
        return one(plan, kind, f"audit_trail-bucket-{suffix}").props

    assert setting("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership")["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    block = setting("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access")
    assert [
        block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    ] == [True] * 4
    (rule,) = setting(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption"
    )["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": plan.outputs["foundation"]["kms_key_arn"],
    }
    assert setting("aws:s3/bucketVersioning:BucketVersioning", "versioning")["versioningConfiguration"] == {
        "status": "Enabled"
    }
    statements = statements_by_sid(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit_trail-bucket-policy"))
    assert statements["DenyInsecureTransport"]["Resource"] == [
        f"arn:aws:s3:::{AUDIT_BUCKET[name]}",
        f"arn:aws:s3:::{AUDIT_BUCKET[name]}/*",
    ]


def test_audit_bucket_logs_access_to_the_foundations_log_bucket(stack):
    _, plan = stack
    logging = one(plan, "aws:s3/bucketLogging:BucketLogging", "audit_trail-bucket-logging").props
    assert (logging["targetBucket"], logging["targetPrefix"]) == (ACCESS_LOGS, "audit/")


def test_audit_bucket_lifecycle_comes_from_the_stack_block(plans):
    (dev_rule,) = one(
        plans["dev"], "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "audit_trail-bucket-lifecycle"
    ).props["rules"]
    (prod_rule,) = one(
        plans["prod"],
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "audit_trail-bucket-lifecycle",
    ).props["rules"]
    assert dev_rule["expiration"] == {"days": 90} and "transitions" not in dev_rule
    assert prod_rule["expiration"] == {"days": 2555}
    assert prod_rule["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER_IR"},
    ]


# --- the log group and its watchers -----------------------------------------------------------


def test_log_group_is_encrypted_with_the_stack_key_and_kept_per_stack(plans):
    for name, days in (("dev", 30), ("prod", 365)):
        group = one(plans[name], "aws:cloudwatch/logGroup:LogGroup", "audit_trail-logs").props
        assert group["name"] == f"aws-cloudtrail-logs-lakehouse-{name}"
        assert group["retentionInDays"] == days
        assert group["kmsKeyId"] == plans[name].outputs["foundation"]["kms_key_arn"]


def test_log_role_is_trusted_by_cloudtrail_alone(stack):
    _, plan = stack
    trust = json.loads(one(plan, "aws:iam/role:Role", "audit_trail-logs-role").props["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "TrustCloudTrail",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Principal": {"Service": CLOUDTRAIL},
        }
    ]


def test_metric_filters_count_root_use_key_deletion_and_bucket_policy_changes(stack):
    name, plan = stack
    filters = {
        r.props["name"]: r.props
        for r in resources_of(plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter")
        if r.component == "audit_trail"
    }
    assert sorted(filters) == [
        f"lakehouse-{name}-kms-key-disabled-or-deletion-scheduled",
        f"lakehouse-{name}-root-account-usage",
        f"lakehouse-{name}-s3-bucket-policy-changed",
    ]
    root = filters[f"lakehouse-{name}-root-account-usage"]
    assert root["logGroupName"] == f"aws-cloudtrail-logs-lakehouse-{name}"
    assert root["pattern"] == (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    )
    assert root["metricTransformation"] == {"name": "RootAccountUsage", "namespace": "Lakehouse/Audit", "value": "1"}
    assert filters[f"lakehouse-{name}-kms-key-disabled-or-deletion-scheduled"]["pattern"] == (
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    )
    assert "($.eventName = PutBucketPolicy)" in filters[f"lakehouse-{name}-s3-bucket-policy-changed"]["pattern"]


def test_stack_exports_the_trail_bucket_log_group_and_filter_material(plans):
    outputs = plans["prod"].outputs["audit_trail"]
    assert {k: outputs[k] for k in ("trail_arn", "audit_bucket", "log_group_name")} == {
        "trail_arn": trail_arn("prod"),
        "audit_bucket": AUDIT_BUCKET["prod"],
        "log_group_name": "aws-cloudtrail-logs-lakehouse-prod",
    }
    assert [name for name, _ in outputs["metric_filters"]] == [
        "root-account-usage",
        "kms-key-disabled-or-deletion-scheduled",
        "s3-bucket-policy-changed",
    ]


def test_every_resource_is_tagged_and_parented_to_the_component(stack):
    name, plan = stack
    mine = [r for r in plan.resources if r.component == "audit_trail"]
    (component,) = [r for r in mine if r.type == "lakehouse:index:AuditTrail"]
    assert all(r.parent == component.urn for r in mine if r is not component)
    tagged = [r for r in mine if "tags" in r.props]
    assert sorted(r.type for r in tagged) == [
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/role:Role",
        "aws:s3/bucket:Bucket",
    ]
    assert all(r.props["tags"]["environment"] == name for r in tagged)


def test_monitoring_alarms_on_every_metric_filter(tmp_path):
    plan = plan_stack_with(tmp_path, "prod", audit_trail=PROD_BLOCK, monitoring={})
    alarms = {
        r.props["name"]: (r.props["namespace"], r.props["metricName"], r.props["threshold"])
        for r in resources_of(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if "-audit_trail-" in r.props["name"]
    }
    assert alarms == {
        "lakehouse-prod-audit_trail-root-account-usage": ("Lakehouse/Audit", "RootAccountUsage", 1),
        "lakehouse-prod-audit_trail-kms-key-disabled-or-deletion-scheduled": (
            "Lakehouse/Audit",
            "KmsKeyDisabledOrDeletionScheduled",
            1,
        ),
        "lakehouse-prod-audit_trail-s3-bucket-policy-changed": ("Lakehouse/Audit", "S3BucketPolicyChanges", 1),
    }


# --- policy pack ---------------------------------------------------------------------------------


def test_policy_pack_is_clean_with_the_audit_rules(stack, monkeypatch):
    name, plan = stack
    # RULES will include audit.RULES once integrated; until then add them (by name, so never twice).
    rules = {rule.name: rule for rule in [*RULES, *audit.RULES]}
    monkeypatch.setattr(policy_gate, "RULES", list(rules.values()))
    config = policy_gate.load_policy_config(REPO / "policies" / "config" / f"{name}.json")
    assert policy_gate.evaluate(plan.records, {**config, **PROPOSED_POLICY_CONFIG[name]}) == []


def test_prod_would_fail_the_object_lock_rule_without_a_lock(tmp_path, monkeypatch):
    plan = plan_stack_with(tmp_path, "prod", audit_trail={**PROD_BLOCK, "object_lock": {"enabled": False}})
    monkeypatch.setattr(policy_gate, "RULES", list(audit.RULES))
    found = policy_gate.evaluate(plan.records, {"cloudtrail-bucket-object-lock": "mandatory"})
    assert [(v["policy"], v["enforcement"], v["message"]) for v in found] == [
        (
            "cloudtrail-bucket-object-lock",
            "mandatory",
            "destination bucket audit_trail-bucket: objectLockEnabled must be True (Object Lock on the audit "
            "bucket); got False",
        ),
        (
            "cloudtrail-bucket-object-lock",
            "mandatory",
            "destination bucket audit_trail-bucket: no BucketObjectLockConfiguration with a default retention, "
            "so log files CloudTrail writes are not locked",
        ),
    ]


# --- who may do what -------------------------------------------------------------------------------


def log_file(stack_name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:s3:::{AUDIT_BUCKET[stack_name]}/AWSLogs/{account}/CloudTrail/eu-west-1/2025/01/31/x.json.gz"


def delivery(arn: str) -> dict[str, str]:
    return {"aws:SourceArn": arn, "s3:x-amz-acl": "bucket-owner-full-control"}


def test_cloudtrail_may_write_its_log_files_under_awslogs_of_this_account(stack, models):
    name, _ = stack
    assert models[name].allows(CLOUDTRAIL, "s3:PutObject", log_file(name), delivery(trail_arn(name)))
    assert models[name].allows(
        CLOUDTRAIL, "s3:GetBucketAcl", f"arn:aws:s3:::{AUDIT_BUCKET[name]}", delivery(trail_arn(name))
    )


def test_another_trail_may_not_write_to_the_audit_bucket(stack, models):
    name, _ = stack
    assert not models[name].allows(CLOUDTRAIL, "s3:PutObject", log_file(name), delivery(OTHER_TRAIL))
    assert not models[name].allows(
        CLOUDTRAIL, "s3:GetBucketAcl", f"arn:aws:s3:::{AUDIT_BUCKET[name]}", delivery(OTHER_TRAIL)
    )


def test_the_trail_may_not_write_outside_awslogs_of_this_account(stack, models):
    name, _ = stack
    model = models[name]
    assert not model.allows(CLOUDTRAIL, "s3:PutObject", log_file(name, "999999999999"), delivery(trail_arn(name)))
    assert not model.allows(
        CLOUDTRAIL, "s3:PutObject", f"arn:aws:s3:::{AUDIT_BUCKET[name]}/elsewhere/x.json.gz", delivery(trail_arn(name))
    )
    assert not model.allows(
        CLOUDTRAIL, "s3:PutObject", f"arn:aws:s3:::{RAW}/AWSLogs/{ACCOUNT}/x", delivery(trail_arn(name))
    )


def test_the_trail_must_hand_its_files_to_the_bucket_owner(stack, models):
    name, _ = stack
    assert not models[name].allows(CLOUDTRAIL, "s3:PutObject", log_file(name), {"aws:SourceArn": trail_arn(name)})


def test_cloudtrail_may_use_the_key_for_this_trail_only(stack, models):
    name, plan = stack
    key = plan.outputs["foundation"]["kms_key_arn"]
    context = {"aws:SourceArn": trail_arn(name), "kms:EncryptionContext:aws:cloudtrail:arn": trail_arn(name)}
    assert models[name].allows(CLOUDTRAIL, "kms:GenerateDataKey", key, context)
    assert models[name].allows(CLOUDTRAIL, "kms:DescribeKey", key, {"aws:SourceArn": trail_arn(name)})
    assert not models[name].allows(CLOUDTRAIL, "kms:GenerateDataKey", key, {**context, "aws:SourceArn": OTHER_TRAIL})
    assert not models[name].allows(
        CLOUDTRAIL, "kms:GenerateDataKey", key, {**context, "kms:EncryptionContext:aws:cloudtrail:arn": OTHER_TRAIL}
    )
    assert not models[name].allows(CLOUDTRAIL, "kms:Decrypt", key, {"aws:SourceArn": OTHER_TRAIL})


def test_the_log_role_writes_its_own_log_group_only(stack, models):
    name, _ = stack
    role = models[name].role_arn("audit_trail-logs-role")
    group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:aws-cloudtrail-logs-lakehouse-{name}"
    assert models[name].allows(role, "logs:PutLogEvents", f"{group}:log-stream:{ACCOUNT}_CloudTrail_eu-west-1")
    assert models[name].allows(role, "logs:CreateLogStream", f"{group}:log-stream:{ACCOUNT}_CloudTrail_us-east-1")
    assert not models[name].allows(
        role, "logs:PutLogEvents", f"{group}-other:log-stream:{ACCOUNT}_CloudTrail_eu-west-1"
    )
    assert not models[name].allows(role, "logs:DeleteLogGroup", group)


def test_s3_may_deliver_the_audit_buckets_access_logs(stack, models):
    name, _ = stack
    assert models[name].allows(
        "logging.s3.amazonaws.com",
        "s3:PutObject",
        f"arn:aws:s3:::{ACCESS_LOGS}/audit/{ACCOUNT}/eu-west-1/{AUDIT_BUCKET[name]}/2025/01/31/x",
        {"aws:SourceArn": f"arn:aws:s3:::{AUDIT_BUCKET[name]}", "aws:SourceAccount": ACCOUNT},
    )
