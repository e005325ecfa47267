"""DocumentStore: an Amazon DocumentDB cluster and the processor that dual-writes documents to it and
to the lake.

The cluster lives in the foundation's private subnets, encrypted with the stack key, TLS required,
audit and profiler logs exported to encrypted log groups, backed up daily; its master password is
generated and rotated by DocumentDB in Secrets Manager (never in config or state). The processor
(``functions/document_processor``) reads documents from the Streaming component's kind of source (its
own Kinesis stream here, so documents never mix with the clickstream; or a topic of the Streaming
MSK cluster), upserts them into the store and writes them to ``bronze/documents/`` of the raw zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, docdb, ec2, kinesis, lambda_, vpc
from pulumi_aws import iam as aws_iam

from .. import iam
from ..alarms import Alarm
from ..config import ConfigError, config_path
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..foundation.network import HTTPS, Network
from ..kinesis_stream import encrypted_stream
from ..lambda_function import RUNTIME, FunctionSettings, PythonFunction
from ..logs import encrypted_log_group
from ..registry import Registration, exported
from ..streaming import Streaming
from ..tagging import with_name
from . import access, cluster_settings
from .config import DOCDB_PORT, KEY, DocumentStoreConfig
from .layer import CA_BUNDLE_PATH, layer_archive

CA_CERTIFICATE = "rds-ca-rsa2048-g1"  # in the global bundle the layer ships
# Alarm thresholds: CPU and connections sized for the default db.t4g.medium (500 connections at most).
CPU_PERCENT = 80
CONNECTIONS = 400
FREE_LOCAL_STORAGE_BYTES = 2 * 1024**3
REPLICA_LAG_MS = 1000
ITERATOR_AGE_MS = 5 * 60 * 1000
OFFSET_LAG = 10_000


@dataclass(frozen=True)
class DocumentStoreOutputs:
    """What the stack exports: where the store is, its secret, and where documents go in."""

    cluster_identifier: pulumi.Output[str]
    cluster_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: int
    database: str
    secret_arn: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    processor_name: pulumi.Output[str]
    source_kind: str
    documents_stream_name: pulumi.Output[str] | None = None
    documents_stream_arn: pulumi.Output[str] | None = None
    msk_topic: str | None = None


class DocumentStore(pulumi.ComponentResource):
    """DocumentDB plus the dual-write processor; takes the foundation (and the Streaming component)."""

    source_kind: str
    subnet_group: docdb.SubnetGroup
    parameter_group: docdb.ClusterParameterGroup
    log_groups: dict[str, cloudwatch.LogGroup]
    cluster_security_group: ec2.SecurityGroup
    processor_security_group: ec2.SecurityGroup
    cluster: docdb.Cluster
    instances: list[docdb.ClusterInstance]
    secret_arn: pulumi.Output[str]
    stream: kinesis.Stream | None
    layer: lambda_.LayerVersion
    processor: PythonFunction
    source_policy: aws_iam.RolePolicy
    event_source: lambda_.EventSourceMapping

    def __init__(
        self,
        name: str,
        *,
        foundation: DataLakeFoundation,
        streaming: Streaming | None = None,
        config: DocumentStoreConfig | None = None,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:DocumentStore", name, None, opts)
        config = config or DocumentStoreConfig()
        network = _network(foundation)
        self.source_kind = streaming.source_kind if streaming is not None else "kinesis"
        _check_source(config, self.source_kind)
        tags = dict(tags or {})
        prefix = name_prefix or name
        cluster_id = cluster_settings.cluster_identifier(prefix)
        child = pulumi.ResourceOptions(parent=self)
        self._config, self._cluster_id = config, cluster_id

        self.subnet_group = docdb.SubnetGroup(
            f"{name}-subnets",
            name=cluster_id,
            description=f"Private subnets of the {prefix} document store",
            subnet_ids=network.private_subnet_ids,
            tags=with_name(tags, cluster_id),
            opts=child,
        )
        self.parameter_group = docdb.ClusterParameterGroup(
            f"{name}-parameters",
            name=cluster_id,
            family=config.parameter_family,
            description="TLS required, audit logs and profiler on",
            parameters=cluster_settings.parameters(config),
            tags=with_name(tags, cluster_id),
            opts=child,
        )
        self.log_groups = {
            export: encrypted_log_group(
                f"{name}-{export}-logs",
                name=cluster_settings.log_group_name(cluster_id, export),
                key_arn=foundation.key.arn,
                retention_days=config.log_retention_days,
                tags=with_name(tags, f"{cluster_id}-{export}"),
                opts=child,
            )
            for export in cluster_settings.LOG_EXPORTS
        }
        self._security_groups(name, prefix, network, config, tags)
        self.cluster = docdb.Cluster(
            f"{name}-cluster",
            cluster_identifier=cluster_id,
            engine="docdb",
            engine_version=config.engine_version,
            master_username=config.master_username,
            manage_master_user_password=True,  # DocumentDB generates, stores and rotates it
            port=DOCDB_PORT,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.cluster_security_group.id],
            db_cluster_parameter_group_name=self.parameter_group.name,
            storage_encrypted=True,
            kms_key_id=foundation.key.arn,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.backup_window,
            preferred_maintenance_window=config.maintenance_window,
            enabled_cloudwatch_logs_exports=list(cluster_settings.LOG_EXPORTS),
            **cluster_settings.deletion_settings(cluster_id, config),
            tags=with_name(tags, cluster_id),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.log_groups.values())),
        )
        self.instances = [
            docdb.ClusterInstance(
                f"{name}-instance-{index}",
                identifier=f"{cluster_id}-{index}",
                cluster_identifier=self.cluster.id,
                instance_class=config.instance_class,
                engine="docdb",
                ca_cert_identifier=CA_CERTIFICATE,
                auto_minor_version_upgrade=True,
                preferred_maintenance_window=config.maintenance_window,
                tags=with_name(tags, f"{cluster_id}-{index}"),
                opts=child,
            )
            for index in range(config.instances)
        ]
        self.secret_arn = self.cluster.master_user_secrets.apply(cluster_settings.managed_secret_arn)

        # Documents get their own stream: they never mix with the clickstream.
        self.stream = (
            encrypted_stream(
                f"{name}-stream",
                name=f"{prefix}-documents",
                capacity=config.kinesis,
                key_arn=foundation.key.arn,
                tags=tags,
                opts=child,
            )
            if self.source_kind == "kinesis"
            else None
        )
        self.layer = lambda_.LayerVersion(
            f"{name}-layer",
            layer_name=f"{prefix}-docdb-client",
            description="pymongo and the Amazon RDS CA bundle for the document processor",
            code=layer_archive(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=["arm64"],
            opts=child,
        )
        self.processor = PythonFunction(
            f"{name}-processor",
            handler_package="document_processor",
            function_name=f"{prefix}-document-processor",
            description="Upserts documents into DocumentDB and writes them to bronze/documents/ of the lake",
            key_arn=foundation.key.arn,
            account_id=foundation.account_id,
            statements=[],  # its grants need resolved ARNs: the access policy below
            settings=FunctionSettings(
                memory_mb=config.processor.memory_mb,
                timeout_seconds=config.processor.timeout_seconds,
                reserved_concurrency=config.processor.reserved_concurrency,
                log_retention_days=config.log_retention_days,
                environment={
                    "DOCDB_SECRET_ARN": self.secret_arn,
                    "DOCDB_HOST": self.cluster.endpoint,  # the managed secret holds only the credentials
                    "DOCDB_PORT": str(DOCDB_PORT),
                    "DOCDB_DATABASE": config.database,
                    "DOCDB_CA_FILE": f"/opt/{CA_BUNDLE_PATH}",
                    "RAW_BUCKET": foundation.buckets.raw.bucket,
                    "KMS_KEY_ARN": foundation.key.arn,
                },
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[self.processor_security_group.id],
                layers=[self.layer.arn],
            ),
            tags=tags,
            opts=child,
        )
        self.source_policy = aws_iam.RolePolicy(
            f"{name}-processor-access",
            role=self.processor.role.id,
            policy=self._access_policy(prefix, config, foundation, streaming),
            opts=child,
        )
        self.event_source = self._event_source(name, prefix, config, streaming, tags)
        self.register_outputs(exported(self.stack_outputs()))

    # --- network -------------------------------------------------------------------------------------

    def _security_groups(
        self, name: str, prefix: str, network: Network, config: DocumentStoreConfig, tags: dict[str, str]
    ) -> None:
        """The cluster admits the processor and the configured consumers on 27017 and nothing else;
        the processor reaches the cluster and AWS APIs (HTTPS, through the VPC endpoints) only."""
        child = pulumi.ResourceOptions(parent=self)
        self.cluster_security_group = ec2.SecurityGroup(
            f"{name}-cluster-sg",
            vpc_id=network.vpc.id,
            description="DocumentDB: the document processor and named consumers on 27017 only",
            tags=with_name(tags, f"{prefix}-documents-cluster"),
            opts=child,
        )
        self.processor_security_group = ec2.SecurityGroup(
            f"{name}-processor-sg",
            vpc_id=network.vpc.id,
            description="Document processor: to DocumentDB on 27017 and to AWS APIs over HTTPS",
            tags=with_name(tags, f"{prefix}-document-processor"),
            opts=child,
        )
        admitted = {
            "processor": self.processor_security_group.id,
            **{sg: sg for sg in config.consumer_security_group_ids},
        }
        for label, group in admitted.items():
            vpc.SecurityGroupIngressRule(
                f"{name}-cluster-from-{label}",
                security_group_id=self.cluster_security_group.id,
                referenced_security_group_id=group,
                ip_protocol="tcp",
                from_port=DOCDB_PORT,
                to_port=DOCDB_PORT,
                description=f"DocumentDB from {label}",
                tags=with_name(tags, f"{prefix}-documents-from-{label}"),
                opts=child,
            )
        vpc.SecurityGroupEgressRule(
            f"{name}-processor-to-cluster",
            security_group_id=self.processor_security_group.id,
            referenced_security_group_id=self.cluster_security_group.id,
            ip_protocol="tcp",
            from_port=DOCDB_PORT,
            to_port=DOCDB_PORT,
            description="To DocumentDB",
            tags=with_name(tags, f"{prefix}-processor-to-documents"),
            opts=child,
        )
        vpc.SecurityGroupEgressRule(
            f"{name}-processor-to-aws",
            security_group_id=self.processor_security_group.id,
            cidr_ipv4="0.0.0.0/0",  # S3's gateway endpoint and the interface endpoints answer on public and VPC addresses
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            description="AWS APIs (S3, Secrets Manager, KMS) through the VPC endpoints",
            tags=with_name(tags, f"{prefix}-processor-to-aws"),
            opts=child,
        )

    # --- the source ----------------------------------------------------------------------------------

    def _access_policy(
        self, prefix: str, config: DocumentStoreConfig, foundation: DataLakeFoundation, streaming: Streaming | None
    ) -> pulumi.Output[str]:
        secret, raw = self.secret_arn, foundation.buckets.raw.arn
        if self.stream is not None:
            return iam.document_from(
                lambda s, r, stream: [*access.processor_statements(s, r), *access.kinesis_statements(stream)],
                secret,
                raw,
                self.stream.arn,
            )
        assert streaming is not None and streaming.msk_cluster is not None  # checked in __init__
        return iam.document_from(
            lambda s, r, cluster: [
                *access.processor_statements(s, r),
                *access.msk_statements(access.KafkaTopic(cluster, config.msk_topic, _consumer_group(prefix))),
            ],
            secret,
            raw,
            streaming.msk_cluster.arn,
        )

    def _event_source(
        self, name: str, prefix: str, config: DocumentStoreConfig, streaming: Streaming | None, tags: dict[str, str]
    ) -> lambda_.EventSourceMapping:
        """No bisecting and no partial batch responses: a failed batch is retried whole, so its lake
        objects keep their names (see the processor's docstring)."""
        settings = config.processor
        common: dict[str, Any] = {
            "function_name": self.processor.function.arn,
            "batch_size": settings.batch_size,
            "maximum_batching_window_in_seconds": settings.batching_window_seconds,
            "starting_position": settings.starting_position,
            "tags": with_name(tags, f"{prefix}-documents-to-processor"),
            "opts": pulumi.ResourceOptions(parent=self, depends_on=[self.source_policy]),
        }
        if self.stream is not None:
            return lambda_.EventSourceMapping(
                f"{name}-source",
                event_source_arn=self.stream.arn,
                maximum_retry_attempts=settings.retry_attempts,
                bisect_batch_on_function_error=False,
                destination_config={"on_failure": {"destination_arn": self.processor.dead_letter_queue.arn}},
                **common,
            )
        assert streaming is not None and streaming.msk_cluster is not None
        return lambda_.EventSourceMapping(
            f"{name}-source",
            event_source_arn=streaming.msk_cluster.arn,
            topics=[config.msk_topic],
            amazon_managed_kafka_event_source_config={"consumer_group_id": _consumer_group(prefix)},
            **common,
        )

    # --- outputs and alarms ----------------------------------------------------------------------------

    def stack_outputs(self) -> DocumentStoreOutputs:
        return DocumentStoreOutputs(
            cluster_identifier=self.cluster.cluster_identifier,
            cluster_endpoint=self.cluster.endpoint,
            reader_endpoint=self.cluster.reader_endpoint,
            port=DOCDB_PORT,
            database=self._config.database,
            secret_arn=self.secret_arn,
            cluster_security_group_id=self.cluster_security_group.id,
            processor_name=self.processor.function.name,
            source_kind=self.source_kind,
            documents_stream_name=self.stream.name if self.stream else None,
            documents_stream_arn=self.stream.arn if self.stream else None,
            msk_topic=self._config.msk_topic if self.source_kind == "msk" else None,
        )

    def alarms(self) -> list[Alarm]:
        """What an operator of the store watches: the cluster's load and health, and documents
        falling behind, failing or being rejected on their way in."""
        cluster = {"DBClusterIdentifier": self._cluster_id}
        function = {"FunctionName": self.processor.function.name}
        alarms = [
            Alarm(
                name="cluster-cpu",
                metric="CPUUtilization",
                namespace="AWS/DocDB",
                dimensions=cluster,
                statistic="Maximum",
                threshold=CPU_PERCENT,
                evaluation_periods=3,
                unit="Percent",
                runbook="Instances are saturated: read the profiler log for slow operations, add an index, or raise instance_class.",
            ),
            Alarm(
                name="cluster-connections",
                metric="DatabaseConnectionsMax",
                namespace="AWS/DocDB",
                dimensions=cluster,
                statistic="Maximum",
                threshold=CONNECTIONS,
                runbook="Near the instance's connection limit: look for clients not reusing connections, or raise instance_class.",
            ),
            Alarm(
                name="cluster-replica-lag",
                metric="DBClusterReplicaLagMaximum",
                namespace="AWS/DocDB",
                dimensions=cluster,
                statistic="Maximum",
                threshold=REPLICA_LAG_MS,
                evaluation_periods=3,
                unit="Milliseconds",
                runbook="Replicas fall behind the primary (reads may be stale): check write load and replica instance size.",
            ),
            Alarm(
                name="cluster-free-local-storage",
                metric="FreeLocalStorage",
                namespace="AWS/DocDB",
                dimensions=cluster,
                statistic="Minimum",
                comparison="LessThanThreshold",
                threshold=FREE_LOCAL_STORAGE_BYTES,
                unit="Bytes",
                runbook="Temporary storage for sorts and index builds is running out: find large sorts in the profiler log, or raise instance_class.",
            ),
            Alarm(
                name="processor-errors",
                metric="Errors",
                namespace="AWS/Lambda",
                dimensions=function,
                threshold=1,
                runbook="Batches fail and are retried (store or lake unreachable): read the processor's logs; documents wait in the source meanwhile.",
            ),
            Alarm(
                name="documents-rejected",
                metric="Rejected",
                namespace="Lakehouse/Documents",
                dimensions=function,
                threshold=1,
                runbook="Producers send malformed documents: read bronze/documents/_errors/ for the reasons.",
            ),
        ]
        if self.stream is not None:
            alarms.append(
                Alarm(
                    name="processor-iterator-age",
                    metric="IteratorAge",
                    namespace="AWS/Lambda",
                    dimensions=function,
                    statistic="Maximum",
                    threshold=ITERATOR_AGE_MS,
                    unit="Milliseconds",
                    runbook="Documents wait in the stream: the processor is failing or too slow; they expire after kinesis.retention_hours.",
                )
            )
        else:
            alarms.append(
                Alarm(
                    name="processor-offset-lag",
                    metric="OffsetLag",
                    namespace="AWS/Lambda",
                    dimensions=function,
                    statistic="Maximum",
                    threshold=OFFSET_LAG,
                    runbook="Documents wait in the topic: the processor is failing or too slow for the topic's partitions.",
                )
            )
        return alarms


def _consumer_group(prefix: str) -> str:
    return f"{prefix}-document-processor"


def _network(foundation: DataLakeFoundation) -> Network:
    """DocumentDB runs only inside a VPC: refuse a foundation without one, before any resource."""
    if foundation.network is None:
        raise ConfigError(
            [
                f"{config_path('components', KEY)}: DocumentDB runs only in a VPC; set "
                f"{config_path('components', 'foundation', 'vpc', 'enabled')}: true"
            ]
        )
    return foundation.network


def _check_source(config: DocumentStoreConfig, source_kind: str) -> None:
    """Settings for the other kind of source would be silently ignored: refuse them."""
    unused = "msk_topic" if source_kind == "kinesis" else "kinesis"
    if unused in config.model_fields_set:
        raise ConfigError(
            [
                f"{config_path('components', KEY, unused)}: set, but the streaming source is '{source_kind}' "
                f"(see {config_path('components', 'streaming', 'source')}); remove it"
            ]
        )


REGISTRATION = Registration(
    key=KEY,
    config_model=DocumentStoreConfig,
    factory=standard_factory(DocumentStore, streaming=lambda context: context.dependency("streaming", Streaming)),
    depends_on=("foundation", "streaming"),
    summary="DocumentDB (encrypted, TLS, audited, managed secret) and the processor dual-writing documents to it and the lake",
)
