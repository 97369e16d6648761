"""Place diary clock times on the calendar, time-zone aware.

A diary row is dated by the *morning*. A clock time such as ``23:30`` therefore needs
a rule saying which calendar day it is on; the field's ``anchor`` gives it:

``evening``
    times from 12:00 belong to the evening before the morning date, earlier times
    to the morning date itself (``bedtime 00:30`` is after midnight).
``morning``
    the morning date itself (``final_wake 07:10``).

A clock field may also hold a full local date-time (``YYYY-MM-DD HH:MM``), for day
sleepers and for nights longer than the anchor rule can express; it is used as is.

Daylight-saving time
--------------------
Results are aware datetimes in ``tz`` (IANA name, default ``Europe/Amsterdam``).
Python subtracts two aware datetimes that share a ``tzinfo`` by *wall clock*, which is
wrong across a DST change, so always take durations with :func:`minutes_between`
(it converts to UTC first): in bed 23:00 to 07:00 is 7 h on the spring-forward night
and 9 h on the fall-back night.

Local times that do not exist (02:30 on the spring-forward morning) or exist twice
(02:30 on the fall-back morning) are resolved with ``fold=0``, i.e. with the offset in
force *before* the change: a nonexistent 02:30 becomes 03:30 summer time (same instant
as 01:30 UTC), an ambiguous 02:30 is taken as the first (summer-time) occurrence.
People rarely log such times, and this choice never makes a duration negative.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Europe/Amsterdam"
NOON = dt.time(12, 0)


@lru_cache(maxsize=32)
def zone(tz: str) -> ZoneInfo:
    """Return the :class:`ZoneInfo` for an IANA name, with a clear error if unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Amsterdam)") from exc


def resolve(
    morning: dt.date,
    t: dt.time | dt.datetime,
    anchor: Literal["evening", "morning"],
    tz: str = DEFAULT_TZ,
) -> dt.datetime:
    """Return the aware local datetime of clock value ``t`` in the night of ``morning``.

    Parameters
    ----------
    morning
        Date of the morning the night ends on (the diary row's date).
    t
        A clock time, or a naive local datetime (used as is, only localised).
    anchor
        ``"evening"``: times >= 12:00 fall on the day before ``morning``;
        ``"morning"``: on ``morning``.
    tz
        IANA time zone name.

    Returns
    -------
    datetime
        Aware datetime in ``tz``; nonexistent/ambiguous local times use ``fold=0``.
    """
    zi = zone(tz)
    if isinstance(t, dt.datetime):
        return t.replace(tzinfo=zi, fold=0)
    if anchor == "evening":
        day = morning - dt.timedelta(days=1) if t >= NOON else morning
    elif anchor == "morning":
        day = morning
    else:
        raise ValueError(f"anchor must be 'evening' or 'morning', not {anchor!r}")
    return dt.datetime.combine(day, t.replace(tzinfo=None), tzinfo=zi)


def morning_of(moment: dt.datetime) -> dt.date:
    """The diary date (the morning the night ends on) of a local ``moment`` in that night.

    The inverse of the evening anchor of :func:`resolve`: from 12:00 on, a moment
    belongs to the night that ends the next morning.
    """
    return moment.date() + dt.timedelta(days=1) if moment.time() >= NOON else moment.date()


def minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Real elapsed minutes from ``start`` to ``end`` (negative if ``end`` is earlier).

    Both are converted to UTC first, so a DST change inside the interval counts.
    """
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 60.0


def add_minutes(start: dt.datetime, minutes: float, tz: str = DEFAULT_TZ) -> dt.datetime:
    """Return the local time ``minutes`` real minutes after ``start`` (DST-safe)."""
    return (start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(zone(tz))


def local_noon(day: dt.date, tz: str = DEFAULT_TZ) -> dt.datetime:
    """Aware local 12:00 of ``day``; a convenient day boundary for nights."""
    return dt.datetime.combine(day, NOON, tzinfo=zone(tz))
