"""The report's figures as inline SVG (vector, text kept as text, readable in black and white).

Episode types are told apart by marker shape and bar hatching, never by colour
alone, so a photocopy of the report still reads.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .data import CHART_MAX_NIGHTS, ReportData
from .strings import date_str, t

#: Marker (shape, fill) per episode type, given out in the order the types appear in
#: the report, so the few types of one report get the most distinct shapes; hollow and
#: solid alternate so neighbours differ even when small.
MARKERS = (("o", "white"), ("^", "black"), ("s", "white"), ("D", "black"), ("v", "white"),
           ("*", "black"), ("X", "white"), ("P", "black"), ("<", "white"), (">", "black"),
           ("h", "white"), ("d", "black"), ("8", "white"), ("p", "black"), ("H", "white"),
           ("1", "black"))
#: (hatch, fill) per episode type for the weekly bars, in the same order. Only line
#: hatches: dot and circle hatches make SVG patterns that take WeasyPrint seconds per page.
HATCHES = (("////", "white"), ("", "0.3"), ("xxx", "white"), ("----", "0.8"),
           ("\\\\\\\\", "white"), ("", "0.6"), ("++", "white"), ("||||", "0.85"),
           ("//", "0.6"), ("\\\\", "0.85"), ("xx", "0.6"), ("--", "white"), ("|", "white"),
           ("+", "0.8"), ("////", "0.6"), ("", "white"))


#: At most this many episode types get their own marker and hatch; the rest are drawn
#: together as "other types", because more than five shapes or hatches no longer read.
MAX_CHART_TYPES = 5
REST = "__rest__"


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


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none",  # text stays text: selectable and in the embedded font
        "svg.hashsalt": "nachtwacht",  # stable ids, so the same data gives the same file
        "font.family": "DejaVu Sans",
        "font.size": 7,
        "axes.linewidth": 0.6,
        "xtick.major.width": 0.5,
        "ytick.major.width": 0.5,
        "hatch.linewidth": 0.6,
    })
    return plt


def _svg(fig: Any, prefix: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, transparent=False)
    import matplotlib.pyplot as plt

    plt.close(fig)
    s = buf.getvalue()
    # Inline SVG in HTML must not carry an XML declaration or DOCTYPE.
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>", "", s, flags=re.S)
    # Several figures share one HTML document: give every id a per-figure prefix, or a
    # marker reference could pick up another figure's shape (ids must be unique).
    s = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', s)
    s = s.replace('href="#', f'href="#{prefix}-').replace("url(#", f"url(#{prefix}-")
    return s


def _rects(ax: Any, rects: list[tuple[float, float, float, float]], **style: Any) -> None:
    if not rects:
        return
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    verts, codes = [], []
    for x0, y0, x1, y1 in rects:
        verts += [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * 3 + [MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(verts, codes), **style))


def sleep_chart(data: ReportData) -> str | None:
    """24-hour sleep-diary chart: one row per night, 18:00 to 18:00, episodes marked."""
    if not data.nights and not data.marks:
        return None
    plt = _plt()
    lang = data.lang
    dates = sorted({n.date for n in data.nights} | {m.date for m in data.marks})
    if len(dates) > CHART_MAX_NIGHTS:
        dates = dates[-CHART_MAX_NIGHTS:]
    row = {d: i for i, d in enumerate(dates)}
    n = len(dates)
    fig, ax = plt.subplots(figsize=(7.0, 0.8 + 0.034 * max(n, 10)))
    bed_rects, sleep_rects = [], []
    for nb in data.nights:
        if nb.date not in row:
            continue
        y = row[nb.date]
        if nb.bed is not None and nb.out_of_bed is not None:
            bed_rects.append((nb.bed, y - 0.4, nb.out_of_bed, y + 0.4))
        if nb.onset is not None and nb.final_wake is not None:
            sleep_rects.append((nb.onset, y - 0.25, nb.final_wake, y + 0.25))
    # One compound path per bar kind instead of a patch per night: the SVG stays small
    # and WeasyPrint draws it in one go.
    _rects(ax, bed_rects, facecolor="0.88", edgecolor="0.45", linewidth=0.3)
    _rects(ax, sleep_rects, facecolor="0.45", edgecolor="none", linewidth=0)
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor="0.88", edgecolor="0.45", linewidth=0.3,
                      label=t("legend_in_bed", lang)),
        plt.Rectangle((0, 0), 1, 1, facecolor="0.45", label=t("legend_asleep", lang)),
    ]
    types = _chart_types(data)
    by_type: dict[str, list[tuple[float, int]]] = {}
    for m in data.marks:
        if m.hour is not None and m.date in row:
            by_type.setdefault(_bucket(m.type, types), []).append((m.hour, row[m.date]))
    labels = _labels(data)
    for code in [c for c in types if c in by_type]:
        # Solid markers on the dark sleep bar need a white rim to stay visible.
        (marker, face), _ = _style(data, code)
        xs, ys = zip(*by_type[code], strict=True)
        size = 26 if marker in "*^vX<>P" else (30 if marker == "." else 20)
        h = ax.scatter(xs, ys, marker=marker, s=size, facecolor=face,
                       edgecolor="white" if face == "black" else "black", linewidths=0.6,
                       zorder=3, label=labels.get(code, code))
        handles.append(h)
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xticklabels([f"{(18 + h) % 24:02d}:00" for h in range(0, 25, 3)])
    ax.grid(axis="x", color="0.7", linewidth=0.3, linestyle=":")
    ax.set_ylim(n - 0.5, -0.5)
    step = 7 if n > 21 else (2 if n > 10 else 1)
    ticks = list(range(0, n, step))
    ax.set_yticks(ticks)
    ax.set_yticklabels([date_str(dates[i], lang, year=False) for i in ticks])
    ax.set_ylabel(t("axis_night", lang))
    ax.tick_params(length=2, pad=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.2 / (n + 10)),
              ncol=min(len(handles), 4), frameon=False, fontsize=6.5, handlelength=1.5,
              columnspacing=1.2)
    fig.tight_layout(pad=0.2)
    return _svg(fig, "nw-sleep")


def weekly_chart(data: ReportData) -> str | None:
    """Nights with each episode type per week (per 4 weeks for long periods), hatched bars.

    Up to three types stand side by side; more are stacked, so each week stays one bar.
    """
    if not data.weeks or not data.frequency:
        return None
    plt = _plt()
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
    legend_rows = (len(types) + 2) // 3 if stacked else 0
    fig, ax = plt.subplots(figsize=(7.0, 1.25 + 0.25 * legend_rows))
    bottom = [0] * len(bins)
    width = 0.8 if stacked else 0.8 / len(types)
    handles = []
    for k, code in enumerate(types):
        _, (hatch, fill) = _style(data, code)
        xs = ([float(i) for i in range(len(bins))] if stacked
              else [i - 0.4 + width * (k + 0.5) for i in range(len(bins))])
        style = {"facecolor": fill, "edgecolor": "black", "hatch": hatch, "linewidth": 0.5}
        # One compound path per type, not a patch per bar: a three-year report has
        # hundreds of bars, and every SVG element costs matplotlib and WeasyPrint time.
        # Empty bars are left out (ax.bar would draw them as a line on the axis).
        _rects(ax, [(x - width / 2, b, x + width / 2, b + v)
                    for x, b, v in zip(xs, bottom if stacked else [0] * len(bins), vals[code],
                                       strict=True) if v > 0], **style)
        handles.append(plt.Rectangle((0, 0), 1, 1, label=labels[code], **style))
        if stacked:
            bottom = [a + b for a, b in zip(bottom, vals[code], strict=True)]
    ax.set_xlim(-0.6, len(bins) - 0.4)
    ax.set_ylim(0, max([*bottom, *(max(v) for v in vals.values()), 1]) * 1.05)
    every = -(-len(bins) // 10)  # at most about ten date labels
    # Ticks only where a date is written: each matplotlib tick is a costly object.
    ax.set_xticks(range(0, len(bins), every))
    ax.set_xticklabels([date_str(bins[i][0].start, lang, year=False)
                        for i in range(0, len(bins), every)])
    ax.set_xlabel(t("axis_week", lang) if bin_w == 1 else "4 × " + t("axis_week", lang))
    ax.set_ylabel(t("axis_count", lang))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(length=2, pad=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if stacked:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.3 - 0.1 * legend_rows),
                  ncol=3, frameon=False, fontsize=6.5, handlelength=1.6, handleheight=1.1)
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=6.5, handlelength=1.6, handleheight=1.1)
    fig.tight_layout(pad=0.2)
    return _svg(fig, "nw-weekly")


_STAGE_Y = {"W": 4, "R": 3, "N1": 2, "N2": 1, "N3": 0}


def hypnogram_chart(data: ReportData) -> str | None:
    """Step plot of the sleep study's hypnogram (W at the top, N3 at the bottom)."""
    if data.psg is None or not data.psg.hypnogram or not data.psg.hypnogram.get("stages"):
        return None
    plt = _plt()
    hyp = data.psg.hypnogram
    epoch_h = float(hyp.get("epoch_s", 30.0)) / 3600
    ys = [_STAGE_Y.get(s) for s in hyp["stages"]]
    xs = [i * epoch_h for i in range(len(ys) + 1)]
    ys_plot = [y if y is not None else float("nan") for y in ys] + [float("nan")]
    fig, ax = plt.subplots(figsize=(7.0, 1.25))
    ax.step(xs, ys_plot, where="post", color="black", linewidth=0.7)
    # REM drawn thick, as on a clinical hypnogram.
    rem = [3 if y == 3 else float("nan") for y in ys_plot]
    ax.step(xs, rem, where="post", color="black", linewidth=2.2)
    ax.set_yticks(list(_STAGE_Y.values()))
    ax.set_yticklabels(list(_STAGE_Y.keys()))
    ax.set_ylim(-0.5, 4.5)
    ax.set_xlim(0, xs[-1] if xs else 1)
    start = _start_time(hyp.get("start"))
    if start is not None:
        # Clock times on the axis, on the whole hours of the recording.
        first = (60 - start.minute) % 60 / 60 - start.second / 3600
        ticks = [first + h for h in range(int(xs[-1] - first) + 1) if first + h >= 0]
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{(start.hour + round(x + start.minute / 60)) % 24:02d}:00"
                            for x in ticks])
        ax.set_xlabel(t("axis_clock", data.lang))
    else:
        ax.set_xlabel(t("axis_hours", data.lang))
    ax.tick_params(length=2, pad=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout(pad=0.2)
    return _svg(fig, "nw-hypno")


def _start_time(value: Any) -> Any:
    import datetime as dt

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
