"""Stage sequences for the independent nights: real expert scorings, or windows of them.

The Dreem Open Datasets (DOD-H, healthy adults) give five technicians' scorings per night
in YASA's codes (-1 unscored, 0 W, 1 N1, 2 N2, 3 N3, 4 REM). Unscored epochs become wake:
the simulator needs a physiology for every epoch, and wake plants no events.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

WAKE, N1, N2, N3, REM = 0, 1, 2, 3, 4
SLEEP = (N1, N2, N3, REM)
EPOCH_S = 30.0

#: A DOD-H night with every stage, 46 wake->sleep transitions (sleep starts) and 83 min REM.
DEFAULT_NIGHT = "14c012bd-65b0-56f5-bc74-2dffcea69837"


def shared_dir() -> Path:
    """``../shared`` next to the repository, or ``$NACHTWACHT_SHARED``."""
    repo = Path(__file__).resolve().parents[4]
    return Path(os.environ.get("NACHTWACHT_SHARED", repo / ".." / "shared")).resolve()


def dreem_night(night: str = DEFAULT_NIGHT, scorer: int = 1) -> np.ndarray:
    """Stage codes of one Dreem night (DOD-H or DOD-O) by one scorer (unscored -> wake)."""
    base = shared_dir() / "psg" / "dod" / "scorers"
    paths = [base / c / f"scorer_{scorer}" / f"{night}.json" for c in ("dodh", "dodo")]
    path = next((p for p in paths if p.exists()), paths[0])
    stages = np.asarray(json.loads(path.read_text()), dtype=np.int8)
    stages[stages < 0] = WAKE
    return stages


def best_window(stages: np.ndarray, n_epochs: int) -> np.ndarray:
    """The ``n_epochs`` window richest in the stages every detector needs.

    Score = the smallest of N3, REM, N2 and light sleep (N1) minutes plus one
    W->sleep transition bonus, so a short stretch still holds N3 (arousals out of
    N3), REM (RSWA), N2 (RMMA, PLM) and sleep onsets (sleep starts).
    """
    if len(stages) <= n_epochs:
        return stages.copy()
    best, best_score = 0, -1.0
    for i in range(0, len(stages) - n_epochs + 1, 4):
        w = stages[i : i + n_epochs]
        onsets = int(np.sum((w[:-1] == WAKE) & np.isin(w[1:], (N1, N2))))
        score = min((w == N3).sum(), (w == REM).sum(), (w == N2).sum() / 2) + 3 * min(onsets, 6)
        if score > best_score:
            best, best_score = i, score
    return stages[best : best + n_epochs].copy()


def runs(stages: np.ndarray) -> list[tuple[int, int, int]]:
    """(stage, first epoch, epoch count) of every run of equal stages."""
    out = []
    start = 0
    for i in range(1, len(stages) + 1):
        if i == len(stages) or stages[i] != stages[start]:
            out.append((int(stages[start]), start, i - start))
            start = i
    return out


def sleep_onsets(stages: np.ndarray) -> list[float]:
    """Seconds of every W -> N1/N2 epoch boundary (where sleep starts happen)."""
    idx = np.flatnonzero((stages[:-1] == WAKE) & np.isin(stages[1:], (N1, N2))) + 1
    return [float(i * EPOCH_S) for i in idx]


def stage_of(stages: np.ndarray, t: float) -> int:
    """Stage at ``t`` seconds (wake outside the night)."""
    i = int(t // EPOCH_S)
    return int(stages[i]) if 0 <= i < len(stages) else WAKE


def same_stage(stages: np.ndarray, t0: float, t1: float, allowed: tuple[int, ...]) -> bool:
    """True when every epoch touched by [t0, t1] is in ``allowed``."""
    if t0 < 0 or t1 > len(stages) * EPOCH_S:
        return False
    i0, i1 = int(t0 // EPOCH_S), int(min(t1, len(stages) * EPOCH_S - 1e-6) // EPOCH_S)
    return bool(np.isin(stages[i0 : i1 + 1], allowed).all())


def one_stage(stages: np.ndarray, t0: float, t1: float) -> int | None:
    """The stage when [t0, t1] lies in a single stage, else None."""
    if t0 < 0 or t1 > len(stages) * EPOCH_S:
        return None
    i0, i1 = int(t0 // EPOCH_S), int(min(t1, len(stages) * EPOCH_S - 1e-6) // EPOCH_S)
    seg = stages[i0 : i1 + 1]
    return int(seg[0]) if (seg == seg[0]).all() else None
