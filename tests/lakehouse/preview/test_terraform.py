"""The plan as Terraform plan JSON: Terraform types, attribute names, block shapes and references,
checked on the repo's real dev and prod plans and on pure cases."""

from __future__ import annotations

import json

import pytest

from lakehouse.preview.terraform import singular, snake, terraform_type, to_terraform_plan


@pytest.fixture(scope="module")
def prod(prod_plan) -> dict:
    return to_terraform_plan(prod_plan)


@pytest.fixture(scope="module")
def dev(dev_plan) -> dict:
    return to_terraform_plan(dev_plan)


def planned(document: dict, address: str) -> dict:
    return next(r for r in document["planned_values"]["root_module"]["resources"] if r["address"] == address)


def configured(document: dict, address: str) -> dict:
    return next(r for r in document["configuration"]["root_module"]["resources"] if r["address"] == address)


@pytest.mark.parametrize(
    "token, expected",
    [
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        ("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "aws_kinesis_firehose_delivery_stream"),
        ("aws:lambda/function:Function", "aws_lambda_function"),
        ("aws:apigatewayv2/stage:Stage", "aws_apigatewayv2_stage"),
        ("aws:sfn/stateMachine:StateMachine", "aws_sfn_state_machine"),
        ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws_cloudwatch_metric_alarm"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "aws_vpc_endpoint"),
        ("aws:ec2/managedPrefixList:ManagedPrefixList", "aws_ec2_managed_prefix_list"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule"),
        ("aws:emrserverless/application:Application", "aws_emrserverless_application"),
        ("aws:secretsmanager/secretRotation:SecretRotation", "aws_secretsmanager_secret_rotation"),
    ],
)
def test_pulumi_tokens_map_to_terraform_types(token, expected):
    assert terraform_type(token) == expected


def test_camel_case_becomes_snake_case():
    assert [snake(n) for n in ("kmsMasterKeyId", "s3Encryption", "ipv6CidrBlocks", "cidrIpv4")] == [
        "kms_master_key_id",
        "s3_encryption",
        "ipv6_cidr_blocks",
        "cidr_ipv4",
    ]


def test_pluralised_block_names_are_singularised():
    assert [singular(n) for n in ("rules", "inline_policies", "ingress", "partition_indices", "s3_targets")] == [
        "rule",
        "inline_policy",
        "ingress",
        "partition_index",
        "s3_target",
    ]


def test_the_document_is_terraform_plan_json(prod):
    assert prod["format_version"] == "1.2"
    assert set(prod) == {"format_version", "terraform_version", "planned_values", "resource_changes", "configuration"}
    assert prod["configuration"]["provider_config"]["aws"]["expressions"]["region"] == {"constant_value": "eu-west-1"}
    change = prod["resource_changes"][0]
    assert change["change"]["actions"] == ["create"] and change["change"]["before"] is None


def test_every_aws_resource_is_planned_once_and_components_are_not(prod, prod_plan):
    addresses = [r["address"] for r in prod["planned_values"]["root_module"]["resources"]]
    assert (
        len(addresses)
        == len(set(addresses))
        == sum(1 for r in prod_plan.records if r.custom and r.type.startswith("aws:"))
    )
    assert not any(a.startswith(("lakehouse", "pulumi")) for a in addresses)


def test_encryption_settings_become_nested_blocks(prod, prod_plan):
    key = next(r.outputs["arn"] for r in prod_plan.records if r.name == "foundation-key")
    values = planned(prod, "aws_s3_bucket_server_side_encryption_configuration.foundation-raw-encryption")["values"]
    assert values["rule"] == [
        {
            "apply_server_side_encryption_by_default": [{"kms_master_key_id": key, "sse_algorithm": "aws:kms"}],
            "bucket_key_enabled": True,
        }
    ]


def test_lifecycle_rules_keep_terraform_block_names(prod):
    rule = planned(prod, "aws_s3_bucket_lifecycle_configuration.foundation-raw-lifecycle")["values"]["rule"][0]
    assert rule["transition"] == [
        {"storage_class": "STANDARD_IA", "days": 30},
        {"storage_class": "GLACIER_IR", "days": 90},
    ]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]


def test_maps_stay_maps(prod):
    tags = planned(prod, "aws_kms_key.foundation-key")["values"]["tags"]
    assert tags["environment"] == "prod" and tags["data-classification"] == "confidential"


def test_security_group_rules_keep_their_terraform_names(prod):
    ingress = planned(prod, "aws_security_group.foundation-network-endpoints-sg")["values"]["ingress"]
    assert ingress == [
        {
            "protocol": "tcp",
            "description": "HTTPS from the VPC",
            "from_port": 443,
            "cidr_blocks": ["10.40.0.0/16"],
            "to_port": 443,
        }
    ]


def test_policies_stay_json_strings(prod):
    policy = planned(prod, "aws_kms_key.foundation-key")["values"]["policy"]
    assert json.loads(policy)["Statement"][0]["Sid"] == "EnableIamPoliciesOfThisAccount"


def test_a_bucket_setting_references_its_bucket(dev):
    expressions = configured(dev, "aws_s3_bucket_versioning.foundation-raw-versioning")["expressions"]
    assert expressions["bucket"] == {"references": ["aws_s3_bucket.foundation-raw.id", "aws_s3_bucket.foundation-raw"]}
    assert expressions["versioning_configuration"] == [{"status": {"constant_value": "Enabled"}}]


def test_a_nested_key_reference_sits_in_its_block(dev):
    rule = configured(dev, "aws_s3_bucket_server_side_encryption_configuration.foundation-raw-encryption")[
        "expressions"
    ]["rule"]
    assert rule[0]["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] == {
        "references": ["aws_kms_key.foundation-key.arn", "aws_kms_key.foundation-key"]
    }
    assert rule[0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == {"constant_value": "aws:kms"}


def test_a_reference_inside_a_policy_document_names_the_attribute_it_holds(dev):
    policy = configured(dev, "aws_s3_bucket_policy.foundation-raw-policy")["expressions"]["policy"]
    assert policy == {"references": ["aws_s3_bucket.foundation-raw.arn", "aws_s3_bucket.foundation-raw"]}


def test_the_log_target_is_referenced_from_each_bucket_logging(dev):
    expressions = configured(dev, "aws_s3_bucket_logging.foundation-raw-logging")["expressions"]
    assert expressions["target_bucket"] == {
        "references": ["aws_s3_bucket.foundation-access-logs.id", "aws_s3_bucket.foundation-access-logs"]
    }


def test_the_translation_is_deterministic(dev_plan):
    assert to_terraform_plan(dev_plan) == to_terraform_plan(dev_plan)
