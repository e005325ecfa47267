"""bronze_to_silver against each rule of the source contract, with the exact silver rows expected."""

from __future__ import annotations

import gzip
from datetime import datetime
from decimal import Decimal

import pytest

from etl.session import CATALOG

T1, T2, T3, T4 = (f"2025-01-0{d} 10:00:00.000000" for d in (1, 2, 3, 4))
LOAD, CDC1, CDC2, CDC3 = (
    "LOAD00000001.csv.gz",
    "20250102-100000000.csv.gz",
    "20250103-100000000.csv.gz",
    "20250104-100000000.csv.gz",
)
JAN1 = datetime(2025, 1, 1)
SETTINGS = '{"plan_type": "growth", "currency": "USD"}'


def tenant(
    op: str,
    ts: str,
    id_: object,
    name: str = "Acme",
    active: str = "t",
    settings: str = SETTINGS,
    domain: str | None = None,
):
    return [op, ts, id_, name, f"slug-{id_}", domain, active, settings, "2025-01-01 00:00:00", "2025-01-01 00:00:00+00"]


def delete(ts: str, id_: object, columns: int = 8):
    return ["D", ts, id_, *([""] * (columns - 1))]


def product(op: str, ts: str, id_: object, category: str = "Toys", price: str = "10.00", cost: str = "4.00", **over):
    row = [
        op,
        ts,
        id_,
        1,
        f"SKU-{id_}",
        "Ball",
        category,
        price,
        cost,
        5,
        "true",
        "2025-01-01 00:00:00",
        "2025-01-01 00:00:00",
    ]
    for index, value in over.items():
        row[int(index[1:])] = value
    return row


def names(lake) -> list[tuple]:
    return lake.rows("core_tenant", "id", "name")


# --- applying changes -------------------------------------------------------------------------


def test_full_load_inserts_typed_rows_with_plan_type_extracted(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1, domain="acme.io"), tenant("I", T1, 2, active="F")])
    summary = lake.run("core_tenant")
    assert lake.rows("core_tenant", "id", "name", "domain", "is_active", "plan_type", "created_at", "updated_at") == [
        (1, "Acme", "acme.io", True, "growth", JAN1, JAN1),
        (2, "Acme", None, False, "growth", JAN1, JAN1),
    ]
    assert (summary["tenants"]["files_read"], summary["tenants"]["rows_read"], summary["tenants"]["applied"]) == (
        1,
        2,
        2,
    )


def test_update_replaces_the_row_with_its_after_image(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1)])
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="Acme Ltd")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "Acme Ltd")]


def test_delete_carrying_only_the_key_removes_the_row(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1), tenant("I", T1, 2)])
    lake.write("core_tenant", CDC1, [delete(T2, 1)])
    lake.run("core_tenant")
    assert names(lake) == [(2, "Acme")]


def test_delete_then_reinsert_leaves_row_present(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1)])
    lake.write("core_tenant", CDC1, [delete(T2, 1)])
    lake.run("core_tenant")
    assert names(lake) == []
    lake.write("core_tenant", CDC2, [tenant("I", T3, 1, name="Back again")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "Back again")]


def test_delete_and_reinsert_in_one_file_leaves_row_present(lake):
    lake.write("core_tenant", CDC1, [tenant("I", T1, 1), delete(T2, 1), tenant("I", T3, 1, name="Again")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "Again")]


def test_late_older_change_never_overwrites_a_newer_one(lake):
    lake.write("core_tenant", CDC2, [tenant("U", T3, 1, name="Newer")])
    lake.run("core_tenant")
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="Older")])  # arrives late
    lake.run("core_tenant")
    assert names(lake) == [(1, "Newer")]


def test_late_older_insert_after_a_delete_does_not_bring_the_row_back(lake):
    lake.write("core_tenant", CDC2, [delete(T3, 1)])
    lake.run("core_tenant")
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1)])  # the full load, backfilled after the delete
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="Older update")])
    lake.run("core_tenant")
    assert names(lake) == []


def test_equal_timestamps_in_one_file_are_ordered_by_record_position(lake):
    lake.write("core_tenant", CDC1, [tenant("I", T1, 1, name="first"), tenant("U", T1, 1, name="second")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "second")]


def test_equal_timestamps_in_two_files_are_ordered_by_file_name(lake):
    lake.write("core_tenant", CDC2, [tenant("U", T1, 1, name="later file")])
    lake.write("core_tenant", CDC1, [tenant("U", T1, 1, name="earlier file")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "later file")]


def test_cdc_files_come_after_full_load_files_whatever_their_timestamps(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T4, 1, name="load")])  # load written after the change
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="cdc")])
    lake.run("core_tenant")
    assert names(lake) == [(1, "cdc")]


def test_the_same_file_processed_twice_changes_nothing(lake):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1)])
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="v2")])
    lake.run("core_tenant")
    lake.write("core_tenant", CDC2, [tenant("U", T3, 1, name="v3")])
    lake.write("core_tenant", CDC1, [tenant("U", T2, 1, name="v2")])  # DMS writes it again
    summary = lake.run("core_tenant")
    assert summary["tenants"]["files_read"] == 1  # only the new CDC2
    assert names(lake) == [(1, "v3")]


def test_a_replayed_file_under_a_new_name_changes_nothing(lake):
    lake.write("core_tenant", CDC1, [tenant("I", T1, 1, name="v1"), delete(T2, 2)])
    lake.write("core_tenant", CDC2, [tenant("U", T3, 1, name="v3")])
    lake.run("core_tenant")
    lake.write("core_tenant", CDC3, [tenant("I", T1, 1, name="v1"), delete(T2, 2)])  # replay of CDC1
    lake.run("core_tenant")
    assert names(lake) == [(1, "v3")]


def test_running_again_without_new_files_writes_no_snapshot(lake, spark):
    lake.write("core_tenant", LOAD, [tenant("I", T1, 1)])
    lake.run("core_tenant")
    history = f"{CATALOG}.{lake.silver}.tenants.history"
    before = spark.sql(f"SELECT COUNT(*) FROM {history}").first()[0]
    summary = lake.run("core_tenant")
    assert summary["tenants"]["files_read"] == 0
    assert spark.sql(f"SELECT COUNT(*) FROM {history}").first()[0] == before


# --- validation and quarantine -----------------------------------------------------------------


def test_each_invalid_change_is_quarantined_with_its_reason_and_position(lake):
    lake.write(
        "core_tenant",
        CDC1,
        [
            tenant("I", T1, 1)[:-1],
            tenant("X", T1, 2),
            tenant("I", "2025-01-01 10:00:00", 3),
            tenant("I", T1, "three"),
            tenant("I", T1, 4, active="maybe"),
            tenant("I", T1, 5, settings="{not json"),
            tenant("I", T1, 6, name=None),
            ["I", T1, 7, "Acme", "s", None, "t", SETTINGS, "2025-02-30 00:00:00", "2025-01-01 00:00:00"],
            tenant("I", T1, 8),
        ],
    )
    summary = lake.run("core_tenant")
    assert lake.quarantine() == [
        ("core_tenant", CDC1, 1, "wrong number of fields: expected 10, got 9"),
        ("core_tenant", CDC1, 2, "Op must be I, U or D (got 'X')"),
        ("core_tenant", CDC1, 3, "unparseable dms_timestamp '2025-01-01 10:00:00'"),
        ("core_tenant", CDC1, 4, "unparseable primary key id 'three'"),
        ("core_tenant", CDC1, 5, "column is_active: 'maybe' does not parse as boolean"),
        ("core_tenant", CDC1, 6, "column settings: '{not json' does not parse as jsonb"),
        ("core_tenant", CDC1, 7, "column name: NULL in a non-nullable column"),
        ("core_tenant", CDC1, 8, "column created_at: '2025-02-30 00:00:00' does not parse as timestamptz"),
    ]
    assert names(lake) == [(8, "Acme")]
    assert (summary["tenants"]["rows_read"], summary["tenants"]["applied"], summary["tenants"]["quarantined"]) == (
        9,
        1,
        8,
    )


def test_a_quarantined_change_leaves_the_previous_state(lake):
    lake.write("core_product", LOAD, [product("I", T1, 1, price="10.00")])
    lake.write("core_product", CDC1, [product("U", T2, 1, price="-5.00")])
    lake.run("core_product")
    assert lake.rows("core_product", "id", "price") == [(1, Decimal("10.00"))]
    assert lake.quarantine() == [("core_product", CDC1, 1, "price < 0")]


def test_a_delete_is_checked_for_its_key_only(lake):
    lake.write("core_product", LOAD, [product("I", T1, 1)])
    lake.write("core_product", CDC1, [["D", T2, 1, "x", "", "", "", "not-a-price", "", "", "maybe", "", ""]])
    lake.run("core_product")
    assert lake.rows("core_product", "id") == []
    assert lake.quarantine() == []


@pytest.mark.parametrize(
    "table, record, reason",
    [
        ("core_product", product("I", T1, 1, cost="-0.01"), "cost < 0"),
        ("core_product", product("I", T1, 1, price="12.x"), "column price: '12.x' does not parse as numeric(10,2)"),
        (
            "core_product",
            product("I", T1, 1, c11="2025-01-01T00:00:00Z"),
            "column created_at: '2025-01-01T00:00:00Z' does not parse as timestamptz",
        ),
        ("core_orderitem", ["I", T1, 1, 1, 1, 0, "5.00", "0.00", "2025-01-01 00:00:00"], "quantity <= 0"),
        (
            "core_orderitem",
            ["I", T1, 1, 1, 1, 2, "5.00", "10.02", "2025-01-01 00:00:00"],
            "|line_total - quantity * unit_price| > 0.01",
        ),
        (
            "core_order",
            [
                "I",
                T1,
                1,
                1,
                1,
                "ORD-1",
                "completed",
                "100.00",
                "8.00",
                "0.00",
                "108.02",
                "USD",
                "2025-01-01 00:00:00",
                "2025-01-01 00:00:00",
                "2025-01-01 00:00:00",
            ],
            "|total_amount - (subtotal + tax_amount - discount_amount)| > 0.01",
        ),
    ],
    ids=["cost", "numeric", "timestamp-format", "quantity", "line-total", "order-total"],
)
def test_business_and_type_rules_quarantine(lake, table, record, reason):
    lake.write(table, CDC1, [record])
    lake.run(table)
    assert lake.quarantine() == [(table, CDC1, 1, reason)]


def test_totals_within_a_cent_are_valid(lake):
    lake.write("core_orderitem", CDC1, [["I", T1, 1, 1, 1, 3, "3.33", "10.00", "2025-01-01 00:00:00"]])
    lake.run("core_orderitem")
    assert lake.rows("core_orderitem", "id", "line_total") == [(1, Decimal("10.00"))]


def test_a_quoted_field_spanning_lines_keeps_record_positions(lake):
    lake.write(
        "core_product",
        CDC1,
        [
            product("I", T1, 1, c5='Ball, "big"\nsecond line'),
            product("I", T1, 2, price="-1.00"),
        ],
    )
    lake.run("core_product")
    assert lake.rows("core_product", "id", "name") == [(1, 'Ball, "big"\nsecond line')]
    assert lake.quarantine() == [("core_product", CDC1, 2, "price < 0")]


def test_an_unreadable_file_is_quarantined_not_fatal(lake):
    path = lake.bronze / "dms" / "public" / "core_tenant" / CDC1
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not gzip at all")
    lake.write("core_tenant", CDC2, [tenant("I", T2, 1)])
    lake.run("core_tenant")
    assert names(lake) == [(1, "Acme")]
    ((table, file, position, reason),) = lake.quarantine()
    assert (table, file, position) == ("core_tenant", CDC1, 1)
    assert reason.startswith("unreadable file: BadGzipFile")


# --- cleaning ----------------------------------------------------------------------------------


def customer(id_: int, email: str, phone: str | None):
    return [
        "I",
        T1,
        id_,
        1,
        email,
        "Ann",
        "Lee",
        phone,
        None,
        "smb",
        "GB",
        "2025-01-01 00:00:00",
        "2025-01-01 00:00:00",
    ]


def test_customer_email_and_phone_are_cleaned(lake):
    lake.write(
        "core_customer",
        CDC1,
        [
            customer(1, "  Ann.Lee@Example.COM ", "0044 20 7946 0958"),
            customer(2, "ann@localhost", "12-34-567"),
            customer(3, "no at sign", "+1 (415) 555-2671 ext 1234567"),
            customer(4, "a@b.co", None),
        ],
    )
    lake.run("core_customer")
    assert lake.rows("core_customer", "id", "email", "phone") == [
        (1, "ann.lee@example.com", "+00442079460958"),
        (2, None, None),  # no dot after @; 7 digits
        (3, None, None),  # no @; 18 digits
        (4, "a@b.co", None),
    ]


def test_product_category_is_trimmed_lowered_and_collapsed(lake):
    lake.write(
        "core_product", CDC1, [product("I", T1, 1, category="  Home   GARDEN "), product("I", T1, 2, category="toys")]
    )
    lake.run("core_product")
    assert lake.rows("core_product", "id", "category") == [(1, "home garden"), (2, "toys")]


def test_malformed_csv_quarantines_the_record_where_reading_stopped_and_keeps_the_ones_before(lake):
    path = lake.bronze / "dms" / "public" / "core_tenant" / CDC1
    path.parent.mkdir(parents=True)
    good = "I,2025-01-01 10:00:00.000000,1,Acme,slug-1,,t,{},2025-01-01 00:00:00,2025-01-01 00:00:00\n"
    path.write_bytes(gzip.compress((good + '"unterminated,x\n').encode()))
    lake.run("core_tenant")
    assert names(lake) == [(1, "Acme")]
    assert lake.quarantine() == [("core_tenant", CDC1, 2, "malformed CSV: unexpected end of data")]


def test_a_blank_line_is_a_record_with_no_fields(lake):
    path = lake.bronze / "dms" / "public" / "core_tenant" / CDC1
    path.parent.mkdir(parents=True)
    good = "I,2025-01-01 10:00:00.000000,1,Acme,slug-1,,t,{},2025-01-01 00:00:00,2025-01-01 00:00:00\n"
    path.write_bytes(gzip.compress(("\n" + good).encode()))
    lake.run("core_tenant")
    assert names(lake) == [(1, "Acme")]
    assert lake.quarantine() == [("core_tenant", CDC1, 1, "wrong number of fields: expected 10, got 0")]
