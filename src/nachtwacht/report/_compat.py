"""Access to the diary core's clock and metrics, with a minimal private fallback.

The report prefers :mod:`nachtwacht.diary.clock` and :mod:`nachtwacht.diary.metrics`;
the fallback only exists so the report still renders in a checkout where those
modules are missing, and computes the same agreed definitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo


def resolver() -> Callable[..., dt.datetime]:
    """Return ``nachtwacht.diary.clock.resolve`` or the fallback."""
    try:
        from nachtwacht.diary.clock import resolve
    except ImportError:
        return _resolve
    return resolve


def night_metrics_fn() -> Callable[..., Any] | None:
    """Return ``nachtwacht.diary.metrics.night_metrics`` or None if absent."""
    try:
        from nachtwacht.diary.metrics import night_metrics
    except ImportError:
        return None
    return night_metrics


def period_metrics_fn() -> Callable[..., Any] | None:
    """Return ``nachtwacht.diary.metrics.period_metrics`` or None if absent."""
    try:
        from nachtwacht.diary.metrics import period_metrics
    except ImportError:
        return None
    return period_metrics


def _resolve(morning: dt.date, t: dt.time, anchor: str, tz: str = "Europe/Amsterdam") -> dt.datetime:
    day = morning - dt.timedelta(days=1) if anchor == "evening" and t.hour >= 12 else morning
    return dt.datetime.combine(day, t, tzinfo=ZoneInfo(tz))


def fallback_night_metrics(night: Any, tz: str = "Europe/Amsterdam") -> Any:
    """Compute the agreed NightMetrics fields for one night (fallback only)."""
    from types import SimpleNamespace

    def res(t: dt.time | None, anchor: str) -> dt.datetime | None:
        return _resolve(night.date, t, anchor, tz) if t is not None else None

    bed = res(night.bedtime, "evening")
    lo = res(night.lights_out, "evening") or bed
    fw = res(night.final_wake, "morning")
    oob = res(night.out_of_bed, "morning")
    sol = night.sol_min
    onset = lo + dt.timedelta(minutes=sol) if lo is not None and sol is not None else None
    tib = (oob - bed).total_seconds() / 60 if bed and oob else None
    tst = None
    if onset is not None and fw is not None:
        tst = (fw - onset).total_seconds() / 60 - (night.waso_min or 0)
    se = 100 * tst / tib if tst is not None and tib else None
    mid = onset + (fw - onset) / 2 if onset is not None and fw is not None else None
    return SimpleNamespace(
        date=night.date, tib_min=tib, sol_min=sol, waso_min=night.waso_min,
        nwak=night.awakenings, tst_min=tst, se_pct=se,
        midpoint=mid.time() if mid else None,
        terminal_wake_min=(oob - fw).total_seconds() / 60 if oob and fw else None,
        bed_dt=bed, lights_out_dt=lo, onset_dt=onset, final_wake_dt=fw, out_of_bed_dt=oob,
    )
