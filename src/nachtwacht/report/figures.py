"""The report's figures as inline SVG (vector, text kept as text, readable in black and white).

Episode types are told apart by marker shape and bar hatching, never by colour
alone, so a photocopy of the report still reads.

The SVG is written directly (see :mod:`.svg`) rather than by a plotting library:
one compound path per bar kind and per marker type, a handful of ``<text>``
labels and line-hatch ``<pattern>``s. That keeps a three-year report's charts to
a few kilobytes, which is what WeasyPrint's layout and PDF time depend on, and
spares a cold ``nachtwacht report`` the plotting library's import. Units are
points (1/72 inch); the page CSS scales each figure to the text width.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Any

from .data import CHART_MAX_NIGHTS, ReportData
from .strings import date_str, t
from .svg import Svg, num, rect_path, text_width

#: Marker (shape, fill) per episode type, given out in the order the types appear in
#: the report, so the few types of one report get the most distinct shapes; hollow and
#: solid alternate so neighbours differ even when small. Shape codes as in matplotlib.
MARKERS = (("o", "white"), ("^", "black"), ("s", "white"), ("D", "black"), ("v", "white"),
           ("*", "black"), ("X", "white"), ("P", "black"), ("<", "white"), (">", "black"),
           ("h", "white"), ("d", "black"), ("8", "white"), ("p", "black"), ("H", "white"),
           ("1", "black"))
#: (hatch, fill) per episode type for the weekly bars, in the same order. Hatch codes:
#: ``/`` ``\\`` ``-`` ``|`` lines, ``x`` and ``+`` both directions, a doubled code is
#: denser. Only line hatches: dot and circle patterns are slow to print.
HATCHES = (("/", "white"), ("", "#4d4d4d"), ("x", "white"), ("-", "#ccc"),
           ("\\\\", "white"), ("", "#999"), ("+", "white"), ("||", "#d9d9d9"),
           ("//", "#999"), ("\\", "#d9d9d9"), ("xx", "#999"), ("--", "white"), ("|", "white"),
           ("++", "#ccc"), ("/", "#999"), ("", "white"))

#: At most this many episode types get their own marker and hatch; the rest are drawn
#: together as "other types", because more than five shapes or hatches no longer read.
MAX_CHART_TYPES = 5
REST = "__rest__"

WIDTH = 504.0  # 7 inch, the text width of the A4 page
TICK = 7.0  # font size of tick labels
SMALL = 6.5  # font size of legends
GREY_BED, GREY_SLEEP, GREY_EDGE = "#e0e0e0", "#737373", "#737373"


def _chart_types(data: ReportData) -> list[str]:
    """Types with their own style: the most frequent ones, in the report's order."""
    if len(data.frequency) <= MAX_CHART_TYPES + 1:
        return [tc.type for tc in data.frequency]
    top = sorted(data.frequency, key=lambda c: -c.nights)[:MAX_CHART_TYPES]
    keep = {c.type for c in top}
    return [tc.type for tc in data.frequency if tc.type in keep] + [REST]


def _bucket(code: str, types: list[str]) -> str:
    return code if code in types else REST


def _labels(data: ReportData) -> dict[str, str]:
    labels = {tc.type: tc.label for tc in data.frequency}
    labels[REST] = t("other_types", data.lang)
    return labels


def _style(data: ReportData, code: str) -> tuple[tuple[str, str], tuple[str, str]]:
    if code == REST:
        return (".", "black"), ("", "white")
    order = [tc.type for tc in data.frequency]
    i = order.index(code) if code in order else len(order)
    return MARKERS[i % len(MARKERS)], HATCHES[i % len(HATCHES)]


# ---------------------------------------------------------------------------
# Markers: each a short relative path around its centre
# ---------------------------------------------------------------------------
def _polygon(n: int, start_deg: float, r: float = 1.0) -> list[tuple[float, float]]:
    return [(r * math.cos(math.radians(start_deg + 360 * i / n)),
             -r * math.sin(math.radians(start_deg + 360 * i / n))) for i in range(n)]


def _star() -> list[tuple[float, float]]:
    outer, inner = _polygon(5, 90, 1.2), _polygon(5, 126, 0.48)
    return [p for pair in zip(outer, inner, strict=True) for p in pair]


def _cross(angle_deg: float) -> list[tuple[float, float]]:
    """A filled plus (0°) or X (45°) of arm half-width 0.3."""
    a, b = 0.3, 1.0
    pts = [(a, b), (a, a), (b, a), (b, -a), (a, -a), (a, -b),
           (-a, -b), (-a, -a), (-b, -a), (-b, a), (-a, a), (-a, b)]
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    return [(x * c - y * s, x * s + y * c) for x, y in pts]


_SHAPES: dict[str, list[tuple[float, float]]] = {
    "^": _polygon(3, 90, 1.2), "v": _polygon(3, 270, 1.2), "<": _polygon(3, 180, 1.2),
    ">": _polygon(3, 0, 1.2), "s": [(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
    "D": _polygon(4, 90, 1.15), "d": [(0, -1.15), (0.65, 0), (0, 1.15), (-0.65, 0)],
    "*": _star(), "X": _cross(45), "P": _cross(0), "h": _polygon(6, 90, 1.05),
    "H": _polygon(6, 0, 1.05), "8": _polygon(8, 22.5, 1.0), "p": _polygon(5, 90, 1.05),
}
MARKER_R = 2.4  # marker radius in pt (about matplotlib's s=20)


def marker_path(shape: str, x: float, y: float, r: float = MARKER_R) -> str:
    """Subpath of one marker centred on (x, y): absolute start, relative steps.

    Relative steps make every marker of a type the same string after its ``M``,
    which keeps the SVG small (it compresses well) and lets tests read the shape.
    """
    if shape in ("o", "."):
        r = r if shape == "o" else r * 0.75
        return (f"M{num(x - r)} {num(y)}a{num(r)} {num(r)} 0 1 0 {num(2 * r)} 0"
                f"a{num(r)} {num(r)} 0 1 0 {num(-2 * r)} 0Z")
    if shape == "1":  # three spokes, lines only
        s = r * 1.1
        return (f"M{num(x)} {num(y)}v{num(s)}M{num(x)} {num(y)}l{num(-0.87 * s)} {num(-0.5 * s)}"
                f"M{num(x)} {num(y)}l{num(0.87 * s)} {num(-0.5 * s)}")
    pts = [(round(px * r, 2), round(py * r, 2)) for px, py in _SHAPES[shape]]
    steps = "".join(f"l{num(b[0] - a[0])} {num(b[1] - a[1])}"
                    for a, b in zip(pts, pts[1:], strict=False))
    return f"M{num(x + pts[0][0])} {num(y + pts[0][1])}{steps}Z"


def _marker_attrs(shape: str, face: str) -> dict[str, Any]:
    if shape == "1":
        return {"fill": "none", "stroke": "black", "stroke_width": 0.8}
    # Solid markers on the dark sleep bar need a white rim to stay visible.
    return {"fill": face, "stroke": "white" if face == "black" else "black",
            "stroke_width": 0.6}


# ---------------------------------------------------------------------------
# Hatches
# ---------------------------------------------------------------------------
def _pattern(svg: Svg, k: int, hatch: str, fill: str) -> str:
    """A line-hatch ``<pattern>`` on a ``fill`` background; returns the fill to use."""
    if not hatch:
        return fill
    s = 2.5 if len(hatch) > 1 else 4.0  # a doubled code is denser
    lines = {"/": f"M-1 1L1 -1M0 {s}L{s} 0M{s - 1} {s + 1}L{s + 1} {s - 1}",
             "\\": f"M-1 {s - 1}L1 {s + 1}M0 0L{s} {s}M{s - 1} -1L{s + 1} 1",
             "-": f"M0 {s / 2}H{s}", "|": f"M{s / 2} 0V{s}"}
    kinds = {"x": "/\\", "+": "-|"}.get(hatch[0], hatch[0])
    d = "".join(lines[c] for c in kinds)
    pid = svg.id(f"hatch{k}")
    svg.defs.append(
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{num(s)}" height="{num(s)}">'
        f'<rect width="{num(s)}" height="{num(s)}" fill="{fill}"/>'
        f'<path d="{d}" stroke="black" stroke-width="0.5"/></pattern>')
    return f"url(#{pid})"


# ---------------------------------------------------------------------------
# Axes and legends
# ---------------------------------------------------------------------------
def _axes(svg: Svg, left: float, top: float, right: float, bottom: float) -> None:
    """Left and bottom spines (the top and right ones are left out, as in print)."""
    svg.path(f"M{num(left)} {num(top)}V{num(bottom)}H{num(right)}", fill="none",
             stroke="black", stroke_width=0.6)


def _x_ticks(svg: Svg, xs: list[float], labels: list[str], bottom: float) -> None:
    svg.path([f"M{num(x)} {num(bottom)}v2" for x in xs], stroke="black", stroke_width=0.5)
    for x, lab in zip(xs, labels, strict=True):
        svg.text(x, bottom + 9.5, lab, text_anchor="middle")


def _y_ticks(svg: Svg, ys: list[float], labels: list[str], left: float) -> None:
    svg.path([f"M{num(left)} {num(y)}h-2" for y in ys], stroke="black", stroke_width=0.5)
    for y, lab in zip(ys, labels, strict=True):
        svg.text(left - 3.5, y + 2.5, lab, text_anchor="end")


def _y_label(svg: Svg, label: str, x: float, y: float) -> None:
    svg.text(x, y, label, text_anchor="middle", transform=f"rotate(-90 {num(x)} {num(y)})")


def _swatch_rect(fill: str, stroke: str | None = None, width: float = 0.3) -> str:
    """Legend swatch: an SVG fragment in a 12 x 7 pt box at the origin."""
    extra = f' stroke="{stroke}" stroke-width="{num(width)}"' if stroke else ""
    return f'<rect x="0" y="0" width="12" height="7" fill="{fill}"{extra}/>'


def _swatch_marker(shape: str, face: str) -> str:
    a = _marker_attrs(shape, face)
    stroke = "black" if face == "black" and shape != "1" else a["stroke"]  # no white rim on paper
    return (f'<path d="{marker_path(shape, 6, 3.5)}" fill="{a["fill"]}" stroke="{stroke}" '
            f'stroke-width="{num(a["stroke_width"])}"/>')


def _legend(svg: Svg, items: list[tuple[str, str]], x0: float, y0: float, ncol: int,
            centre: bool) -> float:
    """Legend entries (swatch, label) in ``ncol`` columns; returns the height used.

    ``centre`` centres the block on the figure; otherwise it starts at ``x0``.
    """
    if not items:
        return 0.0
    gap = 12.0
    while True:  # fewer columns (more rows) until long type names fit the figure's width
        rows = -(-len(items) // ncol)
        cols = [items[c * rows:(c + 1) * rows] for c in range(ncol)]
        cols = [c for c in cols if c]
        widths = [max(16 + text_width(lab, SMALL) for _, lab in c) for c in cols]
        total = sum(widths) + gap * (len(cols) - 1)
        if ncol == 1 or total <= svg.width - (0 if centre else x0):
            break
        ncol -= 1
    x = (svg.width - total) / 2 if centre else x0
    out = [f'<g class="legend" font-size="{num(SMALL)}">']
    for col, w in zip(cols, widths, strict=True):
        for r, (swatch, lab) in enumerate(col):
            y = y0 + 10 * r
            out.append(f'<g transform="translate({num(x)} {num(y)})">{swatch}</g>')
            out.append(f'<text x="{num(x + 16)}" y="{num(y + 6)}">{escape(lab, quote=False)}</text>')
        x += w + gap
    out.append("</g>")
    svg.body.append("".join(out))
    return 10.0 * rows


# ---------------------------------------------------------------------------
# The charts
def _week_labels(starts: list, lang: str, x, size: float) -> tuple[list[int], list[str]]:
    """Which bins get a date label, and the labels: at most about ten, never overlapping.

    Over more than one calendar year the first label and each label in a new year carry
    the year ("28 nov 2023", "19 mrt 2024", "9 jul"), or a 3-year chart reads ambiguously.
    """
    n = len(starts)
    multi_year = n > 0 and starts[0].year != starts[-1].year
    every = -(-n // 10)
    while True:
        idx = list(range(0, n, every))
        labels, prev = [], None
        for i in idx:
            d = starts[i]
            labels.append(date_str(d, lang, year=multi_year and d.year != prev))
            prev = d.year
        gap = (x(every) - x(0)) if n > 1 else float("inf")
        if every >= n or max(text_width(s, size) for s in labels) + 4 <= gap:
            return idx, labels
        every += 1


# ---------------------------------------------------------------------------
def sleep_chart(data: ReportData) -> str | None:
    """24-hour sleep-diary chart: one row per night, 18:00 to 18:00, episodes marked."""
    if not data.nights and not data.marks:
        return None
    lang = data.lang
    dates = sorted({n.date for n in data.nights} | {m.date for m in data.marks})
    if len(dates) > CHART_MAX_NIGHTS:
        dates = dates[-CHART_MAX_NIGHTS:]
    row = {d: i for i, d in enumerate(dates)}
    n = len(dates)
    right, top = WIDTH - 12, 5.0
    # Tall enough for the rotated axis title, however few nights there are.
    bottom = top + max(2.6 * n, text_width(t("axis_night", lang), TICK) + 8)
    row_h = (bottom - top) / n
    # A date label every night, every other night or weekly: the first step whose labels
    # do not overlap (a short period gets rows too thin for a label each).
    step = next(s for s in (1, 2, 7, n) if s == n or (s >= (7 if n > 21 else 1)
                                                      and s * row_h >= 1.3 * TICK))
    ticks = list(range(0, n, step))
    tick_labels = [date_str(dates[i], lang, year=False) for i in ticks]

    svg = Svg("nw-sleep", WIDTH)
    left = 18 + max(text_width(s, TICK) for s in tick_labels)

    def x(h: float) -> float:
        return left + (right - left) * h / 24

    def y(i: int) -> float:
        return top + (i + 0.5) * row_h

    # Dotted hour grid every 3 hours, under everything else.
    svg.path([f"M{num(x(h))} {num(top)}V{num(bottom)}" for h in range(3, 24, 3)],
             stroke="#b3b3b3", stroke_width=0.3, stroke_dasharray="0.6 1")
    bed, asleep = [], []
    for nb in data.nights:
        if nb.date not in row:
            continue
        yc = y(row[nb.date])
        for lo, hi, half, out in ((nb.bed, nb.out_of_bed, 0.4, bed),
                                  (nb.onset, nb.final_wake, 0.25, asleep)):
            if lo is None or hi is None or hi <= 0 or lo >= 24:
                continue
            lo, hi = max(lo, 0.0), min(hi, 24.0)  # the chart shows 18:00 to 18:00 only
            out.append(rect_path(x(lo), yc - half * row_h, x(hi), yc + half * row_h))
    # One compound path per bar kind: the SVG stays small and WeasyPrint draws it at once.
    svg.path(bed, id=svg.id("bed"), fill=GREY_BED, stroke=GREY_EDGE, stroke_width=0.3)
    svg.path(asleep, id=svg.id("asleep"), fill=GREY_SLEEP)

    types = _chart_types(data)
    labels = _labels(data)
    by_type: dict[str, list[str]] = {}
    shape_of: dict[str, tuple[str, str]] = {}
    for code in types:
        shape_of[code] = _style(data, code)[0]
    for m in data.marks:
        if m.hour is not None and m.date in row and 0 <= m.hour <= 24:
            code = _bucket(m.type, types)
            by_type.setdefault(code, []).append(
                marker_path(shape_of[code][0], x(m.hour), y(row[m.date])))
    shown = [c for c in types if c in by_type]
    for code in shown:
        shape, face = shape_of[code]
        svg.path(by_type[code], cls="mark", data_type=code, **_marker_attrs(shape, face))

    _axes(svg, left, top, right, bottom)
    _x_ticks(svg, [x(h) for h in range(0, 25, 3)],
             [f"{(18 + h) % 24:02d}:00" for h in range(0, 25, 3)], bottom)
    _y_ticks(svg, [y(i) for i in ticks], tick_labels, left)
    _y_label(svg, t("axis_night", lang), 7, (top + bottom) / 2)

    items = [(_swatch_rect(GREY_BED, GREY_EDGE), t("legend_in_bed", lang)),
             (_swatch_rect(GREY_SLEEP), t("legend_asleep", lang))]
    items += [(_swatch_marker(*shape_of[c]), labels.get(c, c)) for c in shown]
    used = _legend(svg, items, 0, bottom + 17, min(len(items), 4), centre=True)
    return svg.render(bottom + 19 + used)


def _int_step(vmax: float) -> int:
    """Whole-number tick step giving at most about five ticks."""
    for base in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if vmax / base <= 5:
            return base
    return 10 ** math.ceil(math.log10(vmax / 5))


def weekly_chart(data: ReportData) -> str | None:
    """Nights with each episode type per week (per 4 weeks for long periods), hatched bars.

    Up to three types stand side by side; more are stacked, so each week stays one bar.
    """
    if not data.weeks or not data.frequency:
        return None
    lang = data.lang
    weeks = data.weeks
    bin_w = 4 if len(weeks) > 26 else 1
    bins = [weeks[i:i + bin_w] for i in range(0, len(weeks), bin_w)]
    types = _chart_types(data)
    labels = _labels(data)
    vals = {c: [0] * len(bins) for c in types}
    for i, b in enumerate(bins):
        for w in b:
            for code, n in w.counts.items():
                vals[_bucket(code, types)][i] += n
    stacked = len(types) > 3
    totals = [sum(v[i] for v in vals.values()) for i in range(len(bins))]
    vmax = max([*(totals if stacked else (max(v) for v in vals.values())), 1])
    step = _int_step(vmax)
    y_ticks = list(range(0, int(vmax * 1.05) + 1, step))

    svg = Svg("nw-weekly", WIDTH)
    fills = {code: _pattern(svg, k, *_style(data, code)[1]) for k, code in enumerate(types)}
    y_labels = [str(v) for v in y_ticks]
    left = 18 + max(text_width(s, TICK) for s in y_labels)
    legend_w = 0.0 if stacked else 22 + max(text_width(labels[c], SMALL) for c in types)
    right, top = WIDTH - 8 - legend_w, 5.0
    bottom = top + 62

    def x(v: float) -> float:  # bin index -> pt; bins are centred on whole numbers
        # -0.6 .. n - 0.4: the same gap before the first bar and after the last one.
        return left + (right - left) * (v + 0.6) / (len(bins) + 0.2)

    def y(v: float) -> float:
        return bottom - (bottom - top) * v / (vmax * 1.05)

    width = 0.8 if stacked else 0.8 / len(types)
    base = [0] * len(bins)
    for k, code in enumerate(types):
        rects = []
        for i, v in enumerate(vals[code]):
            if v <= 0:
                continue  # no empty bar drawn as a line on the axis
            cx = i if stacked else i - 0.4 + width * (k + 0.5)
            b0 = base[i] if stacked else 0
            rects.append(rect_path(x(cx - width / 2), y(b0 + v), x(cx + width / 2), y(b0)))
        # One compound path per type, not an element per bar: a three-year report has
        # hundreds of bars.
        svg.path(rects, cls="bars", data_type=code, fill=fills[code], stroke="black",
                 stroke_width=0.5)
        if stacked:
            base = [a + b for a, b in zip(base, vals[code], strict=True)]

    _axes(svg, left, top, right, bottom)
    idx, labels_x = _week_labels([b[0].start for b in bins], lang, x, TICK)
    _x_ticks(svg, [x(i) for i in idx], labels_x, bottom)
    _y_ticks(svg, [y(v) for v in y_ticks], y_labels, left)
    _y_label(svg, t("axis_count", lang), 7, (top + bottom) / 2)
    xlabel = t("axis_week", lang) if bin_w == 1 else "4 × " + t("axis_week", lang)
    svg.text((left + right) / 2, bottom + 19, xlabel, text_anchor="middle")

    items = [(_swatch_rect(fills[c], "black", 0.5), labels[c]) for c in types]
    if stacked:
        used = _legend(svg, items, 0, bottom + 25, 3, centre=True)
        return svg.render(bottom + 27 + used)
    _legend(svg, items, right + 14, top, 1, centre=False)
    return svg.render(bottom + 23)


_STAGE_Y = {"W": 4, "R": 3, "N1": 2, "N2": 1, "N3": 0}


def hypnogram_chart(data: ReportData) -> str | None:
    """Step plot of the sleep study's hypnogram (W at the top, N3 at the bottom, REM thick)."""
    if data.psg is None or not data.psg.hypnogram or not data.psg.hypnogram.get("stages"):
        return None
    hyp = data.psg.hypnogram
    epoch_h = float(hyp.get("epoch_s", 30.0)) / 3600
    if not epoch_h > 0:  # a broken analysis file: no time axis to draw (and no zero division)
        return None
    levels = [_STAGE_Y.get(s) for s in hyp["stages"]]
    total_h = len(levels) * epoch_h

    svg = Svg("nw-hypno", WIDTH)
    left = 18 + max(text_width(s, TICK) for s in _STAGE_Y)
    right, top, bottom = WIDTH - 12, 5.0, 67.0

    def x(h: float) -> float:
        return left + (right - left) * h / total_h

    def y(level: float) -> float:
        return bottom - (bottom - top) * (level + 0.5) / 5

    # Runs of one stage: (level, first epoch, epoch after the last).
    runs: list[tuple[int | None, int, int]] = []
    for i, lv in enumerate(levels):
        if runs and runs[-1][0] == lv:
            runs[-1] = (lv, runs[-1][1], i + 1)
        else:
            runs.append((lv, i, i + 1))
    line, rem, prev = [], [], None
    for lv, a, b in runs:
        if lv is None:  # an unscored stretch breaks the line
            prev = None
            continue
        xa, xb, yl = num(x(a * epoch_h)), num(x(b * epoch_h)), num(y(lv))
        line.append(f"V{yl}H{xb}" if prev is not None else f"M{xa} {yl}H{xb}")
        prev = lv
        if lv == _STAGE_Y["R"]:
            rem.append(f"M{xa} {yl}H{xb}")
    svg.path(line, fill="none", stroke="black", stroke_width=0.7)
    # REM drawn thick, as on a clinical hypnogram.
    svg.path(rem, fill="none", stroke="black", stroke_width=2.2)

    _axes(svg, left, top, right, bottom)
    _y_ticks(svg, [y(v) for v in _STAGE_Y.values()], list(_STAGE_Y), left)
    # Hours between labels: a recording of several days would otherwise pile them up.
    fit = next(s for s in (1, 2, 3, 4, 6, 12, 24, 48, 96, 168, 336, 720, 8760)
               if s * (right - left) / total_h >= text_width("00:00", TICK) + 4
               or s >= total_h)
    start = _start_time(hyp.get("start"))
    if start is not None:
        # Clock times on the axis, on the whole hours of the recording.
        first = (60 - start.minute) % 60 / 60 - start.second / 3600
        hours = [first + h for h in range(0 if first >= 0 else 1, int(total_h - first) + 1, fit)]
        tick_labels = [f"{(start.hour + round(h + start.minute / 60)) % 24:02d}:00"
                       for h in hours]
        xlabel = t("axis_clock", data.lang)
    else:
        every = max(1 if total_h <= 12 else 2, fit)
        hours = [float(h) for h in range(0, int(total_h) + 1, every)]
        tick_labels = [str(int(h)) for h in hours]
        xlabel = t("axis_hours", data.lang)
    _x_ticks(svg, [x(h) for h in hours], tick_labels, bottom)
    svg.text((left + right) / 2, bottom + 19, xlabel, text_anchor="middle")
    return svg.render(bottom + 23)


def _start_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def all_figures(data: ReportData) -> dict[str, str | None]:
    """Return every figure of the report as inline SVG (None when there is nothing to draw)."""
    return {"sleep": sleep_chart(data), "weekly": weekly_chart(data),
            "hypnogram": hypnogram_chart(data)}
