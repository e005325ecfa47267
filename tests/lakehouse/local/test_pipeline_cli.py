"""The command line end to end: generate, run twice (the second a no-op), query, maintain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.generator import generate

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
    assert "unknown jobs silver_to_platinum; known: bronze_to_silver, silver_to_gold, maintenance" in result.stderr
