"""ChangeDataCapture: AWS DMS replicates the SaaS PostgreSQL database into the bronze zone.

A full load then ongoing changes (CDC) of exactly the source contract's tables, written by an S3
target endpoint whose settings produce the contract's layout (``dms/public/<table>/LOAD*.csv.gz``
and CDC files beside them, SSE-KMS with the stack key) in the raw bucket, where
``bronze_to_silver`` reads them. The replication runs in the foundation's private subnets, on a
replication instance or on DMS Serverless, in a security group that admits nothing; the source's
credentials stay in Secrets Manager and the connection is TLS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, dms, ec2
from pulumi_aws import iam as aws_iam

from etl.contract import tables

from .. import iam
from ..alarms import Alarm, EventAlert
from ..config import ConfigError, config_path
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..foundation.network import HTTPS, Network
from ..logs import encrypted_log_group
from ..registry import Registration, exported
from ..roles import role_with_policy
from ..tagging import with_name
from . import layout, permissions, replication, watch
from .config import KEY, CdcConfig


@dataclass(frozen=True)
class CdcOutputs:
    """What the stack exports: where bronze lands and the DMS resources an operator starts and watches."""

    replication_arn: pulumi.Output[str]  # the replication task, or the DMS Serverless replication
    source_endpoint_arn: pulumi.Output[str]
    target_endpoint_arn: pulumi.Output[str]
    bronze_location: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    replication_instance_arn: pulumi.Output[str] | None = None


class ChangeDataCapture(pulumi.ComponentResource):
    """DMS full load and CDC of the source contract's tables into ``s3://<raw>/dms/``."""

    security_group: ec2.SecurityGroup
    subnet_group: dms.ReplicationSubnetGroup
    log_group: cloudwatch.LogGroup
    bronze_writer: aws_iam.Role
    secret_reader: aws_iam.Role
    source_endpoint: dms.Endpoint
    target_endpoint: dms.S3Endpoint
    instance: dms.ReplicationInstance | None
    task: dms.ReplicationTask | None
    serverless: dms.ReplicationConfig | None

    def __init__(
        self,
        name: str,
        config: CdcConfig,
        *,
        foundation: DataLakeFoundation,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:ChangeDataCapture", name, None, opts)
        network = _network(name, foundation)
        names = replication.DmsNames(name_prefix or name)
        _check_names(name, names)
        self._config, self._names = config, names
        tags = dict(tags or {})
        child = pulumi.ResourceOptions(parent=self)

        source_networks: list[pulumi.Input[str]] = [*config.source.network_cidrs] or [network.vpc.cidr_block]
        self.security_group = ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=network.vpc.id,
            description="DMS replication: nothing inbound; out to the source and to AWS APIs over HTTPS",
            ingress=[],
            egress=[
                {
                    "protocol": "tcp",
                    "from_port": config.source.port,
                    "to_port": config.source.port,
                    "cidr_blocks": source_networks,
                    "description": "The PostgreSQL source",
                },
                {
                    "protocol": "tcp",
                    "from_port": HTTPS,
                    "to_port": HTTPS,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "description": "AWS APIs (S3, Secrets Manager, KMS, logs) via endpoints or NAT",
                },
            ],
            tags=with_name(tags, names.replication),
            opts=child,
        )
        account_roles = self._account_roles(name, foundation, network, tags) if config.account_roles else []
        self.subnet_group = dms.ReplicationSubnetGroup(
            f"{name}-subnets",
            replication_subnet_group_id=names.replication,
            replication_subnet_group_description=f"Private subnets of the {names.prefix} lake for DMS",
            subnet_ids=network.private_subnet_ids,
            tags=with_name(tags, names.replication),
            opts=pulumi.ResourceOptions(parent=self, depends_on=account_roles),
        )
        self.log_group = encrypted_log_group(
            f"{name}-logs",
            name=names.log_group(config.compute),
            key_arn=foundation.key.arn,
            retention_days=config.log_retention_days,
            tags=with_name(tags, names.log_group(config.compute)),
            opts=child,
        )

        self.bronze_writer, writer_policy = role_with_policy(
            f"{name}-bronze-writer",
            description="DMS writes the source contract's files under dms/ of the raw bucket",
            assume_role_policy=iam.assume_role_policy("dms.amazonaws.com", foundation.account_id),
            policy=iam.document_from(
                permissions.bronze_writer, foundation.buckets.raw.arn, foundation.key.arn, foundation.region
            ),
            tags=with_name(tags, f"{names.replication}-bronze-writer"),
            opts=child,
        )
        source = config.source
        self.secret_reader, reader_policy = role_with_policy(
            f"{name}-secret-reader",
            description="DMS reads the source database's connection secret",
            assume_role_policy=iam.document_from(
                lambda region, account: [permissions.dms_trust(region, account)],
                foundation.region,
                foundation.account_id,
            ),
            policy=iam.document_from(
                lambda region: permissions.secret_reader(source.secret_arn, source.secret_kms_key_arn, region),
                foundation.region,
            ),
            tags=with_name(tags, f"{names.replication}-secret-reader"),
            opts=child,
        )

        self.source_endpoint = dms.Endpoint(
            f"{name}-source",
            endpoint_id=names.source_endpoint,
            endpoint_type="source",
            engine_name="postgres",
            database_name=source.database_name,
            ssl_mode=source.ssl_mode,
            certificate_arn=source.certificate_arn,
            secrets_manager_arn=source.secret_arn,
            secrets_manager_access_role_arn=self.secret_reader.arn,
            kms_key_arn=foundation.key.arn,
            # Heartbeats keep an idle replication slot from holding WAL; a jsonb value longer than the
            # task's LOB limit fails the task instead of landing truncated in bronze.
            postgres_settings={"heartbeat_enable": True, "fail_tasks_on_lob_truncation": True},
            tags=with_name(tags, names.source_endpoint),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[reader_policy]),
        )
        self.target_endpoint = dms.S3Endpoint(
            f"{name}-bronze",
            endpoint_id=names.target_endpoint,
            endpoint_type="target",
            bucket_name=foundation.buckets.raw.bucket,
            expected_bucket_owner=foundation.account_id,
            service_access_role_arn=self.bronze_writer.arn,
            encryption_mode="SSE_KMS",
            server_side_encryption_kms_key_id=foundation.key.arn,
            kms_key_arn=foundation.key.arn,
            **layout.target_settings(config.cdc_max_batch_interval_seconds, config.cdc_min_file_size_kb),
            tags=with_name(tags, names.target_endpoint),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[writer_policy]),
        )

        table_mappings = json.dumps(replication.table_mappings(tables()))
        settings = json.dumps(replication.task_settings())
        # DMS writes task logs to the log group above (encrypted, retained) only if it exists first.
        logged = pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, *account_roles])
        self.instance = self.task = self.serverless = None
        if config.compute == "instance":
            sizing = config.instance
            self.instance = dms.ReplicationInstance(
                f"{name}-instance",
                replication_instance_id=names.replication,
                replication_instance_class=sizing.instance_class,
                allocated_storage=sizing.allocated_storage_gb,
                multi_az=sizing.multi_az,
                engine_version=sizing.engine_version,
                auto_minor_version_upgrade=True,
                allow_major_version_upgrade=False,
                preferred_maintenance_window=sizing.maintenance_window,
                publicly_accessible=False,
                kms_key_arn=foundation.key.arn,
                replication_subnet_group_id=self.subnet_group.replication_subnet_group_id,
                vpc_security_group_ids=[self.security_group.id],
                tags=with_name(tags, names.replication),
                opts=child,
            )
            self.task = dms.ReplicationTask(
                f"{name}-task",
                replication_task_id=names.replication,
                resource_identifier=names.replication,  # the task's metric dimension and ARN suffix
                migration_type="full-load-and-cdc",
                replication_instance_arn=self.instance.replication_instance_arn,
                source_endpoint_arn=self.source_endpoint.endpoint_arn,
                target_endpoint_arn=self.target_endpoint.endpoint_arn,
                table_mappings=table_mappings,
                replication_task_settings=settings,
                start_replication_task=config.start_replication,
                tags=with_name(tags, names.replication),
                opts=logged,
            )
        else:
            capacity = config.serverless
            self.serverless = dms.ReplicationConfig(
                f"{name}-replication",
                replication_config_identifier=names.replication,
                resource_identifier=names.replication,
                replication_type="full-load-and-cdc",
                source_endpoint_arn=self.source_endpoint.endpoint_arn,
                target_endpoint_arn=self.target_endpoint.endpoint_arn,
                table_mappings=table_mappings,
                replication_settings=settings,
                start_replication=config.start_replication,
                compute_config={
                    "replication_subnet_group_id": self.subnet_group.replication_subnet_group_id,
                    "vpc_security_group_ids": [self.security_group.id],
                    "kms_key_id": foundation.key.arn,
                    "min_capacity_units": capacity.min_capacity_units,
                    "max_capacity_units": capacity.max_capacity_units,
                    "multi_az": capacity.multi_az,
                },
                tags=with_name(tags, names.replication),
                opts=logged,
            )
        self._bronze_location = pulumi.Output.concat(
            "s3://", foundation.buckets.raw.bucket, "/", layout.bronze_prefix()
        )
        self.register_outputs(exported(self.stack_outputs()))

    def _account_roles(
        self, name: str, foundation: DataLakeFoundation, network: Network, tags: Mapping[str, str]
    ) -> list[pulumi.Resource]:
        """The roles DMS finds by their fixed names; returns their policies (what must exist first)."""
        child = pulumi.ResourceOptions(parent=self)
        vpc_document: pulumi.Output[str] = pulumi.Output.all(
            foundation.partition,
            foundation.region,
            foundation.account_id,
            network.private_subnet_ids,
            self.security_group.id,
        ).apply(lambda parts: iam.document(*permissions.vpc_management(*parts)))
        documents = {
            permissions.VPC_ROLE: vpc_document,
            permissions.LOGS_ROLE: iam.document_from(
                permissions.task_logging, foundation.partition, foundation.region, foundation.account_id
            ),
        }
        policies: list[pulumi.Resource] = []
        for role_name, document in documents.items():
            _, policy = role_with_policy(
                f"{name}-{role_name}",
                name=role_name,  # DMS looks these roles up by name: one of each per account
                description="Account-wide role AWS DMS requires by this name",
                assume_role_policy=iam.assume_role_policy("dms.amazonaws.com", foundation.account_id),
                policy=document,
                tags=with_name(tags, role_name),
                opts=child,
            )
            policies.append(policy)
        return policies

    def stack_outputs(self) -> CdcOutputs:
        replication_arn = self.task.replication_task_arn if self.task else self.serverless.arn  # type: ignore[union-attr]
        return CdcOutputs(
            replication_arn=replication_arn,
            source_endpoint_arn=self.source_endpoint.endpoint_arn,
            target_endpoint_arn=self.target_endpoint.endpoint_arn,
            bronze_location=self._bronze_location,
            log_group_name=self.log_group.name,
            security_group_id=self.security_group.id,
            replication_instance_arn=self.instance.replication_instance_arn if self.instance else None,
        )

    def alarms(self) -> list[Alarm]:
        """Latency and instance health (instance compute); DMS Serverless publishes under dimensions
        this component does not know yet, so it offers none there (docs/components/cdc.md)."""
        if self._config.compute != "instance":
            return []
        return watch.instance_alarms(
            self._names.replication, self._names.replication, self._config.instance.allocated_storage_gb
        )

    def event_alerts(self) -> Sequence[EventAlert]:
        return [watch.state_change_alert(self.stack_outputs().replication_arn, self._config.compute == "serverless")]


def _network(name: str, foundation: DataLakeFoundation) -> Network:
    """DMS runs in the foundation's private subnets: refuse a stack without them."""
    if foundation.network is None:
        raise ConfigError(
            [
                f"{config_path('components', name)}: DMS runs in the foundation's private subnets; set "
                f"{config_path('components', 'foundation', 'vpc', 'enabled')}: true"
            ]
        )
    return foundation.network


def _check_names(name: str, names: replication.DmsNames) -> None:
    invalid = names.invalid()
    if invalid:
        raise ConfigError(
            [
                f"{config_path('components', name)}: DMS refuses the identifiers {', '.join(invalid)} (a letter "
                f"first, then letters, digits and single hyphens): change {config_path('project')} or "
                f"{config_path('environment')}"
            ]
        )


REGISTRATION = Registration(
    key=KEY,
    config_model=CdcConfig,
    factory=standard_factory(ChangeDataCapture),
    depends_on=("foundation",),
    summary="DMS full load and CDC of the SaaS PostgreSQL into bronze, in the contract's layout",
)
