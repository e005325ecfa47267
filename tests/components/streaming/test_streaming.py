"""Streaming under mocks: the dev and prod blocks proposed for the stack files (Kinesis -> Iceberg),
MSK -> Parquet on the prod network, the component as a library, and every permission flow proven
with the offline access model."""

from __future__ import annotations

import pytest

from components import ConfigError, DataLakeFoundation, FoundationConfig
from components.foundation import VpcConfig
from components.streaming import KinesisConfig, MskConfig, Streaming, StreamingConfig
from tests.components.conftest import access_model, bucket_arn, build, build_component, planned
from tests.conftest import one, plan_stack_with, resources_of, violations

# The blocks proposed for Pulumi.dev.yaml and Pulumi.prod.yaml (see docs/components/streaming.md).
DEV_BLOCK = {
    "source": "kinesis",
    "kinesis": {"capacity_mode": "on_demand", "retention_hours": 24},
    "destination": "iceberg",
    "buffering": {"size_mb": 16, "interval_seconds": 60},
}
PROD_BLOCK = {
    "source": "kinesis",
    "kinesis": {"capacity_mode": "on_demand", "retention_hours": 168},
    "destination": "iceberg",
    "buffering": {"size_mb": 128, "interval_seconds": 300},
    "transform": {"reserved_concurrency": 50},
    "log_retention_days": 365,
}
MSK_PARQUET_BLOCK = {
    "source": "msk",
    "msk": {"broker_nodes": 2, "topic": "clicks", "log_retention_days": 365},
    "destination": "parquet",
    "buffering": {"size_mb": 128, "interval_seconds": 300},
    "log_retention_days": 365,
}
ACCOUNT = "123456789012"
REGION = "eu-west-1"
ONE_EVENT = "clickstream_events/data/event_date=2025-11-25/00000-1.parquet"

dev = planned("dev", streaming=DEV_BLOCK)
prod = planned("prod", streaming=PROD_BLOCK)
msk = planned("prod", streaming=MSK_PARQUET_BLOCK, document_store=None)
dev_access = access_model("dev")
msk_access = access_model("msk")


def delivery(plan):
    return one(plan, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "streaming-delivery")


def transform_arn(plan) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function/{plan.outputs['streaming']['transform_function_name']}"


# --- policy pack -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policy_pack_is_clean_with_the_proposed_block(request, stack):
    assert violations(request.getfixturevalue(stack), stack) == []


def test_policy_pack_is_clean_with_msk_and_parquet_on_prod(msk):
    assert violations(msk, "prod") == []


# --- Kinesis source ----------------------------------------------------------------------------------


def test_stream_is_on_demand_encrypted_with_the_stack_key(dev):
    stream = one(dev, "aws:kinesis/stream:Stream", "streaming-stream")
    assert stream.props["name"] == "lakehouse-dev-clickstream"
    assert stream.props["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert "shardCount" not in stream.props
    assert stream.props["encryptionType"] == "KMS"
    assert stream.props["kmsKeyId"] == dev.outputs["foundation"]["kms_key_arn"]
    assert stream.props["retentionPeriod"] == 24


def test_prod_keeps_a_week_of_replay(prod):
    assert one(prod, "aws:kinesis/stream:Stream", "streaming-stream").props["retentionPeriod"] == 168


def test_firehose_reads_the_stream_with_its_role(dev):
    source = delivery(dev).props["kinesisSourceConfiguration"]
    assert source["kinesisStreamArn"] == dev.outputs["streaming"]["stream_arn"]
    assert source["roleArn"].startswith(f"arn:aws:iam::{ACCOUNT}:role/streaming-delivery-role")


# --- Iceberg destination -----------------------------------------------------------------------------


def test_iceberg_table_is_created_from_the_contract_in_the_silver_database(dev):
    table = one(dev, "aws:glue/catalogTable:CatalogTable", "streaming-table")
    iceberg = table.props["openTableFormatInput"]["icebergInput"]
    assert table.props["name"] == "clickstream_events"
    assert table.props["databaseName"] == "lakehouse_dev_silver"
    assert (iceberg["metadataOperation"], iceberg["version"]) == ("CREATE", "2")
    definition = iceberg["icebergTableInput"]
    assert definition["location"] == f"s3://{dev.outputs['foundation']['buckets']['processed']}/clickstream_events"
    assert len(definition["schema"]["fields"]) == 10
    assert definition["partitionSpec"]["fields"][0]["name"] == "event_date"


def test_iceberg_delivery_names_catalog_table_buffering_and_transform(dev):
    firehose = delivery(dev).props
    iceberg = firehose["icebergConfiguration"]
    assert firehose["destination"] == "iceberg"
    assert firehose["name"] == "lakehouse-dev-clickstream"
    assert iceberg["catalogArn"] == f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog"
    assert iceberg["destinationTableConfigurations"] == [
        {"databaseName": "lakehouse_dev_silver", "tableName": "clickstream_events"}
    ]
    assert (iceberg["bufferingSize"], iceberg["bufferingInterval"]) == (16, 60)
    assert iceberg["appendOnly"] is True
    assert iceberg["processingConfiguration"]["processors"] == [
        {
            "type": "Lambda",
            "parameters": [{"parameterName": "LambdaArn", "parameterValue": f"{transform_arn(dev)}:$LATEST"}],
        }
    ]


def test_iceberg_failures_go_to_the_raw_zone_encrypted(dev):
    s3 = delivery(dev).props["icebergConfiguration"]["s3Configuration"]
    assert s3["bucketArn"] == bucket_arn(dev, "raw")
    assert s3["errorOutputPrefix"] == "errors/clickstream_events/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert s3["kmsKeyArn"] == dev.outputs["foundation"]["kms_key_arn"]
    assert delivery(dev).props["icebergConfiguration"]["s3BackupMode"] == "FailedDataOnly"


def test_delivery_logs_to_an_encrypted_group(dev):
    logging = delivery(dev).props["icebergConfiguration"]["cloudwatchLoggingOptions"]
    group = one(dev, "aws:cloudwatch/logGroup:LogGroup", "streaming-delivery-logs")
    stream = one(dev, "aws:cloudwatch/logStream:LogStream", "streaming-delivery-log-stream")
    assert logging == {
        "enabled": True,
        "logGroupName": "/aws/kinesisfirehose/lakehouse-dev-clickstream",
        "logStreamName": "DestinationDelivery",
    }
    assert group.props["kmsKeyId"] == dev.outputs["foundation"]["kms_key_arn"]
    assert group.props["retentionInDays"] == 30
    assert stream.props["logGroupName"] == "/aws/kinesisfirehose/lakehouse-dev-clickstream"


def test_transform_function_is_the_stream_transform_handler_with_a_cap(prod):
    function = one(prod, "aws:lambda/function:Function", "streaming-transform-function")
    assert function.props["name"] == "lakehouse-prod-stream-transform"
    assert function.props["handler"] == "functions.stream_transform.handler.handler"
    assert function.props["reservedConcurrentExecutions"] == 50
    assert one(prod, "aws:cloudwatch/logGroup:LogGroup", "streaming-transform-logs").props["retentionInDays"] == 365


def test_transform_writes_timestamps_the_way_each_destination_reads_them(dev, msk):
    def encoding(plan):
        function = one(plan, "aws:lambda/function:Function", "streaming-transform-function")
        return function.props["environment"]["variables"]["TIMESTAMP_ENCODING"]

    assert encoding(dev) == "epoch_micros"  # Iceberg destination: epoch microseconds
    assert encoding(msk) == "text"  # record format conversion parses text timestamps


def test_stack_exports_stream_delivery_table_and_transform(dev):
    assert dev.outputs["streaming"] == {
        "source_kind": "kinesis",
        "delivery_stream_name": "lakehouse-dev-clickstream",
        "table_name": "clickstream_events",
        "transform_function_name": "lakehouse-dev-stream-transform",
        "stream_name": "lakehouse-dev-clickstream",
        "stream_arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/lakehouse-dev-clickstream",
    }


# --- MSK source and Parquet destination --------------------------------------------------------------


def test_msk_cluster_is_tls_only_iam_authenticated_and_encrypted_with_the_stack_key(msk):
    cluster = one(msk, "aws:msk/cluster:Cluster", "streaming-cluster").props
    assert cluster["clusterName"] == "lakehouse-prod-clickstream"
    assert cluster["clientAuthentication"] == {"sasl": {"iam": True}, "unauthenticated": False}
    assert cluster["encryptionInfo"] == {
        "encryptionAtRestKmsKeyArn": msk.outputs["foundation"]["kms_key_arn"],
        "encryptionInTransit": {"clientBroker": "TLS", "inCluster": True},
    }
    assert cluster["brokerNodeGroupInfo"]["connectivityInfo"] == {
        "publicAccess": {"type": "DISABLED"},
        "vpcConnectivity": {"clientAuthentication": {"sasl": {"iam": True}}},
    }


def test_msk_brokers_sit_in_the_private_subnets_and_log_to_an_encrypted_group(msk):
    cluster = one(msk, "aws:msk/cluster:Cluster", "streaming-cluster").props
    logs = one(msk, "aws:cloudwatch/logGroup:LogGroup", "streaming-broker-logs").props
    assert cluster["brokerNodeGroupInfo"]["clientSubnets"] == msk.outputs["foundation"]["private_subnet_ids"]
    assert cluster["numberOfBrokerNodes"] == 2
    assert cluster["loggingInfo"]["brokerLogs"]["cloudwatchLogs"] == {
        "enabled": True,
        "logGroup": "/aws/msk/lakehouse-prod-clickstream",
    }
    assert logs["kmsKeyId"] == msk.outputs["foundation"]["kms_key_arn"]
    assert logs["retentionInDays"] == 365


def test_msk_brokers_admit_only_the_compute_security_group_on_the_iam_port(msk):
    brokers = one(msk, "aws:ec2/securityGroup:SecurityGroup", "streaming-brokers-sg").props
    compute = next(r for r in msk.records if r.name == "foundation-network-compute-sg")
    assert brokers["ingress"] == [
        {
            "protocol": "tcp",
            "fromPort": 9098,
            "toPort": 9098,
            "securityGroups": [compute.id],
            "description": "Kafka over TLS with IAM auth from lake compute",
        }
    ]
    assert brokers["egress"] == []


def test_msk_client_group_may_only_reach_the_brokers(msk):
    clients = one(msk, "aws:ec2/securityGroup:SecurityGroup", "streaming-clients-sg").props
    brokers = next(r for r in msk.records if r.name == "streaming-brokers-sg")
    assert clients["ingress"] == []
    assert [(e["fromPort"], e["toPort"], e["securityGroups"]) for e in clients["egress"]] == [
        (9098, 9098, [brokers.id])
    ]
    assert msk.outputs["streaming"]["msk_client_security_group_id"] == next(
        r.id for r in msk.records if r.name == "streaming-clients-sg"
    )


def test_firehose_reads_one_topic_privately_and_may_connect_by_cluster_policy(msk):
    source = delivery(msk).props["mskSourceConfiguration"]
    policy = one(msk, "aws:msk/clusterPolicy:ClusterPolicy", "streaming-cluster-policy")
    assert source["mskClusterArn"] == msk.outputs["streaming"]["msk_cluster_arn"]
    assert source["topicName"] == "clicks"
    assert source["authenticationConfiguration"]["connectivity"] == "PRIVATE"
    assert "kinesisSourceConfiguration" not in delivery(msk).props
    assert policy.props["clusterArn"] == msk.outputs["streaming"]["msk_cluster_arn"]


def test_parquet_delivery_converts_against_the_glue_table_and_partitions_by_event_date(msk):
    firehose = delivery(msk).props
    s3 = firehose["extendedS3Configuration"]
    assert firehose["destination"] == "extended_s3"
    assert s3["bucketArn"] == bucket_arn(msk, "processed")
    assert s3["prefix"] == "clickstream_events/event_date=!{partitionKeyFromQuery:event_date}/"
    assert s3["errorOutputPrefix"] == "errors/clickstream_events/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert s3["compressionFormat"] == "UNCOMPRESSED"
    assert s3["dynamicPartitioningConfiguration"] == {"enabled": True}
    assert (s3["bufferingSize"], s3["bufferingInterval"]) == (128, 300)
    schema = s3["dataFormatConversionConfiguration"]["schemaConfiguration"]
    assert (schema["databaseName"], schema["tableName"]) == ("lakehouse_prod_silver", "clickstream_events")
    serializer = s3["dataFormatConversionConfiguration"]["outputFormatConfiguration"]["serializer"]
    assert serializer == {"parquetSerDe": {"compression": "SNAPPY"}}
    processors = s3["processingConfiguration"]["processors"]
    assert [p["type"] for p in processors] == ["Lambda", "MetadataExtraction"]
    assert processors[1]["parameters"][0] == {
        "parameterName": "MetadataExtractionQuery",
        "parameterValue": "{event_date: .event_date}",
    }


def test_parquet_table_is_a_plain_partitioned_table_found_by_projection(msk):
    table = one(msk, "aws:glue/catalogTable:CatalogTable", "streaming-table").props
    assert "openTableFormatInput" not in table
    assert table["partitionKeys"] == [{"name": "event_date", "type": "date"}]
    assert len(table["storageDescriptor"]["columns"]) == 9
    assert table["storageDescriptor"]["serDeInfo"]["serializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert table["parameters"]["projection.enabled"] == "true"


def test_msk_outputs_name_cluster_topic_and_client_group(msk):
    outputs = msk.outputs["streaming"]
    assert outputs["source_kind"] == "msk"
    assert outputs["msk_topic"] == "clicks"
    assert "stream_name" not in outputs
    assert resources_of(msk, "aws:kinesis/stream:Stream") == []


# --- config errors raised by the component -----------------------------------------------------------


def test_msk_without_the_foundations_vpc_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "dev", streaming={"source": "msk"})
    assert error.value.problems == [
        "lakehouse:components.streaming.source: 'msk' needs the foundation's VPC; "
        "set lakehouse:components.foundation.vpc.enabled: true (or use source: kinesis)"
    ]


def test_broker_count_must_divide_over_the_availability_zones(tmp_path):
    with pytest.raises(ConfigError) as error:
        plan_stack_with(tmp_path, "prod", streaming={"source": "msk", "msk": {"broker_nodes": 3}}, document_store=None)
    assert error.value.problems == [
        "lakehouse:components.streaming.msk.broker_nodes: must be a multiple of the foundation's "
        "2 availability zones (got 3)"
    ]


# --- permission flows --------------------------------------------------------------------------------


def test_firehose_may_read_its_source_stream(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert dev_access.allows(role, "kinesis:GetRecords", dev.outputs["streaming"]["stream_arn"])


def test_firehose_may_not_read_another_stream(dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert not dev_access.allows(role, "kinesis:GetRecords", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders")


def test_firehose_may_invoke_its_transform_function(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert dev_access.allows(role, "lambda:InvokeFunction", f"{transform_arn(dev)}:$LATEST")


def test_firehose_may_not_invoke_another_function(dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    other = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function/lakehouse-dev-ingestion"
    assert not dev_access.allows(role, "lambda:InvokeFunction", other)


def test_firehose_may_write_the_table_location(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert dev_access.allows(role, "s3:PutObject", f"{bucket_arn(dev, 'processed')}/{ONE_EVENT}")


def test_firehose_may_not_write_another_table_of_the_processed_zone(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert not dev_access.allows(role, "s3:PutObject", f"{bucket_arn(dev, 'processed')}/orders/data/x.parquet")


def test_firehose_may_not_write_the_curated_zone(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert not dev_access.allows(role, "s3:PutObject", f"{bucket_arn(dev, 'curated')}/{ONE_EVENT}")


def test_firehose_may_write_failed_records_under_the_error_prefix(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    failed = f"{bucket_arn(dev, 'raw')}/errors/clickstream_events/processing-failed/2025/11/25/x.gz"
    assert dev_access.allows(role, "s3:PutObject", failed)


def test_firehose_may_not_write_the_ingestion_landing_prefix(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    assert not dev_access.allows(role, "s3:PutObject", f"{bucket_arn(dev, 'raw')}/raw/source=x/y.json")


def test_firehose_may_commit_its_table_but_not_another(dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    prefix = f"arn:aws:glue:{REGION}:{ACCOUNT}:table/lakehouse_dev_silver"
    assert dev_access.allows(role, "glue:UpdateTable", f"{prefix}/clickstream_events")
    assert not dev_access.allows(role, "glue:UpdateTable", f"{prefix}/orders")


def test_firehose_uses_the_key_through_s3_for_its_buckets_only(dev, dev_access):
    role = dev_access.role_arn("streaming-delivery-role")
    key = dev.outputs["foundation"]["kms_key_arn"]
    through_s3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert dev_access.allows(
        role,
        "kms:GenerateDataKey",
        key,
        {**through_s3, "kms:EncryptionContext:aws:s3:arn": bucket_arn(dev, "processed")},
    )
    assert not dev_access.allows(
        role, "kms:GenerateDataKey", key, {**through_s3, "kms:EncryptionContext:aws:s3:arn": bucket_arn(dev, "curated")}
    )
    assert not dev_access.allows(role, "kms:Decrypt", key)  # not directly, only through a service


def test_firehose_may_read_its_msk_topic_but_not_another(msk, msk_access):
    role = msk_access.role_arn("streaming-delivery-role")
    cluster = msk.outputs["streaming"]["msk_cluster_arn"]
    topics = cluster.replace(":cluster/", ":topic/")
    assert msk_access.allows(role, "kafka-cluster:Connect", cluster)
    assert msk_access.allows(role, "kafka-cluster:ReadData", f"{topics}/clicks")
    assert not msk_access.allows(role, "kafka-cluster:ReadData", f"{topics}/documents")
    assert not msk_access.allows(role, "kafka-cluster:WriteData", f"{topics}/clicks")


def test_parquet_firehose_writes_errors_beside_the_table_not_in_the_raw_zone(msk, msk_access):
    role = msk_access.role_arn("streaming-delivery-role")
    assert msk_access.allows(role, "s3:PutObject", f"{bucket_arn(msk, 'processed')}/errors/clickstream_events/x")
    assert not msk_access.allows(role, "s3:PutObject", f"{bucket_arn(msk, 'raw')}/errors/clickstream_events/x")
    assert not msk_access.allows(role, "s3:DeleteObject", f"{bucket_arn(msk, 'processed')}/{ONE_EVENT}")


# --- the component as a library ----------------------------------------------------------------------


def test_defaults_need_only_the_foundation_and_expose_the_source_interface():
    created, streaming = build_component(lambda: Streaming("clicks", DataLakeFoundation("lake")))
    assert streaming.source_kind == "kinesis"
    assert streaming.stream is not None
    assert (streaming.msk_cluster, streaming.msk_client_security_group) == (None, None)
    assert created.created["clicks-stream"].inputs["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert created.created["clicks-delivery"].inputs["icebergConfiguration"]["bufferingSize"] == 64


def test_custom_config_with_a_provisioned_stream():
    config = StreamingConfig(
        kinesis=KinesisConfig(capacity_mode="provisioned", shard_count=3, retention_hours=48),
        destination="parquet",
    )
    created = build(lambda: Streaming("clicks", DataLakeFoundation("lake"), config, name_prefix="acme-qa"))
    stream = created.created["clicks-stream"].inputs
    assert (stream["streamModeDetails"], stream["shardCount"], stream["retentionPeriod"]) == (
        {"streamMode": "PROVISIONED"},
        3,
        48,
    )
    assert created.created["clicks-delivery"].inputs["name"] == "acme-qa-clickstream"
    assert "extendedS3Configuration" in created.created["clicks-delivery"].inputs


def test_msk_as_a_library_exposes_cluster_and_client_group():
    def make():
        lake = DataLakeFoundation("lake", FoundationConfig(vpc=VpcConfig(enabled=True)))
        return Streaming("clicks", lake, StreamingConfig(source="msk", msk=MskConfig(broker_nodes=4)))

    created, streaming = build_component(make)
    assert streaming.source_kind == "msk"
    assert streaming.stream is None
    assert streaming.msk_cluster is not None and streaming.msk_client_security_group is not None
    assert created.created["clicks-cluster"].inputs["numberOfBrokerNodes"] == 4


def test_alarms_follow_the_source_and_destination():
    _, kinesis = build_component(lambda: Streaming("clicks", DataLakeFoundation("lake")))
    alarms = {a.name: a for a in kinesis.alarms()}
    assert sorted(alarms) == [
        "delivery-failures",
        "delivery-freshness",
        "stream-iterator-age",
        "stream-write-throttling",
        "transform-duration-p99",
        "transform-errors",
        "transform-failures",
        "transform-throttles",
    ]
    assert alarms["stream-iterator-age"].metric == "GetRecords.IteratorAgeMilliseconds"
    assert alarms["delivery-freshness"].metric == "DeliveryToIceberg.DataFreshness"
    assert alarms["delivery-failures"].metric == "DeliveryToIceberg.FailedRowCount"
    assert alarms["transform-failures"].comparison == "LessThanThreshold"
    assert alarms["transform-duration-p99"].threshold == 48000  # 80% of the 60 s default timeout
