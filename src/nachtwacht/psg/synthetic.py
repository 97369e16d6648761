"""A small, fast generator of plausible PSG nights, for tests and the benchmark.

This is not the event simulator (``nachtwacht.psg.simulate``, which plants
scored events for the detectors); it only makes signals whose spectra change
with the sleep stage, so a staging classifier sees something night-like, and it
writes them as EDF with ``edfio``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from nachtwacht.psg.types import N1, N2, N3, REM, WAKE

#: Default 12-channel montage (label, physical dimension, physical range).
MONTAGE: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("EEG C4-M1", "uV", (-500.0, 500.0)),
    ("EEG C3-M2", "uV", (-500.0, 500.0)),
    ("EOG E1-M2", "uV", (-800.0, 800.0)),
    ("EOG E2-M1", "uV", (-800.0, 800.0)),
    ("EMG Chin", "uV", (-300.0, 300.0)),
    ("Leg L", "uV", (-500.0, 500.0)),
    ("Leg R", "uV", (-500.0, 500.0)),
    ("Flow", "a.u.", (-10.0, 10.0)),
    ("Thor", "a.u.", (-10.0, 10.0)),
    ("Abdo", "a.u.", (-10.0, 10.0)),
    ("SpO2", "%", (0.0, 100.0)),
    ("ECG", "mV", (-5.0, 5.0)),
)


def stage_sequence(n_epochs: int, rng: np.random.Generator) -> np.ndarray:
    """A night-like stage sequence: wake, then ~90-min NREM-REM cycles, N3 early, REM late."""
    out = np.empty(n_epochs, dtype=np.int8)
    i = min(20, n_epochs)
    out[:i] = WAKE
    cycle = 0
    while i < n_epochs:
        n3_len = max(0, 40 - 12 * cycle)
        rem_len = 10 + 8 * cycle
        block = [N1] * 8 + [N2] * 50 + [N3] * n3_len + [N2] * 20 + [REM] * rem_len + [WAKE] * 2
        block_arr = np.array(block, dtype=np.int8)
        take = min(len(block_arr), n_epochs - i)
        out[i : i + take] = block_arr[:take]
        i += take
        cycle += 1
    # A few short awakenings so WASO and stage shifts are not trivial.
    flips = rng.choice(np.arange(30, max(31, n_epochs)), size=min(6, n_epochs // 50), replace=False)
    out[flips[flips < n_epochs]] = WAKE
    return out


def _band_noise(n: int, sf: float, lo: float, hi: float, rng: np.random.Generator) -> np.ndarray:
    """White noise band-limited in the frequency domain (cheap for long signals)."""
    spec = np.fft.rfft(rng.standard_normal(n).astype(np.float32))
    f = np.fft.rfftfreq(n, 1 / sf)
    spec[(f < lo) | (f > hi)] = 0
    x = np.fft.irfft(spec, n).astype(np.float32)
    return x / (x.std() + 1e-12)


def make_signals(
    stages: np.ndarray, sf: float = 256.0, seed: int = 0, epoch_s: float = 30.0
) -> dict[str, np.ndarray]:
    """Signals in physical units for the default montage, one per label in :data:`MONTAGE`."""
    n = int(len(stages) * epoch_s * sf)
    per = np.repeat(stages, int(epoch_s * sf))[:n]

    def amp(table: dict[int, float]) -> np.ndarray:
        a = np.array([table.get(s, 0.0) for s in range(-1, 5)], dtype=np.float32)
        # Smooth the stage steps over 1 s so there are no artificial jumps.
        k = int(sf)
        env = a[per + 1]
        return np.convolve(env, np.ones(k, dtype=np.float32) / k, mode="same")

    out: dict[str, np.ndarray] = {}
    for j, label in enumerate(("EEG C4-M1", "EEG C3-M2")):
        r = np.random.default_rng(seed + 11 + j)
        eeg = (
            amp({WAKE: 8, N1: 12, N2: 15, N3: 20, REM: 10}) * _band_noise(n, sf, 0.5, 30, r)
            + amp({WAKE: 20, N1: 4, N2: 2, N3: 0, REM: 4}) * _band_noise(n, sf, 8, 12, r)
            + amp({WAKE: 2, N1: 15, N2: 8, N3: 5, REM: 14}) * _band_noise(n, sf, 4, 8, r)
            + amp({WAKE: 0, N1: 3, N2: 12, N3: 4, REM: 0}) * _band_noise(n, sf, 12, 15, r)
            + amp({WAKE: 3, N1: 15, N2: 35, N3: 80, REM: 10}) * _band_noise(n, sf, 0.5, 2, r)
        )
        out[label] = eeg
    for j, label in enumerate(("EOG E1-M2", "EOG E2-M1")):
        r = np.random.default_rng(seed + 21 + j)
        eog = amp({WAKE: 40, N1: 30, N2: 8, N3: 6, REM: 60}) * _band_noise(n, sf, 0.3, 5, r)
        out[label] = eog * (1 if j == 0 else -1) + 5 * _band_noise(n, sf, 0.5, 30, r)
    r = np.random.default_rng(seed + 31)
    out["EMG Chin"] = amp({WAKE: 30, N1: 15, N2: 10, N3: 8, REM: 3}) * _band_noise(n, sf, 10, 100, r)
    for j, label in enumerate(("Leg L", "Leg R")):
        out[label] = 3 * _band_noise(n, sf, 10, 100, np.random.default_rng(seed + 41 + j))
    t = np.arange(n, dtype=np.float32) / sf
    breath = np.sin(2 * np.pi * 0.25 * t, dtype=np.float32)
    out["Flow"] = 2 * breath
    out["Thor"] = 1.5 * breath
    out["Abdo"] = 1.5 * breath
    out["SpO2"] = np.full(n, 96.0, dtype=np.float32) + 0.5 * np.sin(2 * np.pi * t / 600)
    ecg = np.zeros(n, dtype=np.float32)
    ecg[:: int(sf)] = 1.0
    out["ECG"] = np.convolve(ecg, np.hanning(int(0.04 * sf) + 1).astype(np.float32), "same")
    return out


def write_night(
    path: str | Path,
    hours: float = 8.0,
    sf: float = 256.0,
    seed: int = 0,
    start: dt.datetime | None = None,
) -> np.ndarray:
    """Write a synthetic night as EDF to ``path``; return its true stage sequence."""
    import edfio

    rng = np.random.default_rng(seed)
    stages = stage_sequence(int(round(hours * 120)), rng)
    sigs = make_signals(stages, sf=sf, seed=seed)
    start = start or dt.datetime(2026, 11, 1, 23, 0, 0)
    signals = []
    for label, dim, (lo, hi) in MONTAGE:
        x = np.clip(sigs.pop(label), lo, hi)
        signals.append(
            edfio.EdfSignal(
                x.astype(np.float64), sf, label=label, physical_dimension=dim, physical_range=(lo, hi)
            )
        )
        del x
    edf = edfio.Edf(
        signals,
        recording=edfio.Recording(startdate=start.date()),
        starttime=start.time(),
        data_record_duration=1.0,
    )
    edf.write(Path(path))
    return stages
