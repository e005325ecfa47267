"""The only module that imports ``awsglue``: one script per job is ``run("<job>")``.

Glue starts the script with ``--JOB_NAME``, its own arguments (``--JOB_ID``, ``--JOB_RUN_ID``,
``--job-bookmark-option``, ...) and the job's default arguments; they go to the job's ``main``
untouched (jobs ignore arguments they do not know), with a Spark session whose ``lake`` catalog is
the Glue Data Catalog (see ``etl.glue.lake``). With ``--metrics-log-group`` and ``--stack-name``
(the batch component passes both), the run's freshness and quarantine figures are then published to
CloudWatch in the embedded metric format (``etl.metrics``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


def run(job_name: str, argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run graph job ``job_name`` as a Glue job run; returns the job's result."""
    from awsglue.context import GlueContext  # Glue-only import, kept in this thin entry point
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    from etl import metrics
    from etl.glue.lake import lake_session
    from etl.graph import JOBS

    argv = list(sys.argv if argv is None else argv)
    options = getResolvedOptions(argv, ["JOB_NAME", "warehouse"])
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(options["JOB_NAME"], options)
    spark = lake_session(glue_context.spark_session, options["warehouse"])
    result = JOBS[job_name].main()(argv[1:], spark=spark)
    metrics.report_run(job_name, result, spark, argv[1:])
    job.commit()
    return result
