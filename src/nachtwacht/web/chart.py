"""Server-rendered SVG charts: the sleep-diary chart, trend lines and interval bars.

The sleep-diary chart is the one a sleep clinic reads: one row per night on a
24-hour axis from 18:00 to 18:00, time in bed as a light bar, estimated sleep as
a dark bar, episodes as marks. Every chart carries a <title> and <desc>; the
templates add a data table as the text alternative.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from nachtwacht.diary.clock import resolve
from nachtwacht.diary.metrics import NightMetrics, night_metrics
from nachtwacht.diary.types import Episode, Night

AXIS_START_H = 18  # the chart runs from 18:00 the evening before to 18:00 on the morning date


@dataclass(frozen=True)
class Row:
    """One night on the chart: minutes since 18:00 the evening before."""

    date: dt.date
    bed: tuple[float, float] | None
    sleep: tuple[float, float] | None
    marks: tuple[tuple[float | None, str], ...]


def _minutes(day: dt.date, when: dt.datetime | None, tz: str) -> float | None:
    if when is None:
        return None
    ref = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(AXIS_START_H), tzinfo=ZoneInfo(tz))
    m = (when - ref).total_seconds() / 60
    return min(max(m, 0.0), 1440.0)


def rows(nights: Sequence[Night], episodes: Sequence[Episode], tz: str = "Europe/Amsterdam",
         metrics: Sequence[NightMetrics] | None = None) -> list[Row]:
    """Chart rows for every date with a night or an episode, oldest first.

    ``metrics``: the nights' :func:`night_metrics` in the same order, if already made.
    """
    by_date: dict[dt.date, Night] = {n.date: n for n in nights}
    made = {n.date: m for n, m in zip(nights, metrics, strict=True)} if metrics is not None else {}
    eps: dict[dt.date, list[Episode]] = {}
    for e in episodes:
        eps.setdefault(e.date, []).append(e)
    out = []
    for day in sorted(set(by_date) | set(eps)):
        bed = sleep = None
        night = by_date.get(day)
        if night is not None:
            m = made.get(day) or night_metrics(night, tz)
            b0, b1 = _minutes(day, m.bed_dt or m.lights_out_dt, tz), _minutes(day, m.out_of_bed_dt or m.final_wake_dt, tz)
            if b0 is not None and b1 is not None and b1 > b0:
                bed = (b0, b1)
            s0, s1 = _minutes(day, m.onset_dt, tz), _minutes(day, m.final_wake_dt, tz)
            if s0 is not None and s1 is not None and s1 > s0:
                sleep = (s0, s1)
        marks = []
        for e in eps.get(day, []):
            t = _minutes(day, resolve(day, e.time, "evening", tz), tz) if e.time else None
            marks.append((t, e.type))
        out.append(Row(day, bed, sleep, tuple(marks)))
    return out


def diary_svg(chart_rows: Sequence[Row], *, title: str, desc: str, type_label=lambda c: c,
              hour_fmt: str = "{:02d}", compact: bool = False) -> str:
    """The sleep-diary chart as an inline SVG string (width scales with the page).

    ``compact`` draws the same 24 hours for a phone (about 330 px wide): a 360-unit
    viewBox, so the 11-unit labels stay about 10 px, with an hour label every 6 hours
    instead of 3. The page carries both and shows one by screen width; the wide chart
    squeezed into 330 px had 5 px text, and a scrolling one hid half the night.
    """
    left, top, row_h, width = (40, 24, 16, 360) if compact else (64, 26, 18, 720)
    step = 6 if compact else 3
    ids = "dcc" if compact else "dc"
    plot_w = width - left - 8
    height = top + row_h * max(len(chart_rows), 1) + 8
    px = plot_w / 1440
    parts = [
        f'<svg class="diary-chart {"compact" if compact else "wide"}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ids}-title {ids}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ids}-title">{escape(title)}</title><desc id="{ids}-desc">{escape(desc)}</desc>',
    ]
    for i in range(0, 25, step):  # hour grid
        x = left + i * 60 * px
        hour = (AXIS_START_H + i) % 24
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" class="axis" text-anchor="middle">'
                     f'{hour_fmt.format(hour)}</text>')
    for r, row in enumerate(chart_rows):
        y = top + r * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 13}" class="axis" text-anchor="end">'
                     f'{row.date.strftime("%d-%m")}</text>')
        if row.bed:
            parts.append(f'<rect x="{left + row.bed[0] * px:.1f}" y="{y + 3}" width="{(row.bed[1] - row.bed[0]) * px:.1f}" '
                         f'height="{row_h - 6}" class="bed" rx="2"/>')
        if row.sleep:
            parts.append(f'<rect x="{left + row.sleep[0] * px:.1f}" y="{y + 5}" width="{(row.sleep[1] - row.sleep[0]) * px:.1f}" '
                         f'height="{row_h - 10}" class="sleep" rx="2"/>')
        for k, (t, code) in enumerate(row.marks):
            # Episodes without a time go at the right edge, stacked, so they still show.
            x = left + t * px if t is not None else width - 14 - 8 * k
            parts.append(f'<circle cx="{x:.1f}" cy="{y + row_h / 2:.1f}" r="{4 if compact else 5}" '
                         f'class="ep ep-{escape(code)}">'
                         f'<title>{escape(type_label(code))}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(values: Sequence[float | None], *, title: str, unit: str = "", lo: float | None = None,
              hi: float | None = None) -> str:
    """A small line chart of one metric per night (gaps where missing)."""
    width, height, pad = 300, 80, 6
    vals = [v for v in values if v is not None]
    if len(vals) < 2:
        return ""
    vmin = lo if lo is not None else min(vals)
    vmax = hi if hi is not None else max(vals)
    if vmax == vmin:
        vmax = vmin + 1
    n = len(values)
    pts, segs = [], []
    for i, v in enumerate(values):
        if v is None:
            if pts:
                segs.append(pts)
            pts = []
            continue
        x = pad + i * (width - 2 * pad) / max(n - 1, 1)
        y = height - pad - (v - vmin) / (vmax - vmin) * (height - 2 * pad)
        pts.append(f"{x:.1f},{y:.1f}")
    if pts:
        segs.append(pts)
    lines = "".join(f'<polyline points="{" ".join(s)}" class="trend"/>' for s in segs)
    last = vals[-1]
    desc = f"{title}: {len(vals)} values, last {last:.0f}{unit}, lowest {min(vals):.0f}, highest {max(vals):.0f}"
    return (f'<svg class="trend-chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{lines}</svg>")


def interval_svg(estimate: float, low: float | None, high: float | None, *, ratio: bool, title: str) -> str:
    """An interval bar: the estimate as a dot, its 95% interval as a bar, the no-effect line dashed.

    Ratios are drawn on a log scale so that 0.5 and 2 lie equally far from 1.
    """
    width, height, pad = 300, 34, 12

    def tr(v: float) -> float:
        return math.log(max(v, 1e-3)) if ratio else v

    null = 1.0 if ratio else 0.0
    pts = [tr(v) for v in (estimate, low, high, null) if v is not None]
    span_lo, span_hi = min(pts), max(pts)
    margin = (span_hi - span_lo) * 0.1 or 1.0
    span_lo, span_hi = span_lo - margin, span_hi + margin

    def x(v: float) -> float:
        return pad + (tr(v) - span_lo) / (span_hi - span_lo) * (width - 2 * pad)

    out = [f'<svg class="interval" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
           f"<title>{escape(title)}</title>",
           f'<line x1="{x(null):.1f}" y1="2" x2="{x(null):.1f}" y2="{height - 2}" class="null"/>']
    if low is not None and high is not None:
        out.append(f'<line x1="{x(low):.1f}" y1="{height / 2}" x2="{x(high):.1f}" y2="{height / 2}" class="ci"/>')
    out.append(f'<circle cx="{x(estimate):.1f}" cy="{height / 2}" r="6" class="est"/></svg>')
    return "".join(out)
