"""AWS Glue script for the silver_to_gold job (uploaded to the artifacts bucket by the batch component)."""

from etl.glue.entry import run

run("silver_to_gold")
