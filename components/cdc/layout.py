"""The bronze layout of the source contract (etl/contracts/saas_source.yaml), as DMS S3 target settings.

The contract's header names the settings that make DMS write what ``bronze_to_silver`` reads::

    <raw bucket>/dms/public/<table>/LOAD00000001.csv.gz        full load (Op is always I)
    <raw bucket>/dms/public/<table>/20241208-153012345.csv.gz  CDC files, in the same folder

Every row is Op, dms_timestamp, then the table's columns, no header, empty field = NULL. This module
is the one place those settings are spelled; the test compares them with the contract's header.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "public"  # the contract's tables live in the source's public schema: dms/public/<table>/
BUCKET_FOLDER = "dms"  # DMS writes <BucketFolder>/<schema>/<table>/
TIMESTAMP_COLUMN = "dms_timestamp"


def bronze_prefix() -> str:
    """Where DMS writes in the raw bucket: the prefix its role may write, and only that."""
    return f"{BUCKET_FOLDER}/"


def target_settings(cdc_max_batch_interval_seconds: int, cdc_min_file_size_kb: int) -> dict[str, Any]:
    """The S3 target endpoint's settings (pulumi-aws ``dms.S3Endpoint`` arguments) that fix the layout.

    The contract's header: DataFormat=csv, CompressionType=GZIP (``.csv.gz``), IncludeOpForFullLoad
    (Op in LOAD files too), TimestampColumnName=dms_timestamp (second field), AddColumnName=false (no
    header row), CsvNullValue="" (an empty field is NULL). What else the layout needs: comma and
    newline delimiters (RFC 4180 CSV); BucketFolder ``dms`` (``dms/public/<table>/``); date
    partitioning off and no CdcPath/PreserveTransactions, so CDC files land beside the LOAD files of
    their table and are named by their write time; neither CdcInsertsOnly nor CdcInsertsAndUpdates,
    so deletes (Op D) are written too.
    """
    return {
        "data_format": "csv",
        "compression_type": "GZIP",
        "include_op_for_full_load": True,
        "timestamp_column_name": TIMESTAMP_COLUMN,
        "add_column_name": False,
        "csv_null_value": "",
        "csv_delimiter": ",",
        "csv_row_delimiter": "\n",
        "bucket_folder": BUCKET_FOLDER,
        "date_partition_enabled": False,
        "preserve_transactions": False,
        "cdc_inserts_only": False,
        "cdc_inserts_and_updates": False,
        "add_trailing_padding_character": False,
        "use_csv_no_sup_value": False,
        "cdc_max_batch_interval": cdc_max_batch_interval_seconds,
        "cdc_min_file_size": cdc_min_file_size_kb,
    }
