"""The packaged contract is the shared one plus its rules as data: tables, columns, types and header
unchanged, and the rules written as data say what the shared header says."""

from pathlib import Path

import pytest
import yaml

from etl.contract import Cleaning, Derived, Rule, tables

SHARED = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "saas_source.yaml"
PACKAGED = Path(__file__).resolve().parents[2] / "etl" / "contracts" / "saas_source.yaml"
SHARED_KEYS = ("silver_table", "rows", "primary_key", "columns")


def header(text: str) -> str:
    """The leading comment block, up to the first line that is not a comment."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))])


@pytest.fixture(scope="module")
def shared() -> str:
    if not SHARED.exists():
        pytest.skip("shared/contracts is not beside this checkout")
    return SHARED.read_text()


def test_packaged_contract_keeps_the_shared_header(shared):
    assert header(PACKAGED.read_text()) == header(shared)


def test_packaged_contract_keeps_the_shared_tables_columns_and_types(shared):
    packaged = yaml.safe_load(PACKAGED.read_text())["tables"]
    assert {name: {key: spec[key] for key in SHARED_KEYS} for name, spec in packaged.items()} == yaml.safe_load(shared)[
        "tables"
    ]


@pytest.mark.parametrize(
    "header_line, source, rules",
    [
        (
            "#   - core_product: price < 0 or cost < 0;",
            "core_product",
            {"price < 0": "price < 0", "cost < 0": "cost < 0"},
        ),
        (
            "#   - core_orderitem: quantity <= 0, or |line_total - quantity * unit_price| > 0.01;",
            "core_orderitem",
            {
                "quantity <= 0": "quantity <= 0",
                "|line_total - quantity * unit_price| > 0.01": "abs(line_total - quantity * unit_price) > 0.01",
            },
        ),
        (
            "#   - core_order: |total_amount - (subtotal + tax_amount - discount_amount)| > 0.01.",
            "core_order",
            {
                "|total_amount - (subtotal + tax_amount - discount_amount)| > 0.01": (
                    "abs(total_amount - (subtotal + tax_amount - discount_amount)) > 0.01"
                )
            },
        ),
    ],
    ids=["product", "orderitem", "order"],
)
def test_business_rules_as_data_are_the_headers(shared, header_line, source, rules):
    assert header_line in shared.splitlines()
    assert tables()[source].rules == tuple(Rule(reason, when) for reason, when in rules.items())


def test_only_the_headers_tables_have_business_rules():
    assert {t.source for t in tables().values() if t.rules} == {"core_product", "core_orderitem", "core_order"}


def test_cleaning_and_derived_columns_as_data_are_the_headers(shared):
    for line in (
        r"#   - customer.email: trimmed, lower case; NULL when it does not match ^[^@\s]+@[^@\s]+\.[^@\s]+$",
        "#     inference: '0044 20 7946 0958' -> '+00442079460958'); NULL when fewer than 8 or more than 15 digits",
        "#   - product.category: trimmed, lower case, inner runs of spaces collapsed to one",
        "#   - tenant.settings: JSON text kept; plan_type extracted to its own column",
    ):
        assert line in shared.splitlines()
    contract = tables()
    assert contract["core_customer"].cleaning == (
        Cleaning(
            "email", r"CASE WHEN lower(trim(email)) RLIKE r'^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN lower(trim(email)) END"
        ),
        Cleaning(
            "phone",
            "CASE WHEN length(regexp_replace(phone, '[^0-9]', '')) BETWEEN 8 AND 15 "
            "THEN '+' || regexp_replace(phone, '[^0-9]', '') END",
        ),
    )
    assert contract["core_product"].cleaning == (
        Cleaning("category", "regexp_replace(lower(trim(category)), ' {2,}', ' ')"),
    )
    assert contract["core_tenant"].derived == (
        Derived("plan_type", "text", "get_json_object(settings, '$.plan_type')"),
    )
    assert {t.source for t in contract.values() if t.cleaning or t.derived} == {
        "core_customer",
        "core_product",
        "core_tenant",
    }


def test_contract_tables_and_keys():
    loaded = tables()
    assert [t.silver_table for t in loaded.values()] == [
        "tenants",
        "customers",
        "products",
        "orders",
        "order_items",
        "events",
        "subscriptions",
        "invoices",
    ]
    assert {t.primary_key for t in loaded.values()} == {"id"}
    assert loaded["core_order"].field_count == 15
