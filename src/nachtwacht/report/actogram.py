"""Device data on the GP report: a double-plotted actogram (SVG) and the key figures.

An actogram draws each calendar day as a row; *double-plotted* means each row shows that
day and the next (48 h), so a night that crosses midnight is never cut and a drifting or
late rhythm shows as a slanted or shifted band. Activity (actigraphs) is drawn as black
bars per 10 minutes, scaled to the recording's 95th percentile; sleep periods found by
the device (onset to offset) as blue bands. Pure Python and no Django: the report
builder calls :func:`device_info` with a :class:`nachtwacht.device.summary.DeviceSummary`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np

from .strings import num

BIN_MIN = 10
ROW_H = 16
LABEL_W = 64
PLOT_W = 576  # 48 h x 12 px
MAX_DAYS = 62

TEXT = {
    "nl": {"title": "Apparaatgegevens en lichaamsklok", "actogram": "Actogram (elke rij: die dag en de volgende)",
           "legend": "Zwart: beweging per 10 minuten. Blauw: slaap volgens het apparaat.",
           "tst": "Slaaptijd (apparaat), gemiddeld", "waso": "Wakker na inslapen (apparaat), gemiddeld",
           "se": "Efficiëntie (apparaat), gemiddeld", "gap": "Verschil met dagboek (apparaat - dagboek), gemiddeld",
           "mid": "Midden van de slaap", "sri": "Regelmaat (SRI)", "sjl": "Sociale jetlag",
           "is": "Stabiliteit tussen dagen (IS)", "iv": "Versnippering (IV)", "ra": "Dag-nachtverschil (RA)",
           "nights": "nachten", "method": "Methode", "min": "min",
           "note": "Een apparaat meet beweging, geen slaap; stil wakker liggen telt vaak als slaap. "
                   "De dagboekcijfers van de persoon zelf blijven leidend."},
    "en": {"title": "Device data and body clock", "actogram": "Actogram (each row: that day and the next)",
           "legend": "Black: movement per 10 minutes. Blue: sleep according to the device.",
           "tst": "Sleep time (device), mean", "waso": "Wake after sleep onset (device), mean",
           "se": "Efficiency (device), mean", "gap": "Difference from diary (device - diary), mean",
           "mid": "Sleep midpoint", "sri": "Regularity (SRI)", "sjl": "Social jet lag",
           "is": "Interdaily stability (IS)", "iv": "Intradaily variability (IV)", "ra": "Relative amplitude (RA)",
           "nights": "nights", "method": "Method", "min": "min",
           "note": "A device measures movement, not sleep; lying still awake often counts as sleep. "
                   "The person's own diary figures stay the main record."},
}
#: FHIR codes: LOINC where one exists (93832-4 sleep duration), otherwise local codes.
FHIR_CODES = {
    "device_tst_min": ("93832-4", "Sleep duration", "min"),
    "device_waso_min": (None, "Wake after sleep onset (device)", "min"),
    "device_se_pct": (None, "Sleep efficiency (device)", "%"),
    "device_sri": (None, "Sleep Regularity Index (device)", ""),
    "device_is": (None, "Interdaily stability", ""),
    "device_iv": (None, "Intradaily variability", ""),
    "device_ra": (None, "Relative amplitude", ""),
    "device_social_jet_lag_min": (None, "Social jet lag", "min"),
}


@dataclass
class DeviceInfo:
    """What the report shows about device data (all texts already in the report language)."""

    title: str
    sources: list[str]
    stats: list[tuple[str, str]]
    note: str
    svg: str
    #: ``(key, value, unit, loinc or None, display, n_nights)`` for the FHIR export.
    observations: list[tuple[str, float, str, str | None, str, int]] = field(default_factory=list)


def _mean(xs: list[float]) -> float | None:
    return float(np.mean(xs)) if xs else None


def device_info(summary: Any, lang: str = "nl", start: dt.date | None = None,
                end: dt.date | None = None) -> DeviceInfo | None:
    """Figures and actogram of a ``DeviceSummary`` within the report period (``None`` if none)."""
    if summary is None:
        return None
    tx = TEXT[lang]
    nights = [n for n in summary.nights
              if (start is None or n.date >= start) and (end is None or n.date <= end)]
    if not nights:
        return None
    tst = _mean([n.tst_min for n in nights if n.tst_min is not None])
    waso = _mean([n.waso_min for n in nights if n.waso_min is not None])
    se = _mean([n.se_pct for n in nights if n.se_pct is not None])
    methods = sorted({n.method for n in nights})
    from nachtwacht.device.labels import method_name  # only when device data exist

    stats = [(tx["method"], ", ".join(method_name(m, lang) for m in methods)
              + f" ({len(nights)} {tx['nights']})")]
    obs: list[tuple[str, float, str, str | None, str, int]] = []

    def add(key: str, label: str, value: float | None, shown: str) -> None:
        if value is None:
            return
        stats.append((label, shown))
        code, disp, unit = FHIR_CODES[key]
        obs.append((key, round(float(value), 3), unit, code, disp, len(nights)))

    add("device_tst_min", tx["tst"], tst, f"{tst:.0f} {tx['min']}" if tst is not None else "")
    add("device_waso_min", tx["waso"], waso, f"{waso:.0f} {tx['min']}" if waso is not None else "")
    add("device_se_pct", tx["se"], se, f"{se:.0f}%" if se is not None else "")
    if summary.mean_gap_min is not None:
        stats.append((tx["gap"], f"{summary.mean_gap_min:+.0f} {tx['min']}"))
    r = summary.rhythm
    if r.get("mean_midpoint"):
        stats.append((tx["mid"], r["mean_midpoint"]))
    add("device_sri", tx["sri"], r.get("sri"), num(r.get("sri"), lang, 0))
    add("device_social_jet_lag_min", tx["sjl"], r.get("social_jet_lag_min"),
        f"{num(r.get('social_jet_lag_min'), lang, 0)} {tx['min']}")
    for k in ("is", "iv", "ra"):
        add(f"device_{k}", tx[k], r.get(k), num(r.get(k), lang, 2))
    svg = actogram_svg(nights, summary.recordings, lang, activity=getattr(summary, "activity", None))
    return DeviceInfo(tx["title"], list(summary.sources), stats, tx["note"], svg, obs)


def _activity_by_day(recordings: list[Any], first: dt.date, ndays: int) -> np.ndarray | None:
    if not recordings:
        return None
    per_day = 1440 // BIN_MIN
    grid = np.full((ndays + 1) * per_day, np.nan)
    origin = dt.datetime.combine(first, dt.time(0))
    for rec in recordings:
        m = rec.per_minute()
        off = int((m.start.replace(second=0, microsecond=0) - origin).total_seconds() // 60)
        c = m.counts
        for b in range(0, len(c) - BIN_MIN + 1, BIN_MIN):
            i = (off + b) // BIN_MIN
            if 0 <= i < len(grid):
                v = c[b:b + BIN_MIN]
                if not np.isnan(v).all():
                    grid[i] = np.nansum(v)
    return grid.reshape(ndays + 1, per_day)


def activity_bins(recordings: list[Any]) -> tuple[dt.date, list[list[float | None]]] | None:
    """Activity per 10 minutes per calendar day (for storing beside the nights as JSON)."""
    if not recordings:
        return None
    first = min(r.start.date() for r in recordings)
    ndays = min((max(r.end.date() for r in recordings) - first).days + 1, MAX_DAYS)
    grid = _activity_by_day(list(recordings), first, ndays)
    assert grid is not None
    return first, [[None if not np.isfinite(v) else round(float(v), 1) for v in row] for row in grid]


def actogram_svg(nights: list[Any], recordings: list[Any] = (), lang: str = "nl",  # type: ignore[assignment]
                 activity: tuple[dt.date, list[list[float | None]]] | None = None) -> str:
    """A double-plotted actogram as an inline SVG string (at most :data:`MAX_DAYS` rows).

    Activity comes from ``recordings`` or, already binned, from ``activity``
    (:func:`activity_bins`); without either only the sleep bands are drawn.
    """
    tx = TEXT[lang]
    first = min(n.onset.date() for n in nights if n.onset) if any(n.onset for n in nights) else nights[0].date
    last = max(n.date for n in nights)
    if recordings:
        first = min(first, min(r.start.date() for r in recordings))
        last = max(last, max(r.end.date() for r in recordings))
    if activity is not None:
        first = min(first, activity[0])
        last = max(last, activity[0] + dt.timedelta(days=len(activity[1]) - 1))
    ndays = min((last - first).days + 1, MAX_DAYS)
    act = _activity_by_day(list(recordings), first, ndays)
    if act is None and activity is not None:
        per_day = 1440 // BIN_MIN
        act = np.full((ndays + 1, per_day), np.nan)
        off = (activity[0] - first).days
        for i, row in enumerate(activity[1]):
            if 0 <= off + i <= ndays:
                act[off + i] = [np.nan if v is None else v for v in row]
    top = 22
    h = top + ndays * ROW_H + 26
    w = LABEL_W + PLOT_W + 8
    px_min = PLOT_W / (48 * 60)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
           f'role="img" aria-label="{escape(tx["actogram"])}" font-family="DejaVu Sans, sans-serif" font-size="9">',
           f"<title>{escape(tx['actogram'])}</title>"]
    for hh in range(0, 49, 6):
        x = LABEL_W + hh * 60 * px_min
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + ndays * ROW_H}" stroke="#bbb" stroke-width="0.5"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 7}" text-anchor="middle">{hh % 24:02d}</text>')
    cap = None
    if act is not None and np.isfinite(act).any():
        cap = float(np.nanpercentile(act, 95)) or 1.0
    for row in range(ndays):
        day = first + dt.timedelta(days=row)
        y = top + row * ROW_H
        out.append(f'<text x="{LABEL_W - 4}" y="{y + ROW_H - 4}" text-anchor="end">{day:%d-%m}</text>')
        out.append(f'<rect x="{LABEL_W}" y="{y}" width="{PLOT_W}" height="{ROW_H}" fill="none" stroke="#ddd" stroke-width="0.5"/>')
        t0 = dt.datetime.combine(day, dt.time(0))
        for n in nights:
            if not (n.onset and n.offset):
                continue
            a = (n.onset - t0).total_seconds() / 60
            b = (n.offset - t0).total_seconds() / 60
            a, b = max(a, 0), min(b, 48 * 60)
            if b > a:
                out.append(f'<rect x="{LABEL_W + a * px_min:.1f}" y="{y + 1}" width="{(b - a) * px_min:.1f}" '
                           f'height="{ROW_H - 2}" fill="#9ecae1"/>')
        if act is not None and cap:
            per_day = 1440 // BIN_MIN
            vals = np.r_[act[row], act[row + 1] if row + 1 < len(act) else np.full(per_day, np.nan)]
            bw = PLOT_W / len(vals)
            for i, v in enumerate(vals):
                if np.isfinite(v) and v > 0:
                    bh = min(v / cap, 1.0) * (ROW_H - 2)
                    out.append(f'<rect x="{LABEL_W + i * bw:.1f}" y="{y + ROW_H - 1 - bh:.1f}" '
                               f'width="{bw:.2f}" height="{bh:.1f}" fill="#111"/>')
    out.append(f'<text x="{LABEL_W}" y="{h - 8}">{escape(tx["legend"])}</text>')
    out.append("</svg>")
    return "".join(out)
