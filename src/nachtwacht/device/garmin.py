"""Garmin FIT sleep files, read with ``fitparse`` (a maintained pure-Python FIT decoder).

Garmin writes one ``sleep_level`` message (global number 275) each time the stage
changes: 1 awake, 2 light, 3 deep, 4 REM (0 = not measurable). fitparse's bundled
profile predates that message, so it may appear as ``unknown_275`` with the level in
field 0; both spellings are read. FIT times are UTC.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .consumer import group_intervals, local
from .errors import DeviceFormatError, broken
from .types import Interval, SleepRecord

LEVELS = {1: "awake", 2: "light", 3: "deep", 4: "rem",
          "awake": "awake", "light": "light", "deep": "deep", "rem": "rem"}


def read_fit(path: Path, tz: str) -> list[SleepRecord]:
    """Sleep stages from a Garmin ``.fit`` file."""
    try:
        import fitparse
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise DeviceFormatError("Garmin-bestanden lezen kan hier niet (fitparse ontbreekt).",
                                "Garmin files cannot be read here (fitparse is missing).") from exc
    marks: list[tuple[dt.datetime, str | None]] = []
    try:
        for msg in fitparse.FitFile(str(path)).get_messages():
            if msg.name not in ("sleep_level", "unknown_275"):
                continue
            vals = {f.name: f.value for f in msg.fields}
            ts = vals.get("timestamp") or vals.get("unknown_253")
            level = vals.get("sleep_level", vals.get("unknown_0"))
            if isinstance(ts, int):  # seconds since 1989-12-31 UTC
                ts = dt.datetime(1989, 12, 31, tzinfo=dt.UTC) + dt.timedelta(seconds=ts)
            if isinstance(ts, dt.datetime):
                if ts.tzinfo is None:
                    ts = ts.replace(tzinfo=dt.UTC)
                marks.append((local(ts, tz), LEVELS.get(level)))
    except fitparse.FitParseError as exc:
        raise broken(path.name, "Garmin (.fit)", str(exc)[:60]) from exc
    if not marks:
        raise broken(path.name, "Garmin (.fit)", "geen slaapgegevens")
    marks.sort(key=lambda m: m[0])
    ivs = [Interval(a[0], b[0], a[1]) for a, b in zip(marks, marks[1:], strict=False) if a[1]]
    return group_intervals("garmin", ivs)
