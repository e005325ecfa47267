"""The command line end to end: generate, run twice (the second a no-op), query; a run with nothing
valid; a run killed half-way and run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.generator import generate
from etl.graph import JOBS

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))


def lakehouse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LAKEHOUSE, *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    bronze, warehouse = root / "bronze", root / "warehouse"
    generated = lakehouse("generate", "--scale", "0.01", "--out", str(bronze), "--cdc-batches", "2")
    assert generated.returncode == 0, generated.stderr
    first = lakehouse(
        "run", "--bronze", str(bronze), "--warehouse", str(warehouse), "--summary", str(root / "first.json")
    )
    assert first.returncode == 0, first.stderr
    second = lakehouse(
        "run", "--bronze", str(bronze), "--warehouse", str(warehouse), "--summary", str(root / "second.json")
    )
    assert second.returncode == 0, second.stderr
    return (
        root,
        json.loads((root / "first.json").read_text()),
        json.loads((root / "second.json").read_text()),
        first.stdout,
    )


def _job(summary: dict, name: str) -> dict:
    return next(job["result"] for job in summary["jobs"] if job["job"] == name)


def test_first_run_applies_every_file_and_quarantines_the_invalid_records(pipeline):
    _, first, _, stdout = pipeline
    tables = {t["table"]: t for t in _job(first, "bronze_to_silver")["tables"]}
    assert set(tables) == {
        "tenants",
        "customers",
        "products",
        "orders",
        "order_items",
        "events",
        "subscriptions",
        "invoices",
    }
    assert all(t["files_read"] == 4 for t in tables.values())  # load + 2 CDC batches + 1 replay
    assert all(t["quarantined"] >= 12 for t in tables.values())  # 6 invalid kinds in each CDC batch, replayed too
    assert tables["products"]["quarantined"] == 21  # + price < 0 in each batch (and its replay)
    assert "bronze_to_silver" in stdout and "silver_to_gold as of 2025-11-01" in stdout


def test_second_run_is_a_no_op(pipeline):
    _, first, second, _ = pipeline
    assert all(t["files_read"] == 0 and t["rows_read"] == 0 for t in _job(second, "bronze_to_silver")["tables"])
    assert not any(t["rebuilt"] for t in _job(second, "silver_to_gold")["tables"])
    assert [t["rows"] for t in _job(second, "silver_to_gold")["tables"]] == [
        t["rows"] for t in _job(first, "silver_to_gold")["tables"]
    ]


def test_query_reads_gold_as_json_and_csv(pipeline):
    root, first, _, _ = pipeline
    warehouse = str(root / "warehouse")
    result = lakehouse(
        "query", "--warehouse", warehouse, "--format", "json", "SELECT COUNT(*) AS n FROM gold.invoice_aging"
    )
    assert result.returncode == 0, result.stderr
    expected = next(t["rows"] for t in _job(first, "silver_to_gold")["tables"] if t["table"] == "invoice_aging")
    assert json.loads(result.stdout) == [{"n": expected}]
    csv_result = lakehouse(
        "query",
        "--warehouse",
        warehouse,
        "--format",
        "csv",
        "SELECT bucket FROM gold.invoice_aging ORDER BY bucket LIMIT 1",
    )
    assert csv_result.stdout.splitlines() == ["bucket", "1-30"]


def test_generator_is_deterministic_for_a_seed(tmp_path):
    generate(tmp_path / "a", 0.005, seed=3, cdc_batches=1)
    generate(tmp_path / "b", 0.005, seed=3, cdc_batches=1)
    generate(tmp_path / "c", 0.005, seed=4, cdc_batches=1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.gz"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert any((tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes() for f in files)


def test_unknown_job_is_a_usage_error(tmp_path):
    (tmp_path / "bronze").mkdir()
    result = lakehouse(
        "run", "--bronze", str(tmp_path / "bronze"), "--warehouse", str(tmp_path / "w"), "--jobs", "silver_to_platinum"
    )
    assert result.returncode == 2
    assert f"unknown jobs silver_to_platinum; known: {', '.join(JOBS)}" in result.stderr  # the graph's jobs


def test_run_output_has_no_jvm_or_spark_start_up_warnings(pipeline):
    root, _, _, _ = pipeline
    result = lakehouse("query", "--warehouse", str(root / "warehouse"), "SELECT 1 AS one")
    assert "NativeCodeLoader" not in result.stderr and "Setting default log level" not in result.stderr
    verbose = lakehouse("query", "--verbose", "--warehouse", str(root / "warehouse"), "SELECT 1 AS one")
    assert verbose.returncode == 0 and "Setting default log level" in verbose.stderr


def test_a_run_whose_every_record_is_quarantined_says_so_and_still_prints_its_summary(tmp_path):
    from etl.bronze import write_file

    bad = ["I", "not a time", 1, "Acme", "acme", None, "t", "{}", "2025-01-01 00:00:00", "2025-01-01 00:00:00"]
    write_file(tmp_path / "bronze", "core_tenant", "LOAD00000001.csv.gz", [bad, bad[:-1]])
    result = lakehouse("run", "--bronze", str(tmp_path / "bronze"), "--warehouse", str(tmp_path / "warehouse"))
    assert "bronze_to_silver" in result.stdout and "quarantined" in result.stdout
    assert "no silver data yet" not in result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    assert (
        "silver_to_gold did not run: no valid change in silver yet: all 2 records read from 1 bronze files were "
        "quarantined (see silver.quarantine); fix the source or pass --as-of" in said
    )
    assert "total:" in said


# --- a run killed half-way, then run again, ends as an uninterrupted run -------------------------

RUN_COLUMNS = {"_run_id", "run_id", "applied_at", "quarantined_at"}  # when and by which run a row was written


@pytest.fixture(scope="module")
def demo_bronze(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo-bronze")
    generate(root, scale=0.05, seed=7, cdc_batches=2)
    return root


@pytest.fixture(scope="module")
def uninterrupted(demo_bronze, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("uninterrupted") / "warehouse"
    result = lakehouse("run", "--bronze", str(demo_bronze), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    return warehouse


def _killed_when(bronze: Path, warehouse: Path, milestone: str) -> int:
    """Start ``lakehouse run`` and kill it (SIGKILL, its whole process group) as soon as a file
    matching ``milestone`` appears under the warehouse; returns its exit code."""
    process = subprocess.Popen(
        [LAKEHOUSE, "run", "--bronze", str(bronze), "--warehouse", str(warehouse)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        if any(warehouse.glob(milestone)):
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    return process.wait(timeout=60)


def _lake_rows(spark, catalog: str, warehouse: Path) -> dict[str, list[str]]:
    """Every silver and gold table of a warehouse, rows as sorted text, run columns left out."""
    spark.conf.set(f"spark.sql.catalog.{catalog}", "org.apache.iceberg.spark.SparkCatalog")
    spark.conf.set(f"spark.sql.catalog.{catalog}.type", "hadoop")
    spark.conf.set(f"spark.sql.catalog.{catalog}.warehouse", warehouse.as_uri())
    tables = {}
    for namespace in ("silver", "gold"):
        for row in spark.sql(f"SHOW TABLES IN {catalog}.{namespace}").collect():
            frame = spark.table(f"{catalog}.{namespace}.{row['tableName']}")
            frame = frame.drop(*[c for c in frame.columns if c in RUN_COLUMNS])
            tables[f"{namespace}.{row['tableName']}"] = sorted(repr(tuple(r)) for r in frame.collect())
    return tables


@pytest.mark.parametrize(
    "milestone",
    ["silver/*/metadata/v2.metadata.json", "gold/*/metadata/v1.metadata.json"],
    ids=["after-the-first-silver-commit", "after-the-first-gold-table"],
)
def test_a_run_killed_half_way_then_run_again_ends_as_an_uninterrupted_run(
    demo_bronze, uninterrupted, tmp_path, milestone
):
    from etl.session import local_session

    warehouse = tmp_path / "warehouse"
    assert _killed_when(demo_bronze, warehouse, milestone) == -signal.SIGKILL  # it did not get to finish
    again = lakehouse("run", "--bronze", str(demo_bronze), "--warehouse", str(warehouse))
    assert again.returncode == 0, again.stderr
    spark = local_session(tmp_path / "scratch")
    expected = _lake_rows(spark, "uninterrupted", uninterrupted)
    assert _lake_rows(spark, f"rerun_{tmp_path.name.replace('-', '_')}", warehouse) == expected
    assert {"silver.orders", "silver.applied_files", "gold.revenue_daily"} <= set(expected)
