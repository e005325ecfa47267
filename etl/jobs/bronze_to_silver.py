"""bronze_to_silver: DMS CSV changes -> validated, cleaned, ordered changes applied to Iceberg silver tables.

Exactly the source contract (docs/source_contract.md):

- every change has the order key (phase, dms_timestamp, file name, record position); a primary key's
  state is its valid change with the greatest key, and a D means the row does not exist;
- silver rows carry the key of the change they hold (``_cdc_phase, _cdc_ts, _cdc_file, _cdc_pos``;
  Iceberg reserves ``_file``/``_pos``) and the ``tombstones`` table keeps the greatest D key per
  primary key, so a change is applied only when its key is greater than every change already
  applied to that key. Hence a replayed file, a re-run, a late older change or a late older insert
  after a delete change nothing, and the result does not depend on the order or the grouping of runs;
- invalid changes go to ``quarantine`` (table, file, record position, reason, run id), are counted,
  and are never applied; cleaning never quarantines;
- runs are incremental: ``applied_files`` lists every bronze file already applied, and only the
  others are read.

How a run goes: the tables are applied concurrently (one driver thread each, ``--parallelism``).
A table's new files are read, parsed and validated once (``localCheckpoint``); the newest change per
key is appended to a silver table that is still empty (every change as it is when no key repeats,
as in a full load: no shuffle), else MERGEd; one commit per table. Then quarantine, tombstones and
applied_files are written once for every table (``etl.silver``).
The rules, cleaning and derived columns come from the contract as data (``etl.validation``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .. import args as job_args
from .. import reader, silver, validation
from ..bronze import table_prefix
from ..contract import Table, tables
from ..session import release

DEFAULT_PARALLELISM = 4


@dataclass
class TableSummary:
    table: str
    files_read: int = 0
    rows_read: int = 0
    applied: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of this table's thread


FileStats = tuple[str, str, int, int, int, str | None]  # an applied_files row, before run id and time


@dataclass
class TableResult:
    """What a table's pass leaves for the run's bookkeeping (written once for every table)."""

    summary: TableSummary
    files: list[FileStats] = field(default_factory=list)
    rejected: DataFrame | None = None
    tombstones: DataFrame | None = None
    held: list[DataFrame] = field(default_factory=list)  # checkpoints the bookkeeping reads, freed after it


class _Clock:
    def __init__(self, phases: dict[str, float]):
        self.phases, self.last = phases, time.monotonic()

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = round(self.phases.get(phase, 0.0) + now - self.last, 2)
        self.last = now


def _file_stats(table: Table, checked: DataFrame) -> tuple[list[FileStats], int]:
    """Per file: records, applied, quarantined, greatest valid dms_timestamp (as text: exact, no
    time zone round trip); and the number of valid deletes."""
    valid = F.col("reason").isNull()
    rows = (
        checked.groupBy("_cdc_file")
        .agg(
            F.count(F.lit(1)).alias("records"),
            F.count_if(valid).alias("applied"),
            F.count_if(~valid).alias("quarantined"),
            F.max(F.when(valid, F.col("_cdc_ts"))).cast("string").alias("max_dms_ts"),
            F.count_if(valid & (F.col("op") == "D")).alias("deletes"),
        )
        .orderBy("_cdc_file")
        .collect()
    )
    files = [
        (table.source, r["_cdc_file"], r["records"], r["applied"], r["quarantined"], r["max_dms_ts"]) for r in rows
    ]
    return files, sum(r["deletes"] for r in rows)


def process_table(
    spark: SparkSession, db: str, table: Table, paths: Sequence[str], run_id: str, append: bool
) -> TableResult:
    """Apply one table's new files: append when ``append`` (silver holds nothing for it), else MERGE."""
    started = time.monotonic()
    result = TableResult(TableSummary(table.silver_table, files_read=len(paths)))
    if not paths:
        return result
    clock = _Clock(result.summary.phases)
    checked = validation.checked(spark, reader.read(spark, paths), table).localCheckpoint(eager=True)
    clock.lap("read_parse_validate")
    result.files, deletes = _file_stats(table, checked)
    summary = result.summary
    summary.rows_read = sum(f[2] for f in result.files)
    summary.applied = sum(f[3] for f in result.files)
    summary.quarantined = sum(f[4] for f in result.files)
    clock.lap("counts")
    valid = checked.where(F.col("reason").isNull())
    if summary.applied:
        if append and silver.keys_are_unique(valid, table):  # a full load, usually
            newest = valid.select("op", *silver.silver_columns(table, run_id))
        else:
            newest = silver.winners(valid, table, run_id)
        (silver.append if append else silver.merge)(spark, db, table, newest)
        clock.lap("order_and_write")
        if deletes:  # read again (from the checkpoint) when the run's bookkeeping is written
            result.tombstones = silver.tombstone_rows(newest, table)
    if summary.quarantined:
        rejected = checked.where(F.col("reason").isNotNull())
        result.rejected = silver.quarantine_rows(rejected, F.lit(table.source), "_cdc_file", "_cdc_pos", run_id)
    if result.tombstones is None and result.rejected is None:
        release(checked)  # a full load usually ends here: nothing kept until the bookkeeping
    else:
        result.held.append(checked)
    summary.seconds = round(time.monotonic() - started, 2)
    return result


def run(
    spark: SparkSession,
    bronze: str,
    silver_db: str = "silver",
    run_id: str | None = None,
    only: Sequence[str] | None = None,
    contract: Mapping[str, Table] | None = None,
    parallelism: int = DEFAULT_PARALLELISM,
) -> dict[str, Any]:
    """Apply every table's new bronze files; returns a summary per table (in contract order).

    ``contract`` is the packaged source contract unless given (``etl.contract.load``)."""
    started = time.monotonic()
    run_id = run_id or str(uuid.uuid4())
    contract = tables() if contract is None else contract
    wanted = [t for t in contract.values() if not only or t.source in only or t.silver_table in only]
    phases: dict[str, float] = {}
    clock = _Clock(phases)
    silver.ensure_tables(spark, silver_db, wanted)
    applied = silver.applied_files(spark, silver_db)
    new_files = {
        table.source: [
            path
            for path in reader.list_files(spark, table_prefix(bronze, table.source))
            if reader.file_name(path) not in applied.get(table.source, set())
        ]
        for table in wanted
    }
    empty = {t.source for t in wanted if new_files[t.source] and silver.is_empty(spark, silver_db, t)}
    appendable = empty - silver.tombstoned_sources(spark, silver_db) if empty else set()
    clock.lap("listing")
    largest_first = sorted(wanted, key=lambda t: -t.rows)  # the longest table starts first
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="bronze_to_silver") as pool:
        futures = {
            t.source: pool.submit(
                process_table, spark, silver_db, t, new_files[t.source], run_id, t.source in appendable
            )
            for t in largest_first
        }
        results = [futures[t.source].result() for t in wanted]
    clock.lap("tables")
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bookkeeping") as pool:  # two tables: no conflict
        rejected = [r.rejected for r in results if r.rejected is not None]
        deletes = [r.tombstones for r in results if r.tombstones is not None]
        for written in (
            pool.submit(silver.quarantine, spark, silver_db, rejected),
            pool.submit(silver.record_tombstones, spark, silver_db, deletes),
        ):
            written.result()
    silver.record_files(spark, silver_db, [f for r in results for f in r.files], run_id)  # last: files count as applied
    clock.lap("bookkeeping")
    for result in results:
        for frame in result.held:
            release(frame)
    return {
        "run_id": run_id,
        "tables": [asdict(r.summary) for r in results],
        "phases": phases,
        "seconds": round(time.monotonic() - started, 2),
    }


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, Any]:
    p = job_args.parser("Apply DMS bronze changes to the silver Iceberg tables")
    p.add_argument("--bronze", required=True, help="bronze root (holds dms/public/<table>/)")
    p.add_argument("--tables", default="", help="comma-separated source or silver table names (default: all)")
    p.add_argument(
        "--parallelism", type=int, default=DEFAULT_PARALLELISM, help="tables applied at the same time (driver threads)"
    )
    job_args.add_catalog(p)
    args = job_args.parse(p, argv)
    only = [t for t in args.tables.split(",") if t]
    return run(
        job_args.session(args, spark),
        args.bronze,
        args.silver_database,
        args.run_id,
        only,
        parallelism=args.parallelism,
    )
