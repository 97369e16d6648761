"""REM sleep without atonia (RSWA) on chin EMG, by the AASM, SINBAR and Montreal rules.

REM sleep normally paralyses the chin. RSWA, muscle tone or twitches in REM, is the
polysomnographic marker of REM sleep behaviour disorder. Each REM epoch is cut
into mini-epochs; a mini-epoch is

* *phasic* when it holds a burst of 0.1-5 s above a multiple of the background
  (AASM: 4×; SINBAR: 2×),
* *tonic* when more than half of it sits at ≥ 2× background (SINBAR), and
* *any* when it is phasic or tonic (SINBAR "any mentalis").

A 30-s REM epoch is tonic (AASM) when more than half of it lies above the lowest
NREM chin amplitude. The background is the low percentile of the chin envelope over
all REM sleep, i.e. the atonia level.

Verdicts (``rswa_positive``): SINBAR "any" mentalis ≥ 18 % of 3-s mini-epochs
(Frauscher 2012); SINBAR any mentalis + phasic flexor digitorum ≥ 32 % (needs an
``arm`` channel); Montreal tonic ≥ 30 % of 20-s epochs / phasic ≥ 15 % of 2-s
mini-epochs (Montplaisir 2010, unverified). These are research cut-offs for
REM sleep behaviour disorder, not a diagnosis.

The heartbeat is subtracted from the chin (and arm) EMG before any of this
(:mod:`._ecg`): on an atonic REM chin a few-µV QRS otherwise passes for phasic
bursts (issue #13: 88.7 % "phasic" mini-epochs on a healthy night).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nachtwacht.psg.events import _ecg, _emg
from nachtwacht.psg.events._common import (
    SkipDetector,
    check_usable,
    params_dict,
    pick,
    require,
    runs,
    skipped,
    stages_at,
    tst_hours,
)
from nachtwacht.psg.types import N2, N3, REM, DetectorResult, Event, Hypnogram, Recording

NAME = "rswa"
REQUIRES = ("emg_chin",)
#: Results of other detectors this one reads (none).
NEEDS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Params:
    """RSWA parameters."""

    #: Mini-epoch length, s (AASM and SINBAR: 3 s).
    mini_epoch_s: float = 3.0
    #: Phasic burst minimum length, s (AASM/SINBAR: 0.1 s).
    burst_min_s: float = 0.1
    #: Phasic burst maximum length, s (AASM/SINBAR: 5 s).
    burst_max_s: float = 5.0
    #: AASM phasic burst amplitude, × background (AASM: ≥ 4×).
    aasm_phasic_factor: float = 4.0
    #: SINBAR phasic burst amplitude, × background (Frauscher 2012: > 2×).
    sinbar_phasic_factor: float = 2.0
    #: SINBAR tonic amplitude, × background (Frauscher 2012: ≥ 2×).
    sinbar_tonic_factor: float = 2.0
    #: Share of an epoch that must be active to call it tonic (AASM/SINBAR: > 50 %).
    tonic_share: float = 0.5
    #: AASM excessive phasic epoch: mini-epochs with bursts out of 10 (AASM: ≥ 5 of 10).
    aasm_phasic_minis: int = 5
    #: SINBAR "any" mentalis cut-off, % of 3-s mini-epochs (Frauscher 2012: 18 %).
    sinbar_any_cutoff_pct: float = 18.0
    #: SINBAR any mentalis + phasic flexor digitorum cut-off, % (Frauscher 2012: 32 %).
    sinbar_any_fds_cutoff_pct: float = 32.0
    #: Montreal tonic cut-off, % of 20-s REM epochs (Montplaisir 2010: 30 %; unverified).
    montreal_tonic_cutoff_pct: float = 30.0
    #: Montreal phasic cut-off, % of 2-s mini-epochs (Montplaisir 2010: 15 %; unverified).
    montreal_phasic_cutoff_pct: float = 15.0
    #: Background = this percentile of the REM chin envelope (implementation choice).
    background_percentile: float = 5.0
    #: Minimum REM for a verdict, min (implementation choice: too little REM is uninformative).
    min_rem_min: float = 5.0
    #: Envelope window, s (implementation choice).
    envelope_s: float = 0.1
    #: Median of 20-ms RMS blocks over the window, so ECG spikes on the atonic REM chin
    #: do not count as phasic bursts (implementation choice; scorers ignore ECG artefact).
    robust_envelope: bool = True
    #: Bursts closer than this are one burst, s (implementation choice).
    merge_gap_s: float = 0.1
    #: Subtract the heartbeat from the EMG before scoring (scorers ignore ECG artefact;
    #: R peaks from the ECG channel, else from the EMG itself - see ``_ecg``).
    remove_ecg: bool = True


def _bursts(active: np.ndarray, fs: float, p: Params) -> np.ndarray:
    """Mask of samples inside 0.1-5 s bursts."""
    s, e = runs(active)
    if len(s):
        keep = np.concatenate(([True], (s[1:] - e[:-1]) > int(p.merge_gap_s * fs)))
        s2 = s[keep]
        e2 = np.concatenate((e[:-1][keep[1:]], [e[-1]]))
        s, e = s2, e2
    d = (e - s) / fs
    ok = (d >= p.burst_min_s) & (d <= p.burst_max_s)
    out = np.zeros(active.size, dtype=bool)
    for a, b in zip(s[ok], e[ok], strict=True):
        out[a:b] = True
    return out


def _windows(n: int, fs: float, win_s: float) -> np.ndarray:
    """Window index of each sample for windows of ``win_s`` from the recording start."""
    return (np.arange(n) / fs // win_s).astype(np.int64)


def _window_flags(mask: np.ndarray, rem: np.ndarray, fs: float, win_s: float, how: str,
                  share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Per window: flagged (``how`` = "any": a sample set; "share": more than ``share``
    set) and wholly-REM, for complete windows only."""
    idx = _windows(mask.size, fs, win_s)
    cnt = np.bincount(idx)
    hit = np.bincount(idx, weights=mask.astype(np.float64))
    in_rem = np.bincount(idx, weights=rem.astype(np.float64)) >= cnt - 0.5
    full = cnt >= 0.95 * win_s * fs
    flag = hit > 0 if how == "any" else hit / np.maximum(cnt, 1) > share
    return flag & full, in_rem & full


def _per_window(mask: np.ndarray, rem: np.ndarray, fs: float, win_s: float,
                how: str, share: float = 0.5) -> tuple[int, int]:
    """(flagged, total) REM windows of ``win_s``."""
    flag, r = _window_flags(mask, rem, fs, win_s, how, share)
    return int((flag & r).sum()), int(r.sum())


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Score tonic, phasic and any chin activity in REM; give the published verdicts."""
    p = params or Params()
    try:
        chin = require(rec, "emg_chin", min_sf=_emg.MIN_EMG_SF, what="chin EMG")
        if tst_hours(hyp, (REM,)) <= 0:
            raise SkipDetector("no_rem", "the hypnogram scores no REM sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)
    notes: list[str] = []
    ecg = _ecg.peaks_for(rec) if p.remove_ecg else None
    env = _emg.envelope(chin, win_s=p.envelope_s, out_sf=50.0, robust=p.robust_envelope,
                        ecg=ecg)
    v, fs = env.values.astype(np.float64), env.sf
    st = stages_at(hyp, np.arange(v.size) / fs)
    rem = st == REM
    bg = float(np.percentile(v[rem], p.background_percentile))
    bg = max(bg, 1e-6)
    nrem = np.isin(st, (N2, N3))
    nrem_min = float(np.percentile(v[nrem], p.background_percentile)) if nrem.any() else None

    ph_aasm = _bursts(v > p.aasm_phasic_factor * bg, fs, p) & rem
    ph_sin = _bursts(v > p.sinbar_phasic_factor * bg, fs, p) & rem
    tonic_sin = (v >= p.sinbar_tonic_factor * bg) & rem
    tonic_aasm = (v > (nrem_min if nrem_min is not None else p.sinbar_tonic_factor * bg)) & rem

    es = hyp.epoch_s
    n_ph, n_mini = _per_window(ph_sin, rem, fs, p.mini_epoch_s, "any")
    n_tmini, _ = _per_window(tonic_sin, rem, fs, p.mini_epoch_s, "share", p.tonic_share)
    any_mask = ph_sin | _expand_share(tonic_sin, fs, p.mini_epoch_s, p.tonic_share)
    n_any, _ = _per_window(any_mask, rem, fs, p.mini_epoch_s, "any")
    n_tonic_ep, n_ep = _per_window(tonic_sin, rem, fs, es, "share", p.tonic_share)
    n_tonic_aasm, _ = _per_window(tonic_aasm, rem, fs, es, "share", p.tonic_share)
    # AASM excessive phasic epochs: ≥ 5 of the 10 mini-epochs with ≥ 4× bursts.
    per_ep = int(round(es / p.mini_epoch_s))
    mflag, mrem = _window_flags(ph_aasm, rem, fs, p.mini_epoch_s, "any")
    ep_of_mini = np.arange(mflag.size) // per_ep
    ep_count = np.bincount(ep_of_mini, weights=(mflag & mrem).astype(np.float64))
    n_phasic_aasm = int((ep_count >= p.aasm_phasic_minis).sum())
    # Montreal: 20-s epochs and 2-s mini-epochs.
    n_mt, n_m20 = _per_window(tonic_sin, rem, fs, 20.0, "share", p.tonic_share)
    n_mp, n_m2 = _per_window(ph_sin, rem, fs, 2.0, "any")
    arm = pick(rec, ("arm",))
    fds_pct = None
    any_fds_pct = None
    if arm is not None:
        try:
            check_usable(arm, min_sf=_emg.MIN_EMG_SF, what="arm EMG")
            aenv = _emg.envelope(arm, win_s=p.envelope_s, out_sf=50.0, robust=p.robust_envelope,
                                 ecg=ecg).values.astype(np.float64)
            m = min(aenv.size, v.size)
            abg = max(float(np.percentile(aenv[:m][rem[:m]], p.background_percentile)), 1e-6)
            a_ph = _bursts(aenv[:m] > p.sinbar_phasic_factor * abg, fs, p) & rem[:m]
            n_fds, _ = _per_window(a_ph, rem[:m], fs, p.mini_epoch_s, "any")
            n_comb, _ = _per_window(any_mask[:m] | a_ph, rem[:m], fs, p.mini_epoch_s, "any")
            fds_pct = _pct(n_fds, n_mini)
            any_fds_pct = _pct(n_comb, n_mini)
        except SkipDetector as exc:
            notes.append(f"arm EMG unusable ({exc.reason})")
    else:
        notes.append("no arm (flexor digitorum) EMG: the SINBAR 32 % rule cannot be applied")

    rem_min = round(n_mini * p.mini_epoch_s / 60.0, 1)
    enough = rem_min >= p.min_rem_min
    if not enough:
        notes.append(f"only {rem_min} min of clean REM: no verdicts")
    any_pct = _pct(n_any, n_mini)
    tonic_pct = _pct(n_tonic_ep, n_ep)
    phasic_pct = _pct(n_ph, n_mini)
    mt_pct, mp_pct = _pct(n_mt, n_m20), _pct(n_mp, n_m2)
    verdicts = {
        "sinbar_any_mentalis_18pct": (any_pct >= p.sinbar_any_cutoff_pct) if enough else None,
        "sinbar_any_mentalis_fds_32pct": (any_fds_pct >= p.sinbar_any_fds_cutoff_pct)
        if enough and any_fds_pct is not None else None,
        "montreal_tonic_30pct": (mt_pct >= p.montreal_tonic_cutoff_pct) if enough else None,
        "montreal_phasic_15pct": (mp_pct >= p.montreal_phasic_cutoff_pct) if enough else None,
        "aasm_tonic_or_excessive_phasic": (n_tonic_aasm + n_phasic_aasm > 0) if enough else None,
    }
    events: list[Event] = []
    # Events: tonic REM epochs and phasic bursts, for the night view.
    tflag, trem = _window_flags(tonic_sin, rem, fs, es, "share", p.tonic_share)
    ep_idx = np.flatnonzero(tflag & trem)
    for i in ep_idx:
        events.append(Event("rswa_tonic", float(i * es), es, chin.name, "R", {}))
    s, e = runs(ph_sin)
    for a, b in zip(s, e, strict=True):
        pk = float(v[a:b].max() / bg)
        events.append(Event("rswa_phasic", a / fs, (b - a) / fs, chin.name, "R",
                            {"peak_x_background": round(pk, 1), "aasm": bool(ph_aasm[a:b].any())}))
    events.sort(key=lambda x: x.onset_s)
    summary = {
        "rem_min": rem_min,
        "background_uv": round(bg, 2),
        "rswa_tonic_pct": tonic_pct,
        "rswa_phasic_pct": phasic_pct,
        "rswa_any_pct": any_pct,
        "rswa_tonic_mini_pct": _pct(n_tmini, n_mini),
        "rswa_fds_phasic_pct": fds_pct,
        "rswa_any_fds_pct": any_fds_pct,
        "aasm_tonic_epochs": n_tonic_aasm,
        "aasm_phasic_epochs": n_phasic_aasm,
        "montreal_tonic_pct": mt_pct,
        "montreal_phasic_pct": mp_pct,
        "rswa_positive": verdicts,
        "cutoffs": {"sinbar_any": p.sinbar_any_cutoff_pct, "sinbar_any_fds": p.sinbar_any_fds_cutoff_pct,
                    "montreal_tonic": p.montreal_tonic_cutoff_pct,
                    "montreal_phasic": p.montreal_phasic_cutoff_pct},
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))


def _expand_share(mask: np.ndarray, fs: float, win_s: float, share: float) -> np.ndarray:
    """Set whole windows where more than ``share`` of samples are set (tonic mini-epochs)."""
    idx = _windows(mask.size, fs, win_s)
    cnt = np.bincount(idx)
    flag = np.bincount(idx, weights=mask.astype(np.float64)) / np.maximum(cnt, 1) > share
    return flag[idx]


def _pct(k: int, n: int) -> float:
    return round(100.0 * k / n, 1) if n else 0.0
