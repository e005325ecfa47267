"""Job arguments in AWS Glue's ``--name value`` style, so the same argv works on Glue and locally.

Glue passes its own extra arguments (``--JOB_NAME``, ``--job-bookmark-option``, ...): unknown ones
are ignored rather than fatal, and the job's own are validated.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def parser(description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=description, allow_abbrev=False)


def parse(p: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    args, _glue_extras = p.parse_known_args(argv)
    return args


def add_catalog(p: argparse.ArgumentParser) -> None:
    """Where the tables live: a local warehouse directory, or (on Glue) the S3 warehouse root."""
    p.add_argument("--warehouse", required=True, help="warehouse root: a local directory or s3://bucket/prefix")
    p.add_argument("--silver-database", default="silver", help="namespace (Glue database) of the silver tables")
    p.add_argument("--gold-database", default="gold", help="namespace (Glue database) of the gold tables")
    p.add_argument("--run-id", default=None, help="identifies this run in bookkeeping (default: a new UUID)")


def session(args: argparse.Namespace, spark: SparkSession | None = None) -> SparkSession:
    """The session a job runs in: the one it was handed (Glue entry point, ``lakehouse run``),
    else a local one over ``--warehouse``."""
    if spark is not None:
        return spark
    from .session import local_session

    return local_session(args.warehouse)
