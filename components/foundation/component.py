"""DataLakeFoundation: the secure base every other component builds on.

A customer-managed KMS key; buckets for the raw/bronze, processed/silver and curated/gold zones,
Athena results, artifacts and access logs, each encrypted, versioned, private, TLS-only, logged
and lifecycled; Glue catalog databases, catalog encryption and a Glue security configuration; and
an optional private VPC. Dependent components receive this object, never ARNs from config.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import get_caller_identity_output, get_partition_output, get_region_output, glue, kms, s3

from .. import iam
from ..config import StackSettings
from ..registry import BuildContext, Registration, exported
from ..tagging import with_name
from . import buckets, storage_rules
from .config import FoundationConfig, ZoneLifecycle
from .network import Network

# Zone -> (bucket role, Glue database layer). Bronze/silver/gold are the catalog's names for
# the raw/processed/curated zones.
ZONES = {"raw": "bronze", "processed": "silver", "curated": "gold"}


@dataclass(frozen=True)
class ZoneBuckets:
    """Every bucket of the lake, by role."""

    raw: s3.Bucket
    processed: s3.Bucket
    curated: s3.Bucket
    athena_results: s3.Bucket
    artifacts: s3.Bucket
    access_logs: s3.Bucket

    def by_role(self) -> dict[str, s3.Bucket]:
        return {role: getattr(self, role) for role in self.__dataclass_fields__}


@dataclass(frozen=True)
class CatalogDatabases:
    """Glue Data Catalog databases for the bronze, silver and gold layers."""

    bronze: glue.CatalogDatabase
    silver: glue.CatalogDatabase
    gold: glue.CatalogDatabase


@dataclass(frozen=True)
class FoundationOutputs:
    """What the stack exports: names and ARNs users and CI scripts need."""

    kms_key_arn: pulumi.Output[str]
    buckets: dict[str, pulumi.Output[str]]
    databases: dict[str, pulumi.Output[str]]
    glue_security_configuration: pulumi.Output[str]
    vpc_id: pulumi.Output[str] | None = None
    private_subnet_ids: pulumi.Output[list[str]] | None = None


class DataLakeFoundation(pulumi.ComponentResource):
    """The lake's key, buckets, catalog and network; dependent components take this object."""

    key: kms.Key
    buckets: ZoneBuckets
    databases: CatalogDatabases
    security_configuration: glue.SecurityConfiguration
    network: Network | None
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        config: FoundationConfig | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        key_grants: Sequence[iam.KeyGrant] = (),
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:DataLakeFoundation", name, None, opts)
        config = config or FoundationConfig()
        tags = dict(tags or {})
        prefix = self._prefix = name_prefix or name
        protected = pulumi.ResourceOptions(parent=self, protect=config.protect)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        self.account_id = get_caller_identity_output(opts=invoke).account_id
        self.region = get_region_output(opts=invoke).region
        self.partition = get_partition_output(opts=invoke).partition

        self.key = kms.Key(
            f"{name}-key",
            description=f"Customer-managed key of the {prefix} data lake",
            enable_key_rotation=True,
            deletion_window_in_days=config.kms_deletion_window_days,
            policy=iam.document_from(
                lambda account, region, partition: [
                    *storage_rules.key_policy_statements(account, region, partition),
                    *(s for grant in key_grants for s in grant(iam.KeyPolicyScope(account, region, partition, prefix))),
                ],
                self.account_id,
                self.region,
                self.partition,
            ),
            tags=with_name(tags, f"{prefix}-lake"),
            opts=protected,
        )
        kms.Alias(f"{name}-key-alias", name=f"alias/{prefix}-lake", target_key_id=self.key.key_id, opts=child)

        access_logs = self._bucket(name, "access-logs", config.lifecycle.access_logs, config, tags, protected, None)
        self.buckets = ZoneBuckets(
            raw=self._bucket(name, "raw", config.lifecycle.raw, config, tags, protected, access_logs),
            processed=self._bucket(name, "processed", config.lifecycle.processed, config, tags, protected, access_logs),
            curated=self._bucket(name, "curated", config.lifecycle.curated, config, tags, protected, access_logs),
            athena_results=self._bucket(
                name, "athena-results", config.lifecycle.athena_results, config, tags, protected, access_logs
            ),
            artifacts=self._bucket(name, "artifacts", config.lifecycle.artifacts, config, tags, protected, access_logs),
            access_logs=access_logs,
        )
        logged = [bucket.arn for role, bucket in self.buckets.by_role().items() if role != "access_logs"]
        # Buckets components name with the stack's prefix (the audit trail's) log here too; the
        # account stays pinned by aws:SourceAccount.
        logged.append(pulumi.Output.concat("arn:", self.partition, ":s3:::", prefix, "-*"))
        buckets.tls_only_policy(
            f"{name}-access-logs",
            access_logs,
            parent=self,
            extra=[storage_rules.allow_access_log_delivery(access_logs.arn, logged, self.account_id)],
        )

        catalog_prefix = prefix.replace("-", "_")
        self.databases = CatalogDatabases(
            **{
                layer: glue.CatalogDatabase(
                    f"{name}-{layer}",
                    name=f"{catalog_prefix}_{layer}",
                    description=f"{layer.capitalize()} layer of the {prefix} lake ({zone} zone)",
                    location_uri=pulumi.Output.concat("s3://", getattr(self.buckets, zone).bucket, "/"),
                    tags=tags,
                    opts=protected,
                )
                for zone, layer in ZONES.items()
            }
        )
        if config.catalog_encryption:
            glue.DataCatalogEncryptionSettings(
                f"{name}-catalog-encryption",
                data_catalog_encryption_settings={
                    "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": self.key.arn},
                    "connection_password_encryption": {
                        "return_connection_password_encrypted": True,
                        "aws_kms_key_id": self.key.arn,
                    },
                },
                opts=child,
            )
        self.security_configuration = glue.SecurityConfiguration(
            f"{name}-glue-security",
            name=f"{prefix}-lake",
            encryption_configuration={
                "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": self.key.arn},
                "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": self.key.arn},
                "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": self.key.arn},
            },
            opts=child,
        )

        self.network = (
            Network(
                f"{name}-network",
                config.vpc,
                tags=tags,
                region=self.region,
                account_id=self.account_id,
                key_arn=self.key.arn,
                log_retention_days=config.vpc.flow_logs_retention_days,
                opts=child,
            )
            if config.vpc.enabled
            else None
        )
        self.register_outputs(exported(self.stack_outputs()))

    def _bucket(
        self,
        name: str,
        role: str,
        lifecycle: ZoneLifecycle,
        config: FoundationConfig,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions,
        log_target: s3.Bucket | None,
    ) -> s3.Bucket:
        """One hardened bucket (see buckets.harden). The access-log bucket, without a log target,
        gets its policy later: it must name every bucket that logs to it."""
        bucket = s3.Bucket(
            f"{name}-{role}",
            force_destroy=config.force_destroy,
            tags=with_name(tags, f"{self._prefix}-{role}", **{"lake-zone": role}),
            opts=opts,
        )
        buckets.harden(
            f"{name}-{role}",
            bucket,
            key_arn=self.key.arn,
            lifecycle=lifecycle,
            log_target=log_target,
            log_prefix=f"{role}/",
            parent=self,
        )
        if log_target is not None:
            buckets.tls_only_policy(f"{name}-{role}", bucket, parent=self)
        return bucket

    def stack_outputs(self) -> FoundationOutputs:
        return FoundationOutputs(
            kms_key_arn=self.key.arn,
            buckets={role: bucket.bucket for role, bucket in self.buckets.by_role().items()},
            databases={layer: getattr(self.databases, layer).name for layer in ZONES.values()},
            glue_security_configuration=self.security_configuration.name,
            vpc_id=self.network.vpc.id if self.network else None,
            private_subnet_ids=self.network.private_subnet_ids if self.network else None,
        )


def _build(key: str, config: FoundationConfig, context: BuildContext) -> DataLakeFoundation:
    settings: StackSettings = context.settings
    return DataLakeFoundation(
        key,
        config,
        tags=context.tags,
        name_prefix=settings.name_prefix,
        key_grants=context.key_grants,
        opts=context.opts,
    )


REGISTRATION = Registration(
    key="foundation",
    config_model=FoundationConfig,
    factory=_build,
    summary="KMS key, zone buckets, access logs, Glue catalog databases and security config, optional VPC",
)
