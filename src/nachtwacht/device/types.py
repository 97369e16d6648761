"""Value types of device data: an epoch recording, a consumer sleep record, a device night.

All times are naive *local wall-clock* datetimes, like the diary's clock times: devices
store local time (Actiwatch, MotionWatch) or a local time with its UTC offset (Apple,
Oura, Withings), and the diary compares clock times, so the offset is dropped after
conversion to the person's local time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Epochs:
    """An activity-count recording from an actigraph.

    ``counts`` holds one value per epoch (NaN where the device was off the wrist or the
    epoch is missing); ``epoch_s`` is the epoch length in seconds. A raw accelerometer
    (:mod:`.raw`) gives ENMO in mg per minute instead of counts, and ``sleep``: its
    own sleep/wake per minute (1, 0, -1 missing) from the arm angle (van Hees 2015).
    ``rest`` holds the rest intervals (in bed, start and end) an export carries itself,
    e.g. Actiware's REST intervals from event markers, the scorer's edits or its own
    rest detection; nights are then found inside them, as Actiware does.
    """

    start: dt.datetime
    epoch_s: int
    counts: np.ndarray
    fmt: str
    device: str = ""
    light: np.ndarray | None = None
    sleep: np.ndarray | None = None
    rest: tuple[tuple[dt.datetime, dt.datetime], ...] = ()

    @property
    def end(self) -> dt.datetime:
        """The moment just after the last epoch."""
        return self.start + dt.timedelta(seconds=self.epoch_s * len(self.counts))

    def per_minute(self) -> Epochs:
        """Counts summed to 1-minute epochs (the scoring algorithms are defined on minutes)."""
        if self.epoch_s == 60:
            return self
        if 60 % self.epoch_s:
            raise ValueError(f"epoch of {self.epoch_s} s does not divide a minute")
        k = 60 // self.epoch_s
        n = len(self.counts) // k
        c = self.counts[: n * k].reshape(n, k)
        # A minute with any missing epoch is missing: a partial sum would look like rest.
        summed = np.where(np.isnan(c).any(axis=1), np.nan, np.nansum(c, axis=1))
        return Epochs(self.start, 60, summed, self.fmt, self.device, rest=self.rest)


@dataclass(frozen=True)
class Interval:
    """One stretch of a consumer device's own staging: ``in_bed``, ``asleep``, ``awake``,
    ``light``, ``deep`` or ``rem``."""

    start: dt.datetime
    end: dt.datetime
    state: str


@dataclass(frozen=True)
class SleepRecord:
    """One night's sleep as a consumer device exported it.

    Either ``intervals`` (Apple, Fitbit, Garmin: the device's own stages over time) or
    the totals (Oura, Withings, Sleep as Android: in bed from-to, minutes per stage).
    """

    source: str
    in_bed_start: dt.datetime | None = None
    in_bed_end: dt.datetime | None = None
    intervals: tuple[Interval, ...] = ()
    tst_min: float | None = None
    waso_min: float | None = None
    sol_min: float | None = None
    stages_min: dict[str, float] = field(default_factory=dict)


SLEEP_STATES = frozenset({"asleep", "light", "deep", "rem"})


@dataclass(frozen=True)
class DeviceNight:
    """Figures of one night from a device, dated by the morning like a diary night.

    ``method`` names how sleep was found: ``oakley``, ``cole_kripke``, ``sadeh``,
    ``van_hees`` (raw acceleration) or the device's own staging (``apple``, ``fitbit``, ...).
    """

    date: dt.date
    source: str
    method: str
    rest_start: dt.datetime | None
    rest_end: dt.datetime | None
    onset: dt.datetime | None
    offset: dt.datetime | None
    tst_min: float | None
    waso_min: float | None
    se_pct: float | None
    sol_min: float | None = None
    stages_min: dict[str, float] = field(default_factory=dict)

    @property
    def midpoint(self) -> dt.datetime | None:
        """Halfway between sleep onset and offset."""
        if self.onset is None or self.offset is None:
            return None
        return self.onset + (self.offset - self.onset) / 2

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DeviceNight:
        """Inverse of :meth:`to_dict` (for nights stored as JSON)."""
        def t(x: str | None) -> dt.datetime | None:
            return None if x is None else dt.datetime.fromisoformat(x)

        return cls(dt.date.fromisoformat(d["date"]), d["source"], d["method"], t(d["rest_start"]),
                   t(d["rest_end"]), t(d["onset"]), t(d["offset"]), d["tst_min"], d["waso_min"],
                   d["se_pct"], d.get("sol_min"), dict(d.get("stages_min") or {}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (ISO dates, ``YYYY-MM-DDTHH:MM`` times, rounded minutes)."""
        def t(x: dt.datetime | None) -> str | None:
            return None if x is None else x.isoformat(timespec="minutes")

        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 1)

        mid = self.midpoint
        return {
            "date": self.date.isoformat(), "source": self.source, "method": self.method,
            "rest_start": t(self.rest_start), "rest_end": t(self.rest_end),
            "onset": t(self.onset), "offset": t(self.offset),
            "midpoint": None if mid is None else mid.strftime("%H:%M"),
            "tst_min": r(self.tst_min), "waso_min": r(self.waso_min), "se_pct": r(self.se_pct),
            "sol_min": r(self.sol_min),
            "stages_min": {k: r(v) for k, v in self.stages_min.items()},
        }
