"""EMR Serverless entry point for any graph job: ``emr_serverless.py <job> --name value ...``.

EMR has no ``awsglue``: the session is the one ``spark-submit`` started, its ``lake`` catalog the
Glue Data Catalog (see ``etl.glue.lake``); the job gets the same arguments as on Glue.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    from etl import metrics
    from etl.glue.lake import lake_session
    from etl.graph import JOBS

    parser = argparse.ArgumentParser(description="Run one job of the graph on EMR Serverless", allow_abbrev=False)
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("--warehouse", required=True)
    argv = list(sys.argv[1:] if argv is None else argv)
    args, _ = parser.parse_known_args(argv)
    job_argv = argv[1:]  # everything after the job's name, as Glue would pass it
    spark = lake_session(SparkSession.builder.appName(args.job).getOrCreate(), args.warehouse)
    result = JOBS[args.job].main()(job_argv, spark=spark)
    metrics.report_run(args.job, result, spark, job_argv)
    return result


if __name__ == "__main__":
    main()
