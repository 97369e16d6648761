"""EMG envelopes and resting baselines shared by the muscle detectors.

An EMG channel is band-passed (10-100 Hz, capped below Nyquist), notch-filtered at
the mains frequency, squared and smoothed into a moving RMS envelope in µV, then
decimated to a modest rate (the rules work at 10-100 ms resolution, not at the
amplifier's sampling rate). Results are cached per data array, so the leg, RSWA,
bruxism and sleep-start detectors do not filter the same chin channel four times.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.ndimage import median_filter, percentile_filter, uniform_filter1d

from nachtwacht.psg.events._common import block_mean
from nachtwacht.psg.types import Channel

#: Minimum sampling rate for any EMG rule: a 10-100 Hz band needs at least ~50 Hz.
MIN_EMG_SF = 50.0


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


def bandpass(x: np.ndarray, sf: float, lo: float = 10.0, hi: float = 100.0,
             notch_hz: float | None = 50.0) -> np.ndarray:
    """Zero-phase 10-100 Hz band-pass (upper edge capped at 0.45·sf) and mains notch."""
    hi = min(hi, 0.45 * sf)
    if hi <= lo:
        raise ValueError(f"sampling rate {sf:g} Hz is too low for an EMG band from {lo:g} Hz")
    sos = signal.butter(4, [lo, hi], btype="bandpass", fs=sf, output="sos")
    y = signal.sosfiltfilt(sos, np.nan_to_num(np.asarray(x, dtype=np.float64)))
    if notch_hz and notch_hz < 0.5 * sf - 1:
        b, a = signal.iirnotch(notch_hz, 30.0, fs=sf)
        y = signal.filtfilt(b, a, y)
    return y


def envelope(ch: Channel, *, win_s: float = 0.1, out_sf: float = 50.0,
             lo: float = 10.0, hi: float = 100.0, notch_hz: float | None = 50.0,
             robust: bool = False) -> Envelope:
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
    """
    x = np.asarray(ch.data)
    store = _cache_for(x)
    key = (float(ch.sf), win_s, out_sf, lo, hi, notch_hz, robust)
    if key in store:
        return store[key]
    fkey = ("filtered", float(ch.sf), lo, hi, notch_hz)
    if fkey not in store:
        store[fkey] = bandpass(x, ch.sf, lo, hi, notch_hz).astype(np.float32)
    y = store[fkey]
    step = max(1, int(round(ch.sf / out_sf)))
    # Mean square per output sample first, then the moving window at the lower rate.
    ms = block_mean(np.square(y, dtype=np.float32), step)
    win = max(1, int(round(win_s * ch.sf / step)))
    if robust:
        # Median first (drops spikes shorter than half the window), then a mean of the
        # medians to steady the estimate.
        ms = median_filter(ms, size=win, mode="nearest")
        ms = uniform_filter1d(ms, win, mode="nearest")
    else:
        ms = uniform_filter1d(ms, win, mode="nearest")
    env = np.sqrt(np.maximum(ms, 0.0)).astype(np.float32)
    out = Envelope(env, ch.sf / step)
    store[key] = out
    return out


def running_percentile(values: np.ndarray, sf: float, *, window_s: float, q: float,
                       block_s: float = 1.0, causal: bool = False) -> np.ndarray:
    """Running ``q``-th percentile over ``window_s`` seconds, at the input's rate.

    Computed on ``block_s`` blocks (the ``q``-th percentile inside each block, then a
    percentile filter across blocks) and interpolated back, which keeps a whole night
    to a fraction of a second. ``causal`` uses only the preceding window.
    """
    v = np.asarray(values, dtype=np.float64)
    bs = max(1, int(round(block_s * sf)))
    nb = int(np.ceil(v.size / bs))
    pad = nb * bs - v.size
    vb = np.concatenate((v, np.full(pad, v[-1]))) if pad else v
    blocks = np.percentile(vb.reshape(nb, bs), q, axis=1)
    size = max(1, int(round(window_s / block_s)))
    if causal:
        # Window [i - size, i - 1]: shift the filter left by (size - 1) // 2, then by one.
        base = percentile_filter(blocks, q, size=size, mode="nearest", origin=(size - 1) // 2)
        base = np.concatenate(([base[0]], base[:-1]))
    else:
        base = percentile_filter(blocks, q, size=size, mode="nearest")
    centres = (np.arange(nb) + 0.5) * bs
    return np.interp(np.arange(v.size), centres, base)


def running_median(values: np.ndarray, sf: float, window_s: float,
                   block_s: float = 1.0, causal: bool = False) -> np.ndarray:
    """Running median (see :func:`running_percentile`)."""
    return running_percentile(values, sf, window_s=window_s, q=50.0, block_s=block_s,
                              causal=causal)
