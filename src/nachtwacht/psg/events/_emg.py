"""EMG envelopes and resting baselines shared by the muscle detectors.

An EMG channel is band-passed (10-100 Hz, capped below Nyquist), notch-filtered at
the mains frequency, squared and smoothed into a moving RMS envelope in µV, then
decimated to a modest rate (the rules work at 10-100 ms resolution, not at the
amplifier's sampling rate). With ``ecg`` given, the heartbeat is subtracted from the
band-passed signal first (:mod:`nachtwacht.psg.events._ecg`): scorers ignore ECG
artefact, and on a quiet chin or leg it is as large as the muscle signal. Results are cached per data array, so the leg, RSWA,
bruxism and sleep-start detectors do not filter the same chin channel four times.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.ndimage import median_filter, percentile_filter, uniform_filter1d

from nachtwacht.psg.events import _ecg
from nachtwacht.psg.events._common import CHUNK, block_mean, overlapping_chunks, segment64
from nachtwacht.psg.types import Channel

#: Minimum sampling rate for any EMG rule: a 10-100 Hz band needs at least ~50 Hz.
MIN_EMG_SF = 50.0

#: Samples handled at once by the running percentile (float64 scratch of ~2 MB).
CHUNK_ROWS = 1 << 18


@dataclass(frozen=True)
class Envelope:
    """A moving-RMS envelope in µV at ``sf`` Hz."""

    values: np.ndarray
    sf: float

    def times(self) -> np.ndarray:
        return np.arange(self.values.size) / self.sf


_CACHE: dict[int, tuple[weakref.ref, dict]] = {}


def _cache_for(x: np.ndarray) -> dict:
    key = id(x)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is x:
        return hit[1]
    # Drop entries whose array is gone, then start a new one.
    for k in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[k]
    store: dict = {}
    with contextlib.suppress(TypeError):  # arrays without weakref support: no cache
        _CACHE[key] = (weakref.ref(x), store)
    return store


#: Filter settle length, s: segments overlap by this much on each side, far more than
#: the 50-Hz notch (Q = 30, the slowest part, decays to 1e-7 in about 3 s) needs.
SETTLE_S = 10.0


def _design(sf: float, lo: float, hi: float, notch_hz: float | None):
    """Band-pass SOS and, when the mains frequency is below Nyquist, the notch (b, a)."""
    hi = min(hi, 0.45 * sf)
    if hi <= lo:
        raise ValueError(f"sampling rate {sf:g} Hz is too low for an EMG band from {lo:g} Hz")
    sos = signal.butter(4, [lo, hi], btype="bandpass", fs=sf, output="sos")
    notch = signal.iirnotch(notch_hz, 30.0, fs=sf) if notch_hz and notch_hz < 0.5 * sf - 1 else None
    return sos, notch


def _filter(seg: np.ndarray, sos: np.ndarray, notch) -> np.ndarray:
    y = signal.sosfiltfilt(sos, seg)
    if notch is not None:
        y = signal.filtfilt(notch[0], notch[1], y)
    return y


def bandpass(x: np.ndarray, sf: float, lo: float = 10.0, hi: float = 100.0,
             notch_hz: float | None = 50.0) -> np.ndarray:
    """Zero-phase 10-100 Hz band-pass (upper edge capped at 0.45·sf) and mains notch.

    Returns float32. Filtered in overlapping chunks (see
    :func:`~nachtwacht.psg.events._common.overlapping_chunks`), so a whole night never
    exists as several float64 copies at once.
    """
    sos, notch = _design(sf, lo, hi, notch_hz)
    x = np.asarray(x)
    out = np.empty(x.size, dtype=np.float32)
    for a, b, s0, s1 in overlapping_chunks(x.size, int(SETTLE_S * sf)):
        out[a:b] = _filter(segment64(x, s0, s1), sos, notch)[a - s0:b - s0]
    return out


def _mean_square(x: np.ndarray, sf: float, step: int, lo: float, hi: float,
                 notch_hz: float | None, ecg: np.ndarray | str | None = None) -> np.ndarray:
    """Band-passed signal squared and averaged over blocks of ``step`` samples (float32).

    Chunk by chunk, so the full-rate filtered signal is never held: only the block
    means, ``step`` times smaller, are kept.
    """
    sos, notch = _design(sf, lo, hi, notch_hz)
    x = np.asarray(x)
    out = np.empty(-(-x.size // step), dtype=np.float32)
    for a, b, s0, s1 in overlapping_chunks(x.size, int(SETTLE_S * sf), step=step):
        y = _ecg.clean_segment(_filter(segment64(x, s0, s1), sos, notch), sf, s0, ecg)
        y = y[a - s0:b - s0].astype(np.float32)
        out[a // step:-(-b // step)] = block_mean(np.square(y, out=y), step)
        del y
    return out


def envelope(ch: Channel, *, win_s: float = 0.1, out_sf: float = 50.0,
             lo: float = 10.0, hi: float = 100.0, notch_hz: float | None = 50.0,
             robust: bool = False, ecg: np.ndarray | str | None = None) -> Envelope:
    """Moving-RMS envelope (µV) of an EMG channel, decimated to about ``out_sf`` Hz.

    Parameters
    ----------
    ch : Channel
        EMG in µV, sampled at :data:`MIN_EMG_SF` Hz or faster.
    win_s : float
        RMS window; 100 ms follows common LM practice (Ferri 2016 uses 10-100 ms
        rectified, smoothed EMG).
    out_sf : float
        Rate of the returned envelope.
    robust : bool
        Median of the per-output-sample RMS values over the window, then their mean:
        spikes shorter than half the window, such as ECG artefact on a quiet REM chin,
        no longer lift the envelope.
    ecg : array, "self" or None
        Remove the heartbeat first: R-peak times (s) from the ECG channel, ``"self"``
        to find them on this EMG, None to keep it (see :func:`_ecg.peaks_for`).

    Notes
    -----
    Only the decimated mean square is cached (per data array, for the other muscle
    detectors; the moving window on it takes milliseconds); nothing at the channel's
    own rate is kept.
    """
    x = np.asarray(ch.data)
    store = _cache_for(x)
    step = max(1, int(round(ch.sf / out_sf)))
    mkey = ("mean_square", float(ch.sf), step, lo, hi, notch_hz,
            None if ecg is None else ("self" if isinstance(ecg, str) else "ecg"))
    ms = store.get(mkey)
    if ms is None:
        ms = _mean_square(x, ch.sf, step, lo, hi, notch_hz, ecg)
        if step > 1:
            store[mkey] = ms
    win = max(1, int(round(win_s * ch.sf / step)))
    if robust:
        # Median first (drops spikes shorter than half the window), then a mean of the
        # medians to steady the estimate.
        ms = median_filter(ms, size=win, mode="nearest")
        ms = uniform_filter1d(ms, win, mode="nearest")
    else:
        # A full-rate ms is ours alone (not cached): smooth it in place.
        ms = uniform_filter1d(ms, win, mode="nearest", output=None if step > 1 else ms)
    env = np.sqrt(np.maximum(ms, 0.0, out=ms), out=ms).astype(np.float32, copy=False)
    return Envelope(env, ch.sf / step)


def envelope_chunks(ch: Channel, *, win_s: float = 0.1, out_sf: float = 50.0,
                    lo: float = 10.0, hi: float = 100.0, notch_hz: float | None = 50.0,
                    chunk: int = CHUNK, ecg: np.ndarray | str | None = None
                    ) -> Iterator[tuple[int, np.ndarray]]:
    """The (non-robust) :func:`envelope` piece by piece: ``(first index, values)``.

    For rules that need the envelope at the channel's own rate: only one chunk of it
    exists at a time. Joined, the pieces equal :func:`envelope` to rounding. Each piece
    but the last holds ``chunk // step`` values (``chunk`` is rounded to a multiple of
    the decimation step).
    """
    sf = float(ch.sf)
    step = max(1, int(round(sf / out_sf)))
    win = max(1, int(round(win_s * sf / step)))
    sos, notch = _design(sf, lo, hi, notch_hz)
    x = np.asarray(ch.data)
    # Settle length plus the moving window, in whole output samples.
    pad = (int(SETTLE_S * sf) // step + win + 1) * step
    for a, b, s0, s1 in overlapping_chunks(x.size, pad, chunk, step=step):
        y = _ecg.clean_segment(_filter(segment64(x, s0, s1), sos, notch), sf, s0, ecg)
        y = y.astype(np.float32)
        ms = uniform_filter1d(block_mean(np.square(y, out=y), step), win, mode="nearest")
        del y
        o0 = (a - s0) // step
        core = ms[o0:o0 + (-(-b // step) - a // step)]
        yield a // step, np.sqrt(np.maximum(core, 0.0))


def block_percentiles(values: np.ndarray, bs: int, q: float) -> np.ndarray:
    """``q``-th percentile of each block of ``bs`` values (float64), the short last block
    padded with the final value."""
    v = np.asarray(values)
    nb = int(np.ceil(v.size / bs))
    blocks = np.empty(nb, dtype=np.float64)
    full = v.size // bs
    # Blocks in float64 a few thousand at a time: same values as one float64 copy of the
    # whole night, without holding that copy.
    rows = max(1, CHUNK_ROWS // bs)
    for r in range(0, full, rows):
        part = v[r * bs:min(full, r + rows) * bs].astype(np.float64).reshape(-1, bs)
        blocks[r:r + part.shape[0]] = np.percentile(part, q, axis=1)
    if full < nb:
        tail = np.full(bs, v[-1], dtype=np.float64)
        tail[: v.size - full * bs] = v[full * bs:]
        blocks[-1] = np.percentile(tail, q)
    return blocks


def running_from_blocks(blocks: np.ndarray, q: float, *, window_s: float, block_s: float,
                        causal: bool = False) -> np.ndarray:
    """Running ``q``-th percentile across block values (see :func:`running_percentile`)."""
    size = max(1, int(round(window_s / block_s)))
    if causal:
        # Window [i - size, i - 1]: shift the filter left by (size - 1) // 2, then by one.
        base = percentile_filter(blocks, q, size=size, mode="nearest", origin=(size - 1) // 2)
        return np.concatenate(([base[0]], base[:-1]))
    return percentile_filter(blocks, q, size=size, mode="nearest")


def percentile_blocks(values: np.ndarray, sf: float, *, window_s: float, q: float,
                      block_s: float = 1.0, causal: bool = False
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Block centres (in samples) and the running percentile there; see
    :func:`running_percentile`, which interpolates them back to every sample."""
    bs = max(1, int(round(block_s * sf)))
    blocks = block_percentiles(values, bs, q)
    base = running_from_blocks(blocks, q, window_s=window_s, block_s=block_s, causal=causal)
    return (np.arange(blocks.size) + 0.5) * bs, base


def running_percentile(values: np.ndarray, sf: float, *, window_s: float, q: float,
                       block_s: float = 1.0, causal: bool = False) -> np.ndarray:
    """Running ``q``-th percentile over ``window_s`` seconds, at the input's rate (float64).

    Computed on ``block_s`` blocks (the ``q``-th percentile inside each block, then a
    percentile filter across blocks) and interpolated back, which keeps a whole night
    to a fraction of a second. ``causal`` uses only the preceding window.
    """
    centres, base = percentile_blocks(values, sf, window_s=window_s, q=q, block_s=block_s,
                                      causal=causal)
    n = np.asarray(values).size
    out = np.empty(n, dtype=np.float64)
    for a in range(0, n, CHUNK_ROWS):
        b = min(n, a + CHUNK_ROWS)
        out[a:b] = np.interp(np.arange(a, b), centres, base)
    return out


def running_median(values: np.ndarray, sf: float, window_s: float,
                   block_s: float = 1.0, causal: bool = False) -> np.ndarray:
    """Running median (see :func:`running_percentile`)."""
    return running_percentile(values, sf, window_s=window_s, q=50.0, block_s=block_s,
                              causal=causal)
