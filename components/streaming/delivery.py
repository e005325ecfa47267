"""Firehose's destination settings for the two ways the clickstream lands, as plain dicts.

``iceberg``: Firehose's Apache Iceberg destination commits into the Glue Iceberg table; records that
fail (transform or delivery) go to the error prefix in the raw zone. ``parquet``: the extended-S3
destination converts JSON to Parquet against the Glue table's schema and writes one prefix per
event_date (dynamic partitioning), with failures under the error prefix of the processed bucket.
Values may be Outputs: nothing here formats them into strings.
"""

from __future__ import annotations

from typing import Any

from etl.contract import EventTable

from .access import LOG_STREAM
from .config import BufferingConfig
from .table import partition_prefix, partition_query

ICEBERG_RETRY_SECONDS = 300
# How the transform writes timestamps (its TIMESTAMP_ENCODING): Firehose's Iceberg destination takes
# epoch microseconds; record format conversion (OpenX JSON SerDe) parses "yyyy-MM-dd HH:mm:ss.ffffff".
TIMESTAMP_ENCODING = {"iceberg": "epoch_micros", "parquet": "text"}


def table_prefix(contract: EventTable) -> str:
    """Where the table lives in its bucket: ``clickstream_events/``."""
    return f"{contract.name}/"


def error_prefix(contract: EventTable) -> str:
    """Where failed records go, outside any table location: ``errors/clickstream_events/``."""
    return f"errors/{contract.name}/"


def error_output_prefix(contract: EventTable) -> str:
    """Failed records by failure kind and day (``processing-failed/2025/11/25/``)."""
    return f"{error_prefix(contract)}!{{firehose:error-output-type}}/!{{timestamp:yyyy/MM/dd}}/"


def lambda_processor(function_arn: Any) -> dict[str, Any]:
    return {"type": "Lambda", "parameters": [{"parameter_name": "LambdaArn", "parameter_value": function_arn}]}


def logging_options(log_group_name: Any) -> dict[str, Any]:
    return {"enabled": True, "log_group_name": log_group_name, "log_stream_name": LOG_STREAM}


def iceberg_configuration(
    contract: EventTable,
    *,
    role_arn: Any,
    catalog_arn: Any,
    database: Any,
    transform_arn: Any,
    error_bucket_arn: Any,
    key_arn: Any,
    log_group_name: Any,
    buffering: BufferingConfig,
) -> dict[str, Any]:
    """Append-only delivery into the Iceberg table (events are never updated: Firehose then scales
    its throughput by itself); only failed records are backed up."""
    return {
        "role_arn": role_arn,
        "catalog_arn": catalog_arn,
        "append_only": True,
        "destination_table_configurations": [{"database_name": database, "table_name": contract.name}],
        "buffering_size": buffering.size_mb,
        "buffering_interval": buffering.interval_seconds,
        "retry_duration": ICEBERG_RETRY_SECONDS,
        "processing_configuration": {"enabled": True, "processors": [lambda_processor(transform_arn)]},
        "cloudwatch_logging_options": logging_options(log_group_name),
        "s3_backup_mode": "FailedDataOnly",
        "s3_configuration": {
            "role_arn": role_arn,
            "bucket_arn": error_bucket_arn,
            "error_output_prefix": error_output_prefix(contract),
            "compression_format": "GZIP",
            "kms_key_arn": key_arn,
        },
    }


def parquet_configuration(
    contract: EventTable,
    *,
    role_arn: Any,
    bucket_arn: Any,
    database: Any,
    region: Any,
    account_id: Any,
    transform_arn: Any,
    key_arn: Any,
    log_group_name: Any,
    buffering: BufferingConfig,
) -> dict[str, Any]:
    """Parquet files under ``clickstream_events/event_date=<day>/``, schema from the Glue table.

    Format conversion requires the S3 compression to stay UNCOMPRESSED (Parquet compresses itself,
    Snappy). The partition value is read by jq from each record after the transform has run (Firehose
    runs deaggregation, then the Lambda, then the partition-key query).
    """
    return {
        "role_arn": role_arn,
        "bucket_arn": bucket_arn,
        "prefix": partition_prefix(contract, table_prefix(contract)),
        "error_output_prefix": error_output_prefix(contract),
        "buffering_size": buffering.size_mb,
        "buffering_interval": buffering.interval_seconds,
        "compression_format": "UNCOMPRESSED",
        "kms_key_arn": key_arn,
        "cloudwatch_logging_options": logging_options(log_group_name),
        "dynamic_partitioning_configuration": {"enabled": True},
        "processing_configuration": {
            "enabled": True,
            "processors": [
                lambda_processor(transform_arn),
                {
                    "type": "MetadataExtraction",
                    "parameters": [
                        {"parameter_name": "MetadataExtractionQuery", "parameter_value": partition_query(contract)},
                        {"parameter_name": "JsonParsingEngine", "parameter_value": "JQ-1.6"},
                    ],
                },
            ],
        },
        "data_format_conversion_configuration": {
            "input_format_configuration": {"deserializer": {"open_x_json_ser_de": {}}},
            "output_format_configuration": {"serializer": {"parquet_ser_de": {"compression": "SNAPPY"}}},
            "schema_configuration": {
                "database_name": database,
                "table_name": contract.name,
                "role_arn": role_arn,
                "region": region,
                "catalog_id": account_id,
            },
        },
    }
