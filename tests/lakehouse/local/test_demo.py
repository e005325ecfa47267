"""``lakehouse demo`` (what ``make demo`` runs after the plans) end to end on a tiny data set: every
data path runs and the report says what data it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))


def test_the_demo_runs_every_data_path_and_writes_its_report(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run(
        [LAKEHOUSE, "demo", "--out", str(out), "--scale", "0.01"], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    for section in (
        "1. full load",
        "2. CDC batches",
        "3. real time",
        "4. documents",
        "5. gold figures",
        "6. time travel",
    ):
        assert section in said
    assert "data freshness (DataAgeSeconds)" in said and "quarantined this run" in said
    page = (out / "report.html").read_text()
    facts = re.sub(r"<[^>]+>", "", re.search(r'<p class="facts">.*?</p>', page).group(0))
    assert re.fullmatch(
        r"Data as of 2025-\d\d-\d\d \d\d:\d\d:\d\d UTC · [\d,]+ changes applied · [1-9][\d,]* quarantined "
        r"\(see silver\.quarantine\)",
        facts,
    ), facts
    for chart in ("Revenue by month and tenant", "Clickstream events by UTC hour and type", "Documents by type"):
        assert chart in page
