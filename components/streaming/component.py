"""Streaming: clickstream events from Kinesis (or MSK) through a transform Lambda into the lake.

Source (a KMS-encrypted Kinesis data stream, or an IAM-authenticated, TLS-only MSK cluster in the
foundation's private subnets) -> Firehose, which calls the transform function
(``functions/stream_transform``) on every batch -> the ``clickstream_events`` table of the silver
database: an Apache Iceberg table Firehose commits into, or Parquet files partitioned by event_date.
Failed records land under ``errors/clickstream_events/`` with their reason. The Glue table is created
here from the table's contract (etl/contracts/clickstream_events.yaml).

Dependent components (the document store) read the same kind of source: ``source_kind``, ``stream``,
``msk_cluster`` and ``msk_client_security_group`` are the interface they use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi_aws import cloudwatch, ec2, glue, kinesis, msk, s3
from pulumi_aws import iam as aws_iam

from etl.contract import EventTable, clickstream_events

from .. import iam
from ..alarms import Alarm
from ..config import ConfigError, config_path
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..kinesis_stream import encrypted_stream
from ..lambda_function import FunctionRunbooks, FunctionSettings, PythonFunction
from ..logs import encrypted_log_group
from ..registry import Registration, exported
from ..roles import role_with_policy
from ..tagging import with_name
from . import delivery
from .access import LOG_STREAM, FirehoseGrants, firehose_trust_policy, msk_cluster_policy
from .config import KEY, MSK_IAM_PORT, StreamingConfig
from .table import (
    hive_columns,
    hive_partition_keys,
    iceberg_table_input,
    projection_parameters,
)

# Transformed records older than this are not reaching the table: AWS's advice is to alarm when
# DataFreshness passes the largest buffering interval (15 minutes).
FRESHNESS_SECONDS = 900
ITERATOR_AGE_MS = 10 * 60 * 1000  # Firehose reads continuously: ten minutes behind means it is stuck
TRANSFORM_RUNBOOKS = FunctionRunbooks(
    errors="The transform function raised: read its JSON logs; Firehose retries, then sends the batch to the error prefix.",
    throttles="Firehose's calls exceed the transform's reserved_concurrency: raise it.",
    duration="The transform nears its timeout: raise transform.timeout_seconds or memory_mb.",
)
_PARQUET_FORMATS = {
    "input_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "output_format": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "ser_de_info": {"serialization_library": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


@dataclass(frozen=True)
class StreamingOutputs:
    """What the stack exports: where producers write, and where the events land."""

    source_kind: str
    delivery_stream_name: pulumi.Output[str]
    table_name: pulumi.Output[str]
    transform_function_name: pulumi.Output[str]
    stream_name: pulumi.Output[str] | None = None
    stream_arn: pulumi.Output[str] | None = None
    msk_cluster_arn: pulumi.Output[str] | None = None
    msk_bootstrap_brokers: pulumi.Output[str] | None = None
    msk_topic: str | None = None
    msk_client_security_group_id: pulumi.Output[str] | None = None


class Streaming(pulumi.ComponentResource):
    """Kinesis or MSK -> transform Lambda -> Firehose -> clickstream_events; takes the foundation."""

    source_kind: Literal["kinesis", "msk"]
    stream: kinesis.Stream | None
    msk_cluster: msk.Cluster | None
    msk_client_security_group: ec2.SecurityGroup | None
    msk_broker_security_group: ec2.SecurityGroup | None
    table: glue.CatalogTable
    transform: PythonFunction
    delivery_role: aws_iam.Role
    delivery_logs: cloudwatch.LogGroup
    delivery_stream: kinesis.FirehoseDeliveryStream

    def __init__(
        self,
        name: str,
        foundation: DataLakeFoundation,
        config: StreamingConfig | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:Streaming", name, None, opts)
        config = config or StreamingConfig()
        _check_network(config, foundation)
        contract = clickstream_events()
        tags = dict(tags or {})
        prefix = name_prefix or name
        child = pulumi.ResourceOptions(parent=self)
        self._config = config
        self.source_kind = config.source
        self.stream = self.msk_cluster = self.msk_client_security_group = self.msk_broker_security_group = None

        self.transform = PythonFunction(
            f"{name}-transform",
            handler_package="stream_transform",
            function_name=f"{prefix}-stream-transform",
            description="Validates and enriches clickstream events for Firehose",
            key_arn=foundation.key.arn,
            account_id=foundation.account_id,
            statements=[],
            settings=FunctionSettings(
                memory_mb=config.transform.memory_mb,
                timeout_seconds=config.transform.timeout_seconds,
                reserved_concurrency=config.transform.reserved_concurrency,
                log_retention_days=config.log_retention_days,
                environment={"TIMESTAMP_ENCODING": delivery.TIMESTAMP_ENCODING[config.destination]},
            ),
            tags=tags,
            opts=child,
        )
        self.table = self._table(name, contract, config, foundation)
        if config.source == "kinesis":
            self.stream = encrypted_stream(
                f"{name}-stream",
                name=f"{prefix}-clickstream",
                capacity=config.kinesis,
                key_arn=foundation.key.arn,
                tags=tags,
                opts=child,
            )
            source_arn = self.stream.arn
        else:
            self.msk_cluster = self._msk(name, prefix, config, foundation, tags)
            source_arn = self.msk_cluster.arn

        self.delivery_logs = encrypted_log_group(
            f"{name}-delivery-logs",
            name=f"/aws/kinesisfirehose/{prefix}-clickstream",
            key_arn=foundation.key.arn,
            retention_days=config.log_retention_days,
            tags=with_name(tags, f"{prefix}-clickstream-delivery-logs"),
            opts=child,
        )
        cloudwatch.LogStream(
            f"{name}-delivery-log-stream", name=LOG_STREAM, log_group_name=self.delivery_logs.name, opts=child
        )
        grants = FirehoseGrants(
            source=config.source,
            destination=config.destination,
            table=contract.name,
            table_prefix=delivery.table_prefix(contract),
            error_prefix=delivery.error_prefix(contract),
            topic=config.msk.topic,
        )
        self.delivery_role, policy = role_with_policy(
            f"{name}-delivery-role",
            policy_resource_name=f"{name}-delivery-access",
            description="Firehose delivery of the clickstream into the lake",
            assume_role_policy=iam.document_from(firehose_trust_policy, foundation.account_id),
            policy=iam.document_from(
                grants.statements,
                foundation.partition,
                foundation.region,
                foundation.account_id,
                foundation.key.arn,
                source_arn,
                self.transform.function.arn,
                foundation.buckets.processed.arn,
                self._error_bucket(config, foundation).arn,
                foundation.databases.silver.name,
                self.delivery_logs.arn,
            ),
            tags=with_name(tags, f"{prefix}-clickstream-delivery"),
            opts=child,
        )
        needs: list[pulumi.Resource] = [policy, self.table]
        if self.msk_cluster is not None:
            needs.append(
                msk.ClusterPolicy(
                    f"{name}-cluster-policy",
                    cluster_arn=self.msk_cluster.arn,
                    policy=iam.document_from(msk_cluster_policy, self.msk_cluster.arn),
                    opts=child,
                )
            )
        self.delivery_stream = kinesis.FirehoseDeliveryStream(
            f"{name}-delivery",
            name=f"{prefix}-clickstream",
            tags=with_name(tags, f"{prefix}-clickstream"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs),
            **self._source_and_destination(contract, config, foundation),
        )
        self.register_outputs(exported(self.stack_outputs()))

    # --- the table ---------------------------------------------------------------------------------

    def _table(
        self, name: str, contract: EventTable, config: StreamingConfig, foundation: DataLakeFoundation
    ) -> glue.CatalogTable:
        location = pulumi.Output.concat("s3://", foundation.buckets.processed.bucket, "/", contract.name)
        common: dict[str, Any] = {
            "name": contract.name,
            "database_name": foundation.databases.silver.name,
            "description": "Clickstream events as the stream transform emits them (etl/contracts/clickstream_events.yaml)",
            "opts": pulumi.ResourceOptions(parent=self),
        }
        if config.destination == "iceberg":
            return glue.CatalogTable(
                f"{name}-table",
                open_table_format_input={
                    "iceberg_input": {
                        "metadata_operation": "CREATE",
                        "version": "2",  # Firehose writes format v2 only
                        "iceberg_table_input": iceberg_table_input(contract, location),
                    }
                },
                **common,
            )
        return glue.CatalogTable(
            f"{name}-table",
            table_type="EXTERNAL_TABLE",
            parameters=location.apply(lambda where: projection_parameters(contract, where)),
            partition_keys=hive_partition_keys(contract),
            storage_descriptor={"location": location, "columns": hive_columns(contract), **_PARQUET_FORMATS},
            **common,
        )

    # --- the source ----------------------------------------------------------------------------------

    def _msk(
        self, name: str, prefix: str, config: StreamingConfig, foundation: DataLakeFoundation, tags: dict[str, str]
    ) -> msk.Cluster:
        """A provisioned cluster reachable only from the lake's compute, with IAM auth over TLS, and
        multi-VPC private connectivity for IAM so Firehose can open its own private connection."""
        network = foundation.network
        assert network is not None  # checked by _check_network before any resource
        settings = config.msk
        child = pulumi.ResourceOptions(parent=self)
        self.msk_broker_security_group = ec2.SecurityGroup(
            f"{name}-brokers-sg",
            vpc_id=network.vpc.id,
            description="MSK brokers: IAM-authenticated TLS from the lake's compute security group only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": MSK_IAM_PORT,
                    "to_port": MSK_IAM_PORT,
                    "security_groups": [network.compute_security_group.id],
                    "description": "Kafka over TLS with IAM auth from lake compute",
                }
            ],
            egress=[],
            tags=with_name(tags, f"{prefix}-msk-brokers"),
            opts=child,
        )
        self.msk_client_security_group = ec2.SecurityGroup(
            f"{name}-clients-sg",
            vpc_id=network.vpc.id,
            description="MSK clients: opens IAM-authenticated TLS connections to the brokers",
            ingress=[],
            egress=[
                {
                    "protocol": "tcp",
                    "from_port": MSK_IAM_PORT,
                    "to_port": MSK_IAM_PORT,
                    "security_groups": [self.msk_broker_security_group.id],
                    "description": "Kafka over TLS with IAM auth to the brokers",
                }
            ],
            tags=with_name(tags, f"{prefix}-msk-clients"),
            opts=child,
        )
        broker_logs = encrypted_log_group(
            f"{name}-broker-logs",
            name=f"/aws/msk/{prefix}-clickstream",
            key_arn=foundation.key.arn,
            retention_days=settings.log_retention_days,
            tags=with_name(tags, f"{prefix}-msk-broker-logs"),
            opts=child,
        )
        return msk.Cluster(
            f"{name}-cluster",
            cluster_name=f"{prefix}-clickstream",
            kafka_version=settings.kafka_version,
            number_of_broker_nodes=settings.broker_nodes,
            broker_node_group_info={
                "instance_type": settings.instance_type,
                "client_subnets": network.private_subnet_ids,
                "security_groups": [self.msk_broker_security_group.id],
                "storage_info": {"ebs_storage_info": {"volume_size": settings.volume_size_gb}},
                "connectivity_info": {
                    "public_access": {"type": "DISABLED"},
                    "vpc_connectivity": {"client_authentication": {"sasl": {"iam": True}}},
                },
            },
            client_authentication={"sasl": {"iam": True}, "unauthenticated": False},
            encryption_info={
                "encryption_at_rest_kms_key_arn": foundation.key.arn,
                "encryption_in_transit": {"client_broker": "TLS", "in_cluster": True},
            },
            logging_info={"broker_logs": {"cloudwatch_logs": {"enabled": True, "log_group": broker_logs.name}}},
            tags=with_name(tags, f"{prefix}-clickstream"),
            opts=child,
        )

    # --- the delivery --------------------------------------------------------------------------------

    @staticmethod
    def _error_bucket(config: StreamingConfig, foundation: DataLakeFoundation) -> s3.Bucket:
        """Iceberg failures go to the raw zone (records as they arrived); Parquet failures stay beside the
        table in the processed bucket, as the extended-S3 destination has one bucket."""
        return foundation.buckets.raw if config.destination == "iceberg" else foundation.buckets.processed

    def _source_and_destination(
        self, contract: EventTable, config: StreamingConfig, foundation: DataLakeFoundation
    ) -> dict[str, Any]:
        role = self.delivery_role.arn
        transform = pulumi.Output.concat(self.transform.function.arn, ":$LATEST")
        if self.stream is not None:
            source: dict[str, Any] = {
                "kinesis_source_configuration": {"kinesis_stream_arn": self.stream.arn, "role_arn": role}
            }
        else:
            assert self.msk_cluster is not None
            source = {
                "msk_source_configuration": {
                    "msk_cluster_arn": self.msk_cluster.arn,
                    "topic_name": config.msk.topic,
                    "authentication_configuration": {"connectivity": "PRIVATE", "role_arn": role},
                }
            }
        common: dict[str, Any] = {
            "role_arn": role,
            "database": foundation.databases.silver.name,
            "transform_arn": transform,
            "key_arn": foundation.key.arn,
            "log_group_name": self.delivery_logs.name,
            "buffering": config.buffering,
        }
        if config.destination == "iceberg":
            catalog = pulumi.Output.concat(
                "arn:", foundation.partition, ":glue:", foundation.region, ":", foundation.account_id, ":catalog"
            )
            return {
                **source,
                "destination": "iceberg",
                "iceberg_configuration": delivery.iceberg_configuration(
                    contract, catalog_arn=catalog, error_bucket_arn=self._error_bucket(config, foundation).arn, **common
                ),
            }
        return {
            **source,
            "destination": "extended_s3",
            "extended_s3_configuration": delivery.parquet_configuration(
                contract,
                bucket_arn=foundation.buckets.processed.arn,
                region=foundation.region,
                account_id=foundation.account_id,
                **common,
            ),
        }

    # --- interface -----------------------------------------------------------------------------------

    def stack_outputs(self) -> StreamingOutputs:
        cluster = self.msk_cluster
        return StreamingOutputs(
            source_kind=self.source_kind,
            delivery_stream_name=self.delivery_stream.name,
            table_name=self.table.name,
            transform_function_name=self.transform.function.name,
            stream_name=self.stream.name if self.stream else None,
            stream_arn=self.stream.arn if self.stream else None,
            msk_cluster_arn=cluster.arn if cluster else None,
            msk_bootstrap_brokers=cluster.bootstrap_brokers_sasl_iam if cluster else None,
            msk_topic=self._config.msk.topic if cluster else None,
            msk_client_security_group_id=self.msk_client_security_group.id if self.msk_client_security_group else None,
        )

    def alarms(self) -> list[Alarm]:
        """What an operator of the stream watches: a source falling behind or throttling writers, data
        not reaching the table, records failing the transform or delivery, the transform's health."""
        config = self._config
        firehose = {"DeliveryStreamName": self.delivery_stream.name}
        alarms: list[Alarm] = []
        if self.stream is not None:
            stream = {"StreamName": self.stream.name}
            alarms += [
                Alarm(
                    name="stream-iterator-age",
                    metric="GetRecords.IteratorAgeMilliseconds",
                    namespace="AWS/Kinesis",
                    dimensions=stream,
                    statistic="Maximum",
                    threshold=ITERATOR_AGE_MS,
                    unit="Milliseconds",
                    runbook="Firehose reads the stream late: check the delivery stream's errors and throttling; records expire after retention_hours.",
                ),
                Alarm(
                    name="stream-write-throttling",
                    metric="WriteProvisionedThroughputExceeded",
                    namespace="AWS/Kinesis",
                    dimensions=stream,
                    threshold=1,
                    evaluation_periods=3,
                    runbook="Producers are throttled: add shards (provisioned) or check for a hot partition key.",
                ),
            ]
        destination = "Iceberg" if config.destination == "iceberg" else "S3"
        alarms += [
            Alarm(
                name="delivery-freshness",
                metric=f"DeliveryTo{destination}.DataFreshness",
                namespace="AWS/Firehose",
                dimensions=firehose,
                statistic="Maximum",
                threshold=FRESHNESS_SECONDS,
                unit="Seconds",
                runbook="Events are not reaching the table: read the delivery log group, then errors/clickstream_events/.",
            ),
            Alarm(
                name="transform-failures",
                metric="ExecuteProcessing.Success",
                namespace="AWS/Firehose",
                dimensions=firehose,
                statistic="Average",
                comparison="LessThanThreshold",
                threshold=1,
                runbook="Firehose could not run the transform on some batches: check the transform function's errors and timeout.",
            ),
            Alarm(
                name="delivery-failures",
                metric="DeliveryToIceberg.FailedRowCount"
                if config.destination == "iceberg"
                else "DeliveryToS3.Success",
                namespace="AWS/Firehose",
                dimensions=firehose,
                statistic="Sum" if config.destination == "iceberg" else "Average",
                comparison="GreaterThanOrEqualToThreshold" if config.destination == "iceberg" else "LessThanThreshold",
                threshold=1,
                runbook="Records failed delivery and went to errors/clickstream_events/: the error documents name the reason (schema, permissions).",
            ),
        ]
        return alarms + self.transform.health_alarms("transform", TRANSFORM_RUNBOOKS)


def _check_network(config: StreamingConfig, foundation: DataLakeFoundation) -> None:
    """MSK lives in the foundation's private subnets: refuse a source the foundation cannot host."""
    if config.source != "msk":
        return
    if foundation.network is None:
        raise ConfigError(
            [
                f"{config_path('components', KEY, 'source')}: 'msk' needs the foundation's VPC; "
                f"set {config_path('components', 'foundation', 'vpc', 'enabled')}: true (or use source: kinesis)"
            ]
        )
    zones = len(foundation.network.private_subnets)
    if config.msk.broker_nodes % zones:
        raise ConfigError(
            [
                f"{config_path('components', KEY, 'msk', 'broker_nodes')}: must be a multiple of the foundation's "
                f"{zones} availability zones (got {config.msk.broker_nodes})"
            ]
        )


REGISTRATION = Registration(
    key=KEY,
    config_model=StreamingConfig,
    factory=standard_factory(Streaming),
    depends_on=("foundation",),
    summary="Kinesis or MSK -> transform Lambda -> Firehose -> clickstream_events (Iceberg or Parquet)",
)
