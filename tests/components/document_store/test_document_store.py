"""DocumentStore under mocks: the dev and prod blocks proposed for the stack files, an MSK source, the
component as a library, config errors, and every permission flow of the processor proven with the
offline access model."""

from __future__ import annotations

import copy
import json

import pulumi
import pytest

from components import ConfigError, DataLakeFoundation, FoundationConfig
from components.document_store import DocumentStore, DocumentStoreConfig
from components.document_store import layer as layer_module
from components.foundation import VpcConfig
from tests.components.conftest import access_model, bucket_arn, build_component, key_arn, library_mocks, planned
from tests.conftest import one, plan_stack_with, policy_of, resources_of, stack_config, violations

DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"

# The blocks proposed for Pulumi.dev.yaml and Pulumi.prod.yaml (see docs/components/document_store.md).
PROD_BLOCK = {
    "instance_class": "db.r6g.large",
    "instances": 2,
    "backup_retention_days": 14,
    "kinesis": {"capacity_mode": "on_demand", "retention_hours": 168},
    "processor": {"reserved_concurrency": 20},
}
DEV_BLOCK = {
    "final_snapshot": False,
    "log_retention_days": 30,
    "processor": {"reserved_concurrency": 2},
}
MSK_STREAMING = {
    "source": "msk",
    "msk": {"broker_nodes": 2, "topic": "clicks", "log_retention_days": 365},
    "destination": "parquet",
    "buffering": {"size_mb": 128, "interval_seconds": 300},
    "log_retention_days": 365,
}
ACCOUNT, REGION = "123456789012", "eu-west-1"
PROCESSOR_ROLE = "document_store-processor-role"


def dev_foundation() -> dict:
    """The dev foundation with its VPC switched on: DocumentDB runs only in a VPC."""
    block = copy.deepcopy(stack_config("dev")["lakehouse:components"]["foundation"])
    block["vpc"] = {"enabled": True, "cidr": "10.30.0.0/16", "flow_logs_retention_days": 30}
    return block


prod = planned("prod", document_store=PROD_BLOCK)
dev = planned("dev", foundation=dev_foundation(), document_store=DEV_BLOCK)
msk = planned("prod", streaming=MSK_STREAMING, document_store={k: v for k, v in PROD_BLOCK.items() if k != "kinesis"})
prod_access = access_model("prod")
msk_access = access_model("msk")


def cluster(plan):
    return one(plan, DOCDB_CLUSTER, "document_store-cluster")


def function(plan):
    return one(plan, "aws:lambda/function:Function", "document_store-processor-function")


def record(plan, name: str):
    return next(r for r in plan.records if r.name == name)


# --- policy pack -------------------------------------------------------------------------------------


def test_prod_with_the_document_store_passes_every_policy(prod):
    assert violations(prod, "prod") == []


def test_dev_with_the_document_store_passes_every_policy(dev):
    assert violations(dev, "dev") == []


def test_an_msk_source_passes_every_policy(msk):
    assert violations(msk, "prod") == []


# --- the cluster ---------------------------------------------------------------------------------------


def test_cluster_storage_is_encrypted_with_the_stack_key(prod):
    props = cluster(prod).props
    assert (props["storageEncrypted"], props["kmsKeyId"]) == (True, key_arn(prod))


def test_parameter_group_requires_tls_and_turns_on_audit_logs_and_the_profiler(prod):
    group = one(prod, "aws:docdb/clusterParameterGroup:ClusterParameterGroup", "document_store-parameters")
    assert group.props["family"] == "docdb5.0"
    assert {p["name"]: p["value"] for p in group.props["parameters"]} == {
        "tls": "enabled",
        "audit_logs": "enabled",
        "profiler": "enabled",
        "profiler_threshold_ms": "100",
    }
    assert cluster(prod).props["dbClusterParameterGroupName"] == "lakehouse-prod-documents"


def test_audit_and_profiler_logs_go_to_encrypted_groups_created_before_the_cluster(prod):
    groups = {
        r.props["name"]: r
        for r in resources_of(prod, "aws:cloudwatch/logGroup:LogGroup")
        if r.component == "document_store" and r.name.endswith(("audit-logs", "profiler-logs"))
    }
    assert sorted(groups) == [
        "/aws/docdb/lakehouse-prod-documents/audit",
        "/aws/docdb/lakehouse-prod-documents/profiler",
    ]
    assert {(g.props["kmsKeyId"], g.props["retentionInDays"]) for g in groups.values()} == {(key_arn(prod), 365)}
    assert cluster(prod).props["enabledCloudwatchLogsExports"] == ["audit", "profiler"]
    assert {g.urn for g in groups.values()} <= set(record(prod, "document_store-cluster").dependencies)


def test_prod_keeps_two_weeks_of_backups_is_protected_and_leaves_a_final_snapshot(prod):
    props = cluster(prod).props
    assert {k: props[k] for k in ("backupRetentionPeriod", "preferredBackupWindow", "preferredMaintenanceWindow")} == {
        "backupRetentionPeriod": 14,
        "preferredBackupWindow": "02:00-03:00",
        "preferredMaintenanceWindow": "sun:04:00-sun:05:00",
    }
    assert (props["deletionProtection"], props["skipFinalSnapshot"]) == (True, False)
    assert props["finalSnapshotIdentifier"] == "lakehouse-prod-documents-final"


def test_dev_leaves_no_final_snapshot_but_keeps_protection_and_a_week_of_backups(dev):
    props = cluster(dev).props
    assert (props["deletionProtection"], props["skipFinalSnapshot"], props["backupRetentionPeriod"]) == (True, True, 7)
    assert "finalSnapshotIdentifier" not in props


def test_instances_use_the_configured_class_and_the_current_ca(prod):
    instances = sorted(resources_of(prod, "aws:docdb/clusterInstance:ClusterInstance"), key=lambda r: r.name)
    assert [(i.props["identifier"], i.props["instanceClass"], i.props["caCertIdentifier"]) for i in instances] == [
        ("lakehouse-prod-documents-0", "db.r6g.large", "rds-ca-rsa2048-g1"),
        ("lakehouse-prod-documents-1", "db.r6g.large", "rds-ca-rsa2048-g1"),
    ]


def test_master_password_is_generated_and_rotated_by_documentdb_never_in_config_or_state(prod):
    props = cluster(prod).props
    assert props["manageMasterUserPassword"] is True
    assert not {"masterPassword", "masterPasswordWo"} & set(props)
    secret = prod.outputs["document_store"]["secret_arn"]
    assert secret.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!cluster-")
    assert "password" not in json.dumps(prod.outputs["document_store"]).lower()


def test_cluster_is_in_the_private_subnets_and_admits_only_the_processor_on_27017(prod):
    subnets = one(prod, "aws:docdb/subnetGroup:SubnetGroup", "document_store-subnets")
    assert subnets.props["subnetIds"] == prod.outputs["foundation"]["private_subnet_ids"]
    rules = [
        r
        for r in resources_of(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.component == "document_store"
    ]
    processor_sg = one(prod, "aws:ec2/securityGroup:SecurityGroup", "document_store-processor-sg")
    assert [(r.props["fromPort"], r.props["toPort"], r.props.get("cidrIpv4")) for r in rules] == [(27017, 27017, None)]
    assert (
        record(prod, "document_store-cluster-from-processor").inputs["referencedSecurityGroupId"]
        == record(prod, processor_sg.name).id
    )
    assert cluster(prod).props["vpcSecurityGroupIds"] == [prod.outputs["document_store"]["cluster_security_group_id"]]


def test_named_consumer_security_groups_are_admitted_too(tmp_path):
    plan = plan_stack_with(
        tmp_path,
        "prod",
        document_store={**PROD_BLOCK, "consumer_security_group_ids": ["sg-0123456789abcdef0"]},
    )
    consumer = one(
        plan,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "document_store-cluster-from-sg-0123456789abcdef0",
    )
    assert (consumer.props["referencedSecurityGroupId"], consumer.props["fromPort"]) == ("sg-0123456789abcdef0", 27017)


def test_processor_reaches_only_the_cluster_and_aws_apis(prod):
    egress = {
        r.name: r.props
        for r in resources_of(prod, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.component == "document_store"
    }
    assert {name: (p["ipProtocol"], p["fromPort"], p.get("cidrIpv4")) for name, p in egress.items()} == {
        "document_store-processor-to-cluster": ("tcp", 27017, None),
        "document_store-processor-to-aws": ("tcp", 443, "0.0.0.0/0"),
    }


# --- the processor ---------------------------------------------------------------------------------------


def test_processor_runs_in_the_private_subnets_with_its_layer_and_store_settings(prod):
    props = function(prod).props
    outputs = prod.outputs["document_store"]
    assert props["vpcConfig"]["subnetIds"] == prod.outputs["foundation"]["private_subnet_ids"]
    assert props["vpcConfig"]["securityGroupIds"] == [record(prod, "document_store-processor-sg").id]
    assert props["layers"] == [record(prod, "document_store-layer").outputs["arn"]]
    assert props["environment"]["variables"] == {
        "DOCDB_SECRET_ARN": outputs["secret_arn"],
        "DOCDB_HOST": outputs["cluster_endpoint"],
        "DOCDB_PORT": "27017",
        "DOCDB_DATABASE": "lakehouse",
        "DOCDB_CA_FILE": "/opt/docdb/global-bundle.pem",
        "RAW_BUCKET": prod.outputs["foundation"]["buckets"]["raw"],
        "KMS_KEY_ARN": key_arn(prod),
    }
    assert (props["handler"], props["reservedConcurrentExecutions"]) == (
        "functions.document_processor.handler.handler",
        20,
    )


def test_layer_is_for_the_functions_runtime_and_architecture_and_is_not_built_under_mocks(prod):
    layer = one(prod, "aws:lambda/layerVersion:LayerVersion", "document_store-layer")
    assert (layer.props["compatibleRuntimes"], layer.props["compatibleArchitectures"]) == (["python3.12"], ["arm64"])
    assert {folder: archive.path for folder, archive in layer.props["code"].assets.items()} == {
        "python": str(layer_module.layer_directory() / "python"),
        "docdb": str(layer_module.layer_directory() / "docdb"),
    }


def test_a_plan_never_builds_the_layer(tmp_path, monkeypatch):
    def refuse(*_):
        raise AssertionError("built a layer under mocks")

    monkeypatch.setattr(layer_module, "build_layer", refuse)
    plan = plan_stack_with(tmp_path, "prod", document_store=PROD_BLOCK)
    assert plan.outputs["document_store"]["processor_name"] == "lakehouse-prod-document-processor"


def test_documents_get_their_own_encrypted_stream(prod):
    stream = one(prod, "aws:kinesis/stream:Stream", "document_store-stream")
    assert (stream.props["name"], stream.props["encryptionType"], stream.props["kmsKeyId"]) == (
        "lakehouse-prod-documents",
        "KMS",
        key_arn(prod),
    )
    assert stream.props["retentionPeriod"] == 168
    assert stream.props["name"] != prod.outputs["streaming"]["stream_name"]


def test_the_stream_feeds_the_processor_whole_batches_with_failures_set_aside(prod):
    mapping = one(prod, "aws:lambda/eventSourceMapping:EventSourceMapping", "document_store-source")
    props = mapping.props
    assert props["eventSourceArn"] == prod.outputs["document_store"]["documents_stream_arn"]
    assert props["functionName"] == record(prod, "document_store-processor-function").outputs["arn"]
    assert {
        k: props[k] for k in ("batchSize", "startingPosition", "bisectBatchOnFunctionError", "maximumRetryAttempts")
    } == {
        "batchSize": 100,
        "startingPosition": "TRIM_HORIZON",
        "bisectBatchOnFunctionError": False,
        "maximumRetryAttempts": -1,
    }
    assert (
        props["destinationConfig"]["onFailure"]["destinationArn"]
        == record(prod, "document_store-processor-dlq").outputs["arn"]
    )
    assert "functionResponseTypes" not in props


def test_stack_outputs_name_the_store_its_secret_and_the_way_in(prod):
    outputs = prod.outputs["document_store"]
    assert {
        k: v
        for k, v in outputs.items()
        if k not in ("cluster_endpoint", "reader_endpoint", "secret_arn", "cluster_security_group_id")
    } == {
        "cluster_identifier": "lakehouse-prod-documents",
        "port": 27017,
        "database": "lakehouse",
        "processor_name": "lakehouse-prod-document-processor",
        "source_kind": "kinesis",
        "documents_stream_name": "lakehouse-prod-documents",
        "documents_stream_arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/lakehouse-prod-documents",
    }
    assert outputs["cluster_endpoint"].startswith("lakehouse-prod-documents.cluster-")


# --- permission flows ------------------------------------------------------------------------------------


def test_processor_reads_its_secret_and_no_other(prod, prod_access):
    role = prod_access.role_arn(PROCESSOR_ROLE)
    secret = prod.outputs["document_store"]["secret_arn"]
    assert prod_access.allows(role, "secretsmanager:GetSecretValue", secret)
    assert not prod_access.allows(
        role, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:other-AbCdEf"
    )


def test_processor_writes_only_the_documents_prefix_of_the_raw_bucket(prod, prod_access):
    role, raw = prod_access.role_arn(PROCESSOR_ROLE), bucket_arn(prod, "raw")
    document = f"{raw}/bronze/documents/doc_type=cms_document/year=2025/month=11/day=25/shardId-000000000000-1.json"
    assert prod_access.allows(role, "s3:PutObject", document)
    assert prod_access.allows(
        role, "s3:PutObject", f"{raw}/bronze/documents/_errors/year=2025/month=11/day=25/s-1.json"
    )
    assert not prod_access.allows(role, "s3:PutObject", f"{raw}/dms/public/orders/LOAD00000001.csv")
    assert not prod_access.allows(role, "s3:GetObject", document)
    assert not prod_access.allows(role, "s3:PutObject", f"{bucket_arn(prod, 'curated')}/bronze/documents/x.json")
    assert not prod_access.allows(role, "s3:PutObject", document, {"aws:SecureTransport": "false"})


def test_processor_uses_the_stack_key(prod, prod_access):
    role = prod_access.role_arn(PROCESSOR_ROLE)
    assert prod_access.allows(role, "kms:GenerateDataKey", key_arn(prod))
    assert prod_access.allows(role, "kms:Decrypt", key_arn(prod))
    assert not prod_access.allows(role, "kms:ScheduleKeyDeletion", key_arn(prod))


def test_processor_reads_the_documents_stream_and_not_the_clickstream(prod, prod_access):
    role = prod_access.role_arn(PROCESSOR_ROLE)
    assert prod_access.allows(role, "kinesis:GetRecords", prod.outputs["document_store"]["documents_stream_arn"])
    assert not prod_access.allows(role, "kinesis:GetRecords", prod.outputs["streaming"]["stream_arn"])
    assert not prod_access.allows(role, "kinesis:PutRecord", prod.outputs["document_store"]["documents_stream_arn"])


def test_no_other_role_reads_the_store_secret(prod, prod_access):
    secret = prod.outputs["document_store"]["secret_arn"]
    readers = [
        name
        for name, arn in prod_access.roles.items()
        if prod_access.allows(arn, "secretsmanager:GetSecretValue", secret)
    ]
    assert readers == [PROCESSOR_ROLE]


# --- an MSK source ---------------------------------------------------------------------------------------


def test_an_msk_source_consumes_the_documents_topic_as_its_own_group(msk):
    mapping = one(msk, "aws:lambda/eventSourceMapping:EventSourceMapping", "document_store-source")
    assert mapping.props["eventSourceArn"] == msk.outputs["streaming"]["msk_cluster_arn"]
    assert mapping.props["topics"] == ["documents"]
    assert mapping.props["amazonManagedKafkaEventSourceConfig"] == {
        "consumerGroupId": "lakehouse-prod-document-processor"
    }
    assert resources_of(msk, "aws:kinesis/stream:Stream") == []
    assert msk.outputs["document_store"]["msk_topic"] == "documents"


def test_with_msk_the_processor_reads_its_topic_as_its_group_and_nothing_else(msk, msk_access):
    role = msk_access.role_arn(PROCESSOR_ROLE)
    cluster_arn = msk.outputs["streaming"]["msk_cluster_arn"]
    prefix, _, path = cluster_arn.partition(":cluster/")
    assert msk_access.allows(role, "kafka-cluster:Connect", cluster_arn)
    assert msk_access.allows(role, "kafka-cluster:ReadData", f"{prefix}:topic/{path}/documents")
    assert msk_access.allows(
        role, "kafka-cluster:AlterGroup", f"{prefix}:group/{path}/lakehouse-prod-document-processor"
    )
    assert not msk_access.allows(role, "kafka-cluster:ReadData", f"{prefix}:topic/{path}/clicks")
    assert not msk_access.allows(role, "kafka-cluster:WriteData", f"{prefix}:topic/{path}/documents")
    assert not msk_access.allows(role, "kafka-cluster:AlterGroup", f"{prefix}:group/{path}/someone-else")


# --- alarms --------------------------------------------------------------------------------------------


def _alarms(config: DocumentStoreConfig | None = None, foundation_vpc: bool = True):
    def make():
        lake = DataLakeFoundation("lake", FoundationConfig(vpc=VpcConfig(enabled=foundation_vpc)))
        return DocumentStore("docs", foundation=lake, config=config)

    mocks, store = build_component(make)
    return store, mocks


def test_alarms_watch_the_cluster_and_the_processor():
    store, _ = _alarms()
    assert [(a.name, a.namespace, a.metric) for a in store.alarms()] == [
        ("cluster-cpu", "AWS/DocDB", "CPUUtilization"),
        ("cluster-connections", "AWS/DocDB", "DatabaseConnectionsMax"),
        ("cluster-replica-lag", "AWS/DocDB", "DBClusterReplicaLagMaximum"),
        ("cluster-free-local-storage", "AWS/DocDB", "FreeLocalStorage"),
        ("processor-errors", "AWS/Lambda", "Errors"),
        ("documents-rejected", "Lakehouse/Documents", "Rejected"),
        ("processor-iterator-age", "AWS/Lambda", "IteratorAge"),
    ]
    assert all(a.runbook for a in store.alarms())
    assert store.alarms()[0].dimensions == {"DBClusterIdentifier": "docs-documents"}


# --- the component as a library ----------------------------------------------------------------------------


def test_defaults_need_only_a_foundation_with_a_vpc():
    _, created = _alarms()
    cluster_inputs = created.created["docs-cluster"].inputs
    assert {
        k: cluster_inputs[k]
        for k in (
            "engineVersion",
            "backupRetentionPeriod",
            "deletionProtection",
            "finalSnapshotIdentifier",
            "masterUsername",
        )
    } == {
        "engineVersion": "5.0.0",
        "backupRetentionPeriod": 7,
        "deletionProtection": True,
        "finalSnapshotIdentifier": "docs-documents-final",
        "masterUsername": "lakehouse",
    }
    assert [a.inputs["instanceClass"] for a in created.of_type("aws:docdb/clusterInstance:ClusterInstance")] == [
        "db.t4g.medium"
    ]
    assert created.created["docs-stream"].inputs["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert created.created["docs-audit-logs"].inputs["retentionInDays"] == 365


def test_custom_config_sets_engine_size_windows_and_processor():
    config = DocumentStoreConfig(
        engine_version="8.0.0",
        instance_class="db.r6g.xlarge",
        instances=3,
        backup_window="22:30-23:30",
        maintenance_window="wed:01:00-wed:02:00",
        profiler_threshold_ms=250,
        kinesis={"capacity_mode": "provisioned", "shard_count": 4, "retention_hours": 48},
        processor={"batch_size": 500, "retry_attempts": 100, "starting_position": "LATEST"},
    )
    _, created = _alarms(config)
    assert created.created["docs-parameters"].inputs["family"] == "docdb8.0"
    assert {"name": "profiler_threshold_ms", "value": "250"} in created.created["docs-parameters"].inputs["parameters"]
    assert len(created.of_type("aws:docdb/clusterInstance:ClusterInstance")) == 3
    assert created.created["docs-cluster"].inputs["preferredBackupWindow"] == "22:30-23:30"
    assert created.created["docs-stream"].inputs["shardCount"] == 4
    mapping = created.created["docs-source"].inputs
    assert (mapping["batchSize"], mapping["maximumRetryAttempts"], mapping["startingPosition"]) == (500, 100, "LATEST")


# --- config errors -----------------------------------------------------------------------------------------


def test_a_stack_without_a_vpc_is_refused_naming_the_switch(tmp_path):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "dev", document_store=DEV_BLOCK)
    assert error.value.problems == [
        "lakehouse:components.document_store: DocumentDB runs only in a VPC; "
        "set lakehouse:components.foundation.vpc.enabled: true"
    ]


def test_without_a_vpc_the_library_refuses_before_any_resource():
    mocks = library_mocks()

    def make():
        DocumentStore("docs", foundation=DataLakeFoundation("lake"))

    with pytest.raises(ConfigError, match="DocumentDB runs only in a VPC"):
        pulumi.runtime.test(make)()
    assert "lake-key" in mocks.created
    assert [name for name in mocks.created if name.startswith("docs-")] == []  # no child of the component


def test_a_kinesis_block_with_an_msk_source_is_refused(tmp_path):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "prod", streaming=MSK_STREAMING, document_store=PROD_BLOCK)
    assert error.value.problems == [
        "lakehouse:components.document_store.kinesis: set, but the streaming source is 'msk' "
        "(see lakehouse:components.streaming.source); remove it"
    ]


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        (
            {"maintenance_window": "sun:02:30-sun:03:30"},
            "lakehouse:components.document_store: maintenance_window (sun:02:30-sun:03:30) overlaps backup_window "
            "(02:00-03:00); AWS requires them apart",
        ),
        (
            {"consumer_security_group_ids": ["sg-1"]},
            "lakehouse:components.document_store.consumer_security_group_ids: must be security group ids like "
            "sg-0123456789abcdef0, got ['sg-1']",
        ),
        (
            {"kinesis": {"capacity_mode": "provisioned"}},
            "lakehouse:components.document_store.kinesis: shard_count is required with capacity_mode "
            "'provisioned' and only allowed with it",
        ),
        (
            {"engine_version": "4.0.0"},
            "lakehouse:components.document_store.engine_version: must be one of '5.0.0' or '8.0.0' (got '4.0.0')",
        ),
        (
            {"backup_retention_days": 40},
            "lakehouse:components.document_store.backup_retention_days: must be <= 35 (got 40)",
        ),
        (
            {"log_retention_days": 100},
            "lakehouse:components.document_store.log_retention_days: must be one of CloudWatch Logs' retention periods [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] (got 100)",
        ),
    ],
)
def test_bad_config_is_refused_with_its_path(tmp_path, block, problem):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "prod", document_store=block)
    assert error.value.problems == [problem]


def test_the_policy_of_the_processor_names_no_wildcard_resource_but_the_network_lookups(msk):
    statements = policy_of(one(msk, "aws:iam/rolePolicy:RolePolicy", "document_store-processor-access"))["Statement"]
    assert [s["Sid"] for s in statements if s["Resource"] == "*"] == ["DescribeTheClusterNetwork"]
