"""Gold tables come from etl/sql/gold/*.sql: their inputs are the tables each query names, a new
file is a new table, and only a table whose own inputs changed is rebuilt."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from etl.contract import tables
from etl.gold import discover
from etl.jobs import silver_to_gold
from etl.session import CATALOG
from etl.silver import ensure_tables
from tests.etl.conftest import Lake

REPO = Path(__file__).resolve().parents[2]
PACKAGED_SQL = REPO / "etl" / "sql" / "gold"


def test_every_sql_file_is_a_gold_table_after_the_gold_tables_it_reads():
    assert list(discover()) == [
        "cohort_retention",
        "customer_acquisition_monthly",
        "customer_ltv",
        "daily_summary",
        "event_funnel_daily",
        "hourly_aggregates",
        "invoice_aging",
        "product_performance",
        "revenue_daily",
        "revenue_monthly",
        "subscription_monthly",
    ]


def test_inputs_are_the_tables_a_query_names():
    gold = discover()
    assert gold["revenue_daily"].inputs == (("silver", "order_items"), ("silver", "orders"))
    assert gold["revenue_monthly"].inputs == (("gold", "revenue_daily"),)
    assert gold["product_performance"].inputs == (
        ("silver", "order_items"),
        ("silver", "orders"),
        ("silver", "products"),
    )
    assert gold["hourly_aggregates"].inputs == (("silver", "clickstream_events"),)
    assert [name for name, table in gold.items() if table.uses_as_of] == ["invoice_aging"]


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, sql in files.items():
        (tmp_path / f"{name}.sql").write_text(sql)
    return tmp_path


def test_a_gold_table_read_before_it_is_built_orders_the_discovery(tmp_path):
    folder = _folder(tmp_path, a_top="SELECT * FROM {gold}.z_base", z_base="SELECT * FROM {silver}.orders")
    assert list(discover(folder)) == ["z_base", "a_top"]


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"a": "SELECT * FROM {gold}.b", "b": "SELECT * FROM {gold}.a"},
            "gold tables read each other in a cycle: a -> b -> a",
        ),
        ({"a": "SELECT * FROM {gold}.missing"}, "gold/a.sql reads gold.missing, which no gold/*.sql builds"),
        ({"a": "SELECT * FROM {gold}.a"}, "gold/a.sql reads itself"),
        (
            {"a": "SELECT * FROM {bronze}.orders"},
            "gold/a.sql: unknown placeholders ['bronze']; known: ['as_of', 'gold', 'silver']",
        ),
    ],
    ids=["cycle", "missing", "self", "placeholder"],
)
def test_gold_sql_mistakes_are_named(tmp_path, files, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        discover(_folder(tmp_path, **files))


def test_a_regex_quantifier_is_not_a_placeholder(tmp_path):
    folder = _folder(tmp_path, a="SELECT regexp_replace(name, ' {2,}', ' ') AS n FROM {silver}.products")
    assert discover(folder)["a"].render("lake.s", "lake.g", None) == (
        "SELECT regexp_replace(name, ' {2,}', ' ') AS n FROM lake.s.products"
    )


# --- built on a small lake -----------------------------------------------------------------------


def order(id_: int, customer: int, total: str, when: str) -> dict:
    return {
        "id": id_,
        "tenant_id": 1,
        "customer_id": customer,
        "status": "completed",
        "total_amount": Decimal(total),
        "order_date": datetime.fromisoformat(when),
    }


@pytest.fixture(scope="module")
def lake(spark):
    lake = Lake(spark, Path(tempfile.mkdtemp()))
    ensure_tables(spark, lake.silver, list(tables().values()))
    lake.clickstream([("e1", "2025-11-25T10:00:00Z", "u1", "page_view", 1200)])
    lake.insert("core_order", [order(1, 10, "10.00", "2025-01-05 10:00:00")])
    lake.first = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-03-31")
    return lake


def documented_columns() -> dict[str, list[str]]:
    """Gold table -> its columns, as docs/gold_metrics.md lists them (a heading or a bullet)."""
    text = (REPO / "docs" / "gold_metrics.md").read_text()
    found = re.findall(r"^(?:## |- `)([a-z_]+) \(([a-z_, ]+)\)", text, flags=re.MULTILINE)
    return {name: columns.split(", ") for name, columns in found}


def test_docs_define_every_gold_table_with_its_columns(lake, spark):
    built = {t["table"]: spark.table(f"{CATALOG}.{lake.gold}.{t['table']}").columns for t in lake.first["tables"]}
    assert built == documented_columns()


def test_only_tables_whose_inputs_changed_are_rebuilt(lake, spark):
    lake.insert("core_order", [order(2, 11, "5.00", "2025-01-06 10:00:00")])
    again = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-03-31")
    assert sorted(t["table"] for t in again["tables"] if t["rebuilt"]) == [
        "cohort_retention",
        "customer_acquisition_monthly",
        "customer_ltv",
        "product_performance",
        "revenue_daily",
        "revenue_monthly",
    ]
    assert spark.sql(f"SELECT order_count FROM {CATALOG}.{lake.gold}.revenue_monthly").first()[0] == 2


def test_a_new_sql_file_is_a_new_gold_table(lake, spark, tmp_path):
    folder = tmp_path / "gold"
    shutil.copytree(PACKAGED_SQL, folder)
    (folder / "orders_by_status.sql").write_text(
        "SELECT status, COUNT(*) AS orders FROM {silver}.orders GROUP BY status\n"
    )
    result = silver_to_gold.run(spark, lake.silver, lake.gold, as_of="2025-03-31", sql_dir=folder)
    assert [t["rebuilt"] for t in result["tables"] if t["table"] == "orders_by_status"] == [True]
    assert spark.sql(f"SELECT * FROM {CATALOG}.{lake.gold}.orders_by_status").collect() == [("completed", 2)]
