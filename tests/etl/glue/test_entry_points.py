"""The cloud entry points run for real: each Glue script of ``etl/glue/`` started the way Glue starts
it (``--JOB_NAME``, Glue's own arguments, the job's default arguments exactly as the batch
component defines them), with a stand-in ``awsglue``, on local data and a local warehouse, gives
the same tables as ``lakehouse run``; so does the EMR Serverless entry point."""

from __future__ import annotations

import runpy
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from rich.console import Console

from components.batch import jobs as glue_jobs
from etl.generator import generate
from etl.glue.lake import has_lake_catalog, lake_session
from etl.graph import DEFAULT_JOBS, JOBS, RunSettings, all_in_order
from etl.session import CATALOG
from lakehouse.local.pipeline import run_jobs

REPO = Path(__file__).resolve().parents[3]
GLUE_SCRIPTS = REPO / "etl" / "glue"
STANDIN = REPO / "tests" / "fixtures" / "awsglue_standin"
GRAPH = all_in_order(JOBS)
ENTRY_MODULES = {"__init__.py", "entry.py", "lake.py", "emr_serverless.py"}
# Columns that record when or in which run a row was written: the only ones two runs may differ in.
RUN_COLUMNS = {"_run_id", "run_id", "applied_at", "quarantined_at"}


def _glue_argv(script: Path, job_name: str, settings: RunSettings) -> list[str]:
    """``sys.argv`` as Glue builds it: the script, Glue's run arguments, then the job's default
    arguments (the batch component's own builder, with local locations instead of s3:// ones)."""
    job = JOBS[job_name]
    arguments = glue_jobs.default_arguments(job, asdict(settings), "s3://artifacts/etl.zip", ["PyYAML==6.0.2"])
    glue_own = ["--JOB_ID", "j_0123", "--JOB_RUN_ID", "jr_0123", "--JOB_NAME", f"lakehouse-test-{job_name}"]
    return [str(script), *glue_own, "--TempDir", "s3://aws-glue-assets/temporary/", *glue_jobs.argv(arguments)]


def _rows(spark, table: str) -> list[tuple]:
    frame = spark.table(table)
    frame = frame.drop(*[c for c in frame.columns if c in RUN_COLUMNS])
    return sorted((tuple(row) for row in frame.collect()), key=repr)


def _tables(spark, namespace: str) -> list[str]:
    return sorted(row["tableName"] for row in spark.sql(f"SHOW TABLES IN {CATALOG}.{namespace}").collect())


@pytest.fixture(scope="module")
def bronze(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bronze")
    generate(root, scale=0.002, seed=11, cdc_batches=1)
    return root


@pytest.fixture(scope="module")
def awsglue(monkeypatch_module):
    monkeypatch_module.syspath_prepend(str(STANDIN))
    from awsglue.job import Job

    Job.runs.clear()
    yield Job
    for module in [name for name in sys.modules if name == "awsglue" or name.startswith("awsglue.")]:
        del sys.modules[module]


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture(scope="module")
def lakes(spark, bronze, awsglue, monkeypatch_module, tmp_path_factory):
    """The same bronze data run by a plain ``lakehouse run`` (the default jobs) and by every Glue
    script of the graph; the extra jobs (maintenance) must leave the tables' contents as they were."""
    warehouse = str(tmp_path_factory.mktemp("unused-warehouse"))  # the session's catalog is the test's own
    local = RunSettings(warehouse, str(bronze), "silver_run", "gold_run")
    run_jobs(local, list(DEFAULT_JOBS), Console(quiet=True), spark=spark)
    glue = RunSettings(warehouse, str(bronze), "silver_glue", "gold_glue")
    for job in GRAPH:
        script = GLUE_SCRIPTS / job.script
        monkeypatch_module.setattr(sys, "argv", _glue_argv(script, job.name, glue))
        runpy.run_path(str(script), run_name="__main__")
    return {"local": local, "glue": glue, "job_runs": list(awsglue.runs)}


def test_every_graph_job_has_a_glue_script_and_every_script_a_graph_job():
    scripts = {path.name for path in GLUE_SCRIPTS.glob("*.py")} - ENTRY_MODULES
    assert scripts == {job.script for job in GRAPH}


def test_the_glue_scripts_give_the_same_silver_tables_as_lakehouse_run(spark, lakes):
    tables = _tables(spark, "silver_run")
    assert "orders" in tables and "quarantine" in tables
    assert _tables(spark, "silver_glue") == tables
    for table in tables:
        assert _rows(spark, f"{CATALOG}.silver_glue.{table}") == _rows(spark, f"{CATALOG}.silver_run.{table}"), table


def test_the_glue_scripts_give_the_same_gold_tables_as_lakehouse_run(spark, lakes):
    tables = _tables(spark, "gold_run")
    assert "revenue_daily" in tables
    assert _tables(spark, "gold_glue") == tables
    for table in tables:
        rows = _rows(spark, f"{CATALOG}.gold_run.{table}")
        assert _rows(spark, f"{CATALOG}.gold_glue.{table}") == rows, table


def test_each_script_initialises_and_commits_its_glue_job_run(lakes):
    assert [(run["name"], run["committed"]) for run in lakes["job_runs"]] == [
        (f"lakehouse-test-{job.name}", True) for job in GRAPH
    ]
    assert lakes["job_runs"][0]["args"] == {
        "JOB_NAME": "lakehouse-test-bronze_to_silver",
        "warehouse": lakes["glue"].warehouse,
    }


def test_the_emr_entry_point_runs_a_job_with_the_same_arguments(spark, lakes, monkeypatch):
    emr = RunSettings(lakes["glue"].warehouse, lakes["glue"].bronze, "silver_glue", "gold_emr")
    job = JOBS["silver_to_gold"]
    arguments = glue_jobs.job_arguments(job, asdict(emr))
    monkeypatch.setattr(sys, "argv", [str(GLUE_SCRIPTS / "emr_serverless.py"), job.name, *glue_jobs.argv(arguments)])
    runpy.run_path(str(GLUE_SCRIPTS / "emr_serverless.py"), run_name="__main__")
    for table in _tables(spark, "gold_run"):
        assert _rows(spark, f"{CATALOG}.gold_emr.{table}") == _rows(spark, f"{CATALOG}.gold_run.{table}"), table


def test_a_session_with_a_lake_catalog_keeps_it(spark):
    assert has_lake_catalog(spark)
    assert lake_session(spark, "s3://elsewhere/") is spark
    assert spark.conf.get(f"spark.sql.catalog.{CATALOG}.type") == "hadoop"


class _Conf:
    """The RuntimeConfig part of a session that Glue or EMR starts: no lake catalog yet."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def get(self, key, default=None):
        return self.values.get(key, default)

    def set(self, key, value):
        self.values[key] = value


class _BareSession:
    def __init__(self):
        self.conf = _Conf()


def test_a_session_without_one_gets_the_glue_data_catalog():
    session = _BareSession()
    assert lake_session(session, "s3://processed-1/") is session
    assert session.conf.values == {
        "spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.lake.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        "spark.sql.catalog.lake.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "spark.sql.catalog.lake.warehouse": "s3://processed-1/",
        "spark.sql.defaultCatalog": "lake",
        "spark.sql.session.timeZone": "UTC",
    }
