"""Glue 5.1 job definitions from the job graph: names, where each job reads and writes, and the
``default_arguments`` Glue passes to the entry script.

A job gets on AWS exactly the ``--name value`` arguments ``lakehouse run`` gives it locally, with
the foundation's buckets as ``s3://`` URIs and its Glue databases, plus the switches Glue itself
reads (Iceberg, the Data Catalog, job insights, logs, metrics, auto scaling, the code to load).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from etl.graph import JobSpec

GLUE_VERSION = "5.1"  # Spark 3.5.6, Python 3.11, Iceberg 1.10.0: the versions the jobs are tested with
ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
# Static Spark settings: the Glue entry point sets the `lake` catalog itself at runtime, but session
# extensions are read once when the session starts, so they must come from the job's --conf.
SPARK_CONF = f"spark.sql.extensions={ICEBERG_EXTENSIONS}"


@dataclass(frozen=True)
class Lake:
    """The foundation's names, as plain strings: zone buckets and layer databases."""

    buckets: Mapping[str, str]  # zone (raw, processed, curated) -> bucket name
    databases: Mapping[str, str]  # layer (bronze, silver, gold) -> Glue database name


def slug(job: JobSpec) -> str:
    """``bronze-to-silver``: a job's name as AWS resource names spell it."""
    return job.name.replace("_", "-")


def physical_name(prefix: str, job: JobSpec) -> str:
    """``lakehouse-dev-bronze-to-silver``: the Glue job (and its alarm's rule) name."""
    return f"{prefix}-{slug(job)}"


def warehouse_zone(job: JobSpec) -> str:
    """The zone whose bucket is the job's warehouse root: the first it writes (else reads).

    Tables land under their Glue database's location (the zone bucket of their layer); the
    warehouse root only places tables of a database without one, so it must be writable.
    """
    accesses = job.writes or job.reads
    return accesses[0].zone if accesses else "processed"


def run_values(job: JobSpec, lake: Lake) -> dict[str, str | None]:
    """Every ``RunSettings`` field for this job on AWS (``None``: not passed, as locally).

    One entry per field: a field added to ``RunSettings`` without an AWS value here fails the
    test that compares the two, instead of silently missing on Glue.
    """
    return {
        "warehouse": f"s3://{lake.buckets[warehouse_zone(job)]}/",
        "bronze": f"s3://{lake.buckets['raw']}",  # the jobs add dms/public/<table> themselves
        "silver_database": lake.databases["silver"],
        "gold_database": lake.databases["gold"],
        "as_of": None,  # the data's own latest change, as in a plain local run
    }


def job_arguments(job: JobSpec, values: Mapping[str, Any]) -> dict[str, str]:
    """The job's own arguments (``{"--silver-database": ...}``), as ``lakehouse run`` passes them."""
    return {name: str(value) for name, value in job.argument_values(values).items()}


def default_arguments(
    job: JobSpec,
    values: Mapping[str, Any],
    package_uri: str,
    python_modules: Sequence[str],
    metrics: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Glue's ``default_arguments`` of a job: Glue's own switches, where the entry point publishes
    the run's metrics, then the job's arguments."""
    arguments = {
        "--job-language": "python",
        "--datalake-formats": "iceberg",
        "--conf": SPARK_CONF,
        "--enable-glue-datacatalog": "true",
        "--enable-job-insights": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--enable-metrics": "true",  # glue.driver.* metrics: the duration alarm reads them
        "--enable-auto-scaling": "true",
        "--job-bookmark-option": "job-bookmark-disable",  # the jobs keep their own applied-files bookkeeping
        "--extra-py-files": package_uri,
    }
    if python_modules:
        arguments["--additional-python-modules"] = ",".join(python_modules)
    return {**arguments, **(metrics or {}), **job_arguments(job, values)}


def argv(arguments: Mapping[str, str]) -> list[str]:
    """``{"--a": "1"}`` -> ``["--a", "1"]``: how Glue hands default arguments to the script."""
    return [part for name, value in arguments.items() for part in (name, value)]
