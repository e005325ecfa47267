"""AWS Glue script for the maintenance job (uploaded to the artifacts bucket by the batch component)."""

from etl.glue.entry import run

run("maintenance")
