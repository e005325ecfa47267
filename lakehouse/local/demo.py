"""``lakehouse demo``: every data path of the platform end to end on a laptop, with real code.

1. Batch CDC: generates a small SaaS data set, lands the full load, runs the job graph, then lands
   the CDC batches and runs again (so silver has a previous snapshot to travel back to).
2. Real time: posts records to the real ingestion handler over HTTP (S3 and KMS from moto), pushes
   clickstream through the real stream transform into the clickstream_events table (the local
   stand-in for Firehose's delivery), runs raw_to_processed and rebuilds the clickstream gold tables.
3. Documents: the real document processor upserts into a MongoDB wire-protocol server and writes the
   lake; documents_analytics writes gold and flows back into the store.
Then it shows gold figures and a time-travel query, and writes an HTML report.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from etl.generator import generate
from etl.graph import DEFAULT_JOBS, RunSettings

from . import report
from .documents import run_documents
from .pipeline import print_summary, run_jobs
from .streaming import run_realtime_demo


def _land(staging: Path, bronze: Path, pattern: str) -> int:
    """Copy bronze files matching ``pattern`` from staging, as DMS would deliver them."""
    landed = 0
    for path in sorted(staging.rglob(pattern)):
        target = bronze / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        landed += 1
    return landed


def _show(console: Console, spark, title: str, sql: str) -> list[Any]:
    frame = spark.sql(sql)
    rows = frame.collect()
    table = Table(*frame.columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)
    return rows


def run_demo(out: Path, scale: float, console: Console) -> Path:
    from etl.session import local_session

    if out.exists():
        shutil.rmtree(out)
    staging, bronze, warehouse = out / "staging", out / "bronze", out / "warehouse"
    with console.status(f"generating scale {scale} with 2 CDC batches"):
        generate(staging, scale=scale, seed=7, cdc_batches=2)
    spark = local_session(warehouse)
    settings = RunSettings(warehouse=str(warehouse), bronze=str(bronze))

    console.rule("1. full load")
    _land(staging, bronze, "LOAD*.csv.gz")
    print_summary(run_jobs(settings, DEFAULT_JOBS, console, spark), console)
    console.rule("2. CDC batches (updates, deletes, re-inserts, a replayed file, invalid records)")
    _land(staging, bronze, "2*.csv.gz")
    print_summary(run_jobs(settings, DEFAULT_JOBS, console, spark), console)

    console.rule("3. real time: ingestion API over HTTP, clickstream through the stream transform")
    run_realtime_demo(out / "realtime", spark, console)
    print_summary(run_jobs(settings, ["silver_to_gold"], console, spark), console)

    console.rule("4. documents: processor -> DocumentDB stand-in and the lake, analytics flowing back")
    run_documents(out / "documents", console, spark)

    console.rule("5. gold figures")
    _show(
        console,
        spark,
        "revenue by month (all tenants)",
        "SELECT month, SUM(order_count) AS orders, SUM(revenue) AS revenue FROM gold.revenue_monthly GROUP BY month ORDER BY month",
    )
    _show(
        console,
        spark,
        "MRR and churn, latest month",
        "SELECT tenant_id, month, active_subscriptions, mrr, ROUND(churn_rate, 3) AS churn_rate, arpu FROM gold.subscription_monthly "
        "WHERE month = (SELECT MAX(month) FROM gold.subscription_monthly) ORDER BY mrr DESC LIMIT 5",
    )
    _show(
        console,
        spark,
        "open invoices by age",
        "SELECT bucket, SUM(invoice_count) AS invoices, SUM(open_amount) AS amount FROM gold.invoice_aging GROUP BY bucket "
        "ORDER BY array_position(array('current','1-30','31-60','61-90','90+'), bucket)",
    )

    console.rule("6. time travel: silver.orders before and after the CDC batches")
    snapshots = spark.sql("SELECT snapshot_id FROM silver.orders.history ORDER BY made_current_at").collect()
    previous, current = snapshots[-2]["snapshot_id"], snapshots[-1]["snapshot_id"]
    _show(
        console,
        spark,
        f"orders by status: snapshot {previous} (after the full load) vs now",
        f"SELECT b.status, b.orders AS before_cdc, n.orders AS now FROM "
        f"(SELECT status, COUNT(*) AS orders FROM silver.orders VERSION AS OF {previous} GROUP BY status) b "
        f"FULL JOIN (SELECT status, COUNT(*) AS orders FROM silver.orders VERSION AS OF {current} GROUP BY status) n "
        f"ON n.status = b.status ORDER BY b.status",
    )

    path = out / "report.html"
    path.write_text(build_report(spark))
    console.print(f"HTML report of the gold metrics: [bold]{path}[/bold]")
    return path


def build_report(spark) -> str:
    monthly = spark.sql(
        "SELECT tenant_id, month, revenue FROM gold.revenue_monthly ORDER BY month, tenant_id"
    ).collect()
    months = sorted({str(r["month"])[:7] for r in monthly})
    tenants = sorted({r["tenant_id"] for r in monthly})[:6]
    revenue: dict[str, Sequence[float]] = {
        f"tenant {t}": [
            float(next((r["revenue"] for r in monthly if r["tenant_id"] == t and str(r["month"])[:7] == m), 0))
            for m in months
        ]
        for t in tenants
    }
    mrr_rows = spark.sql(
        "SELECT month, SUM(mrr) AS mrr, SUM(active_subscriptions) AS active FROM gold.subscription_monthly GROUP BY month ORDER BY month"
    ).collect()
    aging = spark.sql(
        "SELECT bucket, SUM(open_amount) AS amount FROM gold.invoice_aging GROUP BY bucket "
        "ORDER BY array_position(array('current','1-30','31-60','61-90','90+'), bucket)"
    ).collect()
    funnel = spark.sql(
        "SELECT SUM(sessions) s, SUM(product_view_sessions) pv, SUM(add_to_cart_sessions) ac, "
        "SUM(checkout_sessions) co, SUM(purchase_sessions) pu FROM gold.event_funnel_daily"
    ).first()
    top = spark.sql(
        "SELECT tenant_id, product_id, category, units_sold, revenue FROM gold.product_performance "
        "WHERE revenue_rank = 1 ORDER BY revenue DESC LIMIT 8"
    ).collect()
    cohorts = spark.sql(
        "SELECT months_since, SUM(active_customers) / SUM(cohort_size) AS retention FROM gold.cohort_retention "
        "GROUP BY months_since ORDER BY months_since"
    ).collect()
    return report.page(
        "Lakehouse gold metrics",
        [
            report.header(*report.lake_facts(spark)),
            report.bar_chart("Revenue by month and tenant", months, revenue),
            report.line_chart(
                "MRR (all tenants)",
                [str(r["month"])[:7] for r in mrr_rows],
                {"MRR": [float(r["mrr"]) for r in mrr_rows]},
            ),
            report.bar_chart(
                "Open invoices by days overdue",
                [r["bucket"] for r in aging],
                {"open amount": [float(r["amount"]) for r in aging]},
            ),
            report.bar_chart(
                "Funnel (sessions with a page view)",
                ["sessions", "product view", "add to cart", "checkout", "purchase"],
                {"sessions": [float(funnel[k] or 0) for k in ("s", "pv", "ac", "co", "pu")]},
            ),
            report.line_chart(
                "Cohort retention by months since first order",
                [str(r["months_since"]) for r in cohorts],
                {"retention %": [100 * float(r["retention"]) for r in cohorts]},
            ),
            report.table(
                "Best-selling product per tenant",
                ["tenant", "product", "category", "units", "revenue"],
                [tuple(r) for r in top],
            ),
            *_realtime_sections(spark),
        ],
    )


def _realtime_sections(spark) -> list[str]:
    """Clickstream and document figures, when the demo's real-time paths have built their tables."""
    sections = []
    if spark.catalog.tableExists("gold.hourly_aggregates"):
        hourly = spark.sql(
            "SELECT event_hour, event_type, SUM(event_count) AS events FROM gold.hourly_aggregates "
            "GROUP BY event_hour, event_type ORDER BY event_hour"
        ).collect()
        hours = sorted({r["event_hour"] for r in hourly})
        by_type: dict[str, Sequence[float]] = {
            kind: [
                float(sum(r["events"] for r in hourly if r["event_type"] == kind and r["event_hour"] == h))
                for h in hours
            ]
            for kind in sorted({r["event_type"] for r in hourly})
        }
        sections.append(
            report.bar_chart("Clickstream events by UTC hour and type", [f"{h:02d}" for h in hours], by_type)
        )
        daily = spark.sql(
            "SELECT day, total_events, unique_users, ROUND(avg_duration, 1) FROM gold.daily_summary ORDER BY day"
        ).collect()
        sections.append(
            report.table(
                "Clickstream by day", ["day", "events", "users", "avg duration (ms)"], [tuple(r) for r in daily]
            )
        )
    if spark.catalog.tableExists("gold.documents_daily"):
        documents = spark.sql(
            "SELECT doc_type, SUM(writes) AS writes, SUM(new_documents) AS new FROM gold.documents_daily "
            "GROUP BY doc_type ORDER BY doc_type"
        ).collect()
        sections.append(
            report.table(
                "Documents by type (lake copy of the store)",
                ["type", "writes", "new documents"],
                [tuple(r) for r in documents],
            )
        )
    return sections
