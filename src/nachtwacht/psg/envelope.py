"""Light views of a sleep study for a browser: min/max envelopes and raw windows.

A night of 13 channels at 128 Hz is about 7 million samples, far more than a
screen has pixels. The overview therefore gets, per channel, the minimum and
maximum of each pixel column (:func:`envelopes`, computed once and cached by the
web layer), which keeps every spike visible, unlike plain decimation. The signal
view gets raw samples of the window asked for only (:func:`window`): edfio reads
lazily (``lazy_load_data=True``) and ``get_data_slice`` touches only the data
records that hold the window, so a 30-s epoch of a large file costs kilobytes.
edfio, not MNE, because the reader (:mod:`nachtwacht.psg.read`) already uses it and
it opens a file in under a millisecond without reading the data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from nachtwacht.psg._deps import require

#: Bioelectric units converted to µV, as the reader does (EEG, EOG and EMG in one scale).
_TO_UV = {"v": 1e6, "mv": 1e3, "uv": 1.0, "µv": 1.0, "μv": 1.0, "nv": 1e-3}
#: Pixel columns of the overview: wider than a desktop plot, cheap to send (~1000 pairs).
COLUMNS = 1000
#: Raw samples up to this many per channel (a 30-s epoch at 256 Hz); a longer window
#: (2 or 5 minutes) comes as min/max per column, since no screen shows more points.
MAX_POINTS = 7680
#: Columns of a window sent as an envelope.
WINDOW_COLUMNS = 1200


def open_edf(path: str | Path):
    """The file's edfio object without reading any samples."""
    edfio = require("edfio")
    path = Path(path)
    with open(path, "rb") as f:
        bdf = f.read(1) == b"\xff"
    return (edfio.read_bdf if bdf else edfio.read_edf)(path, lazy_load_data=True)


def unit_of(signal) -> tuple[float, str]:
    """(factor, unit): bioelectric signals in µV, others in their own physical unit."""
    dim = (signal.physical_dimension or "").strip()
    key = dim.lower().replace(" ", "")
    if key in _TO_UV:
        return _TO_UV[key], "µV"
    return 1.0, dim


def _round(x: np.ndarray) -> list[float | None]:
    """Four significant digits (smaller JSON); NaN (gaps) as None."""
    finite = x[np.isfinite(x)]
    scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    decimals = 0 if scale == 0 else max(0, 3 - math.floor(math.log10(scale)))
    out = np.round(x.astype(float), decimals)
    return [None if not np.isfinite(v) else float(v) for v in out]


def minmax(x: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of ``x`` in ``columns`` equal slices (NaN ignored).

    With fewer than two samples per column the samples themselves are returned.
    """
    x = np.asarray(x, dtype=float)
    if x.size <= 2 * columns:
        return x, x
    edges = np.linspace(0, x.size, columns + 1).astype(np.int64)[:-1]
    with np.errstate(invalid="ignore"):
        return np.fmin.reduceat(x, edges), np.fmax.reduceat(x, edges)


def _signals(edf, names: list[str] | None):
    sigs = [s for s in edf.signals if s.label.strip()]
    if names is None:
        return sigs
    by = {s.label.strip(): s for s in sigs}
    return [by[n] for n in names if n in by]


def envelopes(path: str | Path, names: list[str] | None = None, columns: int = COLUMNS) -> dict[str, Any]:
    """Min/max envelope of every channel (or of ``names``) over the whole night.

    Returns
    -------
    dict
        ``duration_s``, ``columns`` and ``channels``: a list of ``{name, unit, sf,
        min, max}`` with ``columns`` values each (fewer for very slow channels),
        in physical units.
    """
    edf = open_edf(path)
    out = []
    for sig in _signals(edf, names):
        factor, unit = unit_of(sig)
        lo, hi = minmax(sig.data * factor, columns)  # one channel in memory at a time
        out.append({"name": sig.label.strip(), "unit": unit, "sf": float(sig.sampling_frequency),
                    "min": _round(lo), "max": _round(hi)})
    return {"duration_s": float(edf.duration), "columns": columns, "channels": out}


def window(path: str | Path, start_s: float, len_s: float, names: list[str] | None = None,
           max_points: int = MAX_POINTS) -> dict[str, Any]:
    """Samples of ``names`` from ``start_s`` for ``len_s`` seconds, in physical units.

    The window is clipped to the recording. A channel with more than ``max_points``
    samples in the window comes as ``min``/``max`` per column (:data:`WINDOW_COLUMNS`)
    instead of ``y``, so a 5-minute window stays light on a phone.
    """
    edf = open_edf(path)
    dur = float(edf.duration)
    start = min(max(0.0, float(start_s)), max(0.0, dur - 1.0))
    stop = min(dur, start + max(1.0, float(len_s)))
    out = []
    for sig in _signals(edf, names):
        factor, unit = unit_of(sig)
        x = sig.get_data_slice(start, stop) * factor
        item: dict[str, Any] = {"name": sig.label.strip(), "unit": unit,
                                "sf": float(sig.sampling_frequency), "n": int(x.size)}
        if x.size > max_points:
            lo, hi = minmax(x, WINDOW_COLUMNS)
            item.update(min=_round(lo), max=_round(hi))
        else:
            item["y"] = _round(x)
        out.append(item)
    return {"start_s": start, "len_s": stop - start, "duration_s": dur, "channels": out}
