"""Body-clock figures: IS, IV, L5, M10, RA, sleep midpoint, its regularity (SRI) and
social jet lag.

IS, IV, L5, M10 and RA follow pyActigraphy's definitions and defaults exactly (counts
binarised at > 4, IS and IV on hourly sums binned from the recording's start, L5/M10 on
the epoch data's average day, sample variances), so the figures can be compared with
papers that used pyActigraphy; ``tests/device`` checks them against numbers computed
with pyActigraphy 1.2.2's own functions on its example recordings.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from ..diary.metrics import (
    NightMetrics,
    circular_mean_time,
    circular_sd_minutes,
    sleep_regularity_index,
)
from .types import DeviceNight, Epochs


def _binarize(x: np.ndarray, threshold: float) -> np.ndarray:
    return np.where(np.isnan(x), np.nan, (x > threshold).astype(float))


def _hourly(rec: Epochs, binarize: bool, threshold: float) -> np.ndarray:
    x = _binarize(rec.counts, threshold) if binarize else rec.counts
    k = 3600 // rec.epoch_s
    n = math.ceil(len(x) / k)
    pad = np.full(n * k, np.nan)
    pad[: len(x)] = x
    return np.nansum(pad.reshape(n, k), axis=1)  # pandas resample().sum(): NaN as 0


def interdaily_stability(rec: Epochs, binarize: bool = True, threshold: float = 4) -> float:
    """IS: variance of the average day's hourly profile over the total variance (0..1)."""
    h = _hourly(rec, binarize, threshold)
    prof = np.array([h[i::24].mean() for i in range(min(24, len(h)))])
    return float(prof.var(ddof=1) / h.var(ddof=1))


def intradaily_variability(rec: Epochs, binarize: bool = True, threshold: float = 4) -> float:
    """IV: mean squared hour-to-hour change over the variance (0 smooth .. ~2 fragmented)."""
    h = _hourly(rec, binarize, threshold)
    return float(np.mean(np.diff(h) ** 2) / h.var(ddof=1))


def _avg_day(rec: Epochs, binarize: bool, threshold: float) -> np.ndarray:
    x = _binarize(rec.counts, threshold) if binarize else rec.counts
    per_day = 86400 // rec.epoch_s
    tod0 = (rec.start.hour * 3600 + rec.start.minute * 60 + rec.start.second) // rec.epoch_s
    slot = (tod0 + np.arange(len(x))) % per_day
    ok = ~np.isnan(x)
    sums = np.bincount(slot[ok], weights=x[ok], minlength=per_day)
    cnt = np.bincount(slot[ok], minlength=per_day)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / cnt


def _lmx(rec: Epochs, hours: int, lowest: bool, binarize: bool, threshold: float) -> tuple[dt.time, float]:
    avg = _avg_day(rec, binarize, threshold)
    n = hours * 3600 // rec.epoch_s
    cyc = np.r_[avg, avg]
    sums = np.convolve(cyc, np.ones(n), mode="valid")[: len(avg) + 1]
    i = int(np.nanargmin(sums) if lowest else np.nanargmax(sums))
    s = (i * rec.epoch_s) % 86400
    return dt.time(s // 3600, (s % 3600) // 60), float(sums[i] / n)


def l5(rec: Epochs, binarize: bool = True, threshold: float = 4) -> tuple[dt.time, float]:
    """Start and mean activity of the 5 least active hours of the average day."""
    return _lmx(rec, 5, True, binarize, threshold)


def m10(rec: Epochs, binarize: bool = True, threshold: float = 4) -> tuple[dt.time, float]:
    """Start and mean activity of the 10 most active hours of the average day."""
    return _lmx(rec, 10, False, binarize, threshold)


def relative_amplitude(rec: Epochs, binarize: bool = True, threshold: float = 4) -> float:
    """RA = (M10 - L5) / (M10 + L5)."""
    lo, hi = l5(rec, binarize, threshold)[1], m10(rec, binarize, threshold)[1]
    return float((hi - lo) / (hi + lo))


def sri_from_nights(nights: Sequence[DeviceNight], tz: str = "Europe/Amsterdam") -> float | None:
    """Sleep Regularity Index of device nights, with the diary's definition (reused from
    :func:`nachtwacht.diary.metrics.sleep_regularity_index`: asleep onset..offset)."""
    z = ZoneInfo(tz)
    ms = [NightMetrics(date=n.date, onset_dt=n.onset.replace(tzinfo=z),
                       final_wake_dt=n.offset.replace(tzinfo=z))
          for n in nights if n.onset and n.offset]
    return sleep_regularity_index(ms, tz)


def social_jet_lag(nights: Sequence[DeviceNight | NightMetrics]) -> float | None:
    """Minutes between the mean sleep midpoint of free days and of work days.

    Free days are nights before a Saturday or Sunday (Friday and Saturday nights,
    Wittmann et al. 2006); ``None`` without at least 2 of each. Positive: later on free days.
    """
    free, work = [], []
    for n in nights:
        mid = n.midpoint
        if mid is None:
            continue
        t = mid if isinstance(mid, dt.time) else mid.time()
        (free if n.date.weekday() >= 5 else work).append(t)
    if len(free) < 2 or len(work) < 2:
        return None
    a, b = circular_mean_time(free), circular_mean_time(work)
    d = (a.hour * 60 + a.minute) - (b.hour * 60 + b.minute)  # type: ignore[union-attr]
    return float((d + 720) % 1440 - 720)


def rhythm(nights: Sequence[DeviceNight], rec: Epochs | None = None,
           tz: str = "Europe/Amsterdam") -> dict[str, Any]:
    """All body-clock figures that the data allow, JSON-ready."""
    mids = [n.midpoint.time() for n in nights if n.midpoint]
    out: dict[str, Any] = {
        "n_nights": len(nights),
        "mean_midpoint": (m.strftime("%H:%M") if (m := circular_mean_time(mids)) else None),
        "sd_midpoint_min": _r(circular_sd_minutes(mids)),
        "sri": _r(sri_from_nights(nights, tz)),
        "social_jet_lag_min": _r(social_jet_lag(nights)),
    }
    if rec is not None and len(rec.counts) * rec.epoch_s >= 2 * 86400:
        t5, v5 = l5(rec)
        t10, v10 = m10(rec)
        out.update(is_=_r(interdaily_stability(rec), 3), iv=_r(intradaily_variability(rec), 3),
                   l5=_r(v5, 3), l5_start=t5.strftime("%H:%M"), m10=_r(v10, 3),
                   m10_start=t10.strftime("%H:%M"), ra=_r((v10 - v5) / (v10 + v5), 3))
        out["is"] = out.pop("is_")
    return out


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)
