"""Apneas and hypopneas (AASM 2012, Berry et al., JCSM 8:597) → AHI.

* Apnea: oronasal thermal-sensor amplitude drops by ≥ 90 % of the pre-event
  baseline for ≥ 10 s, measured from the drop to the return of breathing: the
  boundaries are the crossings of the 30 % line of the breath-amplitude envelope around the
  ≥ 90 % core (see :func:`_events`), so 10-13 s apneas keep their length. Obstructive when breathing effort (thorax/abdomen)
  continues, central when effort is absent throughout, mixed when it is absent
  first and resumes.
* Hypopnea: nasal-pressure amplitude drops by ≥ 30 % for ≥ 10 s, with a ≥ 3 %
  desaturation or an arousal (rule 1A) or with a ≥ 4 % desaturation (rule 1B).

Desaturations come from the ``desaturation`` detector and arousals from the
``arousal`` detector when they ran first (``context``); without arousals, rule 1A
counts desaturations only, and the summary says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.ndimage import percentile_filter, uniform_filter1d

from nachtwacht.psg.events._common import (
    SkipDetector,
    block_mean,
    check_usable,
    merge_runs,
    params_dict,
    per_hour,
    pick,
    runs,
    skipped,
    sleep_mask_at,
    stage_label,
    tst_hours,
)
from nachtwacht.psg.types import DetectorResult, Event, Hypnogram, Recording

NAME = "respiratory"
REQUIRES = (("airflow", "nasal_pressure"),)
#: Desaturations (rules 1A/1B) and arousals (rule 1A) are read, so they run first.
NEEDS = ("desaturation", "arousal")


@dataclass(frozen=True)
class Params:
    """Respiratory scoring parameters."""

    #: Apnea: thermal-sensor amplitude drop from baseline, fraction (AASM 2012: ≥ 90 %).
    apnea_drop: float = 0.90
    #: Hypopnea: nasal-pressure amplitude drop, fraction (AASM 2012: ≥ 30 %).
    hypopnea_drop: float = 0.30
    #: Minimum event duration, s (AASM 2012: ≥ 10 s for apneas and hypopneas).
    min_duration_s: float = 10.0
    #: Apnea core: the ≥ 90 % drop on the smoothed envelope must last this long before
    #: the event's boundaries are sought, s (implementation choice: the 1-s smoothed
    #: envelope shortens a 10-s stop by up to ~3 s at each end; the 10-s rule is applied
    #: to the event between its boundaries).
    apnea_core_min_s: float = 4.0
    #: Hypopnea core: the ≥ 30 % drop on the smoothed envelope must last this long, s
    #: (implementation choice, as for apneas; the 10-s rule is applied between the
    #: boundaries).
    hypopnea_core_min_s: float = 6.0
    #: Highest line a hypopnea boundary is placed on, as a share of baseline
    #: (implementation choice: half-way between baseline and the event's level, but
    #: never in the breath-to-breath wobble near baseline).
    hypopnea_edge_max: float = 0.8
    #: A hypopnea ends where breathing "approximates baseline amplitude" (AASM): this
    #: share of the way from the event's level back to baseline (implementation choice).
    hypopnea_end_frac: float = 0.7
    #: Highest line a hypopnea end is placed on, share of baseline (implementation choice).
    hypopnea_end_max: float = 0.9
    #: The end line must be reached within this long after the core, s; otherwise the
    #: onset line marks the end (implementation choice: breathing may stay shallower).
    end_search_s: float = 8.0
    #: Maximum event duration, s (implementation choice; longer is signal loss, unverified).
    max_duration_s: float = 150.0
    #: Hypopnea rule 1A desaturation, % (AASM 2012 recommended rule).
    desat_3a_pct: float = 3.0
    #: Hypopnea rule 1B desaturation, % (AASM 2012 acceptable rule / CMS).
    desat_4_pct: float = 4.0
    #: Which hypopnea rule gives ``ahi``: "1A" (3 % or arousal) or "1B" (4 %).
    hypopnea_rule: str = "1A"
    #: A desaturation belongs to an event when its nadir falls between the event start and
    #: this long after its end, s (common practice: the nadir lags by 10-30 s; unverified).
    desat_window_s: float = 30.0
    #: An arousal belongs to a hypopnea when it starts up to this long after its end, s
    #: (common practice; unverified).
    arousal_window_s: float = 5.0
    #: Baseline: a high percentile of the amplitude over the preceding window, s
    #: (AASM: "pre-event baseline"; the 2-min window is common practice).
    baseline_s: float = 120.0
    #: Percentile of the preceding amplitude used as baseline (implementation choice: a
    #: high percentile so earlier events do not pull the baseline down).
    baseline_percentile: float = 75.0
    #: Effort counts as absent below this share of its baseline (implementation choice,
    #: unverified; AASM says only "absent inspiratory effort").
    effort_absent_ratio: float = 0.25
    #: Breathing band for envelopes, Hz (adult breathing 6-40/min).
    band_hz: tuple[float, float] = (0.08, 1.0)
    #: Lowest usable sampling rate for a breathing channel, Hz (implementation choice).
    min_sf: float = 4.0


def _amplitude(x: np.ndarray, sf: float, p: Params) -> tuple[np.ndarray, float]:
    """Breath amplitude envelope (Hilbert magnitude, 1-s smoothed) at ~8 Hz."""
    step = max(1, int(round(sf / 8.0)))
    xs = block_mean(x, step)
    fs = sf / step
    hi = min(p.band_hz[1], 0.45 * fs)
    sos = signal.butter(2, [p.band_hz[0], hi], btype="bandpass", fs=fs, output="sos")
    y = signal.sosfiltfilt(sos, np.nan_to_num(xs))
    env = np.abs(signal.hilbert(y))
    env = uniform_filter1d(env, max(1, int(round(fs))), mode="nearest")
    return env, fs


def _baseline(env: np.ndarray, fs: float, p: Params) -> np.ndarray:
    """High percentile of the 1-s amplitude over the preceding ``baseline_s``."""
    per_s = block_mean(env, max(1, int(round(fs))))
    w = int(p.baseline_s)
    b = percentile_filter(per_s, p.baseline_percentile, size=w, mode="nearest",
                          origin=(w - 1) // 2)
    b = np.concatenate(([b[0]], b[:-1]))
    b = np.maximum(b, 1e-9)
    t = np.arange(env.size) / fs
    return np.interp(t, np.arange(per_s.size) + 0.5, b)


def _events(ratio: np.ndarray, fs: float, limit: float, p: Params,
            apnea: bool = False) -> list[tuple[int, int]]:
    """Spans where the amplitude ratio drops to ``limit``, with their AASM boundaries.

    The stretch below ``limit`` (10 % for apneas, 70 % for hypopneas) is the event's
    *core*. A smoothed envelope reaches the limit well after breathing falls and leaves
    it well before breathing returns (up to ~3 s at each end of a 10-s apnea), so the
    boundaries are sought outwards from the core where the envelope crosses back over
    a higher line: the 30 % line for apneas (the line hypopneas use); for hypopneas
    the onset half-way between baseline and the core's level ("the first breath
    clearly reduced") and the end 70 % of the way back ("the first breath that
    approximates baseline"). That places them on the start of the drop and on the
    return of breathing, the AASM boundaries. The rule's 10 s is applied between the boundaries.
    """
    starts, stops = runs(ratio <= limit)
    starts, stops = merge_runs(starts, stops, int(1.0 * fs))
    core_min = p.apnea_core_min_s if apnea else p.hypopnea_core_min_s
    core_ok = (stops - starts) / fs >= core_min
    new_s: list[int] = []
    new_e: list[int] = []
    reach = int(p.max_duration_s * fs)
    for a, b in zip(starts[core_ok].tolist(), stops[core_ok].tolist(), strict=True):
        if apnea:
            edge = end_edge = max(limit, 1.0 - p.hypopnea_drop)
        else:
            level = float(np.median(ratio[a:b]))
            edge = min(max(limit, 0.5 * (1.0 + level)), p.hypopnea_edge_max)
            end_edge = min(max(limit, level + p.hypopnea_end_frac * (1.0 - level)),
                           p.hypopnea_end_max)
        # Back to the last sample above the edge before the core, forward to the first
        # after it above the end line (bounded to the rule's longest event).
        lo = max(0, a - reach)
        pre = np.flatnonzero(ratio[lo:a] > edge)
        a2 = lo + int(pre[-1]) + 1 if pre.size else lo
        hi = min(ratio.size, b + reach)
        post = np.flatnonzero(ratio[b:min(hi, b + int(p.end_search_s * fs))] > end_edge)
        if not post.size:  # breathing stays lower after the event: the onset line
            post = np.flatnonzero(ratio[b:hi] > edge)
        b2 = b + int(post[0]) if post.size else hi
        if new_e and a2 <= new_e[-1]:  # two cores in one drop: one event
            new_e[-1] = max(new_e[-1], b2)
            continue
        new_s.append(a2)
        new_e.append(b2)
    st, sp = np.asarray(new_s, dtype=np.int64), np.asarray(new_e, dtype=np.int64)
    dur = (sp - st) / fs
    keep = (dur >= p.min_duration_s) & (dur <= p.max_duration_s)
    return list(zip(st[keep].tolist(), sp[keep].tolist(), strict=True))


def _effort_type(rec: Recording, t0: float, t1: float, p: Params,
                 effort: list[tuple[np.ndarray, np.ndarray, float]]) -> str:
    """obstructive / central / mixed from the effort channels during an apnea."""
    if not effort:
        return "unclassified"
    present = None
    for env, base, fs in effort:
        a, b = int(t0 * fs), max(int(t0 * fs) + 1, int(t1 * fs))
        seg = env[a:b] / base[a:b]
        here = seg > p.effort_absent_ratio
        present = here if present is None else present[: here.size] | here[: present.size]
    if present is None or present.size == 0:
        return "unclassified"
    absent = ~present
    k = max(1, absent.size // 5)
    if absent.mean() >= 0.8:
        return "central"
    # Mixed: effort absent at the start and back before the end (AASM 2012).
    if absent[:k].mean() >= 0.8 and absent[-k:].mean() <= 0.2:
        return "mixed"
    return "obstructive"


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Score apneas and hypopneas; summarise AHI (both hypopnea rules), OAI, CAI, HI."""
    p = params or Params()
    if p.hypopnea_rule not in ("1A", "1B"):
        raise ValueError(f"hypopnea_rule must be '1A' or '1B', not {p.hypopnea_rule!r}")
    ctx = context or {}
    try:
        thermal = pick(rec, ("airflow",))
        pressure = pick(rec, ("nasal_pressure",))
        if thermal is None and pressure is None:
            raise SkipDetector("missing_channel",
                               "no airflow (thermal) or nasal-pressure channel in the recording")
        usable = []
        for ch in (thermal, pressure):
            if ch is None:
                continue
            try:
                check_usable(ch, min_sf=p.min_sf)
                usable.append(ch)
            except SkipDetector as exc:
                last = exc
        if not usable:
            raise last
        thermal = thermal if thermal in usable else None
        pressure = pressure if pressure in usable else None
        if tst_hours(hyp) <= 0:
            raise SkipDetector("no_sleep", "the hypnogram scores no sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)

    notes: list[str] = []
    apnea_ch = thermal or pressure  # AASM: pressure is the alternative apnea sensor
    hyp_ch = pressure or thermal  # AASM: thermal is the alternative hypopnea sensor
    if thermal is None:
        notes.append("no usable thermal sensor: apneas scored on nasal pressure")
    if pressure is None:
        notes.append("no usable nasal pressure: hypopneas scored on the thermal sensor")

    effort = []
    for role in ("thorax", "abdomen"):
        ch = pick(rec, (role,))
        if ch is None:
            continue
        try:
            check_usable(ch, min_sf=p.min_sf)
        except SkipDetector:
            continue
        env, fs = _amplitude(ch.data, ch.sf, p)
        effort.append((env, _baseline(env, fs, p), fs))
    if not effort:
        notes.append("no usable effort channel: apneas are not typed")

    env_a, fs_a = _amplitude(apnea_ch.data, apnea_ch.sf, p)
    ratio_a = env_a / _baseline(env_a, fs_a, p)
    apneas = _events(ratio_a, fs_a, 1.0 - p.apnea_drop, p, apnea=True)
    if hyp_ch is apnea_ch:
        env_h, fs_h, ratio_h = env_a, fs_a, ratio_a
    else:
        env_h, fs_h = _amplitude(hyp_ch.data, hyp_ch.sf, p)
        ratio_h = env_h / _baseline(env_h, fs_h, p)
    hypops = _events(ratio_h, fs_h, 1.0 - p.hypopnea_drop, p)

    desat = ctx.get("desaturation")
    desats = desat.events if desat is not None and not desat.skipped else []
    if desat is None or desat.skipped:
        notes.append("no desaturations available: hypopneas need an arousal (1A) to count")
    ar = ctx.get("arousal")
    arousals = ar.events if ar is not None and not ar.skipped else []
    if ar is None or ar.skipped:
        notes.append("no arousals available: rule 1A uses desaturations only")
    # Desaturations are tied to events by their nadir, which lags the event: the start of
    # a slow drift can come before the event itself.
    d_on = np.array([e.figures.get("nadir_s", e.onset_s) for e in desats])
    d_drop = np.array([e.figures.get("drop_pct", 0.0) for e in desats])
    a_on = np.array([e.onset_s for e in arousals])

    def best_desat(t0: float, t1: float) -> float:
        if d_on.size == 0:
            return 0.0
        m = (d_on >= t0) & (d_on <= t1 + p.desat_window_s)
        return float(d_drop[m].max()) if m.any() else 0.0

    events: list[Event] = []
    a_spans = [(a / fs_a, b / fs_a) for a, b in apneas]
    for t0, t1 in a_spans:
        typ = _effort_type(rec, t0, t1, p, effort)
        events.append(Event("apnea", t0, t1 - t0, apnea_ch.name, stage_label(hyp, t0), {
            "type": typ, "drop_pct": round(100 * (1 - float(np.median(
                ratio_a[int(t0 * fs_a):int(t1 * fs_a)]))), 1),
            "desat_pct": best_desat(t0, t1)}))
    for a, b in hypops:
        t0, t1 = a / fs_h, b / fs_h
        if any(t0 < x1 and x0 < t1 for x0, x1 in a_spans):
            continue  # part of an apnea
        dd = best_desat(t0, t1)
        with_arousal = bool(a_on.size and ((a_on >= t0) & (a_on <= t1 + p.arousal_window_s)).any())
        rule_1a = dd >= p.desat_3a_pct or with_arousal
        rule_1b = dd >= p.desat_4_pct
        if not (rule_1a or rule_1b):
            continue
        events.append(Event("hypopnea", t0, t1 - t0, hyp_ch.name, stage_label(hyp, t0), {
            "drop_pct": round(100 * (1 - float(np.median(ratio_h[a:b]))), 1),
            "desat_pct": dd, "arousal": with_arousal, "rule_1a": rule_1a, "rule_1b": rule_1b}))
    events.sort(key=lambda e: e.onset_s)

    sleep = [e for e in events if sleep_mask_at(hyp, np.array([e.onset_s]))[0]]
    hours = tst_hours(hyp)
    ap = [e for e in sleep if e.kind == "apnea"]
    hy = [e for e in sleep if e.kind == "hypopnea"]
    n_1a = sum(e.figures["rule_1a"] for e in hy)
    n_1b = sum(e.figures["rule_1b"] for e in hy)
    ahi_3a = per_hour(len(ap) + n_1a, hours)
    ahi_4 = per_hour(len(ap) + n_1b, hours)
    summary = {
        "apneas": len(ap),
        "hypopneas_1a": n_1a,
        "hypopneas_1b": n_1b,
        "ahi": ahi_3a if p.hypopnea_rule == "1A" else ahi_4,
        "ahi_rule": p.hypopnea_rule,
        "ahi_3a": ahi_3a,
        "ahi_4": ahi_4,
        "oai": per_hour(sum(e.figures["type"] == "obstructive" for e in ap), hours),
        "cai": per_hour(sum(e.figures["type"] == "central" for e in ap), hours),
        "mai": per_hour(sum(e.figures["type"] == "mixed" for e in ap), hours),
        "hi": per_hour(n_1a if p.hypopnea_rule == "1A" else n_1b, hours),
        "tst_h": round(hours, 3),
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
