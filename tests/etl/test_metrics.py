"""The pipeline's operational metrics: freshness, quarantine shares, and their EMF documents."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import boto3
from moto import mock_aws

from etl import metrics

NOW = datetime(2025, 11, 2, 12, 0, tzinfo=UTC)


def test_a_gold_table_holds_the_newest_change_of_its_inputs_gold_ones_transitively():
    silver = {
        "orders": datetime(2025, 11, 2, 10, 0, tzinfo=UTC),
        "order_items": datetime(2025, 11, 1, 12, 0, tzinfo=UTC),
    }
    inputs = {
        "revenue_daily": [("silver", "orders"), ("silver", "order_items")],
        "revenue_monthly": [("gold", "revenue_daily")],
        "hourly_aggregates": [("silver", "clickstream_events")],  # no clickstream yet: no figure
    }
    figures = {f.table: f.age_seconds for f in metrics.gold_freshness(silver, inputs, NOW)}
    assert figures == {"gold.revenue_daily": 7200.0, "gold.revenue_monthly": 7200.0}


def test_quarantine_shares_come_from_the_rows_a_job_read():
    result = {
        "tables": [
            {"table": "orders", "rows_read": 200, "applied": 197, "quarantined": 3, "seconds": 1.0},
            {"table": "tenants", "rows_read": 0, "applied": 0, "quarantined": 0, "seconds": 0.1},
            {"table": "revenue_daily", "rows": 12, "rebuilt": True},  # a gold row: no quarantine figures
        ]
    }
    shares = metrics.quarantines("bronze_to_silver", result)
    assert [(q.table, q.quarantined, q.percent) for q in shares] == [("orders", 3, 1.5), ("tenants", 0, 0.0)]


def test_a_gold_table_is_fed_by_cdc_or_by_the_stream_according_to_its_inputs():
    inputs = {
        "revenue_daily": [("silver", "orders")],
        "revenue_monthly": [("gold", "revenue_daily")],
        "daily_summary": [("silver", "clickstream_events")],
    }
    assert metrics.feeding_components(inputs) == {
        "revenue_daily": {"cdc"},
        "revenue_monthly": {"cdc"},
        "daily_summary": {"streaming"},
    }


def test_emf_documents_carry_the_namespace_dimensions_and_values_cloudwatch_extracts():
    freshness = [metrics.Freshness("gold.revenue_daily", NOW, 7200.0)]
    quarantined = [metrics.Quarantine("bronze_to_silver", "orders", 200, 197, 3)]
    age, share = metrics.emf_documents("lakehouse-prod", "silver_to_gold", freshness, quarantined, 1_700_000_000_000)
    assert age == {
        "_aws": {
            "Timestamp": 1_700_000_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "Lakehouse/Pipeline",
                    "Dimensions": [["Stack", "Table"]],
                    "Metrics": [{"Name": "DataAgeSeconds", "Unit": "Seconds"}],
                }
            ],
        },
        "Stack": "lakehouse-prod",
        "Table": "gold.revenue_daily",
        "Job": "silver_to_gold",
        "DataAgeSeconds": 7200.0,
    }
    assert share["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Stack"], ["Stack", "Table"]]
    assert (share["RowsApplied"], share["RowsQuarantined"], share["QuarantinedPercent"]) == (197, 3, 1.5)


@mock_aws
def test_published_documents_land_in_the_metrics_log_group_one_stream_per_run():
    logs = boto3.client("logs", region_name="eu-west-1")
    logs.create_log_group(logGroupName="/lakehouse/lakehouse-prod/pipeline-metrics")
    now_ms = int(time.time() * 1000)  # CloudWatch Logs refuses events older than 14 days
    documents = metrics.emf_documents(
        "lakehouse-prod", "silver_to_gold", [metrics.Freshness("gold.x", NOW, 60.0)], [], now_ms
    )
    stream = metrics.publish(documents, "/lakehouse/lakehouse-prod/pipeline-metrics", logs)
    events = logs.get_log_events(logGroupName="/lakehouse/lakehouse-prod/pipeline-metrics", logStreamName=stream)
    assert [json.loads(e["message"])["DataAgeSeconds"] for e in events["events"]] == [60.0]


def test_the_lakes_freshness_and_a_runs_quarantine_are_exact_on_small_data(lake):
    from tests.etl.test_bronze_to_silver import LOAD, product, tenant

    lake.write(
        "core_tenant",
        LOAD,
        [tenant("I", "2025-11-01 09:00:00.000000", 1), tenant("I", "2025-11-01 10:30:00.000000", 2)],
    )
    lake.write(
        "core_product",
        LOAD,
        [product("I", "2025-11-01 08:00:00.000000", 1), product("I", "2025-11-01 11:00:00.000000", 2, price="-1.00")],
    )
    result = {"tables": list(lake.run("core_tenant", "core_product").values())}
    now = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    figures = {f.table: f.age_seconds for f in metrics.freshness(lake.spark, lake.silver, now)}
    # the quarantined product (price < 0) at 11:00 does not count: the newest applied one is at 08:00
    assert {t: a for t, a in figures.items() if t.startswith("silver.")} == {
        "silver.tenants": 5400.0,
        "silver.products": 14400.0,
    }
    assert figures["gold.product_performance"] == 14400.0  # reads products (and orders, order_items: no data)
    assert "gold.revenue_daily" not in figures  # orders and order_items hold nothing yet
    shares = {q.table: (q.rows_read, q.quarantined, q.percent) for q in metrics.quarantines("bronze_to_silver", result)}
    assert shares == {"tenants": (2, 0, 0.0), "products": (2, 1, 50.0)}


def test_a_cloud_run_publishes_its_figures_when_the_batch_component_passes_the_log_group(lake, monkeypatch):
    from tests.etl.test_bronze_to_silver import LOAD, tenant

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    lake.write("core_tenant", LOAD, [tenant("I", "2025-11-01 09:00:00.000000", 1)])
    result = {"tables": list(lake.run("core_tenant").values())}
    group = "/lakehouse/lh-prod/pipeline-metrics"
    with mock_aws():
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName=group)
        argv = [
            "--bronze",
            "s3://raw",
            "--silver-database",
            lake.silver,
            "--metrics-log-group",
            group,
            "--stack-name",
            "lh-prod",
        ]
        documents = metrics.report_run("bronze_to_silver", result, lake.spark, argv)
        (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
    assert len(events) == len(documents) > 0
    assert {json.loads(e["message"])["Table"] for e in events} >= {"silver.tenants", "tenants"}
    assert metrics.report_run("bronze_to_silver", result, lake.spark, ["--bronze", "x"]) == []  # locally: nothing


def test_lakehouse_runs_summary_shows_the_same_freshness_and_quarantine_figures_exactly(lake):
    from rich.console import Console

    from etl.graph import RunSettings
    from lakehouse.local.pipeline import print_summary, run_jobs
    from tests.etl.test_bronze_to_silver import LOAD, product, tenant

    lake.write("core_tenant", LOAD, [tenant("I", "2025-11-01 09:00:00.000000", 1)])
    lake.write(
        "core_product",
        LOAD,
        [product("I", "2025-11-01 08:00:00.000000", 1), product("I", "2025-11-01 11:00:00.000000", 2, price="-1.00")],
    )
    settings = RunSettings(
        warehouse="unused: the session is given", bronze=str(lake.bronze), silver_database=lake.silver
    )
    console = Console(record=True, width=200)
    now = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    summary = run_jobs(settings, ["bronze_to_silver"], console, spark=lake.spark, now=now)
    shares = {(q["table"], q["rows_read"], q["applied"], q["quarantined"], q["percent"]) for q in summary["quarantine"]}
    assert {s for s in shares if s[1]} == {("tenants", 1, 1, 0, 0.0), ("products", 2, 1, 1, 50.0)}
    ages = {f["table"]: f["age_seconds"] for f in summary["freshness"]}
    assert {t: a for t, a in ages.items() if t.startswith("silver.")} == {
        "silver.tenants": 10800.0,
        "silver.products": 14400.0,
    }
    print_summary(summary, console)
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in console.export_text().splitlines()]
    assert ["bronze_to_silver", "products", "2", "1", "1", "50.000"] in cells
    assert ["silver.products", "2025-11-01 08:00:00", "4.0 h"] in cells
