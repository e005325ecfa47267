"""Analytics under mocks: the blocks proposed for the stack files, the workgroup's settings, one named
query per file of etl/queries/ rendered for the stack's databases, the component as a library, config
errors, and the analyst role's flows proven with the offline access model."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from components import DataLakeFoundation
from components.analytics import AnalystRoleConfig, Analytics, AnalyticsConfig
from etl.queries import named_queries
from tests.components.conftest import access_model, bucket_arn, build, config_problems, key_arn, planned
from tests.conftest import one, resources_of, violations

ACCOUNT, REGION = "123456789012", "eu-west-1"
# The blocks proposed for the stack files (docs/components/analytics.md).
DEV_BLOCK = {"bytes_scanned_cutoff_per_query": 1073741824, "force_destroy": True}
PROD_BLOCK = {"bytes_scanned_cutoff_per_query": 10737418240}
GOLD_FILE = "revenue_monthly/data/00000-0-a.parquet"
S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}

prod = planned("prod", analytics=PROD_BLOCK, monitoring={})
dev = planned("dev", analytics=DEV_BLOCK)
access = access_model("prod")


@pytest.fixture(scope="module")
def analyst(access):
    return access.role_arn("analytics-analyst")


def workgroup(plan) -> dict[str, Any]:
    return one(plan, "aws:athena/workgroup:Workgroup", "analytics-workgroup").props


# --- policy pack ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_blocks_are_policy_clean(request, stack):
    assert violations(request.getfixturevalue(stack), stack) == []


# --- the workgroup -------------------------------------------------------------------------------


def test_workgroup_runs_engine_3_and_enforces_its_settings(prod):
    configuration = workgroup(prod)["configuration"]
    assert configuration["engineVersion"] == {"selectedEngineVersion": "Athena engine version 3"}
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["publishCloudwatchMetricsEnabled"] is True
    assert workgroup(prod)["name"] == "lakehouse-prod-analytics"


def test_results_go_to_the_workgroups_prefix_encrypted_with_the_stack_key(prod):
    results = workgroup(prod)["configuration"]["resultConfiguration"]
    bucket_name = prod.outputs["foundation"]["buckets"]["athena_results"]
    assert results["outputLocation"] == f"s3://{bucket_name}/lakehouse-prod-analytics/"
    assert results["encryptionConfiguration"] == {"encryptionOption": "SSE_KMS", "kmsKeyArn": key_arn(prod)}
    assert results["expectedBucketOwner"] == ACCOUNT


def test_bytes_scanned_cutoff_comes_from_config(dev, prod):
    assert workgroup(prod)["configuration"]["bytesScannedCutoffPerQuery"] == 10737418240
    assert workgroup(dev)["configuration"]["bytesScannedCutoffPerQuery"] == 1073741824
    assert (workgroup(dev)["forceDestroy"], workgroup(prod)["forceDestroy"]) == (True, False)


# --- the named queries ---------------------------------------------------------------------------


def test_one_named_query_per_file_of_etl_queries(prod):
    created = {r.props["name"] for r in resources_of(prod, "aws:athena/namedQuery:NamedQuery")}
    assert created == set(named_queries())
    assert sorted(prod.outputs["analytics"]["named_query_ids"]) == sorted(named_queries())


def test_named_query_reads_the_stacks_databases_in_the_workgroup(prod):
    query = one(prod, "aws:athena/namedQuery:NamedQuery", "analytics-query-revenue_by_month").props
    assert query["workgroup"] == "lakehouse-prod-analytics"
    assert query["database"] == "lakehouse_prod_gold"
    assert query["description"] == named_queries()["revenue_by_month"].description
    assert "FROM lakehouse_prod_silver.orders o" in query["query"]
    assert "LEFT JOIN lakehouse_prod_silver.tenants t" in query["query"]


def test_no_named_query_keeps_a_placeholder(prod):
    queries = resources_of(prod, "aws:athena/namedQuery:NamedQuery")
    assert [q.name for q in queries if "{" in q.props["query"]] == []
    gold = one(prod, "aws:athena/namedQuery:NamedQuery", "analytics-query-revenue_monthly").props["query"]
    assert "FROM lakehouse_prod_gold.revenue_monthly" in gold


def test_stack_outputs(prod):
    outputs = prod.outputs["analytics"]
    assert outputs["workgroup_name"] == "lakehouse-prod-analytics"
    assert outputs["results_location"] == (
        f"s3://{prod.outputs['foundation']['buckets']['athena_results']}/lakehouse-prod-analytics/"
    )
    assert outputs["analyst_role_arn"].startswith("arn:aws:iam::123456789012:role/analytics-analyst")


def test_monitoring_alarms_on_bytes_scanned_per_hour(prod):
    alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring-analytics-bytes-scanned").props
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/Athena", "ProcessedBytes", "Sum")
    assert alarm["dimensions"] == {
        "WorkGroup": "lakehouse-prod-analytics",
        "QueryState": "SUCCEEDED",
        "QueryType": "DML",
    }
    assert (alarm["period"], alarm["threshold"]) == (3600, 100 * 1024**3)


# --- the analyst role ----------------------------------------------------------------------------


def test_analyst_is_trusted_by_the_account_by_default(prod):
    trust = json.loads(one(prod, "aws:iam/role:Role", "analytics-analyst").props["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root"]}


def test_analyst_runs_queries_in_the_workgroup_only(access, analyst):
    workgroups = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup"
    assert access.allows(analyst, "athena:StartQueryExecution", f"{workgroups}/lakehouse-prod-analytics")
    assert access.allows(analyst, "athena:GetNamedQuery", f"{workgroups}/lakehouse-prod-analytics")
    assert not access.allows(analyst, "athena:StartQueryExecution", f"{workgroups}/primary")
    assert not access.allows(analyst, "athena:DeleteNamedQuery", f"{workgroups}/lakehouse-prod-analytics")


def test_analyst_reads_gold_and_silver(prod, access, analyst):
    assert access.allows(analyst, "s3:GetObject", f"{bucket_arn(prod, 'curated')}/{GOLD_FILE}")
    assert access.allows(analyst, "s3:GetObject", f"{bucket_arn(prod, 'processed')}/orders/data/x.parquet")
    assert access.allows(analyst, "kms:Decrypt", key_arn(prod), S3)
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    assert access.allows(analyst, "glue:GetTable", f"{glue}:table/lakehouse_prod_gold/revenue_monthly")


def test_analyst_is_denied_raw_and_the_bronze_catalog(prod, access, analyst):
    assert not access.allows(
        analyst, "s3:GetObject", f"{bucket_arn(prod, 'raw')}/dms/public/core_order/LOAD00000001.csv.gz"
    )
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    assert not access.allows(analyst, "glue:GetTable", f"{glue}:table/lakehouse_prod_bronze/core_order")
    assert not access.allows(analyst, "kms:Decrypt", key_arn(prod))  # only through S3 or Glue


def test_analyst_writes_results_under_the_workgroup_prefix_only(prod, access, analyst):
    results = bucket_arn(prod, "athena_results")
    assert access.allows(analyst, "s3:PutObject", f"{results}/lakehouse-prod-analytics/q-1.csv")
    assert access.allows(analyst, "kms:GenerateDataKey", key_arn(prod), S3)
    assert not access.allows(analyst, "s3:PutObject", f"{results}/other-workgroup/q-1.csv")
    assert not access.allows(analyst, "s3:PutObject", f"{bucket_arn(prod, 'curated')}/{GOLD_FILE}")


# --- config --------------------------------------------------------------------------------------


problems = functools.partial(config_problems, "analytics")


def test_a_cutoff_below_athenas_minimum_is_refused():
    assert problems({"bytes_scanned_cutoff_per_query": 1000}) == [
        "lakehouse:components.analytics.bytes_scanned_cutoff_per_query: must be >= 10485760 (got 1000)"
    ]


def test_a_trusted_principal_that_is_not_an_iam_arn_is_refused():
    assert problems({"analyst_role": {"trusted_principals": ["alice"]}}) == [
        "lakehouse:components.analytics.analyst_role.trusted_principals: 'alice' is not an IAM principal ARN "
        "(arn:aws:iam::<account>:role/<name>, user/<name> or root)"
    ]


# --- the component as a library ------------------------------------------------------------------


def test_defaults_need_only_the_foundation():
    created = build(lambda: Analytics("bi", foundation=DataLakeFoundation("lake")))
    configuration = created.created["bi-workgroup"].inputs["configuration"]
    assert created.created["bi-workgroup"].inputs["name"] == "bi-analytics"
    assert configuration["bytesScannedCutoffPerQuery"] == 10 * 1024**3
    assert len(created.of_type("aws:athena/namedQuery:NamedQuery")) == len(named_queries())
    assert created.created["bi-query-customer_ltv"].inputs["database"] == "lake_gold"
    assert "bi-analyst" in created.created


def test_custom_config_without_queries_and_with_named_analysts():
    config = AnalyticsConfig(
        named_queries=False,
        analyst_role=AnalystRoleConfig(trusted_principals=["arn:aws:iam::123456789012:role/bi-tool"]),
    )
    created = build(lambda: Analytics("bi", config, foundation=DataLakeFoundation("lake"), name_prefix="acme-qa"))
    assert created.of_type("aws:athena/namedQuery:NamedQuery") == []
    assert created.created["bi-workgroup"].inputs["name"] == "acme-qa-analytics"
    trust = json.loads(created.created["bi-analyst"].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:role/bi-tool"]}


def test_analyst_role_can_be_left_out():
    config = AnalyticsConfig(analyst_role=AnalystRoleConfig(enabled=False))
    created = build(lambda: Analytics("bi", config, foundation=DataLakeFoundation("lake")))
    assert "bi-analyst" not in created.created
    assert [r for r in created.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("bi-")] == []
