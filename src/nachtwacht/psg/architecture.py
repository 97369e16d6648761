"""Sleep architecture from a hypnogram, with the AASM definitions.

Figures named like YASA's ``sleep_statistics`` (``TIB, SPT, WASO, TST, N1, N2, N3,
REM, NREM, %N1 ... SE, SME, SOL, Lat_N1 ... Lat_REM``) are computed exactly as
YASA does, on the lights-off to lights-on part of the hypnogram (the whole
hypnogram when lights are unknown), in minutes. As in YASA, the ``Lat_*``
latencies run from lights off (the window start), not from sleep onset.

AASM figures YASA does not give (all in minutes unless named otherwise):

- ``rem_latency_min``: sleep onset (first epoch of any sleep stage) to first REM.
- ``stage_shifts``: changes between scored stages inside the sleep period.
- ``awakenings``: wake bouts of at least one epoch inside the sleep period
  (the final awakening is after the sleep period and not counted).
- ``cycles``: NREM-REM cycles, rule adapted from Feinberg & Floyd (1979): a
  NREM period of at least 15 min of N1-N3 (wake and REM runs too short to count
  do not end it) followed by a REM period closes a cycle; REM periods must last
  at least 5 min, except the first. A last NREM period of at least 15 min
  without REM is an incomplete cycle (``cycles_incomplete``).
- ``n3_first_half_min`` / ``n3_second_half_min``: N3 in the first and second
  half of the sleep period (sleep onset to final awakening).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nachtwacht.psg.types import N1, N2, N3, REM, UNSCORED, WAKE, Hypnogram

_STAGES = {"N1": N1, "N2": N2, "N3": N3, "REM": REM}
_MIN_NREM_EPOCHS_MIN = 15.0
_MIN_REM_MIN = 5.0


@dataclass(frozen=True)
class Window:
    """Epoch indices [start, stop) of lights off to lights on."""

    start: int
    stop: int


def lights_window(hyp: Hypnogram) -> Window:
    """Epochs from the one holding lights off to the one holding lights on (inclusive)."""
    n = len(hyp)
    a = 0
    b = n
    if hyp.lights_off_s is not None:
        a = min(n, max(0, int(math.floor(hyp.lights_off_s / hyp.epoch_s))))
    if hyp.lights_on_s is not None:
        b = min(n, max(a, int(math.ceil(hyp.lights_on_s / hyp.epoch_s))))
    return Window(a, b)


def yasa_statistics(stages: np.ndarray, epoch_s: float = 30.0) -> dict[str, float]:
    """The figures of ``yasa.sleep_statistics``, same definitions, without importing YASA."""
    h = np.asarray(stages)
    per_min = epoch_s / 60.0
    nan = float("nan")
    idx_sleep = np.flatnonzero(h > 0)
    has_sleep = idx_sleep.size > 0
    spt = h[idx_sleep[0] : idx_sleep[-1] + 1] if has_sleep else h[:0]
    s: dict[str, float] = {
        "TIB": h.size * per_min,
        "SPT": spt.size * per_min,
        "WASO": float(np.count_nonzero(spt == WAKE)) * per_min if has_sleep else nan,
        "TST": float(np.count_nonzero(spt > 0)) * per_min,
    }
    for name, code in _STAGES.items():
        s[name] = float(np.count_nonzero(h == code)) * per_min
    s["NREM"] = s["N1"] + s["N2"] + s["N3"]
    s["SOL"] = float(idx_sleep[0]) * per_min if has_sleep else nan
    for name, code in _STAGES.items():
        idx = np.flatnonzero(h == code)
        s[f"Lat_{name}"] = float(idx[0]) * per_min if idx.size else nan
    for name in [*_STAGES, "NREM"]:
        s[f"%{name}"] = 100 * s[name] / s["TST"] if has_sleep else nan
    s["SE"] = 100 * s["TST"] / s["TIB"] if s["TIB"] else nan
    s["SME"] = 100 * s["TST"] / s["SPT"] if has_sleep else nan
    return {k: float(v) for k, v in s.items()}


def _runs(x: np.ndarray) -> list[tuple[int, int, int]]:
    """(value, start, length) of each run of equal values."""
    if x.size == 0:
        return []
    edges = np.flatnonzero(np.diff(x)) + 1
    starts = np.concatenate([[0], edges])
    lengths = np.diff(np.concatenate([starts, [x.size]]))
    return [(int(x[s]), int(s), int(n)) for s, n in zip(starts, lengths, strict=True)]


def nrem_rem_cycles(spt: np.ndarray, epoch_s: float = 30.0) -> tuple[list[dict[str, int]], int]:
    """Complete NREM-REM cycles (start/end epoch within ``spt``) and the number of incomplete ones.

    See the module docstring for the rule.
    """
    min_nrem = int(round(_MIN_NREM_EPOCHS_MIN * 60 / epoch_s))
    min_rem = int(round(_MIN_REM_MIN * 60 / epoch_s))
    cycles: list[dict[str, int]] = []
    nrem = 0
    start = 0
    for value, s, n in _runs(spt):
        if value in (N1, N2, N3):
            nrem += n
        elif value == REM and nrem >= min_nrem and (n >= min_rem or not cycles):
            cycles.append({"start_epoch": start, "end_epoch": s + n})
            nrem = 0
            start = s + n
    return cycles, int(nrem >= min_nrem)


def architecture(hyp: Hypnogram) -> dict[str, Any]:
    """All sleep figures of one night (see the module docstring)."""
    win = lights_window(hyp)
    h = hyp.stages[win.start : win.stop]
    per_min = hyp.epoch_s / 60.0
    out: dict[str, Any] = yasa_statistics(h, hyp.epoch_s)
    idx_sleep = np.flatnonzero(h > 0)
    has_sleep = idx_sleep.size > 0
    spt = h[idx_sleep[0] : idx_sleep[-1] + 1] if has_sleep else h[:0]
    rem = np.flatnonzero(spt == REM)
    out["rem_latency_min"] = float(rem[0]) * per_min if rem.size else None
    scored = spt[spt != UNSCORED]
    out["stage_shifts"] = int(np.count_nonzero(np.diff(scored))) if scored.size else 0
    out["awakenings"] = sum(1 for v, _, _ in _runs(spt) if v == WAKE)
    cycles, incomplete = nrem_rem_cycles(spt, hyp.epoch_s)
    out["cycles"] = len(cycles)
    out["cycles_incomplete"] = incomplete
    half = spt.size // 2
    out["n3_first_half_min"] = float(np.count_nonzero(spt[:half] == N3)) * per_min
    out["n3_second_half_min"] = float(np.count_nonzero(spt[half:] == N3)) * per_min
    out["unscored_min"] = float(np.count_nonzero(h == UNSCORED)) * per_min
    out["lights_off_s"] = hyp.lights_off_s
    out["lights_on_s"] = hyp.lights_on_s
    out["window_epochs"] = [win.start, win.stop]
    out["sleep_onset_epoch"] = int(win.start + idx_sleep[0]) if has_sleep else None
    out["final_wake_epoch"] = int(win.start + idx_sleep[-1] + 1) if has_sleep else None
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}
