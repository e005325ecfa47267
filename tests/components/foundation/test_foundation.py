"""DataLakeFoundation under mocks: what a security reviewer checks, on both stacks."""

from __future__ import annotations

import json

import pytest

from components import DataLakeFoundation, FoundationConfig
from components.foundation.config import LifecycleConfig, VpcConfig, ZoneLifecycle
from tests.components.conftest import build
from tests.conftest import one, policy_of, resources_of

ROLES = ["raw", "processed", "curated", "athena-results", "artifacts", "access-logs"]
KEY_ARN_PREFIX = "arn:aws:kms:eu-west-1:123456789012:key/"


def _bucket_id(plan, role):
    return plan.outputs["foundation"]["buckets"][role.replace("-", "_")]


@pytest.mark.parametrize("role", ROLES)
def test_every_bucket_is_encrypted_with_the_lake_key_and_bucket_key(stack_plan, role):
    key = one(stack_plan, "aws:kms/key:Key", "foundation-key")
    encryption = one(
        stack_plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"foundation-{role}-encryption",
    )
    (rule,) = encryption.props["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith(KEY_ARN_PREFIX)
    assert rule["bucketKeyEnabled"] is True
    assert key.type == "aws:kms/key:Key"
    assert encryption.props["bucket"] == _bucket_id(stack_plan, role)


@pytest.mark.parametrize("role", ROLES)
def test_every_bucket_blocks_all_four_kinds_of_public_access(stack_plan, role):
    block = one(
        stack_plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"foundation-{role}-public-access"
    )
    assert {
        k: block.props[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    } == {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_bucket_is_versioned_and_owner_enforced(stack_plan, role):
    versioning = one(stack_plan, "aws:s3/bucketVersioning:BucketVersioning", f"foundation-{role}-versioning")
    ownership = one(
        stack_plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"foundation-{role}-ownership"
    )
    assert versioning.props["versioningConfiguration"] == {"status": "Enabled"}
    assert ownership.props["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


@pytest.mark.parametrize("role", ROLES)
def test_every_bucket_policy_denies_non_tls_and_old_tls(stack_plan, role):
    statements = {
        s["Sid"]: s
        for s in policy_of(one(stack_plan, "aws:s3/bucketPolicy:BucketPolicy", f"foundation-{role}-policy"))[
            "Statement"
        ]
    }
    bucket_arn = f"arn:aws:s3:::{_bucket_id(stack_plan, role)}"
    assert statements["DenyInsecureTransport"] == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Action": ["s3:*"],
        "Principal": "*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert statements["DenyOutdatedTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "access-logs"])
def test_every_data_bucket_logs_access_to_the_log_bucket(stack_plan, role):
    logging = one(stack_plan, "aws:s3/bucketLogging:BucketLogging", f"foundation-{role}-logging")
    assert logging.props["targetBucket"] == _bucket_id(stack_plan, "access-logs")
    assert logging.props["targetPrefix"] == f"{role}/"


def test_log_bucket_does_not_log_to_itself_and_admits_only_s3_log_delivery(stack_plan):
    assert [
        r
        for r in resources_of(stack_plan, "aws:s3/bucketLogging:BucketLogging")
        if r.name == "foundation-access-logs-logging"
    ] == []
    statements = {
        s["Sid"]: s
        for s in policy_of(one(stack_plan, "aws:s3/bucketPolicy:BucketPolicy", "foundation-access-logs-policy"))[
            "Statement"
        ]
    }
    delivery = statements["AllowS3ServerAccessLogDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == ["s3:PutObject"]
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert len(delivery["Condition"]["ArnLike"]["aws:SourceArn"]) == 6
    assert delivery["Condition"]["ArnLike"]["aws:SourceArn"][-1] == f"arn:aws:s3:::lakehouse-{stack_plan.stack}-*"


def test_key_rotates_and_its_policy_admits_only_account_logs_and_log_delivery(stack_plan):
    key = one(stack_plan, "aws:kms/key:Key", "foundation-key")
    assert key.props["enableKeyRotation"] is True
    statements = policy_of(key)["Statement"]
    principals = [s["Principal"] for s in statements]
    assert principals[:3] == [
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"Service": "logs.eu-west-1.amazonaws.com"},
        {"Service": "logging.s3.amazonaws.com"},
    ]
    # What follows comes from other components' key grants: AWS services only, never an account or "*".
    assert all(set(p) == {"Service"} for p in principals[3:])
    assert all(s["Effect"] == "Allow" for s in statements)
    assert statements[1]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"}
    }


def test_dev_lifecycle_days_come_from_the_stack_file(dev_plan):
    raw = one(dev_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "foundation-raw-lifecycle")
    assert raw.props["rules"] == [
        {
            "id": "zone-lifecycle",
            "status": "Enabled",
            "filter": {},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
            "noncurrentVersionExpiration": {"noncurrentDays": 7},
            "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}],
            "expiration": {"days": 180},
        }
    ]


def test_prod_lifecycle_moves_raw_to_glacier_and_keeps_logs_seven_years(prod_plan):
    raw = one(prod_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "foundation-raw-lifecycle")
    logs = one(
        prod_plan,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "foundation-access-logs-lifecycle",
    )
    assert raw.props["rules"][0]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER_IR"},
    ]
    assert "expiration" not in raw.props["rules"][0]
    assert logs.props["rules"][0]["expiration"] == {"days": 2555}


def test_glue_databases_security_configuration_and_catalog_encryption(prod_plan):
    names = sorted(r.props["name"] for r in resources_of(prod_plan, "aws:glue/catalogDatabase:CatalogDatabase"))
    assert names == ["lakehouse_prod_bronze", "lakehouse_prod_gold", "lakehouse_prod_silver"]
    security = one(prod_plan, "aws:glue/securityConfiguration:SecurityConfiguration", "foundation-glue-security")
    encryption = security.props["encryptionConfiguration"]
    assert encryption["s3Encryption"]["s3EncryptionMode"] == "SSE-KMS"
    assert encryption["cloudwatchEncryption"]["cloudwatchEncryptionMode"] == "SSE-KMS"
    assert encryption["jobBookmarksEncryption"]["jobBookmarksEncryptionMode"] == "CSE-KMS"
    assert {
        e[k]
        for e, k in [
            (encryption["s3Encryption"], "kmsKeyArn"),
            (encryption["cloudwatchEncryption"], "kmsKeyArn"),
            (encryption["jobBookmarksEncryption"], "kmsKeyArn"),
        ]
    } == {prod_plan.outputs["foundation"]["kms_key_arn"]}
    catalog = one(
        prod_plan,
        "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
        "foundation-catalog-encryption",
    )
    settings = catalog.props["dataCatalogEncryptionSettings"]
    assert settings["encryptionAtRest"] == {
        "catalogEncryptionMode": "SSE-KMS",
        "sseAwsKmsKeyId": prod_plan.outputs["foundation"]["kms_key_arn"],
    }
    assert settings["connectionPasswordEncryption"]["returnConnectionPasswordEncrypted"] is True


def test_prod_has_a_private_vpc_without_nat_and_dev_has_none(dev_plan, prod_plan):
    assert resources_of(dev_plan, "aws:ec2/vpc:Vpc") == []
    assert len(resources_of(prod_plan, "aws:ec2/vpc:Vpc")) == 1
    subnets = resources_of(prod_plan, "aws:ec2/subnet:Subnet")
    assert sorted(s.props["cidrBlock"] for s in subnets) == ["10.40.0.0/19", "10.40.32.0/19"]
    assert sorted(s.props["availabilityZone"] for s in subnets) == ["eu-west-1a", "eu-west-1b"]
    assert all(s.props["mapPublicIpOnLaunch"] is False for s in subnets)
    assert resources_of(prod_plan, "aws:ec2/natGateway:NatGateway") == []
    endpoints = {
        e.props["serviceName"]: e.props["vpcEndpointType"]
        for e in resources_of(prod_plan, "aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert endpoints["com.amazonaws.eu-west-1.s3"] == "Gateway"
    assert endpoints["com.amazonaws.eu-west-1.kms"] == "Interface"
    default_sg = one(prod_plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "foundation-network-default-sg")
    assert default_sg.props["ingress"] == [] and default_sg.props["egress"] == []
    flow_log = resources_of(prod_plan, "aws:ec2/flowLog:FlowLog")[0]
    assert flow_log.props["trafficType"] == "ALL"
    log_group = one(prod_plan, "aws:cloudwatch/logGroup:LogGroup", "foundation-network-flow-logs")
    assert log_group.props["retentionInDays"] == 365
    assert log_group.props["kmsKeyId"].startswith(KEY_ARN_PREFIX)


def test_prod_protects_stateful_resources_and_dev_lets_them_go(dev_plan, prod_plan):
    assert one(prod_plan, "aws:s3/bucket:Bucket", "foundation-raw").props["forceDestroy"] is False
    assert one(dev_plan, "aws:s3/bucket:Bucket", "foundation-raw").props["forceDestroy"] is True
    assert one(prod_plan, "aws:kms/key:Key", "foundation-key").props["deletionWindowInDays"] == 30
    assert one(dev_plan, "aws:kms/key:Key", "foundation-key").props["deletionWindowInDays"] == 7


def test_urns_are_unique_and_every_resource_is_parented_to_its_component(stack_plan):
    urns = [r.urn for r in stack_plan.resources]
    assert len(urns) == len(set(urns))
    by_urn = {r.urn: r for r in stack_plan.resources}
    for resource in stack_plan.resources:
        if resource.type == "pulumi:providers:aws" or resource.component not in ("foundation", None):
            continue
        if resource.type == "lakehouse:index:DataLakeFoundation":
            assert resource.parent is None  # directly under the stack
            continue
        assert resource.parent in by_urn, resource.urn
        assert resource.component == "foundation"


def test_stack_exports_the_foundation_outputs(prod_plan):
    outputs = prod_plan.outputs["foundation"]
    assert outputs["databases"] == {
        "bronze": "lakehouse_prod_bronze",
        "silver": "lakehouse_prod_silver",
        "gold": "lakehouse_prod_gold",
    }
    assert set(outputs["buckets"]) == {"raw", "processed", "curated", "athena_results", "artifacts", "access_logs"}
    assert outputs["glue_security_configuration"] == "lakehouse-prod-lake"
    assert len(outputs["private_subnet_ids"]) == 2


# --- the component as a library, outside any stack config -------------------------------------


def test_defaults_need_no_arguments():
    created = build(lambda: DataLakeFoundation("lake"))
    assert len(created.of_type("aws:s3/bucket:Bucket")) == 6
    assert created.of_type("aws:ec2/vpc:Vpc") == []  # no VPC unless asked
    assert sorted(a.inputs["name"] for a in created.of_type("aws:glue/catalogDatabase:CatalogDatabase")) == [
        "lake_bronze",
        "lake_gold",
        "lake_silver",
    ]
    assert created.created["lake-raw-lifecycle"].inputs["rules"][0]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER_IR"},
    ]
    assert created.created["lake-athena-results-lifecycle"].inputs["rules"][0]["expiration"] == {"days": 30}
    assert created.created["lake-key"].inputs["deletionWindowInDays"] == 30
    assert created.created["lake-raw"].inputs["forceDestroy"] is False
    assert (
        created.created["lake-raw-encryption"]
        .inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        .startswith(KEY_ARN_PREFIX)
    )


def test_custom_config_with_nat_gateway_and_three_zones():
    config = FoundationConfig(
        vpc=VpcConfig(
            enabled=True, cidr="10.9.0.0/20", availability_zones=3, nat_gateway=True, interface_endpoints=["glue"]
        ),
        lifecycle=LifecycleConfig(curated=ZoneLifecycle(infrequent_access_after_days=60)),
        catalog_encryption=False,
    )
    created = build(lambda: DataLakeFoundation("lake", config, tags={"owner": "x"}, name_prefix="acme-qa"))
    subnets = sorted(a.inputs["cidrBlock"] for a in created.of_type("aws:ec2/subnet:Subnet"))
    assert subnets == ["10.9.0.0/23", "10.9.2.0/23", "10.9.4.0/23", "10.9.8.0/23"]  # 3 private + 1 public
    assert len(created.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert created.created["lake-network-private-default"].inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert sorted(a.inputs["serviceName"] for a in created.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")) == [
        "com.amazonaws.eu-west-1.glue",
        "com.amazonaws.eu-west-1.s3",
    ]
    assert created.of_type("aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings") == []
    assert created.created["lake-curated-lifecycle"].inputs["rules"][0]["transitions"] == [
        {"days": 60, "storageClass": "STANDARD_IA"}
    ]
    assert sorted(a.inputs["name"] for a in created.of_type("aws:glue/catalogDatabase:CatalogDatabase")) == [
        "acme_qa_bronze",
        "acme_qa_gold",
        "acme_qa_silver",
    ]
    assert created.created["lake-key-alias"].inputs["name"] == "alias/acme-qa-lake"
    assert created.created["lake-raw"].inputs["tags"] == {"owner": "x", "Name": "acme-qa-raw", "lake-zone": "raw"}


def test_key_grants_of_other_components_join_the_key_policy():
    def cloudtrail(scope):
        trail = f"arn:{scope.partition}:cloudtrail:{scope.region}:{scope.account_id}:trail/{scope.name_prefix}-audit"
        return [
            {
                "Sid": "AllowThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail}},
            }
        ]

    created = build(lambda: DataLakeFoundation("lake", name_prefix="acme-qa", key_grants=[cloudtrail]))
    statements = json.loads(created.created["lake-key"].inputs["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [
        "EnableIamPoliciesOfThisAccount",
        "AllowCloudWatchLogsOfThisAccount",
        "AllowS3AccessLogDeliveryOfThisAccount",
        "AllowThisTrail",
    ]
    assert statements[-1]["Condition"] == {
        "StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-qa-audit"}
    }
