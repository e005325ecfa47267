"""The packaged contract is the shared one, byte for byte (schemas come from one place)."""

from pathlib import Path

import pytest

from etl.contract import tables

SHARED = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "saas_source.yaml"
PACKAGED = Path(__file__).resolve().parents[2] / "etl" / "contracts" / "saas_source.yaml"


def test_packaged_contract_matches_the_shared_contract():
    if not SHARED.exists():
        pytest.skip("shared/contracts is not beside this checkout")
    assert PACKAGED.read_bytes() == SHARED.read_bytes()


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
