"""How a heavy job runs on EMR Serverless: the same code and arguments as on Glue, with the Spark
settings Glue's switches stand for written out (Iceberg runtime, Data Catalog client, Python).

EMR's own Python is not the 3.11 the jobs are written for, so every run unpacks a packaged
Python 3.11 environment (``spark.archives``) and points the driver and executors at it.
"""

from __future__ import annotations

from .jobs import ICEBERG_EXTENSIONS

ICEBERG_JAR = "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar"  # shipped with every EMR 7 release
GLUE_HIVE_CLIENT = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
PYTHON = "./environment/bin/python"


def spark_submit_parameters(package_uri: str, environment_uri: str) -> str:
    """``--conf`` settings of an EMR run: Iceberg, the Glue Data Catalog, the code and its Python."""
    settings = {
        "spark.jars": ICEBERG_JAR,
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        "spark.hadoop.hive.metastore.client.factory.class": GLUE_HIVE_CLIENT,
        "spark.submit.pyFiles": package_uri,
        "spark.archives": f"{environment_uri}#environment",
        "spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON": PYTHON,
        "spark.emr-serverless.driverEnv.PYSPARK_PYTHON": PYTHON,
        "spark.executorEnv.PYSPARK_PYTHON": PYTHON,
    }
    return " ".join(f"--conf {name}={value}" for name, value in settings.items())
