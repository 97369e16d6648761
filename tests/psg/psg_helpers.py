"""Helpers of the sleep-study tests (importable as ``psg_helpers``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np


def write_edf(path: Path, signals: dict[str, tuple[np.ndarray, float, str]],
              start: dt.datetime = dt.datetime(2026, 11, 1, 23, 0, 0),
              record_s: float = 1.0) -> Path:
    """EDF with ``{label: (data, sf, unit)}``; the physical range is the data's own."""
    import edfio

    sigs = []
    for label, (data, sf, unit) in signals.items():
        lo, hi = float(np.min(data)), float(np.max(data))
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        sigs.append(edfio.EdfSignal(np.asarray(data, dtype=np.float64), sf, label=label,
                                    physical_dimension=unit, physical_range=(lo, hi)))
    edfio.Edf(sigs, recording=edfio.Recording(startdate=start.date()), starttime=start.time(),
              data_record_duration=record_s).write(path)
    return path
