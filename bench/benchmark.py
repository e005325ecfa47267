"""Benchmark of the batch pipeline: prints its figures (never asserted in tests).

For each scale: generation time; bronze_to_silver and silver_to_gold wall time and rows per second
on the full load; the time of one CDC batch of about 1% of the rows; silver data/delete file counts
and sizes before and after maintenance.

    .venv/bin/python bench/benchmark.py --scales 1 [--json out/bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from etl.contract import tables
from etl.generator import Generator
from etl.jobs import bronze_to_silver, maintenance, silver_to_gold
from etl.session import CATALOG, local_session


def silver_files(spark) -> dict[str, int | float]:
    data = deletes = size = 0
    for table in tables().values():
        row = spark.sql(
            f"SELECT COUNT_IF(content = 0) AS d, COUNT_IF(content <> 0) AS x, COALESCE(SUM(file_size_in_bytes), 0) AS b "
            f"FROM {CATALOG}.silver.{table.silver_table}.files"
        ).first()
        data, deletes, size = data + row["d"], deletes + row["x"], size + row["b"]
    return {"data_files": data, "delete_files": deletes, "mib": round(size / 2**20, 2)}


def timed(action):
    started = time.monotonic()
    result = action()
    return round(time.monotonic() - started, 2), result


def bench(scale: float, root: Path, spark_holder: dict) -> dict:
    bronze, warehouse = root / f"scale-{scale}" / "bronze", root / f"scale-{scale}" / "warehouse"
    shutil.rmtree(root / f"scale-{scale}", ignore_errors=True)
    generator = Generator(scale, seed=7)
    generation_s, loaded = timed(lambda: (generator.history(), generator.write_load(bronze))[1])
    if spark_holder.get("spark"):
        spark_holder["spark"].stop()
    spark = spark_holder["spark"] = local_session(warehouse)
    spark.sql("SELECT 1").collect()  # JVM start-up is not pipeline time
    rows = sum(loaded.values())
    b2s_s, _ = timed(lambda: bronze_to_silver.run(spark, str(bronze)))
    s2g_s, _ = timed(lambda: silver_to_gold.run(spark))
    cdc_rows = sum(generator.write_cdc_batch(bronze, 1, share=0.01).values())
    cdc_b2s_s, _ = timed(lambda: bronze_to_silver.run(spark, str(bronze)))
    cdc_s2g_s, _ = timed(lambda: silver_to_gold.run(spark))
    before = silver_files(spark)
    maintenance_s, _ = timed(lambda: maintenance.run(spark, ("silver",), retain_snapshots=1, expire_days=0))
    after = silver_files(spark)
    full = b2s_s + s2g_s
    cdc = cdc_b2s_s + cdc_s2g_s
    return {
        "scale": scale,
        "rows_full_load": rows,
        "generation_s": generation_s,
        "bronze_to_silver_s": b2s_s,
        "bronze_to_silver_rows_per_s": round(rows / b2s_s),
        "silver_to_gold_s": s2g_s,
        "silver_to_gold_rows_per_s": round(rows / s2g_s),
        "full_pipeline_s": round(full, 2),
        "cdc_rows": cdc_rows,
        "cdc_bronze_to_silver_s": cdc_b2s_s,
        "cdc_silver_to_gold_s": cdc_s2g_s,
        "cdc_pipeline_s": round(cdc, 2),
        "cdc_share_of_full_time": round(cdc / full, 3),
        "silver_before_maintenance": before,
        "maintenance_s": maintenance_s,
        "silver_after_maintenance": after,
    }


def machine() -> dict:
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
        "java": java,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1", help="comma-separated scale factors")
    parser.add_argument("--work", type=Path, default=Path("out/bench"), help="scratch directory (replaced)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    console = Console()
    results = {"machine": machine(), "runs": []}
    holder: dict = {}
    for scale in (float(s) for s in args.scales.split(",")):
        with console.status(f"scale {scale}"):
            results["runs"].append(bench(scale, args.work, holder))
    table = Table("figure", *[f"scale {r['scale']}" for r in results["runs"]], title=f"{results['machine']}")
    for key in results["runs"][0]:
        if key != "scale":
            table.add_row(key, *[json.dumps(r[key]) for r in results["runs"]])
    console.print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
