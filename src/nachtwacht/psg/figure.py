"""One-page overview of a night: hypnogram with events and episodes, SpO2, PLM raster.

Black and white readable (line styles and hatching, no colour coding), vector
output (PDF or SVG from the file extension). All panels share one time axis in
hours from the recording start, labelled with clock times when the start is known.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from nachtwacht.psg.types import N1, N2, N3, REM, UNSCORED, WAKE

#: Vertical order of the hypnogram: wake on top, REM under it (as clinicians draw it).
_Y = {WAKE: 5, REM: 4, N1: 3, N2: 2, N3: 1, UNSCORED: 0}
_Y_LABELS = ["?", "N3", "N2", "N1", "REM", "W"]


def _clock_formatter(start: dt.datetime | None):
    from matplotlib.ticker import FuncFormatter

    def fmt(h: float, _pos: int) -> str:
        if start is None:
            return f"{h:.0f} h"
        return (start + dt.timedelta(hours=h)).strftime("%H:%M")

    return FuncFormatter(fmt)


def render_night(analysis: Any, path: str | Path, lang: str = "nl") -> Path:
    """Draw the night of a :class:`~nachtwacht.psg.pipeline.NightAnalysis` to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nl = lang == "nl"
    rec = analysis.recording
    hyp = analysis.hypnogram
    dur_h = max(rec.duration_s, hyp.duration_s if hyp is not None else 0) / 3600 or 1.0
    fig, axes = plt.subplots(
        4, 1, figsize=(11.69, 8.27), sharex=True,
        gridspec_kw={"height_ratios": [3, 2, 1.6, 1]},
    )
    ax_h, ax_e, ax_s, ax_p = axes
    name = Path(rec.source).name if rec.source else ""
    when = rec.start.strftime("%Y-%m-%d %H:%M") if rec.start else ""
    fig.suptitle(
        ("Slaaponderzoek" if nl else "Sleep study") + f" - {name} {when}", fontsize=12, x=0.01,
        ha="left",
    )

    # Hypnogram with REM thick, so it stands out without colour.
    if hyp is not None and len(hyp):
        t = np.arange(len(hyp) + 1) * hyp.epoch_s / 3600
        y = np.array([_Y[int(s)] for s in hyp.stages] + [_Y[int(hyp.stages[-1])]])
        ax_h.step(t, y, where="post", color="black", lw=0.8)
        rem = np.where(np.r_[hyp.stages, hyp.stages[-1]] == REM, y, np.nan)
        ax_h.step(t, rem, where="post", color="black", lw=3.5)
        if hyp.confidence is not None:
            ax_c = ax_h.twinx()
            ax_c.fill_between(t[:-1], 0, hyp.confidence, step="post", color="0.85", lw=0)
            ax_c.set_ylim(0, 4)
            ax_c.set_yticks([])
            ax_c.set_zorder(ax_h.get_zorder() - 1)
            ax_h.patch.set_visible(False)
    else:
        ax_h.text(0.5, 0.5, "geen hypnogram" if nl else "no hypnogram", transform=ax_h.transAxes,
                  ha="center")
    ax_h.set_yticks(range(6), _Y_LABELS)
    ax_h.set_ylim(-0.5, 6.6)
    ax_h.set_ylabel("Slaapfase" if nl else "Stage")
    for ep in analysis.episodes:
        if not ep.get("in_recording"):
            continue
        x = ep["onset_s"] / 3600
        ax_h.plot([x], [6.1], marker="v", color="black", ms=7)
        ax_h.annotate(f"{ep['label'][:18]}", (x, 6.25), fontsize=6, rotation=30, ha="left")
    if analysis.stats:
        s = analysis.stats
        txt = "  ".join(
            f"{k} {s[k]:.0f}" + ("%" if k == "SE" else "")
            for k in ("TST", "SE", "WASO", "SOL")
            if s.get(k) is not None
        )
        ax_h.text(1.0, 1.02, txt + " (min)", transform=ax_h.transAxes, ha="right", fontsize=8)

    # Event raster: one row per detector, hatched boxes for each event.
    names = [n for n, r in analysis.results.items() if not r.skipped]
    for row, n in enumerate(names):
        for e in analysis.results[n].events:
            ax_e.broken_barh([(e.onset_s / 3600, max(e.duration_s, 10) / 3600)], (row - 0.35, 0.7),
                             facecolors="black")
    if names:
        ax_e.set_yticks(range(len(names)), names)
    else:
        ax_e.set_yticks([])
    ax_e.set_ylim(-0.7, max(len(names), 1) - 0.3)
    ax_e.set_ylabel("Gebeurtenissen" if nl else "Events")

    spo2 = rec.by_role("spo2")
    if spo2 is not None:
        step = max(1, int(spo2.sf))  # one point per second is plenty on one page
        y = spo2.data[::step]
        ax_s.plot(np.arange(len(y)) * step / spo2.sf / 3600, y, color="black", lw=0.5)
        # Scale to the real nadir, not to brief probe-off drops to zero.
        low = float(np.nanpercentile(y, 0.2)) if np.isfinite(y).any() else 50.0
        ax_s.set_ylim(max(50.0, low - 2), 100)
    else:
        ax_s.text(0.5, 0.5, "geen SpO2-kanaal" if nl else "no SpO2 channel",
                  transform=ax_s.transAxes, ha="center")
    ax_s.set_ylabel("SpO2 %")

    lm = analysis.results.get("leg_movements")
    if lm is not None and not lm.skipped:
        for e in lm.events:
            periodic = e.kind == "plm"
            ax_p.vlines(e.onset_s / 3600, 0.5 if periodic else 0, 1 if periodic else 0.45,
                        color="black" if periodic else "0.5", lw=0.6)
        ax_p.set_yticks([0.25, 0.75], ["LM", "PLM"])
    else:
        ax_p.text(0.5, 0.5, "geen beenbewegingen geanalyseerd" if nl else "no leg movements analysed",
                  transform=ax_p.transAxes, ha="center")
        ax_p.set_yticks([])
    ax_p.set_ylim(0, 1)
    ax_p.set_xlim(0, dur_h)
    ax_p.xaxis.set_major_formatter(_clock_formatter(rec.start))
    ax_p.set_xlabel("Kloktijd" if nl else "Clock time")
    fig.text(
        0.01, 0.005,
        ("Automatische analyse ter voorbereiding op een gesprek met een arts; geen diagnose."
         if nl else "Automatic analysis to prepare a talk with a doctor; not a diagnosis."),
        fontsize=7,
    )
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    path = Path(path)
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "pdf")
    plt.close(fig)
    return path
