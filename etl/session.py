"""One Spark session factory for the laptop and for AWS Glue 5.1, with one catalog name (``lake``)
so that every job runs the same SQL in both places.

- locally: ``local[*]`` and an Iceberg Hadoop catalog over a warehouse directory
  (``<warehouse>/<namespace>/<table>``), the Iceberg runtime jar from PyPI
  (``snowpark-connect-deps-iceberg==1.0.2``: Iceberg 1.10.2 for Spark 3.5 / Scala 2.12);
- on Glue: the Glue Data Catalog (GlueCatalog + S3FileIO), namespaces = Glue databases.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CATALOG = "lake"
ICEBERG_RUNTIME_JAR = "iceberg-spark-runtime-3.5_2.12-1.10.2.jar"


def iceberg_jar() -> Path:
    """The Iceberg runtime jar shipped in the PyPI package (no Maven here or on CI)."""
    from snowpark_connect_deps_iceberg import get_jar_path

    return get_jar_path(ICEBERG_RUNTIME_JAR)


def local_session(warehouse: str | Path, app_name: str = "lakehouse", shuffle_partitions: int = 4):
    """A small-machine Spark session with the ``lake`` catalog over ``warehouse``.

    Tuned for 2 cores: few shuffle partitions, no UI, UTC everywhere (gold dates are UTC dates).
    """
    from pyspark.sql import SparkSession

    warehouse = Path(warehouse).resolve()
    warehouse.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers use this venv's Python
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only: nothing listens on the network
    builder = (
        SparkSession.builder.master("local[*]")
        .appName(app_name)
        .config("spark.jars", str(iceberg_jar()))
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config(f"spark.sql.catalog.{CATALOG}", "org.apache.iceberg.spark.SparkCatalog")
        .config(f"spark.sql.catalog.{CATALOG}.type", "hadoop")
        .config(f"spark.sql.catalog.{CATALOG}.warehouse", warehouse.as_uri())
        .config("spark.sql.defaultCatalog", CATALOG)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")  # loopback only: nothing listens on the network
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.adaptive.enabled", "true")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def glue_session(warehouse: str, spark):
    """The same ``lake`` catalog on AWS Glue 5.1: Glue Data Catalog + S3FileIO (Iceberg 1.10 is built in).

    Catalogs are read from the session config when first used, so they can be set at runtime;
    ``spark.sql.extensions`` is static and goes in the Glue job's ``--conf`` (the batch component's job).
    """
    settings = {
        f"spark.sql.catalog.{CATALOG}": "org.apache.iceberg.spark.SparkCatalog",
        f"spark.sql.catalog.{CATALOG}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"spark.sql.catalog.{CATALOG}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"spark.sql.catalog.{CATALOG}.warehouse": warehouse,
        "spark.sql.defaultCatalog": CATALOG,
        "spark.sql.session.timeZone": "UTC",
    }
    for key, value in settings.items():
        spark.conf.set(key, value)
    return spark
