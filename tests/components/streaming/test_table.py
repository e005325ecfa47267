"""The clickstream_events table from its contract: Iceberg and Parquet definitions, partitioning."""

from __future__ import annotations

import pytest

from components.streaming.table import (
    clickstream_contract,
    hive_columns,
    hive_partition_keys,
    iceberg_table_input,
    parse_contract,
    partition_prefix,
    partition_query,
    projection_parameters,
)

LOCATION = "s3://lake-processed/clickstream_events"


def test_contract_is_read_from_the_etl_yaml():
    contract = clickstream_contract()
    assert contract.name == "clickstream_events"
    assert contract.partition_by == "event_date"
    assert [c.name for c in contract.columns] == [
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


def test_iceberg_schema_numbers_fields_and_maps_types():
    table = iceberg_table_input(clickstream_contract(), LOCATION)
    assert table["location"] == LOCATION
    assert table["schema"]["fields"][:2] == [
        {"id": 1, "name": "event_id", "type": "string", "required": False},
        {"id": 2, "name": "event_time", "type": "timestamp", "required": False},
    ]
    assert {f["name"]: f["type"] for f in table["schema"]["fields"]}["duration_ms"] == "long"
    assert {f["name"]: f["type"] for f in table["schema"]["fields"]}["event_date"] == "date"


def test_iceberg_partition_is_identity_on_event_date():
    table = iceberg_table_input(clickstream_contract(), LOCATION)
    assert table["partition_spec"] == {
        "spec_id": 0,
        "fields": [{"name": "event_date", "source_id": 8, "transform": "identity", "field_id": 1000}],
    }


def test_parquet_table_keeps_event_date_in_the_path_only():
    contract = clickstream_contract()
    assert "event_date" not in [c["name"] for c in hive_columns(contract)]
    assert hive_columns(contract)[5] == {"name": "duration_ms", "type": "bigint"}
    assert hive_partition_keys(contract) == [{"name": "event_date", "type": "date"}]


def test_dynamic_partitioning_prefix_and_query():
    contract = clickstream_contract()
    assert partition_prefix(contract, "clickstream_events/") == (
        "clickstream_events/event_date=!{partitionKeyFromQuery:event_date}/"
    )
    assert partition_query(contract) == "{event_date: .event_date}"


def test_partition_projection_finds_new_days_without_a_crawler():
    parameters = projection_parameters(clickstream_contract(), LOCATION)
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.event_date.type"] == "date"
    assert parameters["projection.event_date.format"] == "yyyy-MM-dd"
    assert parameters["storage.location.template"] == (
        "s3://lake-processed/clickstream_events/event_date=${event_date}"
    )


def test_a_contract_type_without_iceberg_equivalent_is_refused():
    document = {
        "table": "t",
        "partition_by": "d",
        "columns": [{"name": "d", "type": "date"}, {"name": "m", "type": "map"}],
    }
    with pytest.raises(ValueError, match=r"t: column types \['map'\] have no Iceberg equivalent"):
        parse_contract(document)


def test_a_partition_outside_the_columns_is_refused():
    document = {"table": "t", "partition_by": "day", "columns": [{"name": "d", "type": "date"}]}
    with pytest.raises(ValueError, match="partition_by 'day' is not one of its columns"):
        parse_contract(document)
