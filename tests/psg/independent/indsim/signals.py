"""Background physiology and artefacts, built from textbook shapes (no project code).

Every generator is vectorised and seeded by the caller's ``numpy.random.Generator``.
EEG bands are white noise shaped in the frequency domain; EMG is 20-100 Hz noise
under an amplitude envelope (µV RMS), so "8 µV above resting" in SCORING.md is a
statement about that envelope; the ECG is a sum of Gaussian P, Q, R, S and T waves
(McSharry-style) at 60-80 bpm with respiratory sinus arrhythmia.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

from .hypnogram import EPOCH_S, REM, WAKE


def band_noise(n: int, sf: float, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise band-limited to [lo, hi] Hz (4th-order Butterworth of white noise).

    A recursive filter instead of FFT shaping: same spectra for our purpose, and
    several times faster on long nights (a test budget matters on a shared machine).
    """
    sos = butter(2, [lo, min(hi, 0.49 * sf)], btype="bandpass", fs=sf, output="sos")
    x = sosfilt(sos, rng.standard_normal(n + int(3 * sf / lo)))[-n:]
    return x / (x.std() + 1e-12)


def pink_noise(n: int, sf: float, rng: np.random.Generator, lo: float = 0.3) -> np.ndarray:
    """Unit-RMS 1/f noise above ``lo`` Hz (the EEG's aperiodic background).

    Paul Kellet's 3-pole pink filter on white noise, then a high-pass at ``lo``.
    """
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    x = lfilter(b, a, rng.standard_normal(n + int(3 * sf / lo)))
    x = sosfilt(butter(1, lo, btype="highpass", fs=sf, output="sos"), x)[-n:]
    return x / (x.std() + 1e-12)


def stage_gain(stages: np.ndarray, table: dict[int, float], sf: float, n: int,
               slow_s: float = 20.0, fast_s: float = 1.5,
               into_rem_early: bool = False) -> np.ndarray:
    """Per-sample level of one component following the stages.

    Changes between sleep stages ramp over ``slow_s`` (stages drift, they do not
    jump); changes into or out of wake ramp over ``fast_s``, starting at the epoch
    border, so an awakening does not leak a rise into the last sleep epoch (which a
    detector would rightly call an arousal that we did not plant).
    ``into_rem_early``: a change into REM is complete at the border (the chin: scorers
    start REM where atonia is reached, so REM never begins with NREM tone).
    """
    per_epoch = np.array([table[int(s)] for s in stages], dtype=float)
    out = np.empty(n)
    ep = int(round(EPOCH_S * sf))
    for i, g in enumerate(per_epoch):
        a, b = i * ep, min(n, (i + 1) * ep)
        if a >= n:
            break
        out[a:b] = g
        if i and per_epoch[i - 1] != g:
            wake = WAKE in (int(stages[i]), int(stages[i - 1]))
            r = min(b - a, int((fast_s if wake else slow_s) * sf))
            if into_rem_early and int(stages[i]) == REM:
                out[a - r : a] = np.linspace(per_epoch[i - 1], g, r)
            else:
                out[a : a + r] = np.linspace(per_epoch[i - 1], g, r)
    if n > len(stages) * ep:
        out[len(stages) * ep :] = per_epoch[-1]
    return out


def emg_noise(n: int, sf: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS surface-EMG-like noise (20-100 Hz, below Nyquist)."""
    return band_noise(n, sf, 20.0, min(100.0, 0.45 * sf), rng)


def heart_beats(duration_s: float, rng: np.random.Generator, hr: tuple[float, float] = (60, 80),
                breath_hz: float = 0.25) -> np.ndarray:
    """R-peak times: a slowly wandering rate in ``hr`` bpm plus sinus arrhythmia."""
    base = rng.uniform(*hr)
    t, out = 1.0 * rng.random(), []
    while t < duration_s:
        drift = 4 * np.sin(2 * np.pi * t / 1800 + 1.3)
        rsa = 3 * np.sin(2 * np.pi * breath_hz * t)
        bpm = np.clip(base + drift + rsa + rng.normal(0, 1.0), hr[0] - 5, hr[1] + 5)
        out.append(t)
        t += 60.0 / bpm
    return np.asarray(out)


#: (relative time s, amplitude, width s) of P, Q, R, S, T: a lead-II-like beat, R = 1.
ECG_WAVES = ((-0.20, 0.12, 0.025), (-0.028, -0.12, 0.009), (0.0, 1.0, 0.011),
             (0.030, -0.28, 0.011), (0.26, 0.30, 0.05))


def ecg_template(sf: float, waves=ECG_WAVES) -> tuple[np.ndarray, int]:
    """One beat sampled at ``sf`` and the index of its R peak."""
    t = np.arange(-0.35, 0.5, 1 / sf)
    beat = sum(a * np.exp(-0.5 * ((t - mu) / w) ** 2) for mu, a, w in waves)
    return beat, int(np.argmin(np.abs(t)))


def ecg_trace(n: int, sf: float, beats: np.ndarray, amp: float,
              waves=ECG_WAVES, shift_s: float = 0.0) -> np.ndarray:
    """Beats of R amplitude ``amp`` (µV) at ``beats`` (+ ``shift_s``) in an n-sample trace."""
    beat, r = ecg_template(sf, waves)
    x = np.zeros(n)
    idx = np.round((beats + shift_s) * sf).astype(np.int64) - r
    for i0 in idx:
        a, b = max(0, i0), min(n, i0 + len(beat))
        if b > a:
            x[a:b] += beat[a - i0 : b - i0]
    return amp * x


def emg_lead_waves(rng: np.random.Generator) -> tuple:
    """A QRS as seen from an EMG lead: sharper, with its own R/S balance and sign."""
    sign = rng.choice([-1.0, 1.0])
    s = rng.uniform(0.3, 0.9)
    return ((-0.028, -0.1 * sign, 0.008), (0.0, 1.0 * sign, 0.009),
            (0.026, -s * sign, 0.010), (0.25, 0.15 * sign, 0.05))


def hum(n: int, sf: float, amp: float, rng: np.random.Generator, mains: float = 50.0) -> np.ndarray:
    """Mains interference with a slowly varying amplitude."""
    t = np.arange(n) / sf
    mod = 1 + 0.3 * np.sin(2 * np.pi * t / 600 + rng.uniform(0, 6.3))
    return amp * mod * np.sin(2 * np.pi * mains * t + rng.uniform(0, 6.3))


def wander(n: int, sf: float, amp: float, rng: np.random.Generator, hi: float = 0.3) -> np.ndarray:
    """Baseline wander (sweat, movement, breathing) below ``hi`` Hz, RMS ``amp``."""
    step = max(1, int(sf // 4))
    m = n // step + 2
    slow = band_noise(m, sf / step, 0.01, hi, rng) * amp
    return np.interp(np.arange(n) / step, np.arange(m), slow)


def burst_envelope(length: int, sf: float, rng: np.random.Generator, ramp_s: float = 0.03,
                   wobble: float = 0.25) -> np.ndarray:
    """Amplitude shape of one EMG burst: short ramps, a plateau that wobbles."""
    r = max(1, min(int(ramp_s * sf), length // 3))
    env = np.ones(length)
    env[:r] = np.linspace(0.3, 1, r)
    env[-r:] = np.linspace(1, 0.3, r)
    if wobble and length > 8:
        k = max(2, length // int(0.15 * sf) + 2)
        env *= np.interp(np.linspace(0, k - 1, length), np.arange(k),
                         1 + wobble * rng.uniform(-1, 1, k))
    return env


def pop(sf: float, rng: np.random.Generator) -> np.ndarray:
    """An electrode pop: a sharp deflection of 80-300 µV decaying in 20-60 ms (< 0.25 s)."""
    tau = rng.uniform(0.02, 0.06)
    t = np.arange(int(0.22 * sf)) / sf
    return rng.choice([-1, 1]) * rng.uniform(80, 300) * np.exp(-t / tau)


def breathing_phase(n: int, sf: float, rng: np.random.Generator, anchors: list[float],
                    rate: tuple[float, float] = (0.22, 0.28)) -> np.ndarray:
    """Breathing phase (cycles) that crosses a whole cycle exactly at every anchor time.

    The natural rate wanders in ``rate`` Hz; between consecutive anchors it is scaled
    so a whole number of breaths fits, so an event starts and ends at a breath's zero
    crossing and the planted boundaries are exact (scaling stays within a few percent
    when anchors are ≥ 10 s apart).
    """
    t = np.arange(n) / sf
    mid = np.mean(rate)
    r = mid + (rate[1] - mid) * np.sin(2 * np.pi * t / rng.uniform(200, 400) + rng.uniform(0, 6.3))
    edges = [0] + sorted(int(round(a * sf)) for a in anchors if 0 < a * sf < n) + [n]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b <= a:
            continue
        cyc = r[a:b].sum() / sf
        if b < n:  # last stretch runs free
            r[a:b] *= max(1, round(cyc)) / cyc
    phase = np.concatenate([[0.0], np.cumsum(r)[:-1]]) / sf
    return phase
