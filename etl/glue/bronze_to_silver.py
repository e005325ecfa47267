"""AWS Glue script for the bronze_to_silver job (uploaded to the artifacts bucket by the batch component)."""

from etl.glue.entry import run

run("bronze_to_silver")
