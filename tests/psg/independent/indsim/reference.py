"""Reference measurements that prove the planted truth is unambiguous.

Independent of both the product and the planting code: each planted event is
measured on the rendered signals with the plainest method (zero-phase band-pass,
Hilbert envelope, medians), and must meet its rule by a clear margin. If one of
these fails, the simulator is wrong, not the detector.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, filtfilt, hilbert, iirnotch, sosfiltfilt

from .nights import SF, Night


def _envelope(x: np.ndarray, sf: float, lo: float, hi: float, smooth_s: float) -> np.ndarray:
    sos = butter(2, [lo, hi], btype="bandpass", fs=sf, output="sos")
    env = np.abs(hilbert(sosfiltfilt(sos, x)))
    k = max(1, int(smooth_s * sf))
    return np.convolve(env, np.ones(k) / k, mode="same")


def breathing_ratios(night: Night) -> list[dict]:
    """Per respiratory event: flow, pressure and effort amplitude relative to before it."""
    out = []
    sig = night.signals
    envs = {}
    for name in ("Flow", "Nasal Pressure", "Thorax"):
        x, sf, _role, _u = sig[name]
        envs[name] = (_envelope(x, sf, 0.1, 1.0, 2.0), sf)
    for e in night.plan.of("apnea") + night.plan.of("hypopnea"):
        r = {"event": e}
        for name, (env, sf) in envs.items():
            before = env[int((e.onset - 22) * sf) : int((e.onset - 2) * sf)]
            inside = env[int((e.onset + 2) * sf) : int((e.offset - 2) * sf)]
            r[name] = float(np.median(inside) / np.median(before))
        out.append(r)
    return out


def spo2_drops(night: Night) -> list[tuple[object, float]]:
    """Per respiratory event: baseline (median of 120 s before) minus the nadir after it."""
    x, sf, _r, _u = night.signals["SpO2"]
    out = []
    for e in night.plan.of("apnea") + night.plan.of("hypopnea"):
        base = np.median(x[max(0, int((e.onset - 120) * sf)) : int(e.onset * sf)])
        seg = x[int(e.onset * sf) : int((e.offset + e.extra["lag"] + e.extra["rec"]) * sf)]
        out.append((e, float(base - seg.min())))
    return out


def lm_rises(night: Night) -> list[tuple[object, float]]:
    """Per LM: rectified EMG (10-100 Hz, 0.5-s mean) over the LM minus the 10 s before (µV)."""
    out = []
    env = {}
    for leg in ("Leg L", "Leg R"):
        x = night.signals[leg][0]
        sos = butter(4, [10, 100], btype="bandpass", fs=SF, output="sos")
        b, a = iirnotch(50.0, 30.0, fs=SF)
        env[leg] = np.abs(sosfiltfilt(sos, filtfilt(b, a, x)))
    for e in night.plan.of("lm"):
        legs = ["Leg L", "Leg R"] if e.extra["leg"] == "both" else [f"Leg {e.extra['leg']}"]
        rise = []
        for leg in legs:
            a, b = int(e.onset * SF), int(e.offset * SF)
            rest = np.median(env[leg][a - int(10 * SF) : a - int(1 * SF)])
            rise.append(float(np.mean(env[leg][a:b]) - rest))
        out.append((e, max(rise)))
    return out
