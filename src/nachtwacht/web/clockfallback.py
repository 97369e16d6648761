"""``resolve`` from :mod:`nachtwacht.diary.clock`, with a private fallback until it lands."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

try:  # the core implementation (written by the diary area)
    from nachtwacht.diary.clock import resolve
except ImportError:  # pragma: no cover - only while the core module is missing

    def resolve(morning: dt.date, t: dt.time, anchor: str, tz: str = "Europe/Amsterdam") -> dt.datetime:
        """Evening anchor: times from 12:00 belong to the day before ``morning``."""
        day = morning - dt.timedelta(days=1) if anchor == "evening" and t.hour >= 12 else morning
        return dt.datetime.combine(day, t, tzinfo=ZoneInfo(tz))

__all__ = ["resolve"]
