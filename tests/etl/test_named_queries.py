"""The named queries (etl/queries/*.sql, Athena's Trino SQL): each parses as Trino SQL and, transpiled
to Spark SQL, answers on a small hand-made lake built by the real jobs (bronze -> silver -> gold):
a gold table's query returns exactly that table's rows, and each question answered from silver
returns the rows written out below, which agree with the gold table it restates."""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from rich.console import Console

from etl.contract import tables
from etl.gold import discover
from etl.jobs import silver_to_gold
from etl.queries import NamedQuery, QueryFileError, named_queries, parse
from etl.session import CATALOG
from lakehouse.local.named_queries import EXIT_USAGE, find, list_queries, run_named, to_spark
from tests.etl.conftest import Lake

D = Decimal
LOAD_TS, CDC_TS = "2025-03-30 12:00:00.000000", "2025-03-31 08:00:00.000000"
LOAD, CDC = "LOAD00000001.csv.gz", "20250331-080000000.csv.gz"
T0 = "2025-01-01 00:00:00"

# A valid value for every non-nullable column, so each record below names only what matters to it.
DEFAULTS: dict[str, dict[str, Any]] = {
    "core_tenant": {"is_active": "t", "settings": '{"plan_type": "growth"}', "created_at": T0, "updated_at": T0},
    "core_customer": {"segment": "smb", "country": "GB", "created_at": T0, "updated_at": T0},
    "core_product": {"price": "10.00", "cost": "4.00", "stock_quantity": 5, "is_active": "t", "created_at": T0},
    "core_order": {"tax_amount": "0.00", "discount_amount": "0.00", "currency": "USD", "created_at": T0},
    "core_orderitem": {"created_at": T0},
    "core_event": {"created_at": T0},
    "core_subscription": {"plan": "pro", "current_period_end": "2026-01-01 00:00:00", "created_at": T0},
    "core_invoice": {"issued_at": T0, "created_at": T0, "updated_at": T0},
}


def record(source: str, op: str, ts: str, **values: Any) -> list[Any]:
    """One bronze record: Op, dms_timestamp, then every contract column in order."""
    merged = {"updated_at": T0, **DEFAULTS[source], **values}
    return [op, ts, *(merged.get(column.name) for column in tables()[source].columns)]


def tenant(id_: int, name: str) -> list[Any]:
    return record("core_tenant", "I", LOAD_TS, id=id_, name=name, slug=name.lower())


def customer(id_: int, tenant_id: int, created: str = T0) -> list[Any]:
    return record(
        "core_customer",
        "I",
        LOAD_TS,
        id=id_,
        tenant_id=tenant_id,
        email=f"c{id_}@example.com",
        first_name=f"F{id_}",
        last_name=f"L{id_}",
        created_at=created,
    )


def order(id_: int, tenant_id: int, customer_id: int, status: str, total: str, when: str, op: str = "I", ts=LOAD_TS):
    return record(
        "core_order",
        op,
        ts,
        id=id_,
        tenant_id=tenant_id,
        customer_id=customer_id,
        order_number=f"O-{id_}",
        status=status,
        subtotal=total,
        total_amount=total,
        order_date=when,
    )


def item(id_: int, order_id: int, product_id: int, quantity: int, unit_price: str) -> list[Any]:
    line_total = str(Decimal(unit_price) * quantity)
    return record(
        "core_orderitem",
        "I",
        LOAD_TS,
        id=id_,
        order_id=order_id,
        product_id=product_id,
        quantity=quantity,
        unit_price=unit_price,
        line_total=line_total,
    )


def product(id_: int, tenant_id: int, category: str) -> list[Any]:
    return record(
        "core_product", "I", LOAD_TS, id=id_, tenant_id=tenant_id, sku=f"SKU-{id_}", name=f"P{id_}", category=category
    )


def subscription(id_, tenant_id, customer_id, period, price, status, started, canceled=None) -> list[Any]:
    return record(
        "core_subscription",
        "I",
        LOAD_TS,
        id=id_,
        tenant_id=tenant_id,
        customer_id=customer_id,
        billing_period=period,
        price=price,
        status=status,
        started_at=started,
        canceled_at=canceled,
    )


def event(id_: int, tenant_id: int, session: str, kind: str, when: str) -> list[Any]:
    return record(
        "core_event", "I", LOAD_TS, id=id_, tenant_id=tenant_id, session_id=session, event_type=kind, occurred_at=when
    )


def invoice(id_: int, tenant_id: int, customer_id: int, status: str, amount: str, due: str) -> list[Any]:
    return record(
        "core_invoice",
        "I",
        LOAD_TS,
        id=id_,
        tenant_id=tenant_id,
        customer_id=customer_id,
        invoice_number=f"INV-{id_}",
        amount=amount,
        status=status,
        due_at=due,
    )


# Tenant 3: eleven buyers of 1.00 .. 11.00, so that "top 10" has one customer to leave out.
SMALL_BUYERS = range(301, 312)


def write_bronze(lake: Lake) -> None:
    lake.write("core_tenant", LOAD, [tenant(1, "Acme"), tenant(2, "Globex"), tenant(3, "Initech")])
    lake.write(
        "core_customer",
        LOAD,
        [
            customer(10, 1, "2025-01-05 12:00:00"),
            customer(11, 1, "2025-01-20 12:00:00"),
            customer(12, 1, "2025-02-10 00:00:00"),
            customer(20, 2, "2025-01-15 00:00:00"),
            customer(21, 2, "2025-03-01 00:00:00"),
            *(customer(c, 3, "2025-03-01 00:00:00") for c in SMALL_BUYERS),
        ],
    )
    lake.write(
        "core_product",
        LOAD,
        [
            product(100, 1, " Toys "),
            product(101, 1, "books"),
            product(102, 1, "toys"),
            product(103, 1, "garden"),
            product(200, 2, "Garden"),
        ],
    )
    lake.write(
        "core_order",
        LOAD,
        [
            order(1, 1, 10, "completed", "100.00", "2025-01-31 23:30:00"),  # last minutes of January
            order(2, 1, 10, "completed", "50.00", "2025-02-01 00:10:00"),
            order(3, 1, 11, "cancelled", "70.00", "2025-01-31 10:00:00"),
            order(4, 1, 11, "completed", "25.55", "2025-02-01 08:00:00"),  # no items
            order(5, 2, 20, "completed", "80.00", "2025-03-15 09:00:00"),
            order(6, 2, 21, "completed", "40.00", "2025-03-20 09:00:00"),  # deleted by CDC below
            order(7, 1, 11, "pending", "10.01", "2025-03-02 10:00:00"),  # completed by CDC below
            *(order(c, 3, c, "completed", f"{c - 300}.00", "2025-03-10 12:00:00") for c in SMALL_BUYERS),
        ],
    )
    lake.write(
        "core_order",
        CDC,
        [
            order(7, 1, 11, "completed", "10.01", "2025-03-02 10:00:00", op="U", ts=CDC_TS),
            ["D", CDC_TS, 6, *([""] * (len(tables()["core_order"].columns) - 1))],
        ],
    )
    lake.write(
        "core_orderitem",
        LOAD,
        [
            item(1, 1, 100, 2, "30.00"),
            item(2, 1, 101, 1, "40.00"),
            item(3, 2, 100, 5, "10.00"),
            item(4, 3, 101, 9, "10.00"),  # cancelled order
            item(5, 5, 200, 4, "20.00"),
            item(6, 6, 200, 2, "20.00"),  # deleted order
            item(7, 7, 101, 1, "10.01"),
            item(8, 2, 103, 1, "50.01"),  # ties with product 101: both rank 2
        ],
    )
    lake.write(
        "core_subscription",
        LOAD,
        [
            subscription(1, 1, 10, "monthly", "30.00", "active", "2025-01-10 00:00:00"),
            subscription(2, 1, 11, "annual", "100.00", "canceled", "2025-01-15 00:00:00", "2025-03-01 00:00:00"),
            subscription(3, 1, 12, "monthly", "50.00", "trialing", "2025-02-20 00:00:00"),
            subscription(4, 2, 20, "annual", "120.00", "active", "2025-02-05 00:00:00"),
            subscription(5, 2, 21, "annual", "130.00", "active", "2025-03-05 00:00:00"),
            subscription(6, 2, 20, "annual", "100.00", "active", "2025-02-06 00:00:00"),
        ],
    )
    lake.write(
        "core_event",
        LOAD,
        [
            event(1, 1, "A", "page_view", "2025-01-31 23:59:00"),
            event(2, 1, "A", "product_view", "2025-02-01 00:01:00"),
            event(3, 1, "A", "purchase", "2025-02-01 00:05:00"),
            event(4, 1, "B", "product_view", "2025-01-10 10:00:00"),  # no page_view: not a funnel entry
            event(5, 1, "C", "login", "2025-02-01 09:00:00"),
            event(6, 1, "C", "page_view", "2025-02-01 09:01:00"),
            event(7, 1, "C", "add_to_cart", "2025-02-01 09:02:00"),
            event(8, 1, "C", "checkout_start", "2025-02-01 09:03:00"),
            *(
                event(9 + i, 2, "D", kind, f"2025-03-03 10:0{i}:00")
                for i, kind in enumerate(("page_view", "product_view", "add_to_cart", "checkout_start", "purchase"))
            ),
            event(20, 2, "E", "page_view", "2025-03-04 10:00:00"),
        ],
    )
    lake.write(
        "core_invoice",
        LOAD,
        [
            invoice(1, 1, 10, "open", "100.00", "2025-03-31 18:00:00"),  # due on the as-of date: current
            invoice(2, 1, 11, "open", "50.00", "2025-03-01 00:00:00"),
            invoice(3, 1, 10, "open", "20.00", "2024-12-01 00:00:00"),
            invoice(4, 1, 10, "paid", "999.00", "2025-01-01 00:00:00"),
            invoice(5, 2, 20, "open", "75.50", "2025-01-15 00:00:00"),
            invoice(6, 2, 20, "void", "10.00", "2025-01-01 00:00:00"),
        ],
    )


CLICKSTREAM = [  # event_id, event_time, user_id, event_type, duration_ms
    ("e1", datetime(2025, 3, 1, 10, 15), "u1", "page_view", 1000),
    ("e1", datetime(2025, 3, 1, 10, 15), "u1", "page_view", 1000),  # delivered twice
    ("e2", datetime(2025, 3, 1, 10, 45), "u2", "button_click", None),
    ("e3", datetime(2025, 3, 2, 8, 0), "u1", "page_view", 3000),
]


def write_clickstream(lake: Lake) -> None:
    """The processed zone's clickstream_events table (etl/contracts/clickstream_events.yaml) with a few events."""
    contract = yaml.safe_load(resources.files("etl").joinpath("contracts/clickstream_events.yaml").read_text())
    table = f"{CATALOG}.{lake.silver}.{contract['table']}"
    schema = ", ".join(f"{c['name']} {c['type']}" for c in contract["columns"])
    lake.spark.sql(f"CREATE TABLE {table} ({schema}) USING iceberg PARTITIONED BY ({contract['partition_by']})")
    rows = [
        {
            "event_id": event_id,
            "event_time": at,
            "user_id": user,
            "event_type": kind,
            "event_data": json.dumps({"duration": duration} if duration else {}),
            "duration_ms": duration,
            "processed_timestamp": at,
            "event_date": at.date(),
            "hour_of_day": at.hour,
            "day_of_week": at.isoweekday(),
        }
        for event_id, at, user, kind, duration in CLICKSTREAM
    ]
    lake.spark.createDataFrame([tuple(r[c["name"]] for c in contract["columns"]) for r in rows], schema).writeTo(
        table
    ).append()


@pytest.fixture(scope="module")
def lake(spark) -> Lake:
    lake = Lake(spark, Path(tempfile.mkdtemp()))
    write_bronze(lake)
    lake.run()
    write_clickstream(lake)
    silver_to_gold.run(spark, lake.silver, lake.gold)
    return lake


def answer(lake: Lake, name: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a named query on the test lake, in the query's own order."""
    frame = lake.spark.sql(to_spark(find(name), lake.silver, lake.gold))
    return frame.columns, [tuple(row) for row in frame.collect()]


def gold_rows(lake: Lake, table: str, columns: list[str], where: str = "TRUE") -> list[tuple]:
    frame = lake.spark.sql(f"SELECT {', '.join(columns)} FROM {CATALOG}.{lake.gold}.{table} WHERE {where}")
    return [tuple(row) for row in frame.collect()]


def projected(columns: list[str], rows: list[tuple], wanted: list[str]) -> list[tuple]:
    return [tuple(row[columns.index(c)] for c in wanted) for row in rows]


GOLD_TABLES = list(discover())


# --- the files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_parses_as_one_trino_statement(name):
    statements = sqlglot.parse(
        named_queries()[name].render("lakehouse_prod_silver", "lakehouse_prod_gold"), read="trino"
    )
    assert len(statements) == 1 and statements[0] is not None


def test_every_gold_table_has_a_named_query():
    assert set(GOLD_TABLES) <= set(named_queries())


def test_the_seed_questions_are_answered():
    assert {
        "revenue_by_month",
        "top_customers_by_lifetime_value",
        "subscription_churn_by_month",
        "funnel_conversion_by_month",
        "open_invoices_by_age",
        "top_products_by_revenue",
    } <= set(named_queries())


def test_description_is_the_first_comment_line():
    assert find("revenue_by_month").description == (
        "Revenue by tenant and month, live from silver: completed orders, their units, and the tenant's name."
    )


def test_render_puts_the_database_names_in_place_of_the_placeholders():
    query = parse("q", "-- Orders.\nSELECT * FROM {silver}.orders JOIN {gold}.revenue_daily USING (tenant_id)\n")
    assert query.render("lakehouse_prod_silver", "lakehouse_prod_gold") == (
        "-- Orders.\nSELECT * FROM lakehouse_prod_silver.orders JOIN lakehouse_prod_gold.revenue_daily USING (tenant_id)\n"
    )


def test_render_refuses_a_database_name_that_would_need_quoting():
    with pytest.raises(ValueError) as error:
        parse("q", "-- Q.\nSELECT 1\n").render("silver", "lakehouse-prod-gold")
    assert str(error.value) == "database name 'lakehouse-prod-gold' must be lower-case letters, digits and _"


def test_a_query_without_a_description_comment_is_refused():
    with pytest.raises(QueryFileError) as error:
        parse("q", "SELECT 1\n")
    assert str(error.value) == "etl/queries/q.sql: the first line must be a '-- ' comment describing the query"


def test_an_unknown_placeholder_is_refused():
    with pytest.raises(QueryFileError) as error:
        parse("q", "-- Q.\nSELECT * FROM {bronze}.core_order\n")
    assert str(error.value) == ("etl/queries/q.sql: unknown placeholders ['bronze']; only {silver} and {gold} exist")


def test_transpiled_query_reads_the_given_namespaces():
    sql = to_spark(find("revenue_by_month"), "silver_x", "gold_x")
    assert "FROM silver_x.orders" in sql and "silver_x.tenants" in sql and "{" not in sql


# --- a gold table's query returns that table ----------------------------------------------------


@pytest.mark.parametrize("table", GOLD_TABLES)
def test_gold_query_returns_exactly_the_gold_table(lake, table):
    columns, rows = answer(lake, table)
    gold_columns = lake.spark.table(f"{CATALOG}.{lake.gold}.{table}").columns
    assert columns == gold_columns
    assert rows and sorted(rows, key=repr) == sorted(gold_rows(lake, table, gold_columns), key=repr)


def test_revenue_monthly_query_lists_the_newest_month_first(lake):
    _, rows = answer(lake, "revenue_monthly")
    assert [(r[0], r[1]) for r in rows] == [
        (1, date(2025, 3, 1)),
        (2, date(2025, 3, 1)),
        (3, date(2025, 3, 1)),
        (1, date(2025, 2, 1)),
        (1, date(2025, 1, 1)),
    ]


def test_invoice_aging_query_orders_buckets_by_age(lake):
    _, rows = answer(lake, "invoice_aging")
    assert [(r[0], r[2]) for r in rows] == [
        (tenant, bucket) for tenant in (1, 2) for bucket in ("current", "1-30", "31-60", "61-90", "90+")
    ]


# --- the questions, answered from silver --------------------------------------------------------

REVENUE_BY_MONTH = [
    (1, "Acme", date(2025, 1, 1), 1, D("100.00"), D("100.00"), 3),
    (1, "Acme", date(2025, 2, 1), 2, D("75.55"), D("37.78"), 6),
    (1, "Acme", date(2025, 3, 1), 1, D("10.01"), D("10.01"), 1),  # completed by a CDC update
    (2, "Globex", date(2025, 3, 1), 1, D("80.00"), D("80.00"), 4),  # order 6 deleted by CDC
    (3, "Initech", date(2025, 3, 1), 11, D("66.00"), D("6.00"), 0),
]


def test_revenue_by_month_from_silver(lake):
    columns, rows = answer(lake, "revenue_by_month")
    assert columns == ["tenant_id", "tenant_name", "month", "order_count", "revenue", "avg_order_value", "units_sold"]
    assert rows == REVENUE_BY_MONTH


def test_revenue_by_month_agrees_with_gold_revenue_monthly(lake):
    columns, rows = answer(lake, "revenue_by_month")
    wanted = ["tenant_id", "month", "order_count", "revenue", "avg_order_value", "units_sold"]
    assert sorted(projected(columns, rows, wanted)) == sorted(gold_rows(lake, "revenue_monthly", wanted))


def test_top_customers_keeps_ten_per_tenant_by_lifetime_revenue(lake):
    _, rows = answer(lake, "top_customers_by_lifetime_value")
    assert [r[:3] + r[8:] for r in rows] == [
        (1, 1, 10, 2, D("150.00"), date(2025, 1, 31), date(2025, 2, 1)),
        (1, 2, 11, 2, D("35.56"), date(2025, 2, 1), date(2025, 3, 2)),
        (2, 1, 20, 1, D("80.00"), date(2025, 3, 15), date(2025, 3, 15)),
        *(
            (3, rank, 312 - rank, 1, D(f"{12 - rank}.00"), date(2025, 3, 10), date(2025, 3, 10))
            for rank in range(1, 11)
        ),
    ]
    assert rows[0][3:8] == ("c10@example.com", "F10", "L10", None, "smb")


def test_top_customers_agree_with_gold_customer_ltv(lake):
    columns, rows = answer(lake, "top_customers_by_lifetime_value")
    wanted = ["tenant_id", "customer_id", "order_count", "lifetime_revenue", "first_order_date", "last_order_date"]
    ltv = gold_rows(lake, "customer_ltv", wanted, "order_count > 0 AND customer_id <> 301")  # 301: eleventh of tenant 3
    assert sorted(projected(columns, rows, wanted)) == sorted(ltv)


SUBSCRIPTION_CHURN = [
    (1, date(2025, 1, 1), 2, 2, 0, None, D("38.33")),
    (1, date(2025, 2, 1), 2, 0, 0, 0.0, D("38.33")),  # trialing is not new; canceled on 1 March still active
    (1, date(2025, 3, 1), 1, 0, 1, 0.5, D("30.00")),
    (2, date(2025, 2, 1), 2, 2, 0, None, D("18.33")),
    (2, date(2025, 3, 1), 3, 1, 0, 0.0, D("29.17")),  # 10 + 10.8333 + 8.3333: not 29.16 of rounded prices
]


def test_subscription_churn_by_month_from_silver(lake):
    columns, rows = answer(lake, "subscription_churn_by_month")
    assert columns == [
        "tenant_id",
        "month",
        "active_subscriptions",
        "new_subscriptions",
        "churned_subscriptions",
        "churn_rate",
        "mrr",
    ]
    assert rows == SUBSCRIPTION_CHURN


def test_subscription_churn_agrees_with_gold_subscription_monthly(lake):
    columns, rows = answer(lake, "subscription_churn_by_month")
    wanted = columns
    assert sorted(rows, key=repr) == sorted(gold_rows(lake, "subscription_monthly", wanted), key=repr)


FUNNEL_BY_MONTH = [
    (1, date(2025, 1, 1), 1, 1, 0, 0, 1, 1.0),  # A starts 31 January, buys on 1 February; B has no page_view
    (1, date(2025, 2, 1), 1, 0, 1, 1, 0, 0.0),
    (2, date(2025, 3, 1), 2, 1, 1, 1, 1, 0.5),
]


def test_funnel_conversion_by_month_from_silver(lake):
    _, rows = answer(lake, "funnel_conversion_by_month")
    assert rows == FUNNEL_BY_MONTH


def test_funnel_conversion_agrees_with_gold_event_funnel_daily_summed_by_month(lake):
    _, rows = answer(lake, "funnel_conversion_by_month")
    monthly = lake.spark.sql(
        f"SELECT tenant_id, CAST(date_trunc('MONTH', date) AS DATE), SUM(sessions), SUM(product_view_sessions), "
        "SUM(add_to_cart_sessions), SUM(checkout_sessions), SUM(purchase_sessions), "
        f"SUM(purchase_sessions) / SUM(sessions) FROM {CATALOG}.{lake.gold}.event_funnel_daily GROUP BY 1, 2 ORDER BY 2, 1"
    ).collect()
    assert rows == [tuple(r) for r in monthly]


OPEN_INVOICES = [
    (1, 3, "INV-3", 10, "c10@example.com", D("20.00"), date(2024, 12, 1), date(2025, 3, 31), 120, "90+"),
    (2, 5, "INV-5", 20, "c20@example.com", D("75.50"), date(2025, 1, 15), date(2025, 3, 31), 75, "61-90"),
    (1, 2, "INV-2", 11, "c11@example.com", D("50.00"), date(2025, 3, 1), date(2025, 3, 31), 30, "1-30"),
    (1, 1, "INV-1", 10, "c10@example.com", D("100.00"), date(2025, 3, 31), date(2025, 3, 31), 0, "current"),
]


def test_open_invoices_by_age_most_overdue_first_as_of_the_latest_change(lake):
    _, rows = answer(lake, "open_invoices_by_age")
    assert rows == OPEN_INVOICES


def test_open_invoices_agree_with_gold_invoice_aging(lake):
    columns, rows = answer(lake, "open_invoices_by_age")
    totals: dict[tuple, tuple[int, Decimal]] = {}
    for tenant_id, as_of, bucket, amount in projected(columns, rows, ["tenant_id", "as_of_date", "bucket", "amount"]):
        count, total = totals.get((tenant_id, as_of, bucket), (0, D("0.00")))
        totals[(tenant_id, as_of, bucket)] = (count + 1, total + amount)
    gold = gold_rows(lake, "invoice_aging", ["tenant_id", "as_of_date", "bucket", "invoice_count", "open_amount"])
    assert sorted((*key, *value) for key, value in totals.items()) == sorted(r for r in gold if r[3] > 0)


TOP_PRODUCTS = [
    (1, 1, 100, "SKU-100", "P100", "toys", 7, D("110.00")),
    (1, 2, 101, "SKU-101", "P101", "books", 2, D("50.01")),  # cancelled order 3 not counted
    (1, 2, 103, "SKU-103", "P103", "garden", 1, D("50.01")),  # a tie shares the rank
    (2, 1, 200, "SKU-200", "P200", "garden", 4, D("80.00")),  # deleted order 6 not counted
]


def test_top_products_by_revenue_from_silver(lake):
    _, rows = answer(lake, "top_products_by_revenue")
    assert rows == TOP_PRODUCTS


def test_top_products_agree_with_gold_product_performance(lake):
    columns, rows = answer(lake, "top_products_by_revenue")
    wanted = ["tenant_id", "product_id", "category", "units_sold", "revenue", "revenue_rank"]
    sellers = gold_rows(lake, "product_performance", wanted, "units_sold > 0 AND revenue_rank <= 10")
    assert sorted(projected(columns, rows, wanted)) == sorted(sellers)


# --- the local runner ---------------------------------------------------------------------------


def test_run_named_prints_the_rows_as_json(lake, capsys):
    code = run_named(
        "unused", "revenue_by_month", "json", Console(), spark=lake.spark, silver=lake.silver, gold=lake.gold
    )
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert printed[0] == {
        "tenant_id": 1,
        "tenant_name": "Acme",
        "month": "2025-01-01",
        "order_count": 1,
        "revenue": "100.00",
        "avg_order_value": "100.00",
        "units_sold": 3,
    }


def test_run_named_with_an_unknown_name_exits_2_and_suggests_the_closest(capsys):
    assert run_named("unused", "revenue_by_mnth", "table", Console()) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "lakehouse query: no named query 'revenue_by_mnth'; did you mean revenue_by_month, revenue_monthly, revenue_daily? "
        "`lakehouse query --list` shows them all\n"
    )


def test_list_shows_every_query_with_its_description():
    console = Console(record=True, width=250)
    assert list_queries(console) == 0
    text = console.export_text()
    for named in named_queries().values():
        assert isinstance(named, NamedQuery) and named.name in text and named.description in text
