"""Sleep/wake from activity counts, on 1-min epochs: Oakley (Actiware), Cole-Kripke
(1992) and Sadeh (1994).

The published formulas, vectorised with NumPy so 14 days score in milliseconds (the
pandas ``rolling().apply`` of pyActigraphy takes seconds). Cole-Kripke uses the same
1-min weights and centring as pyActigraphy's ``CK(settings="mean")``; Sadeh follows the
paper (50 <= count < 100, counts capped at 300, LG of the epoch itself), where
pyActigraphy uses 50 < count < 100 and the next epoch's LG. Oakley is the Actiwatch
manufacturer's method (Actiware, "medium" threshold 40) and the right one for Actiwatch
and MotionWatch counts, which are on another scale than the counts Cole and Kripke used.
``auto`` picks Oakley for those and Cole-Kripke for the rest. Missing epochs (NaN)
count as zero activity in the window sums but are returned as missing (``-1``).
"""

from __future__ import annotations

import numpy as np

#: Cole et al. 1992, 1-min epochs, maximum counts: weights for A(-4) .. A(+2), scale P.
CK_WEIGHTS = np.array([106.0, 54.0, 58.0, 76.0, 230.0, 74.0, 67.0])
CK_SCALE = 0.001
#: Sadeh et al. 1994; counts are capped at 300 as in the original.
SADEH_CAP = 300.0


def cole_kripke(counts: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    """1 = sleep, 0 = wake, -1 = missing, for 1-minute counts.

    D = P * (106 A-4 + 54 A-3 + 58 A-2 + 76 A-1 + 230 A0 + 74 A+1 + 67 A+2);
    sleep when D < ``threshold``.
    """
    a = np.nan_to_num(np.asarray(counts, dtype=float))
    # correlate with the reversed kernel: position 4 of the weights sits on epoch t.
    padded = np.pad(a, (4, 2))
    d = CK_SCALE * np.correlate(padded, CK_WEIGHTS, mode="valid")
    out = (d < threshold).astype(np.int8)
    out[np.isnan(counts)] = -1
    return out


def sadeh(counts: np.ndarray) -> np.ndarray:
    """1 = sleep, 0 = wake, -1 = missing (Sadeh 1994, 1-minute epochs).

    PS = 7.601 - 0.065 MW5 - 1.08 NAT - 0.056 SD6 - 0.703 LG; sleep when PS >= 0. MW5 is
    the mean over the 11-min window centred on the epoch, NAT the number of epochs in
    it with 50 <= count < 100, SD6 the SD of the epoch and the 5 before, LG ln(count + 1).
    """
    a = np.minimum(np.nan_to_num(np.asarray(counts, dtype=float)), SADEH_CAP)
    n = len(a)
    pad = np.pad(a, (5, 5))
    win = np.lib.stride_tricks.sliding_window_view(pad, 11)
    mw5 = win.mean(axis=1)
    nat = ((win >= 50) & (win < 100)).sum(axis=1)
    pad6 = np.pad(a, (5, 0), mode="edge") if n else a
    sd6 = np.lib.stride_tricks.sliding_window_view(pad6, 6).std(axis=1, ddof=1)
    lg = np.log(a + 1.0)
    ps = 7.601 - 0.065 * mw5[:n] - 1.08 * nat[:n] - 0.056 * sd6[:n] - 0.703 * lg
    out = (ps >= 0).astype(np.int8)
    out[np.isnan(counts)] = -1
    return out


#: Oakley (1997) weights per epoch length, as in Actiware's manual (and pyActigraphy):
#: the window always spans 2 minutes each side; wake when the sum is above the threshold.
OAKLEY_WEIGHTS = {
    15: np.r_[[0.04] * 4, [0.2] * 4, 4.0, [0.2] * 4, [0.04] * 4],
    30: np.array([0.04, 0.04, 0.2, 0.2, 2.0, 0.2, 0.2, 0.04, 0.04]),
    60: np.array([0.04, 0.2, 1.0, 0.2, 0.04]),
    120: np.array([0.12, 0.5, 0.12]),
}


def oakley(counts: np.ndarray, threshold: float = 40.0, epoch_s: int = 60) -> np.ndarray:
    """1 = sleep, 0 = wake, -1 = missing (Actiware; threshold 40 = "medium").

    Scored at the recording's own epoch (15, 30, 60 or 120 s) with Actiware's weights.
    """
    w = OAKLEY_WEIGHTS.get(epoch_s)
    if w is None:
        raise ValueError(f"Oakley is defined for 15, 30, 60 and 120 s epochs, not {epoch_s} s")
    a = np.nan_to_num(np.asarray(counts, dtype=float))
    h = len(w) // 2
    total = np.correlate(np.pad(a, (h, h)), w, mode="valid")
    out = (total <= threshold).astype(np.int8)
    out[np.isnan(counts)] = -1
    return out


ALGORITHMS = {"oakley": oakley, "cole_kripke": cole_kripke, "sadeh": sadeh}
#: ``auto``: the method that fits each device's counts.
AUTO = {"awd": "oakley", "mtn": "oakley", "rpx": "oakley"}


def auto_method(fmt: str) -> str:
    """The scoring that fits a recording format (``oakley`` or ``cole_kripke``)."""
    return AUTO.get(fmt, "cole_kripke")


def score(counts: np.ndarray, method: str = "cole_kripke") -> np.ndarray:
    """Score 1-minute counts with ``method`` (``cole_kripke`` or ``sadeh``)."""
    try:
        return ALGORITHMS[method](counts)
    except KeyError:
        raise ValueError(f"unknown scoring method {method!r}") from None
