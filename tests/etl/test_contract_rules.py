"""The contract is data: a copy with one more column, business rule, cleaning rule and derived
column is applied by the unchanged job."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from etl.contract import load
from tests.etl.test_bronze_to_silver import CDC1, CDC2, T1, T2

PACKAGED = Path(__file__).resolve().parents[2] / "etl" / "contracts" / "saas_source.yaml"


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    document = yaml.safe_load(PACKAGED.read_text())
    customer = document["tables"]["core_customer"]
    customer["columns"].append({"name": "loyalty_points", "type": "integer", "nullable": True})
    customer["rules"] = [{"reason": "loyalty_points < 0", "when": "loyalty_points < 0"}]
    customer["cleaning"]["country"] = "upper(trim(country))"
    customer["derived"] = [{"name": "email_domain", "type": "text", "value": "substring_index(email, '@', -1)"}]
    path = tmp_path_factory.mktemp("contract") / "saas_source.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return load(path)


def customer(ts: str, id_: int, email: str, country: str, *points: object) -> list[object]:
    return [
        "I",
        ts,
        id_,
        1,
        email,
        "Ann",
        "Lee",
        None,
        None,
        "smb",
        country,
        "2025-01-01 00:00:00",
        "2025-01-01 00:00:00",
        *points,
    ]


def test_an_added_column_rule_cleaning_and_derived_column_are_applied(lake, extended):
    lake.write(
        "core_customer",
        CDC1,
        [
            customer(T1, 1, " Ann@Example.COM", " gb", "120"),
            customer(T1, 2, "bo@mail.example.org", "de", ""),
            customer(T1, 3, "cy@example.com", "fr", "-5"),
            customer(T1, 4, "di@example.com", "nl", "many"),
            customer(T1, 5, "ed@example.com", "us"),
        ],
    )
    lake.run("core_customer", contract=extended)
    assert lake.rows(
        "core_customer", "id", "email", "country", "loyalty_points", "email_domain", contract=extended
    ) == [
        (1, "ann@example.com", "GB", 120, "example.com"),
        (2, "bo@mail.example.org", "DE", None, "mail.example.org"),
    ]
    assert lake.quarantine() == [
        ("core_customer", CDC1, 3, "loyalty_points < 0"),
        ("core_customer", CDC1, 4, "column loyalty_points: 'many' does not parse as integer"),
        ("core_customer", CDC1, 5, "wrong number of fields: expected 14, got 13"),
    ]


def test_a_silver_table_created_before_a_column_was_added_gains_it(lake, extended):
    lake.write("core_customer", CDC1, [customer(T1, 1, "ann@example.com", "GB")])
    lake.run("core_customer")
    lake.write("core_customer", CDC2, [customer(T2, 2, "bo@example.com", "DE", "7")])
    lake.run("core_customer", contract=extended)
    assert lake.rows("core_customer", "id", "loyalty_points", "email_domain", contract=extended) == [
        (1, None, None),
        (2, 7, "example.com"),
    ]
