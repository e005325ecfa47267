"""Analytics: an Athena workgroup over the lake's silver and gold databases, with the named queries.

The workgroup runs Athena engine version 3, enforces its own settings on every client, writes
results under its prefix of the Athena results bucket encrypted with the stack key, cancels any
query that scans more than the configured cutoff and publishes its metrics. Each file of
``etl/queries/`` becomes a named query (written once, in Athena's SQL; the local runner runs the
same text on a laptop). An analyst role, if enabled, may run queries there and read silver and gold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import athena
from pulumi_aws import iam as aws_iam

from etl.queries import NamedQuery, named_queries

from .. import iam
from ..alarms import Alarm
from ..factory import standard_factory
from ..foundation import DataLakeFoundation
from ..registry import Registration, exported
from ..roles import role_with_policy
from ..tagging import with_name
from . import access, watch
from .config import KEY, AnalyticsConfig

ENGINE_VERSION = "Athena engine version 3"


@dataclass(frozen=True)
class AnalyticsOutputs:
    """What the stack exports: where to run queries and which named queries exist."""

    workgroup_name: pulumi.Output[str]
    results_location: pulumi.Output[str]
    named_query_ids: dict[str, pulumi.Output[str]]
    analyst_role_arn: pulumi.Output[str] | None = None


class Analytics(pulumi.ComponentResource):
    """The Athena workgroup, its named queries and the analyst role."""

    workgroup: athena.Workgroup
    named_queries: dict[str, athena.NamedQuery]
    analyst_role: aws_iam.Role | None

    def __init__(
        self,
        name: str,
        config: AnalyticsConfig | None = None,
        *,
        foundation: DataLakeFoundation,
        tags: Mapping[str, str] | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakehouse:index:Analytics", name, None, opts)
        config = config or AnalyticsConfig()
        queries = named_queries() if config.named_queries else {}  # a malformed file fails here, first
        tags = dict(tags or {})
        workgroup_name = self._workgroup_name = f"{name_prefix or name}-analytics"
        child = pulumi.ResourceOptions(parent=self)
        results_bucket = foundation.buckets.athena_results

        self._results_location = pulumi.Output.concat(
            "s3://", results_bucket.bucket, "/", access.results_prefix(workgroup_name)
        )
        self.workgroup = athena.Workgroup(
            f"{name}-workgroup",
            name=workgroup_name,
            description=f"Queries over the {name_prefix or name} lake's silver and gold databases",
            force_destroy=config.force_destroy,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": config.bytes_scanned_cutoff_per_query,
                "engine_version": {"selected_engine_version": ENGINE_VERSION},
                "result_configuration": {
                    "output_location": self._results_location,
                    "expected_bucket_owner": foundation.account_id,
                    "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": foundation.key.arn},
                },
            },
            tags=with_name(tags, workgroup_name),
            opts=child,
        )
        self.named_queries = {
            query.name: athena.NamedQuery(
                f"{name}-query-{query.name}",
                name=query.name,
                description=query.description,
                workgroup=self.workgroup.name,
                database=foundation.databases.gold.name,
                query=rendered(query, foundation),
                opts=child,
            )
            for query in queries.values()
        }
        self.analyst_role = self._analyst_role(name, config, foundation, workgroup_name, tags)
        self.register_outputs(exported(self.stack_outputs()))

    def _analyst_role(
        self,
        name: str,
        config: AnalyticsConfig,
        foundation: DataLakeFoundation,
        workgroup_name: str,
        tags: Mapping[str, str],
    ) -> aws_iam.Role | None:
        if not config.analyst_role.enabled:
            return None
        principals = list(config.analyst_role.trusted_principals)
        role, _ = role_with_policy(
            f"{name}-analyst",
            description=f"Runs queries in the {workgroup_name} Athena workgroup over silver and gold",
            assume_role_policy=iam.document_from(
                lambda partition, account: [access.analyst_trust(partition, account, principals)],
                foundation.partition,
                foundation.account_id,
            ),
            policy=iam.document_from(
                lambda *values: access.analyst_statements(access.Lake(*values)),
                foundation.partition,
                foundation.region,
                foundation.account_id,
                workgroup_name,
                foundation.buckets.athena_results.arn,
                foundation.buckets.processed.arn,
                foundation.buckets.curated.arn,
                foundation.databases.silver.name,
                foundation.databases.gold.name,
                foundation.key.arn,
            ),
            tags=with_name(tags, f"{workgroup_name}-analyst"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    def stack_outputs(self) -> AnalyticsOutputs:
        return AnalyticsOutputs(
            workgroup_name=self.workgroup.name,
            results_location=self._results_location,
            named_query_ids={name: query.id for name, query in self.named_queries.items()},
            analyst_role_arn=self.analyst_role.arn if self.analyst_role else None,
        )

    def alarms(self) -> list[Alarm]:
        return watch.workgroup_alarms(self._workgroup_name)


def rendered(query: NamedQuery, foundation: DataLakeFoundation) -> pulumi.Output[str]:
    """A named query with the foundation's silver and gold databases in place of its placeholders."""
    return pulumi.Output.all(foundation.databases.silver.name, foundation.databases.gold.name).apply(
        lambda names: query.render(*names)
    )


REGISTRATION = Registration(
    key=KEY,
    config_model=AnalyticsConfig,
    factory=standard_factory(Analytics),
    depends_on=("foundation",),
    summary="Athena workgroup (engine 3, enforced, SSE-KMS results, scan cutoff), named queries, analyst role",
)
