"""Leg movements and periodic limb movements in sleep (AASM / WASM 2016, Ferri et al.).

* LM: on an anterior tibialis EMG, onset where the envelope rises 8 µV above the
  resting level, end at the start of a ≥ 0.5 s stretch within 2 µV of it;
  0.5-10 s long (WASM: up to 15 s for a bilateral movement).
* Movements on both legs whose onsets are < 5 s apart count as one (AASM).
* LMs from 0.5 s before a respiratory event to 0.5 s after it are excluded (AASM;
  WASM: from 2 s before to 10.25 s after its end, as an option).
* PLM series: ≥ 4 LMs with onset-to-onset intervals of 5-90 s (AASM; WASM 10-90 s as
  an option). An interval outside the range ends the series.
* An arousal is associated when the two are < 0.5 s apart (either order).

Summary per hour of sleep: ``plms_index``, ``plms_arousal_index``, ``lm_index``.

The ECG is subtracted from the leg EMG first (:mod:`._ecg`), and the envelope is a
median-based 100-ms RMS. Electrode pops and twitches shorter than 0.25 s lift it
8 µV for only an instant, yet their decaying tail can keep it 2 µV up for 0.5 s or
more; an LM's ≥ 8 µV rise must therefore be held ≥ 0.4 s in total (``min_active_s``),
so they no longer become 0.5-0.9 s "movements".
Respiratory events and arousals are read from those detectors (``NEEDS``), which
therefore run first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nachtwacht.psg.events import _ecg, _emg
from nachtwacht.psg.events._common import (
    SkipDetector,
    check_usable,
    params_dict,
    per_hour,
    pick,
    runs,
    skipped,
    sleep_mask_at,
    stage_label,
    tst_hours,
)
from nachtwacht.psg.types import Channel, DetectorResult, Event, Hypnogram, Recording

NAME = "leg_movements"
REQUIRES = (("leg_l", "leg_r"),)
#: Respiratory events (exclusion) and arousals (association) are read, so they run first.
NEEDS = ("respiratory", "arousal")


@dataclass(frozen=True)
class Params:
    """Leg-movement and PLM parameters."""

    #: Onset threshold above resting EMG, µV (AASM/WASM: 8 µV; Ferri 2016).
    onset_uv: float = 8.0
    #: End threshold above resting EMG, µV (AASM/WASM: 2 µV; Ferri 2016).
    offset_uv: float = 2.0
    #: The end is the start of a quiet stretch at least this long, s (WASM 2016: 0.5 s).
    offset_hold_s: float = 0.5
    #: Minimum LM duration, s (AASM/WASM: 0.5 s).
    min_duration_s: float = 0.5
    #: The rise of ≥ 8 µV must be held this long in total, s (implementation choice: the
    #: 0.5-s minimum less the 0.1-s envelope window; a pop or a < 0.25-s twitch lifts the
    #: envelope that high for ~0.2-0.4 s and then only its slow tail reaches 0.5 s).
    min_active_s: float = 0.4
    #: Maximum LM duration on one leg, s (AASM/WASM: 10 s).
    max_duration_s: float = 10.0
    #: Maximum duration of a bilateral LM, s (WASM 2016: 15 s).
    max_bilateral_s: float = 15.0
    #: Onsets on both legs closer than this are one LM, s (AASM: < 5 s).
    bilateral_merge_s: float = 5.0
    #: Minimum PLM interval, onset to onset, s (AASM: 5 s; WASM 2016: 10 s).
    min_interval_s: float = 5.0
    #: Maximum PLM interval, s (AASM/WASM: 90 s).
    max_interval_s: float = 90.0
    #: LMs in a PLM series (AASM/WASM: ≥ 4).
    min_series: int = 4
    #: Respiratory exclusion rule: "aasm" (±0.5 s around the event) or "wasm"
    #: (−2 s to +10.25 s around the event end, WASM 2016).
    resp_exclusion: str = "aasm"
    #: AASM exclusion margin around a respiratory event, s (AASM: 0.5 s).
    resp_margin_s: float = 0.5
    #: WASM exclusion window around a respiratory event end, s (WASM 2016: −2 … +10.25 s).
    wasm_resp_window_s: tuple[float, float] = (-2.0, 10.25)
    #: An arousal is associated when < this apart from the LM, s (AASM: < 0.5 s).
    arousal_gap_s: float = 0.5
    #: Resting EMG = this running percentile of the envelope (implementation choice,
    #: following the "resting EMG" of the rule).
    rest_percentile: float = 10.0
    #: Window of the resting-EMG percentile, s (implementation choice, unverified).
    rest_window_s: float = 60.0
    #: Envelope RMS window, s (implementation choice; Ferri 2016 uses 10-100 ms).
    envelope_s: float = 0.1
    #: Median-based envelope, so ECG spikes on the leg do not delay an LM's end or pass as
    #: movement (implementation choice).
    robust_envelope: bool = True
    #: Mains frequency to notch out of the EMG, Hz (50 in Europe).
    notch_hz: float = 50.0
    #: Subtract the heartbeat from the EMG before scoring (scorers ignore ECG artefact;
    #: R peaks from the ECG channel, else from the EMG itself - see ``_ecg``).
    remove_ecg: bool = True


def leg_lms(ch: Channel, p: Params, ecg: np.ndarray | str | None = None
            ) -> list[tuple[float, float, float]]:
    """LMs on one leg as (onset_s, end_s, peak µV above rest).

    Candidates whose ≥ 8 µV part lasts less than ``min_active_s`` (pops, twitches) are
    left out; the duration rule (0.5-10 s) is applied by the caller.
    """
    env = _emg.envelope(ch, win_s=p.envelope_s, out_sf=50.0, notch_hz=p.notch_hz,
                        robust=p.robust_envelope, ecg=ecg)
    v, fs = env.values.astype(np.float64), env.sf
    rest = _emg.running_percentile(v, fs, window_s=p.rest_window_s, q=p.rest_percentile)
    above = v - rest
    hi_s, _ = runs(above > p.onset_uv)
    q_s, q_e = runs(above <= p.offset_uv)
    hold = int(round(p.offset_hold_s * fs))
    quiet = q_s[(q_e - q_s) >= hold]
    out: list[tuple[float, float, float]] = []
    last_end = -1
    for a in hi_s:
        if a < last_end:
            continue
        k = np.searchsorted(quiet, a, side="right")
        b = int(quiet[k]) if k < quiet.size else v.size
        last_end = b
        peak = float(above[a:b].max()) if b > a else 0.0
        if np.count_nonzero(above[a:b] > p.onset_uv) < p.min_active_s * fs:
            continue  # a pop or a twitch: high for an instant, then only its tail
        out.append((a / fs, b / fs, peak))
    return out


def _merge_bilateral(left: list, right: list, p: Params) -> list[dict]:
    """One list of LMs; onsets on different legs < ``bilateral_merge_s`` apart merge."""
    evs = sorted([dict(on=a, end=b, peak=pk, legs="L") for a, b, pk in left]
                 + [dict(on=a, end=b, peak=pk, legs="R") for a, b, pk in right],
                 key=lambda e: e["on"])
    merged: list[dict] = []
    for e in evs:
        m = merged[-1] if merged else None
        if (m is not None and e["legs"] not in m["legs"]
                and e["on"] - m["on"] < p.bilateral_merge_s):
            m["end"] = max(m["end"], e["end"])
            m["peak"] = max(m["peak"], e["peak"])
            m["legs"] = "LR"
            m["durs"].append(e["end"] - e["on"])
        else:
            e["durs"] = [e["end"] - e["on"]]
            merged.append(e)
    return merged


def _valid(lm: dict, p: Params) -> bool:
    """A merged bilateral movement may last up to 15 s (WASM 2016)."""
    limit = p.max_bilateral_s if lm["legs"] == "LR" else p.max_duration_s
    return lm["end"] - lm["on"] <= limit


def _series(onsets: np.ndarray, p: Params) -> np.ndarray:
    """Boolean: which LMs belong to a PLM series."""
    n = onsets.size
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    gaps = np.diff(onsets)
    ok = (gaps >= p.min_interval_s) & (gaps <= p.max_interval_s)
    # Consecutive good intervals link LMs into chains; a chain of k intervals has k+1 LMs.
    s, e = runs(ok)
    for a, b in zip(s, e, strict=True):
        if (b - a) + 1 >= p.min_series:
            out[a:b + 1] = True
    return out


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Score LMs and PLM series; summarise PLMS index and PLMS-arousal index."""
    p = params or Params()
    if p.resp_exclusion not in ("aasm", "wasm"):
        raise ValueError(f"resp_exclusion must be 'aasm' or 'wasm', not {p.resp_exclusion!r}")
    ctx = context or {}
    notes: list[str] = []
    legs: dict[str, Channel] = {}
    try:
        reasons = []
        for role in ("leg_l", "leg_r"):
            ch = pick(rec, (role,))
            if ch is None:
                continue
            try:
                check_usable(ch, min_sf=_emg.MIN_EMG_SF, what="leg EMG")
                legs[role] = ch
            except SkipDetector as exc:
                reasons.append(exc)
        if not legs:
            if reasons:
                raise reasons[0]
            raise SkipDetector("missing_channel", "no leg (tibialis) EMG channel in the recording")
        if len(legs) == 1:
            notes.append("one leg only: bilateral movements cannot be merged")
        if tst_hours(hyp) <= 0:
            raise SkipDetector("no_sleep", "the hypnogram scores no sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)

    ecg = _ecg.peaks_for(rec) if p.remove_ecg else None

    def one_leg(role: str) -> list[tuple[float, float, float]]:
        # Each leg's movement must itself be an LM (0.5-10 s) before legs are merged.
        if role not in legs:
            return []
        return [m for m in leg_lms(legs[role], p, ecg)
                if p.min_duration_s <= m[1] - m[0] <= p.max_duration_s]

    left, right = one_leg("leg_l"), one_leg("leg_r")
    lms = [lm for lm in _merge_bilateral(left, right, p) if _valid(lm, p)]

    resp = ctx.get("respiratory")
    resp_ev = [] if resp is None or resp.skipped else [
        e for e in resp.events if e.kind in ("apnea", "hypopnea")]
    if resp is None or resp.skipped:
        notes.append("no respiratory events available: no LMs excluded around them")
    for lm in lms:
        lm["resp"] = False
        for e in resp_ev:
            if p.resp_exclusion == "aasm":
                lo, hi = e.onset_s - p.resp_margin_s, e.end_s + p.resp_margin_s
            else:
                lo, hi = e.end_s + p.wasm_resp_window_s[0], e.end_s + p.wasm_resp_window_s[1]
            if lm["on"] < hi and lo < lm["end"]:
                lm["resp"] = True
                break
    counted = [lm for lm in lms if not lm["resp"]]
    onsets = np.array([lm["on"] for lm in counted])
    in_series = _series(onsets, p)

    ar = ctx.get("arousal")
    ar_ev = [] if ar is None or ar.skipped else ar.events
    if ar is None or ar.skipped:
        notes.append("no arousals available: PLMS-arousal index not computed")
    ar_on = np.array([e.onset_s for e in ar_ev])
    ar_end = np.array([e.end_s for e in ar_ev])

    sleep_flags = sleep_mask_at(hyp, onsets) if onsets.size else np.zeros(0, dtype=bool)
    events: list[Event] = []
    for i, lm in enumerate(counted):
        with_ar = bool(ar_on.size and ((ar_on < lm["end"] + p.arousal_gap_s)
                                       & (lm["on"] < ar_end + p.arousal_gap_s)).any())
        names = "+".join(legs["leg_" + g.lower()].name for g in lm["legs"])
        events.append(Event("plm" if in_series[i] else "lm", lm["on"], lm["end"] - lm["on"],
                             names, stage_label(hyp, lm["on"]), {
                                 "legs": lm["legs"], "peak_uv": round(lm["peak"], 1),
                                 "in_series": bool(in_series[i]), "arousal": with_ar,
                                 "in_sleep": bool(sleep_flags[i])}))
    for lm in lms:
        if lm["resp"]:
            events.append(Event("lm_respiratory", lm["on"], lm["end"] - lm["on"],
                                "", stage_label(hyp, lm["on"]), {"legs": lm["legs"]}))
    events.sort(key=lambda e: e.onset_s)

    hours = tst_hours(hyp)
    sl = [e for e in events if e.kind in ("lm", "plm") and e.figures["in_sleep"]]
    plms = [e for e in sl if e.kind == "plm"]
    plms_ar = [e for e in plms if e.figures["arousal"]]
    summary = {
        "lm_count": len(sl),
        "lm_index": per_hour(len(sl), hours),
        "plms_count": len(plms),
        "plms_index": per_hour(len(plms), hours),
        "plms_arousal_count": len(plms_ar) if ar_ev or ar is not None else None,
        "plms_arousal_index": per_hour(len(plms_ar), hours) if ar is not None
        and not ar.skipped else None,
        "lm_excluded_respiratory": sum(lm["resp"] for lm in lms),
        "plms_clinically_significant": bool((per_hour(len(plms), hours) or 0) >= 15),
        "interval_rule": f"{p.min_interval_s:g}-{p.max_interval_s:g} s",
        "tst_h": round(hours, 3),
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
