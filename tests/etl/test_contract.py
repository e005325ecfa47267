"""Loading a contract: types, rules as data, and the mistakes a contract edit can make."""

from __future__ import annotations

import pytest

from etl.contract import clickstream_events, parse, parse_event_table, spark_type

TABLE = """
tables:
  core_thing:
    silver_table: things
    rows: 1
    primary_key: id
    columns:
      - {name: id, type: bigint}
      - {name: label, type: text}
"""


@pytest.mark.parametrize(
    "contract_type, expected",
    [
        ("bigint", "bigint"),
        ("integer", "int"),
        ("text", "string"),
        ("boolean", "boolean"),
        ("jsonb", "string"),
        ("timestamptz", "timestamp"),
        ("numeric(12,2)", "decimal(12,2)"),
    ],
)
def test_contract_types_map_to_spark_types(contract_type, expected):
    assert spark_type(contract_type) == expected


def test_an_unknown_type_names_the_known_ones():
    with pytest.raises(
        ValueError, match=r"unknown contract type 'money'; known: bigint, integer, text, boolean, jsonb"
    ):
        spark_type("money")


def test_silver_columns_are_the_columns_then_the_derived_ones():
    (table,) = parse(
        TABLE + "    derived:\n      - {name: label_length, type: integer, value: length(label)}\n"
    ).values()
    assert table.silver_columns == (("id", "bigint"), ("label", "string"), ("label_length", "int"))


def test_cleaning_of_a_column_the_table_lacks_is_an_error():
    with pytest.raises(ValueError, match=r"^contract core_thing.cleaning.colour: no such column; columns: id, label$"):
        parse(TABLE + "    cleaning:\n      colour: lower(colour)\n")


def test_a_derived_column_may_not_shadow_a_column():
    with pytest.raises(ValueError, match=r"^contract core_thing.derived.label: clashes with a column"):
        parse(TABLE + "    derived:\n      - {name: label, type: text, value: upper(label)}\n")


def test_a_derived_column_with_an_unknown_type_fails_at_load():
    with pytest.raises(ValueError, match="unknown contract type 'colour'"):
        parse(TABLE + "    derived:\n      - {name: shade, type: colour, value: label}\n")


def test_the_primary_key_must_be_a_column():
    with pytest.raises(ValueError, match=r"^contract core_thing.primary_key: uuid is not a column$"):
        parse(TABLE.replace("primary_key: id", "primary_key: uuid"))


def test_clickstream_events_contract():
    spec = clickstream_events()
    assert (spec.name, spec.partition_by) == ("clickstream_events", "event_date")
    assert [name for name, _ in spec.columns] == [
        "event_id",
        "event_time",
        "user_id",
        "event_type",
        "event_data",
        "duration_ms",
        "processed_timestamp",
        "event_date",
        "hour_of_day",
        "day_of_week",
    ]


def test_a_contract_type_without_iceberg_equivalent_is_refused():
    document = {
        "table": "t",
        "partition_by": "d",
        "columns": [{"name": "d", "type": "date"}, {"name": "m", "type": "map"}],
    }
    with pytest.raises(ValueError, match=r"t: column types \['map'\] have no Iceberg equivalent"):
        parse_event_table(document)


def test_a_partition_outside_the_columns_is_refused():
    document = {"table": "t", "partition_by": "day", "columns": [{"name": "d", "type": "date"}]}
    with pytest.raises(ValueError, match="partition_by 'day' is not one of its columns"):
        parse_event_table(document)
