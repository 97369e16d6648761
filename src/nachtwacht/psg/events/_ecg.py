"""ECG artefact removal from EMG channels: R peaks, then median-template subtraction.

Every EMG lead picks up the heart. On an atonic REM chin or a quiet leg a 4 µV QRS is
as large as the muscle signal itself, so without removal heartbeats pass as phasic
RSWA bursts, leg twitches or sleep starts. Scorers ignore them; so do we:

1. **R peaks.** From the ECG channel when the recording has a usable one, with
   NeuroKit2's ``ecg_peaks`` (method "neurokit"; BSD-licensed, maintained, validated
   on the public ECG databases). It was chosen over MNE's ``find_ecg_events`` (already
   installed) because that took 18 s for a 2-hour ECG here against 0.8 s, and over a
   hand-written detector because QRS detection is solved well elsewhere. NeuroKit2 is
   imported only when an ECG channel is present (its import costs ~0.3 s after YASA).
   Without an ECG channel the peaks are found on the EMG itself (NeuroKit2's detector
   is tuned to ECG and finds nothing there): the largest sharp deflections of the
   10-30 Hz EMG, kept only where they come at a regular heart rhythm, then a matched
   filter with their median QRS, then the beats missing between regular ones. The
   legs are searched first and their beats serve every EMG lead. Measured limits: a
   10 µV ECG on a chin-only recording takes healthy REM from 93.6 % to 2.0 % phasic
   mini-epochs (0.4 % with an ECG channel); a 5 µV one, barely visible under the
   muscle noise of a noisy night, is only partly found (4.4 % → 3.5 %).
2. **Template subtraction.** In the 10-100 Hz EMG band only the QRS survives (P and T
   waves are slower), so a short window around each R peak holds the artefact. The
   median of those windows over the surrounding ~17 minutes is the template (the
   median ignores beats that fall inside a muscle burst) and is subtracted at every
   beat. Subtraction, not blanking, so a burst that overlaps a beat keeps its energy.
"""

from __future__ import annotations

import contextlib
import weakref

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d
from scipy.signal import butter, fftconvolve, find_peaks, sosfiltfilt

from nachtwacht.psg.events._common import overlapping_chunks, runs, segment64
from nachtwacht.psg.types import Channel, Recording

#: Window around an R peak holding the QRS in the 10-100 Hz band, s (before, after).
QRS_WINDOW_S = (0.10, 0.16)
#: A beat interval is regular within this share of the local median interval.
RR_TOLERANCE = 0.10
#: Regular intervals in a row that make a heart rhythm (random EMG maxima 0.35 s or
#: more apart fall within ± 10 % of their local median about one time in three, so
#: four in a row happen about once in a hundred; a heart does it most of the time).
MIN_RUN = 4
#: Upper edge of the band the QRS is looked for in when there is no ECG channel, Hz.
QRS_BAND_HZ = 30.0
#: Fewest beats for a template (fewer: a median of noise, not of heartbeats).
MIN_BEATS = 12
#: Plausible adult heart rate range as R-R interval, s (35-170 beats/min).
RR_RANGE_S = (0.35, 1.7)

_PEAKS: dict[int, tuple[weakref.ref, np.ndarray | None]] = {}


def ecg_peaks(ecg: Channel) -> np.ndarray | None:
    """R-peak times (s) on an ECG channel with NeuroKit2, or None when it has no rhythm.

    Cached per data array: every EMG detector asks for the same peaks.
    """
    x = np.asarray(ecg.data)
    hit = _PEAKS.get(id(x))
    if hit is not None and hit[0]() is x:
        return hit[1]
    out = _nk_peaks(x, ecg.sf)
    for k in [k for k, (ref, _) in _PEAKS.items() if ref() is None]:
        del _PEAKS[k]
    with contextlib.suppress(TypeError):  # arrays without weakref support: no cache
        _PEAKS[id(x)] = (weakref.ref(x), out)
    return out


def _nk_peaks(x: np.ndarray, sf: float) -> np.ndarray | None:
    if sf < 100 or x.size < 10 * sf:
        return None
    import neurokit2 as nk  # heavy; only for recordings with an ECG channel

    sig = np.nan_to_num(np.asarray(x, dtype=np.float64))
    if float(np.ptp(sig[:: max(1, sig.size // 100_000)])) <= 0:
        return None
    try:
        _, info = nk.ecg_peaks(sig, sampling_rate=int(round(sf)), method="neurokit",
                               correct_artifacts=False)
    except Exception:  # a broken ECG must not stop EMG scoring; self-detection follows
        return None
    pk = np.asarray(info.get("ECG_R_Peaks", []), dtype=np.float64)
    if pk.size < MIN_BEATS:
        return None
    rr = np.median(np.diff(pk)) / sf
    if not RR_RANGE_S[0] <= rr <= RR_RANGE_S[1]:
        return None
    return pk / sf


#: EMG leads searched for the heartbeat when there is no ECG channel, best first (the
#: legs are farthest from the face muscles and usually quiet in sleep).
SEARCH_ROLES = ("leg_l", "leg_r", "emg_chin", "arm", "emg_masseter")


def peaks_for(rec: Recording | None) -> np.ndarray | str:
    """R-peak times for cleaning every EMG of ``rec``.

    From the ECG channel when usable; otherwise from the first EMG lead (legs first)
    on which at least half the expected heartbeats are found at a regular rhythm, so a
    chin whose own QRS is hard to see is cleaned with the legs' beats. ``"self"`` (find
    them on each EMG segment) when no lead carries a clear rhythm.
    """
    if rec is None:
        return "self"
    ch = rec.by_role("ecg")
    if ch is not None:
        pk = ecg_peaks(ch)
        if pk is not None:
            return pk
    for role in SEARCH_ROLES:
        emg = rec.by_role(role)
        if emg is None or emg.sf < 100:
            continue
        pk = emg_peaks(emg)
        if pk is not None:
            return pk
    return "self"


def emg_peaks(ch: Channel) -> np.ndarray | None:
    """R-peak times (s) found on one EMG lead, or None when fewer than half the expected
    beats (at 70/min) show a regular rhythm. Cached per data array."""
    x = np.asarray(ch.data)
    key = -id(x)  # negative: apart from the ECG-channel entries
    hit = _PEAKS.get(key)
    if hit is not None and hit[0]() is x:
        return hit[1]
    sf = float(ch.sf)
    # Straight to the QRS band (no 10-100 Hz EMG filter, no mains notch: 50 Hz is far
    # outside 10-30 Hz), then at half rate or less: the beats' timing only needs to be
    # within the ± 2 samples that :func:`subtract` aligns anyway.
    q = max(1, int(sf // 100))
    sos = butter(4, [10.0, min(QRS_BAND_HZ, 0.45 * sf)], btype="bandpass", fs=sf,
                 output="sos")
    found = []
    for a, b, lo, hi in overlapping_chunks(x.size, int(10 * sf)):
        y = sosfiltfilt(sos, segment64(x, lo, hi))[::q]
        idx = self_peaks(y, sf / q, filtered=True) * q + lo
        found.append(idx[(idx >= a) & (idx < b)])
    pk = np.concatenate(found) / sf if found else np.zeros(0)
    out = pk if pk.size >= 0.5 * (x.size / sf) / (60.0 / 70.0) else None
    with contextlib.suppress(TypeError):
        _PEAKS[key] = (weakref.ref(x), out)
    return out


def _regular(pk: np.ndarray, sf: float) -> np.ndarray:
    """Peaks inside runs of :data:`MIN_RUN` intervals that each agree with the local
    median within :data:`RR_TOLERANCE`."""
    if pk.size < MIN_BEATS:
        return pk[:0]
    rr = np.diff(pk) / sf
    loc = median_filter(rr, size=9, mode="nearest")
    ok = np.abs(rr - loc) <= RR_TOLERANCE * loc
    ok &= (loc >= RR_RANGE_S[0]) & (loc <= RR_RANGE_S[1])
    s, e = runs(ok)
    keep = np.zeros(pk.size, dtype=bool)
    for a, b in zip(s, e, strict=True):
        if b - a >= MIN_RUN:
            keep[a:b + 1] = True
    return pk[keep] if keep.sum() >= MIN_BEATS else pk[:0]


def self_peaks(y: np.ndarray, sf: float, filtered: bool = False) -> np.ndarray:
    """R-peak sample indices found on a band-passed EMG segment (empty when no rhythm).

    First pass: the sharpest deflections at least 0.35 s apart (the upper half of
    them), kept where the intervals on both sides agree with the local median interval
    (see :func:`_regular`), which random EMG maxima rarely do. Second pass: the median
    QRS of those beats as a matched filter over the segment, which finds the beats the first pass
    missed under noise; the same rhythm test again. ``filtered``: ``y`` is already in
    the QRS band (10-30 Hz).
    """
    dist = max(1, int(RR_RANGE_S[0] * sf))
    # The QRS carries its energy below ~30 Hz, muscle up to 100 Hz and beyond: looking
    # in 10-30 Hz only keeps the beats and drops most of the muscle noise.
    if not filtered:
        y = sosfiltfilt(butter(4, min(QRS_BAND_HZ, 0.45 * sf), fs=sf, output="sos"), y)
    a = uniform_filter1d(np.abs(y), max(1, int(round(0.02 * sf))))
    med = float(np.median(a))
    if med <= 0:
        return np.zeros(0, dtype=np.int64)
    pk, _ = find_peaks(a, distance=dist, prominence=1.0 * med)
    if pk.size < MIN_BEATS:
        return np.zeros(0, dtype=np.int64)
    # Between two beats the EMG has its own, smaller maxima: keep the upper half.
    pk = _regular(pk[a[pk] >= np.median(a[pk])], sf)
    if pk.size < MIN_BEATS:
        return pk
    pre, post = (int(round(w * sf)) for w in QRS_WINDOW_S)
    pk = pk[(pk - pre >= 0) & (pk + post < y.size)]
    if pk.size < MIN_BEATS:
        return pk
    tpl = np.median(y[pk[:, None] + np.arange(-pre, post + 1)[None, :]], axis=0)
    # Correlation with the template, aligned so a beat at i peaks at i.
    mf = fftconvolve(y, tpl[::-1], mode="full")[post:post + y.size]
    ref = float(np.median(mf[pk]))
    if ref <= 0:
        return pk
    pk2, _ = find_peaks(mf, distance=dist, height=0.4 * ref)
    pk2 = _regular(pk2, sf)
    pk = pk2 if pk2.size > pk.size else pk
    return _fill_gaps(pk, mf, sf)


def _fill_gaps(pk: np.ndarray, mf: np.ndarray, sf: float) -> np.ndarray:
    """Add the beats missing between regular ones: where a gap holds k ≈ 2-8 local
    intervals, at the matched-filter maximum within ± 60 ms of each predicted beat."""
    if pk.size < MIN_BEATS:
        return pk
    gaps = np.diff(pk)
    rr = median_filter(gaps, size=9, mode="nearest").astype(np.float64)
    k = np.rint(gaps / rr)
    fill = (k >= 2) & (k <= 8) & (np.abs(gaps / rr - k) <= 0.15 * k)
    if not fill.any():
        return pk
    # Predicted beats: evenly spaced inside each gap to fill.
    i = np.flatnonzero(fill)
    reps = (k[i] - 1).astype(np.int64)
    g = np.repeat(i, reps)
    j = np.concatenate([np.arange(1, r + 1) for r in reps])
    pred = pk[g] + np.rint(j * gaps[g] / k[g]).astype(np.int64)
    w = max(1, int(round(0.06 * sf)))
    pred = pred[(pred - w >= 0) & (pred + w < mf.size)]
    if pred.size == 0:
        return pk
    win = mf[pred[:, None] + np.arange(-w, w + 1)[None, :]]
    best = pred + win.argmax(axis=1) - w
    return np.unique(np.concatenate((pk, best)))


def subtract(y: np.ndarray, sf: float, idx: np.ndarray) -> np.ndarray:
    """Subtract the median QRS template at sample indices ``idx`` of ``y`` (in place).

    Returns ``y``. Fewer than :data:`MIN_BEATS` usable beats leave it unchanged. The
    template's timing is refined per beat by one cross-correlation step (± 2 samples),
    so a detector's jitter does not leave half a QRS behind.
    """
    pre, post = (int(round(w * sf)) for w in QRS_WINDOW_S)
    idx = np.asarray(idx, dtype=np.int64)
    idx = idx[(idx - pre >= 0) & (idx + post < y.size)]
    if idx.size < MIN_BEATS:
        return y
    offs = np.arange(-pre, post + 1)
    # Align each beat on the template first (ECG-channel peaks and the EMG's own QRS can
    # sit a sample or two apart, and differ between leads): one wide gather, then the
    # best of five shifts by correlation with the first median template.
    k = 2
    idx = idx[(idx - pre - k >= 0) & (idx + post + k < y.size)]
    if idx.size < MIN_BEATS:
        return y
    wide = y[idx[:, None] + np.arange(-pre - k, post + k + 1)[None, :]]
    n = offs.size
    # Medians over at most ~256 beats spread over the segment: as good a template, and
    # the partial sorts behind np.median were the costliest step of the cleaning.
    sub = max(1, idx.size // 256)
    tpl = np.median(wide[::sub, k:k + n], axis=0)
    scores = np.stack([wide[:, j:j + n] @ tpl for j in range(2 * k + 1)], axis=1)
    best = scores.argmax(axis=1)
    segs = wide[np.arange(idx.size)[:, None], best[:, None] + np.arange(n)[None, :]]
    idx = idx + best - k
    tpl = np.median(segs[::sub], axis=0).astype(y.dtype)
    # Windows do not overlap (R-R ≥ 0.35 s > window), so a fancy-index update is exact.
    y[idx[:, None] + offs[None, :]] = segs - tpl[None, :]
    return y


def clean_segment(y: np.ndarray, sf: float, lo: int, peaks: np.ndarray | str | None
                  ) -> np.ndarray:
    """Remove ECG from band-passed segment ``y`` that starts at sample ``lo`` (in place).

    ``peaks``: R-peak times in seconds (from the ECG channel), ``"self"`` to find them
    on ``y``, or None to leave ``y`` as it is.
    """
    if peaks is None:
        return y
    if isinstance(peaks, str):
        idx = self_peaks(y, sf)
    else:
        t0, t1 = lo / sf, (lo + y.size) / sf
        p = peaks[np.searchsorted(peaks, t0):np.searchsorted(peaks, t1)]
        idx = np.round(p * sf).astype(np.int64) - lo
    return subtract(y, sf, idx)
