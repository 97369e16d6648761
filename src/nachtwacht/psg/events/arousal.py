"""EEG arousals (ASDA 1992, Sleep 15:173), with arousals out of N3 reported apart.

An arousal is an abrupt shift of EEG frequency to alpha, theta or above 16 Hz (not
spindles) lasting at least 3 s, after at least 10 s of stable sleep; in REM sleep
a concurrent rise of chin EMG lasting at least 1 s is also needed.

Arousals out of N3 (slow-wave sleep) are the substrate of the NREM parasomnias:
sleepwalking, confusional arousals and sexsomnia start there. They are counted
separately (``n3_arousals``, ``n3_arousal_index`` per hour of N3) with the stage
that follows each one. As far as we know no other open tool reports them.

The shift is measured as band power (alpha 8-12 Hz, beta 16-30 Hz and theta
4-8 Hz) relative to the median of the preceding 10 s: ≥ 3× for alpha and beta,
for theta ≥ 3× in N3 and ≥ 4× elsewhere (in lighter sleep theta wanders more). Theta shifts are the usual form of
an arousal out of N3, so without them the N3 arousal index runs low.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.ndimage import median_filter, uniform_filter1d

from nachtwacht.psg.events import _ecg, _emg
from nachtwacht.psg.events._common import (
    SkipDetector,
    block_mean,
    merge_runs,
    overlapping_chunks,
    params_dict,
    per_hour,
    pick,
    require,
    runs,
    segment64,
    skipped,
    stage_label,
    stages_at,
    tst_hours,
)
from nachtwacht.psg.types import (
    N3,
    REM,
    SLEEP_STAGES,
    STAGE_LABELS,
    DetectorResult,
    Event,
    Hypnogram,
    Recording,
)

NAME = "arousal"
REQUIRES = (("eeg", "eeg_occipital", "eeg_frontal"),)
#: Results of other detectors this one reads (none).
NEEDS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Params:
    """Arousal parameters."""

    #: Minimum arousal duration, s (ASDA 1992: ≥ 3 s).
    min_duration_s: float = 3.0
    #: Stable sleep needed before an arousal, s (ASDA 1992: ≥ 10 s).
    min_sleep_before_s: float = 10.0
    #: Baseline window before the shift, s (ASDA 1992 compares with the preceding 10 s).
    baseline_s: float = 10.0
    #: Power ratio over baseline that counts as an abrupt shift (implementation choice;
    #: ASDA is a visual rule without a number, unverified).
    min_power_ratio: float = 3.0
    #: Alpha band, Hz (ASDA 1992).
    alpha_hz: tuple[float, float] = (8.0, 12.0)
    #: Fast band, Hz (ASDA 1992: "> 16 Hz", spindles 12-14 Hz excluded).
    beta_hz: tuple[float, float] = (16.0, 30.0)
    #: Theta band, Hz (ASDA 1992 allows theta shifts).
    theta_hz: tuple[float, float] = (4.0, 8.0)
    #: Use theta shifts too (ASDA 1992 counts them; out of N3 the shift is often to theta
    #: only, and these arousals matter for sleepwalking and sexsomnia).
    use_theta: bool = True
    #: Theta power ratio over baseline that counts as a shift (implementation choice,
    #: unverified: higher than for alpha/beta, because background theta wanders more
    #: and a lighter stage raises it gradually without an arousal).
    theta_power_ratio: float = 4.0
    #: Theta power ratio in N3, × (implementation choice, unverified: under slow waves
    #: background theta is steady, and out of N3 the arousal is often a theta shift
    #: only, so the alpha/beta ratio applies).
    theta_power_ratio_n3: float = 3.0
    #: Theta power smoothing window, s (implementation choice: theta bursts are
    #: irregular, and 1-s theta power breaks one arousal into sub-second pieces).
    theta_smooth_s: float = 2.0
    #: Power smoothing window, s (implementation choice).
    smooth_s: float = 1.0
    #: Shifts separated by less than this are one arousal, s (implementation choice).
    merge_gap_s: float = 1.0
    #: In REM the chin EMG must rise for at least this long, s (ASDA 1992: ≥ 1 s).
    rem_emg_min_s: float = 1.0
    #: Chin EMG rise over its preceding 10-s median that counts in REM (unverified).
    rem_emg_ratio: float = 1.5
    #: Arousals longer than this are awakenings rather than arousals, s (AASM: an
    #: arousal > 15 s in an epoch makes it wake; kept as information, not a filter).
    max_duration_s: float = 15.0
    #: Subtract the heartbeat from the EMG before scoring (scorers ignore ECG artefact;
    #: R peaks from the ECG channel, else from the EMG itself - see ``_ecg``).
    remove_ecg: bool = True


def _band_power(x: np.ndarray, sf: float, band: tuple[float, float], smooth: int,
                step: int) -> np.ndarray:
    hi = min(band[1], 0.45 * sf)
    sos = signal.butter(4, [band[0], hi], btype="bandpass", fs=sf, output="sos")
    # Chunk by chunk with overlap (float64 inside a chunk): the whole night at full rate
    # would need several float64 copies at once; only every `step`-th value is kept.
    pad = int(_emg.SETTLE_S * sf) + smooth
    parts = []
    for a, b, lo, hi_ in overlapping_chunks(x.size, pad, step=step):
        y = signal.sosfiltfilt(sos, segment64(x, lo, hi_))
        # .copy(): a strided view would keep the chunk's whole float64 array alive.
        parts.append(uniform_filter1d(np.square(y, out=y), smooth,
                                      mode="nearest")[a - lo:b - lo:step].copy())
        del y
    return np.concatenate(parts) if parts else np.zeros(0)


def detect(rec: Recording, hyp: Hypnogram, params: Params | None = None,
           context: dict | None = None) -> DetectorResult:
    """Detect EEG arousals; summarise the arousal index and arousals out of N3."""
    p = params or Params()
    try:
        ch = require(rec, ("eeg", "eeg_occipital", "eeg_frontal"), min_sf=2.2 * p.beta_hz[1],
                     what="EEG")
        if tst_hours(hyp) <= 0:
            raise SkipDetector("no_sleep", "the hypnogram scores no sleep")
    except SkipDetector as exc:
        return skipped(NAME, exc.code, exc.reason, p)
    notes: list[str] = []
    chin = pick(rec, ("emg_chin",))
    chin_env = None
    if chin is not None:
        try:
            require(rec, "emg_chin", min_sf=_emg.MIN_EMG_SF)
            chin_env = _emg.envelope(chin, ecg=_ecg.peaks_for(rec) if p.remove_ecg else None)
        except SkipDetector as exc:
            notes.append(f"chin EMG unusable ({exc.reason}): REM arousals not scored")
    else:
        notes.append("no chin EMG: REM arousals not scored")

    x = np.asarray(ch.data)  # stays float32; _band_power filters it in chunks
    fs_out = 4.0
    step = max(1, int(round(ch.sf / fs_out)))
    fs = ch.sf / step
    smooth = max(1, int(round(p.smooth_s * ch.sf)))
    th_smooth = max(1, int(round(p.theta_smooth_s * ch.sf)))
    st_out = stages_at(hyp, np.arange(-(-x.size // step)) / fs)
    bands = [(p.alpha_hz, p.min_power_ratio, smooth), (p.beta_hz, p.min_power_ratio, smooth)]
    if p.use_theta:
        bands.append((p.theta_hz, np.where(st_out == N3, p.theta_power_ratio_n3,
                                           p.theta_power_ratio), th_smooth))
    hits = None
    ratios = []
    hits_len = 0
    w = max(1, int(round(p.baseline_s * fs)))
    for band, thr, sm in bands:
        # Theta (≤ 8 Hz) at a quarter rate or so: the same power for a quarter of the
        # filtering (block means first; what aliases down is high-frequency EEG
        # attenuated by the block mean and then by the band-pass).
        q = max(1, int(ch.sf // 64)) if band[1] <= 8.0 else 1
        if q > 1 and step % q == 0:
            pw = _band_power(block_mean(x, q), ch.sf / q, band, max(1, sm // q), step // q)
            if hits_len and pw.size != hits_len:  # same length as the other bands
                pw = np.resize(pw, hits_len) if pw.size > hits_len else np.concatenate(
                    (pw, np.full(hits_len - pw.size, pw[-1])))
        else:
            pw = _band_power(x, ch.sf, band, sm, step)
        hits_len = hits_len or pw.size
        # Baseline: median over the preceding `baseline_s`, ending 0.5 s before now.
        base = median_filter(pw, size=w, mode="nearest", origin=(w - 1) // 2)
        lag = max(1, int(round(0.5 * fs)))
        base = np.concatenate((np.full(lag, base[0]), base[:-lag]))
        r = pw / np.maximum(base, 1e-12)
        ratios.append((pw, base, thr))
        h = r >= thr
        hits = h if hits is None else hits | h
    starts, stops = runs(hits)
    starts, stops = merge_runs(starts, stops, int(p.merge_gap_s * fs))

    t_axis = np.arange(hits.size) / fs
    st = stages_at(hyp, t_axis)
    is_sleep = np.isin(st, SLEEP_STAGES)
    events: list[Event] = []
    last_end = -np.inf
    for a, b in zip(starts, stops, strict=True):
        # Follow the shift with the baseline frozen at onset, so a long arousal is not cut
        # short by its own rising baseline.
        b_end = b
        frozen = [base[a] for _, base, _ in ratios]
        cap = min(hits.size, b + int(120 * fs))
        while b_end < cap and any(
                pw[b_end] >= np.take(thr, min(b_end, np.size(thr) - 1)) * f0
                for (pw, _, thr), f0 in zip(ratios, frozen, strict=True)):
            b_end += 1
        t0, t1 = a / fs, b_end / fs
        dur = t1 - t0
        if dur < p.min_duration_s:
            continue
        # Stable sleep before: the preceding 10 s scored sleep and free of arousals.
        i_before = int(max(0, (t0 - p.min_sleep_before_s) * fs))
        if t0 - p.min_sleep_before_s < 0 or not is_sleep[i_before:a + 1].all():
            continue
        if t0 - last_end < p.min_sleep_before_s:
            continue
        # The shift must start in sleep (a transition into a wake epoch is not an arousal).
        stage0 = hyp.stage_at(t0 + 1.0)
        if stage0 not in SLEEP_STAGES:
            continue
        if stage0 == REM:
            if chin_env is None:
                continue
            e = chin_env.values
            ce0 = int(max(0, (t0 - p.baseline_s) * chin_env.sf))
            ce1 = int(t0 * chin_env.sf)
            pre = float(np.median(e[ce0:ce1])) if ce1 > ce0 else float(np.median(e))
            seg = e[int(t0 * chin_env.sf):int(t1 * chin_env.sf)] > p.rem_emg_ratio * pre
            s2, e2 = runs(seg)
            if not (len(s2) and ((e2 - s2).max() / chin_env.sf >= p.rem_emg_min_s)):
                continue
        after = hyp.stage_at(t1 + 0.5)
        if int(t1 // hyp.epoch_s) == int(t0 // hyp.epoch_s):
            after = hyp.stage_at((int(t0 // hyp.epoch_s) + 1) * hyp.epoch_s)
        events.append(Event("arousal", t0, dur, ch.name, stage_label(hyp, t0), {
            "from_stage": STAGE_LABELS[stage0],
            "stage_after": STAGE_LABELS[after],
            "awakening": bool(dur > p.max_duration_s),
        }))
        last_end = t1

    hours = tst_hours(hyp)
    n3_h = tst_hours(hyp, (N3,))
    n3 = [e for e in events if e.figures["from_stage"] == "N3"]
    by_stage = {lab: sum(e.figures["from_stage"] == lab for e in events)
                for lab in ("N1", "N2", "N3", "R")}
    summary = {
        "arousals": len(events),
        "arousal_index": per_hour(len(events), hours),
        "arousals_by_stage": by_stage,
        "n3_arousals": len(n3),
        "n3_arousal_index": per_hour(len(n3), n3_h),
        "n3_arousals_to_wake": sum(e.figures["stage_after"] == "W" for e in n3),
        "n3_min": round(n3_h * 60.0, 1),
        "tst_h": round(hours, 3),
        "notes": notes,
    }
    return DetectorResult(name=NAME, events=events, summary=summary, params=params_dict(p))
