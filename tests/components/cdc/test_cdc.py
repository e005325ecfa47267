"""ChangeDataCapture under mocks: the prod block proposed for Pulumi.prod.yaml (replication instance,
multi-AZ), DMS Serverless on a dev stack with a VPC, the component as a library, config errors, the
settings that make the contract's bronze layout, and every permission flow proven with the offline
access model."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

import pytest

from components import ConfigError, DataLakeFoundation, FoundationConfig
from components.cdc import CdcConfig, ChangeDataCapture, SourceConfig
from components.foundation import VpcConfig
from etl.contract import tables
from lakehouse.preview.access import AccessModel
from tests.components.conftest import (
    access_model,
    bucket_arn,
    build,
    build_component,
    config_problems,
    key_arn,
    planned,
)
from tests.conftest import one, plan_stack_with, resources_of, violations

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lakehouse/prod/saas-postgres-AbC123"
OTHER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lakehouse/other-XyZ789"
ACCOUNT, REGION = "123456789012", "eu-west-1"
# The blocks proposed for the stack files (docs/components/cdc.md).
PROD_BLOCK = {
    "source": {"secret_arn": SECRET, "database_name": "saas"},
    "compute": "instance",
    "instance": {"instance_class": "dms.t3.medium", "allocated_storage_gb": 100, "multi_az": True},
    "log_retention_days": 365,
}
DEV_BLOCK = {
    "source": {"secret_arn": SECRET, "database_name": "saas"},
    "compute": "serverless",
    "serverless": {"min_capacity_units": 1, "max_capacity_units": 2},
    "log_retention_days": 30,
}
DEV_WITH_VPC = {"foundation": {"force_destroy": True, "kms_deletion_window_days": 7, "vpc": {"enabled": True}}}
LOAD_FILE = "dms/public/core_order/LOAD00000001.csv.gz"
S3_CONTEXT = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}

prod = planned("prod", cdc=PROD_BLOCK, monitoring={})
serverless = planned("dev", cdc=DEV_BLOCK, **DEV_WITH_VPC)
access = access_model("prod")


def dependencies(plan, name: str) -> list[str]:
    """The URNs the resource named ``name`` depends on (recorded by the mock monitor)."""
    (record,) = [r for r in plan.records if r.name == name and r.custom]
    return record.dependencies


def contract_target_settings() -> dict[str, Any]:
    """The S3 target settings named in the source contract's header, as pulumi props (camelCase)."""
    text = resources.files("etl").joinpath("contracts/saas_source.yaml").read_text()
    header = " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    listed = re.search(r"DMS S3 target endpoint\s*\(([^)]*)\)", header).group(1)
    values = {"true": True, "false": False, '""': ""}
    settings = {}
    for item in listed.split(","):
        name, value = (part.strip() for part in item.split("=", 1))
        settings[name[0].lower() + name[1:]] = values.get(value, value)
    return settings


# --- policy pack ---------------------------------------------------------------------------------


def test_prod_block_is_policy_clean(prod):
    assert violations(prod, "prod") == []


def test_serverless_on_a_dev_stack_with_a_vpc_is_policy_clean(serverless):
    assert violations(serverless, "dev") == []


def test_dev_stack_without_a_vpc_refuses_cdc_naming_the_setting(tmp_path):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "dev", cdc=DEV_BLOCK)
    assert error.value.problems == [
        "lakehouse:components.cdc: DMS runs in the foundation's private subnets; set "
        "lakehouse:components.foundation.vpc.enabled: true"
    ]


# --- the bronze layout ---------------------------------------------------------------------------


def test_target_endpoint_settings_are_the_ones_the_contract_header_names(prod):
    target = one(prod, "aws:dms/s3Endpoint:S3Endpoint", "cdc-bronze")
    expected = contract_target_settings()
    assert set(expected) == {
        "dataFormat",
        "compressionType",
        "includeOpForFullLoad",
        "timestampColumnName",
        "addColumnName",
        "csvNullValue",
    }
    assert {name: target.props.get(name) for name in expected} == expected


def test_target_endpoint_writes_dms_public_table_folders_of_the_raw_bucket(prod):
    target = one(prod, "aws:dms/s3Endpoint:S3Endpoint", "cdc-bronze").props
    assert target["bucketName"] == prod.outputs["foundation"]["buckets"]["raw"]
    assert target["bucketFolder"] == "dms"
    assert target["endpointType"] == "target"
    assert (target["csvDelimiter"], target["csvRowDelimiter"]) == (",", "\n")
    assert target["datePartitionEnabled"] is False and target["preserveTransactions"] is False
    assert "cdcPath" not in target
    assert prod.outputs["cdc"]["bronze_location"] == f"s3://{prod.outputs['foundation']['buckets']['raw']}/dms/"


def test_target_endpoint_writes_every_operation_including_deletes(prod):
    target = one(prod, "aws:dms/s3Endpoint:S3Endpoint", "cdc-bronze").props
    assert (target["cdcInsertsOnly"], target["cdcInsertsAndUpdates"]) == (False, False)


def test_target_endpoint_encrypts_objects_with_the_stack_key(prod):
    target = one(prod, "aws:dms/s3Endpoint:S3Endpoint", "cdc-bronze").props
    assert target["encryptionMode"] == "SSE_KMS"
    assert target["serverSideEncryptionKmsKeyId"] == key_arn(prod)
    assert target["kmsKeyArn"] == key_arn(prod)
    assert target["expectedBucketOwner"] == ACCOUNT
    assert target["serviceAccessRoleArn"] == AccessModel.from_records(prod.records).role_arn("cdc-bronze-writer")


# --- the source ----------------------------------------------------------------------------------


def test_source_endpoint_requires_tls_and_reads_its_credentials_from_the_secret(prod, access):
    source = one(prod, "aws:dms/endpoint:Endpoint", "cdc-source").props
    assert {k: source[k] for k in ("engineName", "endpointType", "databaseName", "sslMode")} == {
        "engineName": "postgres",
        "endpointType": "source",
        "databaseName": "saas",
        "sslMode": "require",
    }
    assert source["secretsManagerArn"] == SECRET
    assert source["secretsManagerAccessRoleArn"] == access.role_arn("cdc-secret-reader")
    assert not {"password", "username", "serverName", "port"} & set(source)
    assert source["kmsKeyArn"] == key_arn(prod)


def test_source_endpoint_keeps_the_slot_alive_and_never_truncates_json(prod):
    source = one(prod, "aws:dms/endpoint:Endpoint", "cdc-source").props
    assert source["postgresSettings"] == {"heartbeatEnable": True, "failTasksOnLobTruncation": True}


def test_table_mappings_select_exactly_the_contract_tables(prod):
    task = one(prod, "aws:dms/replicationTask:ReplicationTask", "cdc-task").props
    rules = json.loads(task["tableMappings"])["rules"]
    assert all(r["rule-type"] == "selection" and r["rule-action"] == "include" for r in rules)
    selected = [(r["object-locator"]["schema-name"], r["object-locator"]["table-name"]) for r in rules]
    assert selected == [("public", table) for table in tables()]
    assert len(selected) == 8


# --- the replication -----------------------------------------------------------------------------


def test_prod_instance_is_private_encrypted_multi_az_and_upgraded(prod):
    instance = one(prod, "aws:dms/replicationInstance:ReplicationInstance", "cdc-instance").props
    assert instance["publiclyAccessible"] is False
    assert instance["kmsKeyArn"] == key_arn(prod)
    assert instance["multiAz"] is True
    assert instance["autoMinorVersionUpgrade"] is True
    assert (instance["replicationInstanceClass"], instance["allocatedStorage"]) == ("dms.t3.medium", 100)
    assert instance["replicationInstanceId"] == "lakehouse-prod-cdc"
    assert instance["vpcSecurityGroupIds"] == [prod.outputs["cdc"]["security_group_id"]]
    assert instance["replicationSubnetGroupId"] == "lakehouse-prod-cdc"


def test_subnet_group_is_the_foundations_private_subnets(prod):
    group = one(prod, "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup", "cdc-subnets").props
    assert group["subnetIds"] == prod.outputs["foundation"]["private_subnet_ids"]


def test_security_group_admits_nothing_and_reaches_only_the_source_and_https(prod):
    group = one(prod, "aws:ec2/securityGroup:SecurityGroup", "cdc-sg").props
    assert group["ingress"] == []
    assert [(e["protocol"], e["fromPort"], e["toPort"], e["cidrBlocks"]) for e in group["egress"]] == [
        ("tcp", 5432, 5432, ["10.40.0.0/16"]),
        ("tcp", 443, 443, ["0.0.0.0/0"]),
    ]


def test_task_is_full_load_and_cdc_with_logging_on_and_not_started(prod):
    task = one(prod, "aws:dms/replicationTask:ReplicationTask", "cdc-task").props
    outputs = prod.outputs["cdc"]
    assert task["migrationType"] == "full-load-and-cdc"
    assert json.loads(task["replicationTaskSettings"])["Logging"]["EnableLogging"] is True
    assert task["startReplicationTask"] is False
    assert task["replicationInstanceArn"] == outputs["replication_instance_arn"]
    assert (task["sourceEndpointArn"], task["targetEndpointArn"]) == (
        outputs["source_endpoint_arn"],
        outputs["target_endpoint_arn"],
    )
    assert task["resourceIdentifier"] == "lakehouse-prod-cdc"


def test_task_log_group_exists_first_encrypted_with_retention(prod):
    logs = one(prod, "aws:cloudwatch/logGroup:LogGroup", "cdc-logs")
    task = one(prod, "aws:dms/replicationTask:ReplicationTask", "cdc-task")
    assert logs.props["name"] == "dms-tasks-lakehouse-prod-cdc"
    assert logs.props["kmsKeyId"] == key_arn(prod)
    assert logs.props["retentionInDays"] == 365
    assert logs.urn in dependencies(prod, task.name)


def test_stack_outputs(prod):
    outputs = prod.outputs["cdc"]
    assert sorted(outputs) == [
        "bronze_location",
        "log_group_name",
        "replication_arn",
        "replication_instance_arn",
        "security_group_id",
        "source_endpoint_arn",
        "target_endpoint_arn",
    ]
    assert outputs["replication_arn"] == "arn:aws:dms:eu-west-1:123456789012:task:lakehouse-prod-cdc"
    assert outputs["log_group_name"] == "dms-tasks-lakehouse-prod-cdc"
    assert outputs["source_endpoint_arn"].startswith("arn:aws:dms:eu-west-1:123456789012:endpoint:cdc-source")
    assert outputs["target_endpoint_arn"].startswith("arn:aws:dms:eu-west-1:123456789012:endpoint:cdc-bronze")
    assert outputs["replication_instance_arn"].startswith("arn:aws:dms:eu-west-1:123456789012:rep:cdc-instance")
    assert outputs["security_group_id"].startswith("sg-")


def test_serverless_replication_scales_within_bounds_in_the_private_subnets(serverless):
    replication = one(serverless, "aws:dms/replicationConfig:ReplicationConfig", "cdc-replication").props
    assert resources_of(serverless, "aws:dms/replicationInstance:ReplicationInstance") == []
    assert replication["replicationType"] == "full-load-and-cdc"
    assert replication["computeConfig"] == {
        "replicationSubnetGroupId": "lakehouse-dev-cdc",
        "vpcSecurityGroupIds": [serverless.outputs["cdc"]["security_group_id"]],
        "kmsKeyId": key_arn(serverless),
        "minCapacityUnits": 1,
        "maxCapacityUnits": 2,
        "multiAz": False,
    }
    assert [r["object-locator"]["table-name"] for r in json.loads(replication["tableMappings"])["rules"]] == list(
        tables()
    )
    assert serverless.outputs["cdc"]["replication_arn"] == (
        "arn:aws:dms:eu-west-1:123456789012:replication-config:lakehouse-dev-cdc"
    )
    assert "replication_instance_arn" not in serverless.outputs["cdc"]
    assert one(serverless, "aws:cloudwatch/logGroup:LogGroup", "cdc-logs").props["name"] == (
        "dms-serverless-replication-lakehouse-dev-cdc"
    )


def test_account_roles_have_their_fixed_names_and_no_managed_policy(prod):
    roles = {
        r.props["name"] for r in resources_of(prod, "aws:iam/role:Role") if r.component == "cdc" and "name" in r.props
    }
    assert roles == {"dms-vpc-role", "dms-cloudwatch-logs-role"}
    assert [
        r for r in resources_of(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.component == "cdc"
    ] == []
    vpc_role_policy = one(prod, "aws:iam/rolePolicy:RolePolicy", "cdc-dms-vpc-role-policy")
    assert vpc_role_policy.urn in dependencies(prod, "cdc-subnets")


# --- monitoring ----------------------------------------------------------------------------------


def test_monitoring_alarms_on_latency_and_instance_health(prod):
    alarms = {
        r.name.removeprefix("monitoring-cdc-"): r.props
        for r in resources_of(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.name.startswith("monitoring-cdc-")
    }
    assert sorted(alarms) == ["cdc-latency-source", "cdc-latency-target", "cpu-high", "free-storage-low"]
    task = {"ReplicationInstanceIdentifier": "lakehouse-prod-cdc", "ReplicationTaskIdentifier": "lakehouse-prod-cdc"}
    assert (alarms["cdc-latency-source"]["metricName"], alarms["cdc-latency-source"]["threshold"]) == (
        "CDCLatencySource",
        600,
    )
    assert alarms["cdc-latency-source"]["dimensions"] == task
    assert alarms["cdc-latency-target"]["dimensions"] == task
    assert alarms["free-storage-low"]["threshold"] == 10 * 1024**3  # 10% of 100 GiB
    assert alarms["free-storage-low"]["comparisonOperator"] == "LessThanThreshold"
    assert all(a["namespace"] == "AWS/DMS" for a in alarms.values())


def test_monitoring_alerts_on_the_tasks_state_changes(prod):
    rule = one(prod, "aws:cloudwatch/eventRule:EventRule", "monitoring-cdc-replication-state-change")
    assert json.loads(rule.props["eventPattern"]) == {
        "source": ["aws.dms"],
        "detail-type": ["DMS Replication Task State Change"],
        "resources": ["arn:aws:dms:eu-west-1:123456789012:task:lakehouse-prod-cdc"],
    }


# --- permissions ---------------------------------------------------------------------------------


def test_bronze_writer_writes_raw_dms_files(prod, access):
    role = access.role_arn("cdc-bronze-writer")
    assert access.allows(role, "s3:PutObject", f"{bucket_arn(prod, 'raw')}/{LOAD_FILE}")
    assert access.allows(role, "kms:GenerateDataKey", key_arn(prod), S3_CONTEXT)


def test_bronze_writer_is_denied_other_raw_prefixes_and_other_buckets(prod, access):
    role = access.role_arn("cdc-bronze-writer")
    assert not access.allows(role, "s3:PutObject", f"{bucket_arn(prod, 'raw')}/raw/source=api/x.json")
    assert not access.allows(role, "s3:PutObject", f"{bucket_arn(prod, 'processed')}/{LOAD_FILE}")
    assert not access.allows(role, "s3:GetObject", f"{bucket_arn(prod, 'raw')}/{LOAD_FILE}")
    assert not access.allows(role, "kms:GenerateDataKey", key_arn(prod))  # not through S3


def test_secret_reader_reads_only_the_source_secret(access):
    role = access.role_arn("cdc-secret-reader")
    assert access.allows(role, "secretsmanager:GetSecretValue", SECRET)
    assert not access.allows(role, "secretsmanager:GetSecretValue", OTHER_SECRET)
    assert not access.allows(role, "secretsmanager:PutSecretValue", SECRET)


def test_logs_role_writes_dms_log_groups_only(access):
    role = access.role_arn("cdc-dms-cloudwatch-logs-role")
    stream = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:dms-tasks-lakehouse-prod-cdc:log-stream:dms-task-x"
    assert access.allows(role, "logs:PutLogEvents", stream)
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/x:log-stream:y"
    assert not access.allows(role, "logs:PutLogEvents", other)


def _ec2(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{resource_id}"


INTERFACE = _ec2("network-interface", "eni-0123456789abcdef0")


def test_vpc_role_creates_and_deletes_interfaces_in_the_lake_subnets_with_the_replication_group(prod, access):
    role = access.role_arn("cdc-dms-vpc-role")
    subnet = _ec2("subnet", prod.outputs["foundation"]["private_subnet_ids"][0])
    group = _ec2("security-group", prod.outputs["cdc"]["security_group_id"])
    assert access.allows(role, "ec2:CreateNetworkInterface", subnet)
    assert access.allows(role, "ec2:CreateNetworkInterface", group)
    assert access.allows(role, "ec2:ModifyNetworkInterfaceAttribute", group)
    assert access.allows(role, "ec2:DeleteNetworkInterface", INTERFACE, {"ec2:Subnet": subnet})


def test_vpc_role_is_denied_other_subnets_groups_and_their_interfaces(prod, access):
    role = access.role_arn("cdc-dms-vpc-role")
    (endpoints_group,) = [r.id for r in prod.records if r.name == "foundation-network-endpoints-sg" and r.custom]
    assert not access.allows(role, "ec2:CreateNetworkInterface", _ec2("subnet", "subnet-0another"))
    assert not access.allows(role, "ec2:CreateNetworkInterface", _ec2("security-group", endpoints_group))
    elsewhere = {"ec2:Subnet": _ec2("subnet", "subnet-0another")}
    assert not access.allows(role, "ec2:DeleteNetworkInterface", INTERFACE, elsewhere)


# --- config --------------------------------------------------------------------------------------


problems = functools.partial(config_problems, "cdc")


def test_source_is_required():
    assert problems({}) == ["lakehouse:components.cdc.source: required, but not set"]


def test_a_secret_arn_that_is_not_one_is_refused():
    assert problems({"source": {"secret_arn": "my-password", "database_name": "saas"}}) == [
        "lakehouse:components.cdc.source.secret_arn: must be the full ARN of a Secrets Manager secret "
        "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>) (got 'my-password')"
    ]


def test_verify_full_needs_a_certificate():
    block = {"source": {"secret_arn": SECRET, "database_name": "saas", "ssl_mode": "verify-full"}}
    assert problems(block) == [
        "lakehouse:components.cdc.source: certificate_arn is required with ssl_mode verify-full "
        "(the CA that signed the server)"
    ]


def test_ssl_mode_none_is_refused():
    block = {"source": {"secret_arn": SECRET, "database_name": "saas", "ssl_mode": "none"}}
    assert problems(block) == [
        "lakehouse:components.cdc.source.ssl_mode: must be one of 'require' or 'verify-full' (got 'none')"
    ]


def test_serverless_bounds_in_order():
    block = {
        "source": {"secret_arn": SECRET, "database_name": "saas"},
        "compute": "serverless",
        "serverless": {"min_capacity_units": 8, "max_capacity_units": 2},
    }
    assert problems(block) == [
        "lakehouse:components.cdc.serverless: min_capacity_units (8) must not exceed max_capacity_units (2)"
    ]


def test_an_instance_block_with_serverless_compute_is_refused():
    block = {
        "source": {"secret_arn": SECRET, "database_name": "saas"},
        "compute": "serverless",
        "instance": {"multi_az": True},
    }
    assert problems(block) == [
        "lakehouse:components.cdc: instance applies only to compute 'instance' (compute is 'serverless')"
    ]


# --- the component as a library ------------------------------------------------------------------


def library(config: CdcConfig, **kwargs: Any):
    """Build the component on a foundation with a VPC; returns the recorded resources and the component."""

    def make() -> ChangeDataCapture:
        lake = DataLakeFoundation("lake", FoundationConfig(vpc=VpcConfig(enabled=True)))
        return ChangeDataCapture("saas", config, foundation=lake, **kwargs)

    return build_component(make)


def test_defaults_need_only_the_source():
    created, component = library(CdcConfig(source=SourceConfig(secret_arn=SECRET, database_name="saas")))
    instance = created.created["saas-instance"].inputs
    assert (instance["replicationInstanceClass"], instance["allocatedStorage"], instance["multiAz"]) == (
        "dms.t3.medium",
        50,
        False,
    )
    assert instance["replicationInstanceId"] == "saas-cdc"
    assert created.created["saas-source"].inputs["sslMode"] == "require"
    assert created.created["saas-task"].inputs["startReplicationTask"] is False
    assert created.created["saas-logs"].inputs["retentionInDays"] == 90
    assert {a.inputs.get("name") for a in created.of_type("aws:iam/role:Role")} >= {"dms-vpc-role"}
    assert [a.name for a in component.alarms()] == [
        "cdc-latency-source",
        "cdc-latency-target",
        "free-storage-low",
        "cpu-high",
    ]


def test_custom_config_verify_full_own_cidrs_serverless_and_no_account_roles():
    config = CdcConfig(
        source=SourceConfig(
            secret_arn=SECRET,
            database_name="saas",
            ssl_mode="verify-full",
            certificate_arn="arn:aws:dms:eu-west-1:123456789012:cert:rds-ca-rsa2048-g1",
            port=6432,
            network_cidrs=["10.99.0.0/24"],
        ),
        compute="serverless",
        account_roles=False,
        cdc_max_batch_interval_seconds=300,
    )
    created, component = library(config, name_prefix="acme-qa")
    source = created.created["saas-source"].inputs
    assert (source["sslMode"], source["certificateArn"]) == (
        "verify-full",
        "arn:aws:dms:eu-west-1:123456789012:cert:rds-ca-rsa2048-g1",
    )
    egress = created.created["saas-sg"].inputs["egress"][0]
    assert (egress["fromPort"], egress["cidrBlocks"]) == (6432, ["10.99.0.0/24"])
    assert created.created["saas-bronze"].inputs["cdcMaxBatchInterval"] == 300
    assert created.created["saas-replication"].inputs["replicationConfigIdentifier"] == "acme-qa-cdc"
    assert created.of_type("aws:dms/replicationTask:ReplicationTask") == []
    assert "saas-dms-vpc-role" not in created.created
    assert component.alarms() == []


def test_library_without_a_vpc_names_the_foundation_setting():
    config = CdcConfig(source=SourceConfig(secret_arn=SECRET, database_name="saas"))
    with pytest.raises(ConfigError) as error:
        build(lambda: ChangeDataCapture("saas", config, foundation=DataLakeFoundation("lake")))
    assert error.value.problems == [
        "lakehouse:components.saas: DMS runs in the foundation's private subnets; set "
        "lakehouse:components.foundation.vpc.enabled: true"
    ]
