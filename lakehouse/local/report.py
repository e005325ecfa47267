"""A self-contained HTML report of the main gold metrics: inline SVG charts, no JavaScript, no
network (it opens from a file on any machine), under a header that says what data it shows."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#4b5563"]


def bar_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], width: int = 720, height: int = 260
) -> str:
    """Grouped bars: one group per label, one bar per series."""
    ticks = nice_ticks(max([v for values in series.values() for v in values] + [0]))
    top = ticks[-1]
    left, plot_h = 60, height - 70
    group_w = (width - left - 10) / max(len(labels), 1)
    bar_w = max(group_w / (len(series) + 1), 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="16" font-weight="bold">{html.escape(title)}</text>',
    ]
    parts.append(_grid(ticks, left, width, plot_h))
    for g, label in enumerate(labels):
        x0 = left + g * group_w
        for s, (name, values) in enumerate(series.items()):
            h = plot_h * values[g] / top
            parts.append(
                f'<rect x="{x0 + (s + 0.5) * bar_w:.1f}" y="{30 + plot_h - h:.1f}" width="{bar_w * 0.9:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{html.escape(name)} {html.escape(label)}: '
                f"{values[g]:,.2f}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group_w / 2:.1f}" y="{30 + plot_h + 14}" text-anchor="middle" font-size="10">{html.escape(label)}</text>'
        )
    parts.append(_legend(list(series), left, height - 8))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float]], width: int = 720, height: int = 260
) -> str:
    ticks = nice_ticks(max([v for values in series.values() for v in values] + [0]))
    top = ticks[-1]
    left, plot_h, plot_w = 60, height - 70, width - 110
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="16" font-weight="bold">{html.escape(title)}</text>',
    ]
    parts.append(_grid(ticks, left, width, plot_h))
    for s, (_name, values) in enumerate(series.items()):
        points = " ".join(f"{left + i * step:.1f},{30 + plot_h - plot_h * v / top:.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{PALETTE[s % len(PALETTE)]}" stroke-width="2" points="{points}"/>')
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{30 + plot_h + 14}" text-anchor="middle" font-size="10">{html.escape(label)}</text>'
        )
    parts.append(_legend(list(series), left, height - 6))
    parts.append("</svg>")
    return "".join(parts)


def nice_ticks(top: float, intervals: int = 4) -> list[float]:
    """Axis ticks from 0 past ``top`` in round steps (1, 2, 2.5 or 5 times a power of ten), about
    ``intervals`` of them: 0, 250, 500, 750, 1,000 rather than 0, 241.3, 482.6, ..."""
    if top <= 0:
        return [0.0, 1.0]
    rough = top / intervals
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough * (1 - 1e-9))
    return [round(i * step, 12) for i in range(math.ceil(top / step - 1e-9) + 1)]


def tick_label(value: float, step: float) -> str:
    """``value`` with thousands separators and only the decimals ``step`` needs (2.5 -> 1, 0.25 -> 2)."""
    decimals = max(0, -Decimal(repr(step)).normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:,.{decimals}f}"


def _grid(ticks: list[float], left: int, width: int, plot_h: float) -> str:
    step, top, lines = ticks[1] - ticks[0], ticks[-1], []
    for value in ticks:
        y = 30 + plot_h - plot_h * value / top
        lines.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{tick_label(value, step)}</text>'
        )
    return "".join(lines)


def header(as_of: datetime | None, applied: int, quarantined: int) -> str:
    """What the report shows: the data's own time (its latest applied change), changes applied and
    quarantined so far."""
    when = as_of.strftime("%Y-%m-%d %H:%M:%S UTC") if as_of else "no change applied yet"
    return (
        f'<p class="facts">Data as of <b>{html.escape(when)}</b> · <b>{applied:,}</b> changes applied · '
        f"<b>{quarantined:,}</b> quarantined (see <code>silver.quarantine</code>)</p>"
    )


def lake_facts(spark: Any, silver_db: str = "silver") -> tuple[datetime | None, int, int]:
    """(latest applied dms_timestamp, changes applied, changes quarantined): the header's facts."""
    from etl.silver import applied_so_far

    applied = applied_so_far(spark, silver_db)
    return applied.newest_change, applied.applied, applied.quarantined


def _legend(names: list[str], x: int, y: int) -> str:
    items = []
    for i, name in enumerate(names):
        items.append(
            f'<rect x="{x + i * 110}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + i * 110 + 14}" y="{y}" font-size="10">{html.escape(name)}</text>'
        )
    return "".join(items)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<h3>{html.escape(title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, sections: Sequence[str]) -> str:
    style = (
        "body{font-family:system-ui,sans-serif;max-width:820px;margin:2em auto;color:#111}"
        "svg{width:100%;height:auto;margin:1em 0}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:right}th{background:#f3f4f6}"
        ".facts{color:#374151}"
    )
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{style}</style><h1>{html.escape(title)}</h1>{''.join(sections)}</html>\n"
    )
