"""The HTML report: round axis ticks, and a header saying what data it shows."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from lakehouse.local import report


@pytest.mark.parametrize(
    "top, ticks",
    [
        (965.2, [0, 250, 500, 750, 1000]),
        (96.5, [0, 25, 50, 75, 100]),
        (3.2, [0, 1, 2, 3, 4]),
        (0.7, [0, 0.2, 0.4, 0.6, 0.8]),
        (1_234_567, [0, 500_000, 1_000_000, 1_500_000]),
        (100, [0, 25, 50, 75, 100]),
        (0, [0, 1]),
    ],
)
def test_ticks_are_round_and_cover_the_data(top, ticks):
    assert report.nice_ticks(top) == ticks


@pytest.mark.parametrize(
    "value, step, label",
    [(1_000_000, 500_000, "1,000,000"), (7.5, 2.5, "7.5"), (0.5, 0.25, "0.50"), (40, 20, "40")],
)
def test_tick_labels_carry_only_the_decimals_the_step_needs(value, step, label):
    assert report.tick_label(value, step) == label


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" font-size="10">([^<]+)</text>', svg)


def test_bar_chart_axis_shows_round_ticks_not_raw_values():
    svg = report.bar_chart("Revenue", ["2025-05", "2025-06"], {"tenant 1": [241.3, 965.2]})
    assert axis_labels(svg) == ["0", "250", "500", "750", "1,000"]


def test_line_chart_axis_shows_round_ticks():
    svg = report.line_chart("MRR", ["a", "b", "c"], {"MRR": [12.0, 58.33, 31.0]})
    assert axis_labels(svg) == ["0", "20", "40", "60"]


def test_header_states_the_datas_time_and_what_was_applied_and_quarantined():
    text = report.header(datetime(2025, 11, 1, 3, 0, 0, 12), 545_614, 153)
    assert re.sub(r"<[^>]+>", "", text) == (
        "Data as of 2025-11-01 03:00:00 UTC · 545,614 changes applied · 153 quarantined (see silver.quarantine)"
    )


def test_header_before_any_applied_change():
    assert "no change applied yet" in report.header(None, 0, 12)
