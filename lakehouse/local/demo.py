"""``lakehouse demo``: the batch pipeline end to end on a laptop.

Generates a small SaaS data set, lands the full load, runs bronze -> silver -> gold, then lands the
CDC batches and runs again (so silver has a previous snapshot to travel back to), shows a few gold
figures and a time-travel query, and writes an HTML report of the main gold metrics.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from etl.generator import generate
from etl.graph import DEFAULT_JOBS, RunSettings

from . import report
from .pipeline import print_summary, run_jobs


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

    console.rule("3. gold figures")
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

    console.rule("4. time travel: silver.orders before and after the CDC batches")
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
    revenue = {
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
        ],
    )
