"""Gold metrics on a hand-made silver data set whose answers are written out below
(contracts/gold_metrics.md): month boundaries, annual plans, trialing, sessions without a
page_view, invoices due exactly on the as-of date, products without sales, rank ties."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from etl.contract import tables
from etl.jobs import silver_to_gold
from etl.session import CATALOG
from etl.silver import ensure_tables
from tests.etl.conftest import Lake

D = Decimal
ts = datetime.fromisoformat


@pytest.fixture(scope="module")
def gold(spark):
    lake = Lake(spark, Path(tempfile.mkdtemp()))
    ensure_tables(spark, lake.silver, list(tables().values()))
    lake.insert(
        "core_customer",
        [
            {"id": 10, "tenant_id": 1, "created_at": ts("2025-01-05 12:00:00")},
            {"id": 11, "tenant_id": 1, "created_at": ts("2025-01-20 12:00:00")},
            {"id": 12, "tenant_id": 1, "created_at": ts("2025-03-01 00:00:00")},
            {"id": 13, "tenant_id": 1, "created_at": ts("2025-02-10 00:00:00")},
        ],
    )
    order = lambda id_, customer, status, total, when: {  # noqa: E731
        "id": id_,
        "tenant_id": 1,
        "customer_id": customer,
        "status": status,
        "total_amount": D(total),
        "order_date": ts(when),
    }
    lake.insert(
        "core_order",
        [
            order(1, 10, "completed", "100.00", "2025-01-31 23:30:00"),  # last minutes of January
            order(2, 10, "completed", "50.00", "2025-02-01 00:10:00"),
            order(3, 11, "cancelled", "70.00", "2025-01-31 10:00:00"),
            order(4, 11, "completed", "25.55", "2025-02-01 08:00:00"),  # no items
            order(5, 12, "completed", "60.00", "2025-03-15 09:00:00"),
        ],
    )
    item = lambda id_, order_id, product, quantity, line_total: {  # noqa: E731
        "id": id_,
        "order_id": order_id,
        "product_id": product,
        "quantity": quantity,
        "line_total": D(line_total),
    }
    lake.insert(
        "core_orderitem",
        [
            item(1, 1, 100, 2, "60.00"),
            item(2, 1, 101, 1, "40.00"),
            item(3, 2, 100, 5, "50.00"),
            item(4, 3, 102, 9, "90.00"),
            item(5, 5, 101, 1, "10.00"),
            item(6, 5, 104, 5, "50.00"),
        ],
    )
    lake.insert(
        "core_product",
        [
            {"id": p, "tenant_id": 1, "category": c}
            for p, c in ((100, "toys"), (101, "books"), (102, "toys"), (103, "garden"), (104, "books"))
        ],
    )
    subscription = lambda id_, customer, period, price, status, started, canceled=None: {  # noqa: E731
        "id": id_,
        "tenant_id": 1,
        "customer_id": customer,
        "billing_period": period,
        "price": D(price),
        "status": status,
        "started_at": ts(started),
        "canceled_at": ts(canceled) if canceled else None,
    }
    lake.insert(
        "core_subscription",
        [
            subscription(1, 10, "monthly", "30.00", "active", "2025-01-10 00:00:00"),
            subscription(2, 11, "annual", "100.00", "canceled", "2025-01-15 00:00:00", "2025-03-01 00:00:00"),
            subscription(3, 12, "monthly", "50.00", "trialing", "2025-02-20 00:00:00"),
            subscription(4, 10, "monthly", "20.00", "active", "2025-02-05 00:00:00"),
        ],
    )
    event = lambda id_, session, kind, when: {  # noqa: E731
        "id": id_,
        "tenant_id": 1,
        "session_id": session,
        "event_type": kind,
        "occurred_at": ts(when),
    }
    lake.insert(
        "core_event",
        [
            event(1, "A", "page_view", "2025-01-01 23:59:00"),
            event(2, "A", "product_view", "2025-01-02 00:01:00"),
            event(3, "A", "purchase", "2025-01-02 00:05:00"),
            event(4, "B", "product_view", "2025-01-01 10:00:00"),  # no page_view: not a funnel entry
            event(5, "C", "login", "2025-01-01 09:00:00"),
            event(6, "C", "page_view", "2025-01-01 09:01:00"),
            event(7, "C", "add_to_cart", "2025-01-01 09:02:00"),
            event(8, "C", "checkout_start", "2025-01-01 09:03:00"),
        ],
    )
    invoice = lambda id_, tenant, status, amount, due: {  # noqa: E731
        "id": id_,
        "tenant_id": tenant,
        "status": status,
        "amount": D(amount),
        "due_at": ts(due),
    }
    lake.insert(
        "core_invoice",
        [
            invoice(1, 1, "open", "100.00", "2025-03-31 18:00:00"),  # due on the as-of date: current
            invoice(2, 1, "open", "50.00", "2025-03-01 00:00:00"),
            invoice(3, 1, "open", "20.00", "2024-12-01 00:00:00"),
            invoice(4, 1, "paid", "999.00", "2025-01-01 00:00:00"),
            invoice(5, 2, "paid", "10.00", "2025-01-01 00:00:00"),
        ],
    )
    result = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-03-31")
    return lake, result


def rows(lake, table: str, order: str) -> list[tuple]:
    return [tuple(r) for r in lake.spark.sql(f"SELECT * FROM {CATALOG}.{lake.gold}.{table} ORDER BY {order}").collect()]


def test_revenue_daily_splits_at_midnight_utc_and_rounds_aov_half_up(gold):
    lake, _ = gold
    assert rows(lake, "revenue_daily", "tenant_id, date") == [
        (1, date(2025, 1, 31), 1, D("100.00"), D("100.00"), 3),
        (1, date(2025, 2, 1), 2, D("75.55"), D("37.78"), 5),
        (1, date(2025, 3, 15), 1, D("60.00"), D("60.00"), 6),
    ]


def test_revenue_monthly(gold):
    lake, _ = gold
    assert rows(lake, "revenue_monthly", "tenant_id, month") == [
        (1, date(2025, 1, 1), 1, D("100.00"), D("100.00"), 3),
        (1, date(2025, 2, 1), 2, D("75.55"), D("37.78"), 5),
        (1, date(2025, 3, 1), 1, D("60.00"), D("60.00"), 6),
    ]


def test_subscription_monthly_with_annual_plan_trial_and_cancel_at_month_start(gold):
    lake, _ = gold
    result = rows(lake, "subscription_monthly", "tenant_id, month")
    assert [(*r[:6], r[7]) for r in result] == [
        (1, date(2025, 1, 1), 2, 2, 0, D("38.33"), D("19.17")),
        (1, date(2025, 2, 1), 3, 1, 0, D("58.33"), D("29.17")),
        (1, date(2025, 3, 1), 2, 0, 1, D("50.00"), D("50.00")),
    ]
    assert next(r[6] for r in result) is None  # nothing active at the first month's start
    assert [r[6] for r in result][1:] == [0.0, pytest.approx(1 / 3)]


def test_customer_ltv_includes_customers_without_orders(gold):
    lake, _ = gold
    assert rows(lake, "customer_ltv", "customer_id") == [
        (1, 10, date(2025, 1, 5), date(2025, 1, 31), date(2025, 2, 1), 2, D("150.00"), D("75.00")),
        (1, 11, date(2025, 1, 20), date(2025, 2, 1), date(2025, 2, 1), 1, D("25.55"), D("25.55")),
        (1, 12, date(2025, 3, 1), date(2025, 3, 15), date(2025, 3, 15), 1, D("60.00"), D("60.00")),
        (1, 13, date(2025, 2, 10), None, None, 0, D("0.00"), None),
    ]


def test_customer_acquisition_monthly(gold):
    lake, _ = gold
    assert rows(lake, "customer_acquisition_monthly", "tenant_id, month") == [
        (1, date(2025, 1, 1), 2, 1),
        (1, date(2025, 2, 1), 1, 1),
        (1, date(2025, 3, 1), 1, 1),
    ]


def test_cohort_retention_runs_to_the_last_month_with_zero_rows(gold):
    lake, _ = gold
    assert rows(lake, "cohort_retention", "tenant_id, cohort_month, months_since") == [
        (1, date(2025, 1, 1), 0, 1, 1, 1.0),
        (1, date(2025, 1, 1), 1, 1, 1, 1.0),
        (1, date(2025, 1, 1), 2, 0, 1, 0.0),
        (1, date(2025, 2, 1), 0, 1, 1, 1.0),
        (1, date(2025, 2, 1), 1, 0, 1, 0.0),
        (1, date(2025, 3, 1), 0, 1, 1, 1.0),
    ]


def test_product_performance_ties_share_a_rank_and_unsold_products_rank_last(gold):
    lake, _ = gold
    assert rows(lake, "product_performance", "product_id") == [
        (1, 100, "toys", 7, D("110.00"), 1),
        (1, 101, "books", 2, D("50.00"), 2),
        (1, 102, "toys", 0, D("0.00"), 3),  # sold only in a cancelled order
        (1, 103, "garden", 0, D("0.00"), 3),
        (1, 104, "books", 5, D("50.00"), 2),
    ]


def test_event_funnel_counts_only_sessions_with_a_page_view_dated_by_their_first_event(gold):
    lake, _ = gold
    assert rows(lake, "event_funnel_daily", "tenant_id, date") == [(1, date(2025, 1, 1), 2, 1, 1, 1, 1, 0.5)]


def test_invoice_aging_lists_every_bucket_and_counts_due_today_as_current(gold):
    lake, _ = gold
    assert rows(lake, "invoice_aging", "tenant_id, invoice_count DESC, bucket") == [
        (1, date(2025, 3, 31), "1-30", 1, D("50.00")),
        (1, date(2025, 3, 31), "90+", 1, D("20.00")),
        (1, date(2025, 3, 31), "current", 1, D("100.00")),
        (1, date(2025, 3, 31), "31-60", 0, D("0.00")),
        (1, date(2025, 3, 31), "61-90", 0, D("0.00")),
    ]


def test_gold_is_not_rebuilt_when_its_inputs_did_not_change(gold, spark):
    lake, first = gold
    assert all(t["rebuilt"] for t in first["tables"])
    again = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-03-31")
    assert not any(t["rebuilt"] for t in again["tables"])
    other_day = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-04-30", only=["invoice_aging"])
    assert other_day["tables"] == [dict(other_day["tables"][0], rebuilt=True)]


def test_as_of_defaults_to_the_datas_latest_change(gold, spark):
    lake, _ = gold
    spark.sql(
        f"INSERT INTO {CATALOG}.{lake.silver}.applied_files VALUES "
        "('core_invoice', 'x.csv.gz', 1, 1, 0, TIMESTAMP '2025-04-02 23:59:59', 'r', current_timestamp())"
    )
    assert silver_to_gold.data_as_of(spark, lake.silver) == "2025-04-02"


def test_clickstream_tables_are_not_built_without_the_clickstream_events_table(gold):
    _, first = gold
    assert [t["table"] for t in first["tables"]] == [
        "cohort_retention",
        "customer_acquisition_monthly",
        "customer_ltv",
        "event_funnel_daily",
        "invoice_aging",
        "product_performance",
        "revenue_daily",
        "revenue_monthly",
        "subscription_monthly",
    ]


def test_clickstream_tables_count_duplicates_once_by_utc_hour_and_day(gold, spark):
    lake, _ = gold
    lake.clickstream(
        [
            ("e1", "2025-11-25T10:00:00.123Z", "u1", "page_view", 1200),
            ("e2", "2025-11-25T10:30:00Z", "u2", "page_view", 800),
            ("e1", "2025-11-25T10:00:00.123Z", "u1", "page_view", 1200),  # the same event delivered twice
            ("e3", "2025-11-25T11:15:00+01:00", "u1", "button_click", None),  # no duration
            ("e4", "2025-11-26T00:05:00Z", "u3", "api_call", 100),
            ("e5", "2025-11-25T23:59:59Z", "u1", "form_submit", 500),
        ]
    )
    result = silver_to_gold.run(
        spark, lake.silver, lake.gold, as_of="2025-03-31", only=["hourly_aggregates", "daily_summary"]
    )
    assert [t["table"] for t in result["tables"]] == ["daily_summary", "hourly_aggregates"]
    assert rows(lake, "hourly_aggregates", "event_date, event_hour, event_type") == [
        (date(2025, 11, 25), 10, "button_click", 1, 1),  # 11:15+01:00 is 10:15 UTC
        (date(2025, 11, 25), 10, "page_view", 2, 2),
        (date(2025, 11, 25), 23, "form_submit", 1, 1),
        (date(2025, 11, 26), 0, "api_call", 1, 1),
    ]
    (day1, day2) = rows(lake, "daily_summary", "day")
    assert day1[:3] == (date(2025, 11, 25), 4, 2) and day1[3] == pytest.approx((1200 + 800 + 500) / 3)
    assert day2 == (date(2025, 11, 26), 1, 1, 100.0)
