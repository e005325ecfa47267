"""The clickstream_events table from its contract: Iceberg and Parquet definitions, partitioning."""

from __future__ import annotations

from components.streaming.table import (
    hive_columns,
    hive_partition_keys,
    iceberg_table_input,
    partition_prefix,
    partition_query,
    projection_parameters,
)
from etl.contract import clickstream_events

LOCATION = "s3://lake-processed/clickstream_events"


def test_iceberg_schema_numbers_fields_and_maps_types():
    table = iceberg_table_input(clickstream_events(), LOCATION)
    assert table["location"] == LOCATION
    assert table["schema"]["fields"][:2] == [
        {"id": 1, "name": "event_id", "type": "string", "required": False},
        {"id": 2, "name": "event_time", "type": "timestamp", "required": False},
    ]
    assert {f["name"]: f["type"] for f in table["schema"]["fields"]}["duration_ms"] == "long"
    assert {f["name"]: f["type"] for f in table["schema"]["fields"]}["event_date"] == "date"


def test_iceberg_partition_is_identity_on_event_date():
    table = iceberg_table_input(clickstream_events(), LOCATION)
    assert table["partition_spec"] == {
        "spec_id": 0,
        "fields": [{"name": "event_date", "source_id": 8, "transform": "identity", "field_id": 1000}],
    }


def test_parquet_table_keeps_event_date_in_the_path_only():
    contract = clickstream_events()
    assert "event_date" not in [c["name"] for c in hive_columns(contract)]
    assert hive_columns(contract)[5] == {"name": "duration_ms", "type": "bigint"}
    assert hive_partition_keys(contract) == [{"name": "event_date", "type": "date"}]


def test_dynamic_partitioning_prefix_and_query():
    contract = clickstream_events()
    assert partition_prefix(contract, "clickstream_events/") == (
        "clickstream_events/event_date=!{partitionKeyFromQuery:event_date}/"
    )
    assert partition_query(contract) == "{event_date: .event_date}"


def test_partition_projection_finds_new_days_without_a_crawler():
    parameters = projection_parameters(clickstream_events(), LOCATION)
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.event_date.type"] == "date"
    assert parameters["projection.event_date.format"] == "yyyy-MM-dd"
    assert parameters["storage.location.template"] == (
        "s3://lake-processed/clickstream_events/event_date=${event_date}"
    )
