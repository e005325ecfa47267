"""raw_to_processed on small raw zones: exact rows, the first copy of an event_id wins, quarantine,
a re-run is a no-op, a crash part-way then a re-run gives the same table, and the handler's retries
leave no duplicate."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from etl.jobs import raw_to_processed
from etl.session import CATALOG

DAY = "raw/source={source}/year=2025/month=11/day=25"


def line(event_id: str, received_at: str = "2025-11-25T10:00:00.000Z", source: str = "iot_sensors", **fields) -> dict:
    return {
        "event_id": event_id,
        "source": source,
        "received_at": received_at,
        "data": {"t": 1},
        "metadata": None,
        **fields,
    }


def write(root: Path, name: str, *lines: dict | str | bytes, source: str = "iot_sensors") -> str:
    path = root / DAY.format(source=source) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = [x if isinstance(x, bytes) else (x if isinstance(x, str) else json.dumps(x)).encode() for x in lines]
    path.write_bytes(b"\n".join(raw) + b"\n")
    return str(path.relative_to(root))


class RawLake:
    def __init__(self, spark, root: Path):
        self.spark, self.root, self.silver = spark, root / "rawzone", f"silver_{uuid.uuid4().hex[:8]}"

    def run(self) -> dict[str, dict]:
        result = raw_to_processed.run(self.spark, str(self.root), self.silver)
        return {t["table"]: t for t in result["tables"]}

    def rows(self, source: str = "iot_sensors") -> list[tuple]:
        frame = self.spark.sql(
            f"SELECT event_id, source, CAST(received_at AS STRING), data, metadata, _raw_file, _raw_line "
            f"FROM {CATALOG}.{self.silver}.ingest_{source} ORDER BY event_id"
        )
        return [tuple(r) for r in frame.collect()]

    def quarantine(self) -> list[tuple]:
        frame = self.spark.sql(
            f"SELECT source_table, file, position, reason FROM {CATALOG}.{self.silver}.quarantine ORDER BY file, position"
        )
        return [tuple(r) for r in frame.collect()]

    def snapshots(self, source: str = "iot_sensors") -> int:
        return self.spark.sql(f"SELECT COUNT(*) FROM {CATALOG}.{self.silver}.ingest_{source}.snapshots").first()[0]


@pytest.fixture
def raw(spark, tmp_path) -> RawLake:
    return RawLake(spark, tmp_path)


def test_lines_land_in_one_table_per_source(raw):
    a = write(raw.root, "20251125T100000.000Z-a.json", line("e1", metadata={"site": "a"}), line("e2"))
    b = write(
        raw.root,
        "20251125T100500.250Z-b.json",
        line("o1", "2025-11-25T10:05:00.250Z", "web_orders", data={"amount": 19.99, "city": "Zürich"}),
        source="web_orders",
    )
    summary = raw.run()
    assert summary == {
        "ingest_iot_sensors": {
            "table": "ingest_iot_sensors",
            "files_read": 1,
            "rows_read": 2,
            "applied": 2,
            "duplicates": 0,
            "quarantined": 0,
            "seconds": summary["ingest_iot_sensors"]["seconds"],
        },
        "ingest_web_orders": {
            "table": "ingest_web_orders",
            "files_read": 1,
            "rows_read": 1,
            "applied": 1,
            "duplicates": 0,
            "quarantined": 0,
            "seconds": summary["ingest_web_orders"]["seconds"],
        },
    }
    assert raw.rows() == [
        ("e1", "iot_sensors", "2025-11-25 10:00:00", '{"t":1}', '{"site":"a"}', a, 1),
        ("e2", "iot_sensors", "2025-11-25 10:00:00", '{"t":1}', None, a, 2),
    ]
    assert raw.rows("web_orders") == [
        ("o1", "web_orders", "2025-11-25 10:05:00.25", '{"amount":19.99,"city":"Zürich"}', None, b, 1)
    ]


def test_received_at_offsets_are_stored_in_utc(raw):
    write(raw.root, "f.json", line("e1", "2025-11-25T01:30:00+02:00"))
    raw.run()
    assert raw.rows()[0][2] == "2025-11-24 23:30:00"


def test_a_rerun_reads_nothing_and_commits_nothing(raw):
    write(raw.root, "f.json", line("e1"), "not json")
    raw.run()
    before = (raw.rows(), raw.quarantine(), raw.snapshots())
    again = raw.run()["ingest_iot_sensors"]
    assert (again["files_read"], again["rows_read"], again["applied"], again["quarantined"]) == (0, 0, 0, 0)
    assert (raw.rows(), raw.quarantine(), raw.snapshots()) == before


def test_a_new_file_is_read_on_the_next_run_only(raw):
    write(raw.root, "1.json", line("e1"))
    raw.run()
    write(raw.root, "2.json", line("e2", "2025-11-25T11:00:00.000Z"))
    second = raw.run()["ingest_iot_sensors"]
    assert (second["files_read"], second["rows_read"], second["applied"]) == (1, 1, 1)
    assert [r[0] for r in raw.rows()] == ["e1", "e2"]


def test_a_duplicate_event_id_keeps_the_first_received_copy(raw):
    first = write(raw.root, "1.json", line("e1", "2025-11-25T10:00:00.000Z", data={"copy": 1}))
    write(raw.root, "2.json", line("e1", "2025-11-25T10:00:05.000Z", data={"copy": 2}), line("e1", data={"copy": 3}))
    summary = raw.run()["ingest_iot_sensors"]
    assert (summary["rows_read"], summary["applied"], summary["duplicates"]) == (3, 1, 2)
    # same received_at in both files: the earlier file name wins, then the earlier line
    assert raw.rows() == [("e1", "iot_sensors", "2025-11-25 10:00:00", '{"copy":1}', None, first, 1)]


def test_a_later_copy_in_a_later_run_changes_nothing(raw):
    write(raw.root, "1.json", line("e1", data={"copy": 1}))
    raw.run()
    snapshots = raw.snapshots()
    write(raw.root, "2.json", line("e1", "2025-11-25T12:00:00.000Z", data={"copy": 2}))
    summary = raw.run()["ingest_iot_sensors"]
    assert (summary["applied"], summary["duplicates"]) == (0, 1)
    assert raw.rows()[0][3] == '{"copy":1}'
    assert raw.snapshots() == snapshots


def test_an_earlier_copy_read_in_a_later_run_wins(raw):
    write(raw.root, "2.json", line("e1", "2025-11-25T12:00:00.000Z", data={"copy": "late"}))
    raw.run()
    early = write(raw.root, "1.json", line("e1", "2025-11-25T09:00:00.000Z", data={"copy": "early"}))
    summary = raw.run()["ingest_iot_sensors"]
    assert (summary["applied"], summary["duplicates"]) == (0, 1)
    assert raw.rows() == [("e1", "iot_sensors", "2025-11-25 09:00:00", '{"copy":"early"}', None, early, 1)]


def test_invalid_lines_are_quarantined_with_file_line_and_reason(raw):
    name = write(
        raw.root,
        "f.json",
        line("ok"),
        "not json",
        b'{"event_id": "\xff"}',
        "[1, 2]",
        line("bad id"),
        line("e3", source="web_orders"),
        line("e4", "2025-11-25 10:00"),
        line("e5", data=[1]),
        line("e6", metadata="m"),
        "",
    )
    summary = raw.run()["ingest_iot_sensors"]
    assert (summary["rows_read"], summary["applied"], summary["quarantined"]) == (10, 1, 9)
    table = "ingest_iot_sensors"
    assert raw.quarantine() == [
        (table, name, 2, "line is not JSON: Expecting value: line 1 column 1 (char 0)"),
        (table, name, 3, "line is not UTF-8 text"),
        (table, name, 4, "line is not a JSON object"),
        (table, name, 5, "event_id: missing, or not 1 to 128 printable ASCII characters"),
        (table, name, 6, "source: 'web_orders' is not the file's source=iot_sensors"),
        (table, name, 7, "received_at: missing, or not an ISO 8601 date-time with a zone"),
        (table, name, 8, "data: missing, or not a JSON object"),
        (table, name, 9, "metadata: not a JSON object"),
        (table, name, 10, "empty line"),
    ]
    assert [r[0] for r in raw.rows()] == ["ok"]


def test_files_outside_the_ingestion_layout_are_ignored(raw):
    stray = raw.root / "raw" / "source=iot_sensors" / "notes.json"
    stray.parent.mkdir(parents=True)
    stray.write_text(json.dumps(line("x")))
    (raw.root / "raw" / "source=Bad" / "year=2025" / "month=11" / "day=25").mkdir(parents=True)
    (raw.root / "raw" / "source=Bad" / "year=2025" / "month=11" / "day=25" / "f.json").write_text("{}")
    assert raw.run() == {}


def test_a_crash_before_bookkeeping_then_a_rerun_gives_the_same_table(raw, monkeypatch):
    write(raw.root, "1.json", line("e1"), line("e2"), "broken")
    write(raw.root, "2.json", line("e2", "2025-11-25T10:00:01.000Z"), line("e3"))

    def crash(*args):
        raise RuntimeError("killed before the bookkeeping commit")

    monkeypatch.setattr(raw_to_processed, "_record_files", crash)
    with pytest.raises(RuntimeError):
        raw.run()
    monkeypatch.undo()
    rerun = raw.run()["ingest_iot_sensors"]
    assert (rerun["files_read"], rerun["applied"]) == (2, 0)
    assert [r[:3] for r in raw.rows()] == [
        ("e1", "iot_sensors", "2025-11-25 10:00:00"),
        ("e2", "iot_sensors", "2025-11-25 10:00:00"),
        ("e3", "iot_sensors", "2025-11-25 10:00:00"),
    ]
    assert len(raw.quarantine()) == 1
    assert raw.run()["ingest_iot_sensors"]["files_read"] == 0


def test_a_client_retry_through_the_handler_leaves_no_duplicate(raw):
    from functions.ingestion.handler import handler
    from lakehouse.local.serve import LocalRawZone, api_event

    batch = [{"source": "iot_sensors", "event_id": f"id-{i}", "data": {"i": i}} for i in range(3)]
    with LocalRawZone() as zone:
        for received_ms in (1_764_064_800_123, 1_764_064_860_000):  # the request, and its retry a minute later
            event = api_event("POST", "/events", "", {"Content-Type": "application/json"}, json.dumps(batch).encode())
            event["requestContext"]["timeEpoch"] = received_ms
            assert handler(event, None)["statusCode"] == 202
        zone.copy_to(raw.root)
    summary = raw.run()["ingest_iot_sensors"]
    assert (summary["files_read"], summary["rows_read"], summary["applied"], summary["duplicates"]) == (2, 6, 3, 3)
    assert [(r[0], r[2], r[3]) for r in raw.rows()] == [
        ("id-0", "2025-11-25 10:00:00.123", '{"i":0}'),
        ("id-1", "2025-11-25 10:00:00.123", '{"i":1}'),
        ("id-2", "2025-11-25 10:00:00.123", '{"i":2}'),
    ]


def test_main_takes_glue_style_arguments(raw):
    write(raw.root, "f.json", line("e1"))
    argv = ["--bronze", str(raw.root), "--warehouse", "ignored", "--silver-database", raw.silver, "--JOB_NAME", "x"]
    result = raw_to_processed.main(argv, spark=raw.spark)
    assert [t["table"] for t in result["tables"]] == ["ingest_iot_sensors"]
    assert set(result["tables"][0]) == {
        "table",
        "files_read",
        "rows_read",
        "applied",
        "duplicates",
        "quarantined",
        "seconds",
    }


def test_the_source_pattern_is_the_ingestion_api_s():
    from functions.common.events import SOURCE_PATTERN

    assert raw_to_processed.SOURCE_PATTERN == SOURCE_PATTERN


def test_parse_line_gives_utc_and_compact_json():
    parsed, reason = raw_to_processed.parse_line(
        "s", json.dumps(line("e", "2025-11-25T12:00:00+02:00", "s", metadata={"a": [1, 2]})).encode()
    )
    assert reason is None
    assert parsed == ("e", datetime.fromisoformat("2025-11-25T10:00:00+00:00"), '{"t":1}', '{"a":[1,2]}')
