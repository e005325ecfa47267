"""Thin AWS Glue 5.1 entry points: read Glue's arguments, build the Glue-catalog session, call the job."""
