"""The only module that imports ``awsglue``: one script per job is ``run("<job>")``.

Glue passes ``--JOB_NAME`` and the job's own ``--name value`` arguments; they go to the job's
``main`` untouched, with a Spark session whose ``lake`` catalog is the Glue Data Catalog.
"""

from __future__ import annotations

import sys


def run(job_name: str) -> None:
    from awsglue.context import GlueContext  # Glue-only import, kept in this thin entry point
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    from etl.graph import JOBS
    from etl.session import glue_session

    options = getResolvedOptions(sys.argv, ["JOB_NAME", "warehouse"])
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(options["JOB_NAME"], options)
    spark = glue_session(options["warehouse"], glue_context.spark_session)
    JOBS[job_name].main()(sys.argv[1:], spark=spark)
    job.commit()
