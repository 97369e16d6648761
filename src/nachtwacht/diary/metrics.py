"""Sleep-diary metrics per night and per period (Consensus Sleep Diary definitions).

Per night (Carney et al. 2012, *The Consensus Sleep Diary*):

``tib_min``  time in bed = out of bed - into bed.
``sol_min``  sleep-onset latency, as reported.
``waso_min`` wake after sleep onset, as reported (excludes the final awakening).
``nwak``     number of awakenings, as reported (the final awakening not counted).
``tst_min``  total sleep time = sleep window - SOL - WASO, where the sleep window is
             final wake - lights out (lights out falls back to into bed).
``se_pct``   sleep efficiency = TST / TIB x 100.
``terminal_wake_min`` time in bed after the final awakening = out of bed - final wake.
``midpoint`` clock time halfway between sleep onset (lights out + SOL) and final wake.

Durations are real elapsed minutes, so they are right across daylight-saving changes
(see :mod:`nachtwacht.diary.clock`). A metric whose inputs are missing is ``None``; the
others are still computed. Naps are not part of TST; ``nap_min`` is reported on its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .clock import DEFAULT_TZ, add_minutes, local_noon, minutes_between, resolve, zone
from .types import Night

#: Per-night values that get a mean/SD/n in :func:`period_metrics`.
NUMERIC_METRICS = ("tib_min", "sol_min", "waso_min", "nwak", "tst_min", "se_pct",
                   "terminal_wake_min", "nap_min")
#: Minimum number of consecutive-day pairs for the Sleep Regularity Index.
SRI_MIN_PAIRS = 5


@dataclass(frozen=True)
class NightMetrics:
    """Metrics of one night; see the module docstring for each definition."""

    date: dt.date
    tib_min: float | None = None
    sol_min: float | None = None
    waso_min: float | None = None
    nwak: int | None = None
    tst_min: float | None = None
    se_pct: float | None = None
    midpoint: dt.time | None = None
    terminal_wake_min: float | None = None
    nap_min: float | None = None
    bed_dt: dt.datetime | None = None
    lights_out_dt: dt.datetime | None = None
    onset_dt: dt.datetime | None = None
    final_wake_dt: dt.datetime | None = None
    out_of_bed_dt: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ISO date, ``HH:MM`` midpoint, ISO datetimes with offset."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if isinstance(v, dt.datetime):
                out[k] = v.isoformat(timespec="minutes")
            elif isinstance(v, dt.date):
                out[k] = v.isoformat()
            elif isinstance(v, dt.time):
                out[k] = v.strftime("%H:%M")
            elif isinstance(v, float):
                out[k] = round(v, 1)
            else:
                out[k] = v
        return out


def _at(night: Night, name: str, anchor: str, tz: str) -> dt.datetime | None:
    t = getattr(night, name)
    return None if t is None else resolve(night.date, t, anchor, tz)  # type: ignore[arg-type]


def resolved_times(night: Night, tz: str = DEFAULT_TZ) -> dict[str, dt.datetime | None]:
    """Aware datetimes of a night's clock fields (``None`` where not recorded)."""
    return {
        "bedtime": _at(night, "bedtime", "evening", tz),
        "lights_out": _at(night, "lights_out", "evening", tz),
        "final_wake": _at(night, "final_wake", "morning", tz),
        "out_of_bed": _at(night, "out_of_bed", "morning", tz),
    }


def night_metrics(night: Night, tz: str = DEFAULT_TZ) -> NightMetrics:
    """Compute the Consensus Sleep Diary metrics of one night.

    Parameters
    ----------
    night
        One diary night.
    tz
        IANA time zone of the clock times.

    Returns
    -------
    NightMetrics
        Every metric whose inputs are present; the rest ``None``.
    """
    t = resolved_times(night, tz)
    bed, up, fw = t["bedtime"], t["out_of_bed"], t["final_wake"]
    lo = t["lights_out"] or bed
    tib = minutes_between(bed, up) if bed and up else None
    window = minutes_between(lo, fw) if lo and fw else None
    tst = None
    if window is not None and night.sol_min is not None and night.waso_min is not None:
        tst = window - night.sol_min - night.waso_min
    se = tst / tib * 100.0 if tst is not None and tib else None
    onset = add_minutes(lo, night.sol_min, tz) if lo and night.sol_min is not None else None
    midpoint = None
    if onset and fw:
        midpoint = add_minutes(onset, minutes_between(onset, fw) / 2.0, tz).time()
    terminal = minutes_between(fw, up) if fw and up else None
    return NightMetrics(
        date=night.date, tib_min=tib, sol_min=night.sol_min, waso_min=night.waso_min,
        nwak=night.awakenings, tst_min=tst, se_pct=se, midpoint=midpoint,
        terminal_wake_min=terminal, nap_min=night.nap_min, bed_dt=bed, lights_out_dt=t["lights_out"],
        onset_dt=onset, final_wake_dt=fw, out_of_bed_dt=up,
    )


def _mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return mean, sd


def circular_sd_minutes(times: Sequence[dt.time]) -> float | None:
    """Sample SD in minutes of clock times, safe around midnight.

    Each time's deviation from the circular mean is wrapped into -720..720 minutes, so
    23:30 and 00:30 are 60 minutes apart, not 23 hours. ``None`` for fewer than 2 times.
    """
    if len(times) < 2:
        return None
    mins = np.array([t.hour * 60 + t.minute for t in times], dtype=float)
    ang = mins / 1440.0 * 2 * math.pi
    mean_ang = math.atan2(float(np.sin(ang).mean()), float(np.cos(ang).mean()))
    mean_min = mean_ang / (2 * math.pi) * 1440.0
    dev = (mins - mean_min + 720.0) % 1440.0 - 720.0
    return float(np.sqrt(np.sum((dev - dev.mean()) ** 2) / (len(dev) - 1)))


def circular_mean_time(times: Sequence[dt.time]) -> dt.time | None:
    """Circular mean of clock times (the mean of 23:30 and 00:30 is 00:00)."""
    if not times:
        return None
    mins = np.array([t.hour * 60 + t.minute for t in times], dtype=float)
    ang = mins / 1440.0 * 2 * math.pi
    mean_min = math.atan2(float(np.sin(ang).mean()), float(np.cos(ang).mean())) / (2 * math.pi) * 1440
    m = int(round(mean_min)) % 1440
    return dt.time(m // 60, m % 60)


def sleep_regularity_index(metrics: Sequence[NightMetrics], tz: str = DEFAULT_TZ) -> float | None:
    """Sleep Regularity Index (Phillips et al. 2017), approximated from a diary.

    The SRI is the probability of being in the same state (asleep/awake) at two time
    points 24 h apart, scaled to -100 (always different) ... 100 (identical days).
    Here the minute-by-minute state is built from the diary: asleep from sleep onset
    (lights out + SOL) to the final awakening, awake otherwise. Night-time awakenings
    (WASO) cannot be placed in time and naps are not timed, so both are ignored: this is
    an approximation. Each night with onset and final wake covers the 24 h from local
    noon before it to local noon after it (extended to its whole sleep period); minutes
    are compared with the minute exactly 24 h (1440 real minutes) later, whenever both are
    covered. Returns ``None`` when fewer than :data:`SRI_MIN_PAIRS` pairs of nights on
    consecutive dates exist.
    """
    valid = [m for m in metrics if m.onset_dt and m.final_wake_dt and m.final_wake_dt > m.onset_dt]
    if not valid:
        return None
    dates = {m.date for m in valid}
    pairs = sum(1 for d in dates if d + dt.timedelta(days=1) in dates)
    if pairs < SRI_MIN_PAIRS:
        return None
    utc = dt.UTC
    start = min(min(local_noon(m.date - dt.timedelta(days=1), tz), m.onset_dt) for m in valid)
    start = start.astimezone(utc)

    def minute(x: dt.datetime) -> int:
        return int(math.floor((x.astimezone(utc) - start).total_seconds() / 60.0))

    end = max(max(local_noon(m.date, tz), m.final_wake_dt) for m in valid)
    n = minute(end) + 1
    covered = np.zeros(n, dtype=bool)
    asleep = np.zeros(n, dtype=bool)
    for m in valid:
        a = minute(local_noon(m.date - dt.timedelta(days=1), tz))
        b = minute(local_noon(m.date, tz))
        s, e = minute(m.onset_dt), minute(m.final_wake_dt)  # type: ignore[arg-type]
        covered[min(a, s):max(b, e)] = True
        asleep[s:e] = True
    if n <= 1440:
        return None
    both = covered[:-1440] & covered[1440:]
    if not both.any():
        return None
    same = (asleep[:-1440] == asleep[1440:]) & both
    return float(200.0 * same.sum() / both.sum() - 100.0)


def period_metrics(nights: Sequence[Night], tz: str = DEFAULT_TZ,
                   metrics: Sequence[NightMetrics] | None = None) -> dict[str, Any]:
    """Summarise a period of nights.

    ``metrics``: :func:`night_metrics` of ``nights`` in the same order and zone, when
    the caller has them already (the dashboard shows them too).

    Returns
    -------
    dict
        ``n_nights``, ``first``/``last`` dates, for each of :data:`NUMERIC_METRICS` a
        ``{"mean", "sd", "n"}`` dict (sample SD, ``None`` below 2 values); regularity:
        ``sd_bedtime_min`` (into bed), ``sd_risetime_min`` (out of bed),
        ``sd_midpoint_min`` (circular SDs in minutes, see :func:`circular_sd_minutes`),
        ``mean_bedtime``, ``mean_risetime``, ``mean_midpoint`` (``HH:MM`` circular means)
        and ``sri`` (:func:`sleep_regularity_index`, ``None`` if too few consecutive nights).
    """
    zone(tz)  # fail early on a bad zone name
    per = list(metrics) if metrics is not None else [night_metrics(n, tz) for n in nights]
    if len(per) != len(nights):
        raise ValueError("metrics must be those of the nights, one each")
    out: dict[str, Any] = {
        "n_nights": len(per),
        "first": min((m.date for m in per), default=None),
        "last": max((m.date for m in per), default=None),
    }
    for name in NUMERIC_METRICS:
        vals = [float(getattr(m, name)) for m in per if getattr(m, name) is not None]
        mean, sd = _mean_sd(vals)
        out[name] = {"mean": mean, "sd": sd, "n": len(vals)}
    bed = [m.bed_dt.time() for m in per if m.bed_dt]
    rise = [m.out_of_bed_dt.time() for m in per if m.out_of_bed_dt]
    mid = [m.midpoint for m in per if m.midpoint]
    out["sd_bedtime_min"] = circular_sd_minutes(bed)
    out["sd_risetime_min"] = circular_sd_minutes(rise)
    out["sd_midpoint_min"] = circular_sd_minutes(mid)
    out["mean_bedtime"] = circular_mean_time(bed)
    out["mean_risetime"] = circular_mean_time(rise)
    out["mean_midpoint"] = circular_mean_time(mid)
    out["sri"] = sleep_regularity_index(per, tz)
    return out


def summary_to_json(summary: dict[str, Any]) -> dict[str, Any]:
    """Make a :func:`period_metrics` result JSON-ready (ISO dates, ``HH:MM``, rounded)."""

    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dt.time):
            return v.strftime("%H:%M")
        if isinstance(v, float):
            return round(v, 2)
        return v

    return conv(summary)
