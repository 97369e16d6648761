"""Oxygen desaturations: ODI3/ODI4, nadir and time below 90 %.

There is no stand-alone AASM rule for desaturation events. This follows common
practice (e.g. Luna's DESAT defaults): a drop of at least 3 % (ODI3) or 4 % (ODI4)
from a baseline taken as the median of the previous 120 s, lasting at least 10 s.
The respiratory detector uses these events for the hypopnea rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from nachtwacht.psg.events._common import (
    SkipDetector,
    block_mean,
    params_dict,
    per_hour,
    require,
    runs,
    skipped,
    sleep_mask_at,
    stage_label,
    tst_hours,
)
from nachtwacht.psg.types import DetectorResult, Event, Hypnogram, Recording

NAME = "desaturation"
REQUIRES = ("spo2",)
#: Results of other detectors this one reads (none).
NEEDS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Params:
    """Desaturation parameters (common practice, not an AASM rule)."""

    #: Drop from baseline that counts for ODI3, % (common practice; AASM hypopnea rule 1A).
    min_drop_pct: float = 3.0
    #: Drop for ODI4, % (common practice; AASM hypopnea rule 1B / CMS).
    odi4_drop_pct: float = 4.0
    #: Baseline = median of the preceding window, s (common practice, e.g. Luna DESAT).
    baseline_s: float = 120.0
    #: Minimum event duration, s (common practice: ≥ 10 s, as for respiratory events).
    min_duration_s: float = 10.0
    #: Maximum event duration, s; longer drops are baseline shifts (implementation choice, unverified).
    max_duration_s: float = 180.0
    #: An event spans the time the drop is at least this much, % (implementation choice).
    edge_drop_pct: float = 1.0
    #: Values below this are probe-off artefacts, % (common practice: SpO2 < 50 % is artefact).
    min_valid_pct: float = 50.0
    #: Changes faster than this are artefacts, %/s (common practice: > 4 %/s is not physiology).
    max_slope_pct_s: float = 4.0
    #: Median smoothing before finding nadirs, s (implementation choice: oximeters average
    #: over 3-10 s).
    smooth_s: float = 3.0
    #: Level for time-below figure, % (T90: time with SpO2 < 90 %, standard report figure).
    t_below_pct: float = 90.0


def _clean_1hz(x: np.ndarray, sf: float, p: Params) -> np.ndarray:
    """SpO2 as 1-Hz means with artefacts (values < 50 %, jumps > 4 %/s) set to NaN."""
    if sf >= 1.0:
        s = block_mean(x, int(round(sf)))
    else:  # slower than 1 Hz: hold each value
        s = np.repeat(np.asarray(x, dtype=np.float64), int(round(1.0 / sf)))
    s = s.astype(np.float64)
    bad = ~np.isfinite(s) | (s < p.min_valid_pct) | (s > 100.5)
    jump = np.abs(np.diff(s, prepend=s[0])) > p.max_slope_pct_s
    # A jump marks both sides of the step; widen by 2 s so the edges of a probe-off go too.
    bad |= jump | np.roll(jump, -1)
    bad = np.convolve(bad.astype(np.int8), np.ones(5, dtype=np.int8), mode="same") > 0
    s[bad] = np.nan
    return s


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Find desaturations and summarise ODI, nadir and T90 over sleep."""
    p = params or Params()
    try:
        ch = require(rec, "spo2", min_sf=0.1, what="SpO2", clipping=False)
        if tst_hours(hyp) <= 0:
            raise SkipDetector("no_sleep", "the hypnogram scores no sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)

    s = _clean_1hz(ch.data, ch.sf, p)
    n = s.size
    valid = np.isfinite(s)
    # Baseline: median of the valid values in the previous `baseline_s` seconds.
    filled = s.copy()
    if valid.any():
        filled[~valid] = np.interp(np.flatnonzero(~valid), np.flatnonzero(valid), s[valid])
    # Oximeters average over a few seconds; a one-second dip is noise, not a nadir.
    filled = median_filter(filled, size=max(1, int(p.smooth_s)), mode="nearest")
    w = int(p.baseline_s)
    base = median_filter(filled, size=w, mode="nearest", origin=(w - 1) // 2)
    base = np.concatenate(([base[0]], base[:-1]))
    drop = base - filled
    drop[~valid] = 0.0
    starts, stops = runs(drop >= p.edge_drop_pct)
    events: list[Event] = []
    t_sec = np.arange(n) + 0.5
    sleep_s = sleep_mask_at(hyp, t_sec)
    for a, b in zip(starts, stops, strict=True):
        dur = float(b - a)
        if dur < p.min_duration_s or dur > p.max_duration_s:
            continue
        b0 = float(base[a])  # baseline frozen at the event start
        seg = filled[a:b]
        k = int(np.argmin(seg))
        nadir = float(seg[k])
        depth = b0 - nadir
        if depth < p.min_drop_pct:
            continue
        events.append(Event(
            kind="desaturation", onset_s=float(a), duration_s=dur, channel=ch.name,
            stage=stage_label(hyp, float(a)),
            figures={"baseline_pct": round(b0, 1), "nadir_pct": round(nadir, 1),
                     "drop_pct": round(depth, 1), "nadir_s": float(a + k),
                     "odi4": bool(depth >= p.odi4_drop_pct)},
        ))
    in_sleep = [e for e in events if sleep_mask_at(hyp, np.array([e.onset_s]))[0]]
    hours = tst_hours(hyp)
    sv = valid & sleep_s
    summary = {
        "desaturations": len(in_sleep),
        "odi3": per_hour(len(in_sleep), hours),
        "odi4": per_hour(sum(e.figures["odi4"] for e in in_sleep), hours),
        "spo2_nadir": round(float(np.nanmin(s[sv])), 1) if sv.any() else None,
        "spo2_mean": round(float(np.nanmean(s[sv])), 1) if sv.any() else None,
        "t90_min": round(float((s[sv] < p.t_below_pct).sum()) / 60.0, 2) if sv.any() else None,
        "t90_pct": round(100.0 * float((s[sv] < p.t_below_pct).sum()) / sv.sum(), 2)
        if sv.any() else None,
        "artefact_min": round(float((~valid).sum()) / 60.0, 2),
        "tst_h": round(hours, 3),
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
