"""Benchmark of the batch pipeline: prints its figures (never asserted in tests).

For each scale, with Spark started before any clock runs: the full load (bronze_to_silver then
silver_to_gold), one CDC batch of about 1% of the rows, a run with no new file, then maintenance of
silver. Each run is broken down by phase (as the jobs time themselves: listing, reading + parsing +
validation, counts, ordering + write/commit, bookkeeping, gold) and by table; extra passes over the
full load's files, one table at a time, split reading and parsing from validation and ordering from
the write, and the full load runs once more in the same, now warm, JVM (into other namespaces) to
show what the JVM's warm-up costs. Peak memory is the resident high-water mark of the Spark JVM and
of its Python workers. Each scale runs in a new process: a cold JVM, as a job run gets.

    .venv/bin/python bench/benchmark.py --scales 1,5 [--json out/bench.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from rich.console import Console
from rich.table import Table

from etl import reader, silver, validation
from etl.bronze import table_prefix
from etl.contract import tables
from etl.generator import Generator
from etl.jobs import bronze_to_silver, maintenance, silver_to_gold
from etl.session import CATALOG, local_session


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.monotonic()
    result = action()
    return round(time.monotonic() - started, 2), result


def silver_files(spark: SparkSession) -> dict[str, int | float]:
    data = deletes = size = 0
    for table in tables().values():
        row = spark.sql(
            f"SELECT COUNT_IF(content = 0) AS d, COUNT_IF(content <> 0) AS x, COALESCE(SUM(file_size_in_bytes), 0) AS b "
            f"FROM {CATALOG}.silver.{table.silver_table}.files"
        ).first()
        assert row is not None
        data, deletes, size = data + row["d"], deletes + row["x"], size + row["b"]
    return {"data_files": data, "delete_files": deletes, "mib": round(size / 2**20, 2)}


def _jvm_pid(spark: SparkSession) -> int:
    return spark.sparkContext._gateway.proc.pid  # type: ignore[union-attr]


def _stat(path: Path) -> tuple[str, list[str]]:
    """A /proc ``stat`` file: the command (or thread) name, and the fields after it."""
    stat = path.read_text()
    return stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()


def _cpu(fields: list[str]) -> float:
    """User + system CPU seconds from a ``stat`` file's fields."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(spark: SparkSession) -> dict[str, float]:
    """Resident high-water marks (VmHWM) of the JVM and of its largest Python worker."""
    jvm = _jvm_pid(spark)

    def hwm(pid: int) -> float:
        status = Path(f"/proc/{pid}/status").read_text()
        return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024)

    workers = [hwm(pid) for pid in _tree(jvm) if pid != jvm and _is_python(pid)]
    return {"jvm_mib": hwm(jvm), "largest_python_worker_mib": max(workers, default=0.0)}


def _parent(pid: int) -> int:
    try:
        return int(_stat(Path(f"/proc/{pid}/stat"))[1][1])
    except (OSError, ValueError):
        return -1


def _tree(root: int) -> set[int]:
    pids = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}
    tree, grew = {root}, True
    while grew:
        grown = {pid for pid in pids if _parent(pid) in tree} | tree
        grew, tree = grown != tree, grown
    return tree


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return False


def cpu_seconds(spark: SparkSession) -> float:
    """CPU time used so far by the Spark JVM, its Python workers and this process: unlike wall time,
    it does not grow when other processes share the cores."""
    used = 0.0
    for pid in _tree(_jvm_pid(spark)):
        try:
            used += _cpu(_stat(Path(f"/proc/{pid}/stat"))[1])
        except (OSError, ValueError):
            continue
    return used + time.process_time()


_THREAD_KINDS = {"C1 CompilerThre": "jit", "C2 CompilerThre": "jit", "Executor task": "tasks", "GC Thread": "gc"}


def jvm_cpu_by_thread(spark: SparkSession) -> dict[str, float]:
    """CPU seconds of the JVM's live threads by kind: the JIT compilers, Spark's task threads, the
    garbage collector; the rest of the JVM's CPU (driver threads, Iceberg commits, exited threads)
    is ``other``. Where a cold run's time goes, without a profiler."""
    jvm = _jvm_pid(spark)
    kinds = dict.fromkeys(("jit", "tasks", "gc"), 0.0)
    for thread in Path(f"/proc/{jvm}/task").iterdir():
        try:
            name, fields = _stat(thread / "stat")
        except (OSError, ValueError):
            continue  # the thread ended: its time stays in the process's total, hence in "other"
        kind = next((k for prefix, k in _THREAD_KINDS.items() if name.startswith(prefix)), None)
        if kind:
            kinds[kind] += _cpu(fields)
    whole_jvm = _cpu(_stat(Path(f"/proc/{jvm}/stat"))[1])
    return {**kinds, "other": whole_jvm - sum(kinds.values())}


def pipeline_run(spark: SparkSession, bronze: Path) -> dict[str, Any]:
    """bronze_to_silver then silver_to_gold, with their own breakdowns."""
    cpu, threads = cpu_seconds(spark), jvm_cpu_by_thread(spark)
    b2s_s, b2s = timed(lambda: bronze_to_silver.run(spark, str(bronze)))
    s2g_s, s2g = timed(lambda: silver_to_gold.run(spark))
    threads_after = jvm_cpu_by_thread(spark)
    return {
        "seconds": round(b2s_s + s2g_s, 2),
        "cpu_seconds": round(cpu_seconds(spark) - cpu, 1),
        "jvm_cpu_seconds": {kind: round(threads_after[kind] - threads[kind], 1) for kind in threads},
        "bronze_to_silver_s": b2s_s,
        "silver_to_gold_s": s2g_s,
        "rows_read": sum(t["rows_read"] for t in b2s["tables"]),
        "phases": {**b2s["phases"], "gold": s2g_s},
        "tables": {t["table"]: {"seconds": t["seconds"], **t["phases"]} for t in b2s["tables"]},
        "gold": {t["table"]: t["seconds"] for t in s2g["tables"] if t["rebuilt"]},
    }


def _noop(frame: DataFrame) -> None:
    frame.write.format("noop").mode("overwrite").save()


def split_phases(spark: SparkSession, bronze: Path) -> dict[str, dict[str, float]]:
    """Per table, one at a time over the full load's files: reading and parsing alone, validation
    (with reading) minus reading, and ordering (the newest change per key) alone."""
    split = {}
    for table in tables().values():
        paths = reader.list_files(spark, table_prefix(str(bronze), table.source))
        read_s, _ = timed(lambda: _noop(reader.read(spark, paths)))  # noqa: B023 - called at once
        checked_s, checked = timed(
            lambda: validation.checked(spark, reader.read(spark, paths), table).localCheckpoint(eager=True)  # noqa: B023
        )
        order_s, _ = timed(lambda: _noop(silver.winners(checked.where("reason IS NULL"), table, "bench")))  # noqa: B023
        split[table.silver_table] = {
            "reading_and_parsing": read_s,
            "validation": round(checked_s - read_s, 2),
            "ordering": order_s,
        }
    return split


def bench(scale: float, root: Path, diagnose: bool) -> dict[str, Any]:
    work = root / f"scale-{scale}"
    bronze, warehouse = work / "bronze", work / "warehouse"
    shutil.rmtree(work, ignore_errors=True)
    staged_cdc = work / "cdc-batch"  # copied into bronze after the full load

    def generate() -> tuple[dict[str, int], dict[str, int]]:
        generator = Generator(scale, seed=7)
        generator.history()
        return generator.write_load(bronze), generator.write_cdc_batch(staged_cdc, 1, share=0.01)

    generation_s, (loaded, cdc) = timed(generate)
    # A job run holds no generator: its millions of live objects would make every collection of the
    # driver's garbage collector slow (2 s of a scale-5 full load, measured), so they go first.
    gc.collect()
    spark = local_session(warehouse)
    spark.sql("SELECT 1").collect()  # JVM start-up is not pipeline time
    figures: dict[str, Any] = {"scale": scale, "rows_full_load": sum(loaded.values()), "generation_s": generation_s}
    figures["full_load"] = pipeline_run(spark, bronze)
    shutil.copytree(staged_cdc, bronze, dirs_exist_ok=True)
    figures["cdc_rows"] = sum(cdc.values())
    figures["cdc"] = pipeline_run(spark, bronze)
    figures["no_new_files"] = pipeline_run(spark, bronze)
    figures["cdc_share_of_full_load"] = round(figures["cdc"]["seconds"] / figures["full_load"]["seconds"], 3)
    figures["peak_memory"] = peak_rss_mib(spark)
    figures["silver_before_maintenance"] = silver_files(spark)
    figures["maintenance_s"], _ = timed(lambda: maintenance.run(spark, ("silver",), retain_snapshots=1, expire_days=0))
    figures["silver_after_maintenance"] = silver_files(spark)
    if diagnose:
        load_only = work / "load-only"  # the full load's files without the CDC batch
        for path in bronze.rglob("LOAD*.csv.gz"):
            target = load_only / path.relative_to(bronze)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        figures["split_full_load"] = split_phases(spark, load_only)
        warm_b2s, _ = timed(lambda: bronze_to_silver.run(spark, str(load_only), "silver_warm"))
        warm_s2g, _ = timed(lambda: silver_to_gold.run(spark, "silver_warm", "gold_warm"))
        figures["full_load_warm"] = {"bronze_to_silver_s": warm_b2s, "silver_to_gold_s": warm_s2g}
    spark.stop()
    return figures


def machine() -> dict[str, Any]:
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
        "load_average_at_start": Path("/proc/loadavg").read_text().split()[0],
    }


def _print(console: Console, runs: list[dict[str, Any]]) -> None:
    headers = [f"scale {r['scale']}" for r in runs]
    overview = Table("figure", *headers, title="pipeline (seconds; Spark started)")
    for label, get in (
        ("rows in the full load", lambda r: f"{r['rows_full_load']:,}"),
        ("generation", lambda r: r["generation_s"]),
        ("full load: bronze_to_silver", lambda r: r["full_load"]["bronze_to_silver_s"]),
        ("full load: silver_to_gold", lambda r: r["full_load"]["silver_to_gold_s"]),
        ("full load", lambda r: r["full_load"]["seconds"]),
        ("full load, CPU seconds (all processes)", lambda r: r["full_load"]["cpu_seconds"]),
        ("full load again, same JVM (warm)", _warm),
        ("full load, JVM CPU seconds: JIT / tasks / GC / other", lambda r: _threads(r["full_load"])),
        ("CDC batch rows", lambda r: f"{r['cdc_rows']:,}"),
        ("CDC batch", lambda r: r["cdc"]["seconds"]),
        ("CDC batch, CPU seconds", lambda r: r["cdc"]["cpu_seconds"]),
        ("CDC batch, JVM CPU seconds: JIT / tasks / GC / other", lambda r: _threads(r["cdc"])),
        ("CDC share of the full load", lambda r: f"{r['cdc_share_of_full_load']:.1%}"),
        ("run with no new file", lambda r: r["no_new_files"]["seconds"]),
        (
            "peak memory JVM / Python worker (MiB)",
            lambda r: "{jvm_mib} / {largest_python_worker_mib}".format(**r["peak_memory"]),
        ),
        ("maintenance (silver)", lambda r: r["maintenance_s"]),
        ("silver files before -> after maintenance", _files),
    ):
        overview.add_row(label, *[str(get(r)) for r in runs])
    console.print(overview)
    for r in runs:
        for run in ("full_load", "cdc", "no_new_files"):
            phases = Table("phase", "seconds", title=f"scale {r['scale']}, {run}: run phases", title_justify="left")
            for phase, seconds in r[run]["phases"].items():
                phases.add_row(phase, str(seconds))
            console.print(phases)
            per_table = Table("table", "seconds", "phases", title=f"scale {r['scale']}, {run}: per table")
            for name, figures in r[run]["tables"].items():
                per_table.add_row(
                    name, str(figures["seconds"]), json.dumps({k: v for k, v in figures.items() if k != "seconds"})
                )
            console.print(per_table)
            if r[run]["gold"]:
                console.print(f"gold rebuilt: {json.dumps(r[run]['gold'])}")
        if "split_full_load" in r:
            split = Table(
                "table",
                "reading and parsing",
                "validation",
                "ordering",
                title=f"scale {r['scale']}: full load split, one table at a time",
            )
            for name, figures in r["split_full_load"].items():
                split.add_row(name, *(str(figures[k]) for k in ("reading_and_parsing", "validation", "ordering")))
            console.print(split)


def _warm(run: dict[str, Any]) -> str:
    if "full_load_warm" not in run:
        return "-"
    warm = run["full_load_warm"]
    return f"{round(warm['bronze_to_silver_s'] + warm['silver_to_gold_s'], 2)} ({warm['bronze_to_silver_s']} + {warm['silver_to_gold_s']})"


def _threads(run: dict[str, Any]) -> str:
    return " / ".join(str(run["jvm_cpu_seconds"][kind]) for kind in ("jit", "tasks", "gc", "other"))


def _files(run: dict[str, Any]) -> str:
    before, after = run["silver_before_maintenance"], run["silver_after_maintenance"]
    return (
        f"{before['data_files']}+{before['delete_files']} ({before['mib']} MiB) -> "
        f"{after['data_files']}+{after['delete_files']} ({after['mib']} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scales", default="1", help="comma-separated scale factors")
    parser.add_argument("--work", type=Path, default=Path("out/bench"), help="scratch directory (replaced)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--no-split", action="store_true", help="skip the per-table split passes")
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)  # one scale, in this process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(bench(args.one, args.work, diagnose=not args.no_split)))
        return
    console = Console()
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    for scale in args.scales.split(","):
        with console.status(f"scale {scale}"):  # each scale in a new process: a cold JVM, as a job gets
            command = [sys.executable, __file__, "--one", scale, "--work", str(args.work)]
            done = subprocess.run(
                [*command, *(["--no-split"] if args.no_split else [])], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"scale {scale} failed:\n{done.stderr}")
            results["runs"].append(json.loads(done.stdout.splitlines()[-1]))
    console.print(results["machine"])
    _print(console, results["runs"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
