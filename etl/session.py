"""One Spark session factory for the laptop and for AWS Glue 5.1, with one catalog name (``lake``)
so that every job runs the same SQL in both places.

- locally: ``local[*]`` and an Iceberg Hadoop catalog over a warehouse directory
  (``<warehouse>/<namespace>/<table>``), the Iceberg runtime jar from PyPI
  (``snowpark-connect-deps-iceberg==1.0.2``: Iceberg 1.10.2 for Spark 3.5 / Scala 2.12);
- on Glue: the Glue Data Catalog (GlueCatalog + S3FileIO), namespaces = Glue databases.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Row, SparkSession

CATALOG = "lake"
ICEBERG_RUNTIME_JAR = "iceberg-spark-runtime-3.5_2.12-1.10.2.jar"


def iceberg_jar() -> Path:
    """The Iceberg runtime jar shipped in the PyPI package (no Maven here or on CI)."""
    from snowpark_connect_deps_iceberg import get_jar_path

    return get_jar_path(ICEBERG_RUNTIME_JAR)


# Spark prints its start-up banner ("Setting default log level") when the root logger's level is not
# WARN, and Hadoop warns that it has no native library: neither helps a command's user. Root at WARN
# (the banner stays silent), Hadoop's loader at ERROR; after start-up the session drops to ERROR.
# ``--verbose`` keeps Spark's own configuration and shows it all.
_QUIET_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
"""


def _quiet_log_config() -> Path:
    """A log4j2 configuration file with errors only (written once per machine, content-addressed)."""
    digest = hashlib.sha256(_QUIET_LOG4J2.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"lakehouse-log4j2-{digest}.properties"
    if not path.exists():
        path.write_text(_QUIET_LOG4J2)
    return path


def local_session(
    warehouse: str | Path, app_name: str = "lakehouse", shuffle_partitions: int = 4, verbose: bool = False
) -> SparkSession:
    """A small-machine Spark session with the ``lake`` catalog over ``warehouse``.

    Tuned for 2 cores: few shuffle partitions, no UI, UTC everywhere (gold dates are UTC dates).
    Quiet unless ``verbose``: the JVM's and Spark's start-up warnings go only to a verbose run.
    The JVM starts with the first session of a process; later calls reuse it as it is.
    """
    from pyspark.sql import SparkSession

    warehouse = Path(warehouse).resolve()
    warehouse.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers use this venv's Python
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only: nothing listens on the network
    # The parallel collector, not G1: on 2 cores G1's concurrent threads take CPU from the tasks and
    # the JIT compilers, and a batch run needs no short pauses (BENCHMARKS.md: 5% less CPU and 3 s
    # off a scale-5 full load; no difference beyond noise at scale 1).
    java_options = "-Duser.timezone=UTC -XX:+UseParallelGC"
    if not verbose:
        java_options += f" -Dlog4j2.configurationFile={_quiet_log_config().as_uri()}"
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
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")  # loopback only: nothing listens on the network
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.adaptive.enabled", "true")
        # Every table's queries keep their compiled code: a second run in the same process (a CDC
        # batch after the full load, the demo's second round) compiles almost nothing again.
        .config("spark.sql.codegen.cache.maxEntries", "2000")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN" if verbose else "ERROR")
    return spark


def glue_session(warehouse: str, spark: SparkSession) -> SparkSession:
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


def single_row(frame: DataFrame) -> Row:
    """The one row of an aggregate query (never empty, unlike ``DataFrame.first()`` in general)."""
    row = frame.first()
    if row is None:
        raise ValueError("expected one row, got none")
    return row


def release(frame: DataFrame) -> None:
    """Free the blocks of a ``localCheckpoint()`` frame now rather than at the JVM's next GC."""
    frame._jdf.queryExecution().analyzed().rdd().unpersist(False)


def java_class(spark: SparkSession, name: str) -> Any:
    """A JVM class by its full name. Spelled ``spark._jvm.org.apache...``, py4j resolves it package by
    package, each step a failed class lookup through every jar on the classpath; this asks once."""
    from py4j.java_gateway import JavaClass

    gateway = spark.sparkContext._gateway
    assert gateway is not None, "a local or Glue session always has a JVM"
    return JavaClass(name, gateway._gateway_client)
