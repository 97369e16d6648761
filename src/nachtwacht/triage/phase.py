"""The ``clock_phase`` condition: a late or early body clock, read as a sleep physician would.

A delayed sleep-wake phase is not "late on average". ICSD-3 and the AASM guideline on
circadian rhythm disorders (2015) describe a *stable* sleep onset that lies about two
hours or more later than wanted, with a late wake time whenever the person may sleep
until they wake by themselves. A diary is asked for over work *and* free days exactly
because an alarm hides the late wake on work days: the classic person falls asleep
around 02:00 every night, is forced up at 07:00 on weekdays and sleeps until 11:00 at
weekends. The condition therefore reads:

* **sleep onset** (lights out plus the minutes to fall asleep), not the bedtime: lying
  awake in bed from 23:00 is what people with a late clock do on work nights;
* its **median** and a **robust spread** (1.4826 × the median absolute deviation), so
  one party night neither makes nor breaks it, and an onset that jumps around (an
  irregular sleeper) is not called a late clock;
* the **wake time**: the median over all nights, or, for a late clock, the median of
  the latest third of the wake times (the free days, at least ``min_free`` of them);
* for a late clock with an alarm on *every* day (no free day in the diary), an onset
  that is stable and later still (``onset_alone``) suffices: falling asleep only at
  01:30-02:00 every night, however early the lights go out.

Sleep-onset insomnia at a normal clock differs on the free days: the person lies awake
until 01:00 but is still up around 07:00-08:00 at the weekend.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Any

from .conditions import _clock_text
from .facts import Facts, clock_minutes, fmt_date
from .types import Evidence

#: Keys of a ``clock_phase`` condition.
KEYS = {"direction", "onset", "wake", "free_wake", "onset_alone", "max_onset_spread", "min_nights",
        "min_free", "within_days"}
DIRECTIONS = ("late", "early")


def validate(arg: Any, where: str) -> str | None:
    """An error message for a malformed ``clock_phase`` argument, or None."""
    if not isinstance(arg, Mapping):
        return f"{where}: 'clock_phase' needs a mapping, got {arg!r}"
    unknown = sorted(set(arg) - KEYS)
    if unknown:
        return f"{where}: unknown key(s) {unknown} in 'clock_phase' (allowed: {sorted(KEYS)})"
    if arg.get("direction") not in DIRECTIONS:
        return f"{where}: clock_phase direction must be one of {DIRECTIONS}"
    for k in ("onset", "wake", "free_wake", "onset_alone"):
        if k in arg:
            try:
                _parse(arg[k])
            except ValueError:
                return f"{where}: clock_phase {k!r} must be a clock time 'HH:MM', got {arg[k]!r}"
    if "onset" not in arg or "wake" not in arg:
        return f"{where}: clock_phase needs 'onset' and 'wake'"
    for k in ("free_wake", "onset_alone"):
        if k in arg and arg["direction"] != "late":
            return f"{where}: clock_phase {k!r} belongs to a late clock only"
    for k in ("max_onset_spread", "min_nights", "min_free", "within_days"):
        if k in arg and (not isinstance(arg[k], int) or arg[k] < 1):
            return f"{where}: clock_phase {k!r} must be a positive whole number"
    return None


def _parse(value: Any, anchor: str = "morning") -> float:
    """A rule's "HH:MM" on the scale of ``anchor`` (ValueError if it is no clock time)."""
    return float(clock_minutes(str(value), anchor))


def _onset(night: Any) -> float | None:
    """Sleep onset in minutes after noon (evening scale), or None."""
    start = clock_minutes(night.lights_out or night.bedtime, "evening")
    if start is None:
        return None
    return (start + float(night.sol_min or 0)) % (24 * 60)


def _wake(night: Any) -> float | None:
    """Final wake in minutes after midnight (a wake after noon stays after noon)."""
    return clock_minutes(night.final_wake or night.out_of_bed, "morning")


def _robust_sd(values: list[float]) -> float:
    med = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - med) for v in values)


def evaluate(arg: Mapping[str, Any], facts: Facts) -> tuple[list[Evidence], list[dt.date], dict] | None:
    """Evidence, the nights that show the phase and the numbers for the texts, or None.

    The nights returned are those whose sleep onset lies beyond ``onset`` (so a text's
    ``{dates}`` names the nights that show the pattern, not simply every diary night).
    """
    late = arg["direction"] == "late"
    rows = []
    for night in facts.nights:
        if not facts.in_window(night.date, arg.get("within_days")):
            continue
        on, wake = _onset(night), _wake(night)
        if on is not None and wake is not None:
            rows.append((night.date, on, wake))
    if len(rows) < arg.get("min_nights", 10):
        return None
    onsets = [r[1] for r in rows]
    wakes = sorted(r[2] for r in rows)
    on_med, wake_med = statistics.median(onsets), statistics.median(wakes)
    want_on = _parse(arg["onset"], "evening")
    want_wake = _parse(arg["wake"])
    if _robust_sd(onsets) > arg.get("max_onset_spread", 90):
        return None
    if late:
        if on_med < want_on:
            return None
        k = max(arg.get("min_free", 3), len(wakes) // 3)
        free = statistics.median(wakes[-k:])
        sleeps_on = wake_med >= want_wake or ("free_wake" in arg and free >= _parse(arg["free_wake"]))
        if not sleeps_on and not ("onset_alone" in arg
                                  and on_med >= _parse(arg["onset_alone"], "evening")):
            return None
        shown = [d for d, on, _w in rows if on >= want_on]
    else:
        if on_med > want_on or wake_med > want_wake:
            return None
        free = wake_med
        shown = [d for d, on, _w in rows if on <= want_on]
    lang = facts.lang
    stats = {"onset": _clock_text(on_med, "evening"), "wake": _clock_text(wake_med, "morning"),
             "free_wake": _clock_text(free, "morning"), "mean": _clock_text(wake_med, "morning")}
    if late:
        # How the morning goes: sleeping on when free, or an alarm every day.
        if sleeps_on:
            stats["late_wake"] = (f" en slaapt uit tot rond {stats['free_wake']} als dat kan"
                                  if facts.lang == "nl" else
                                  f" and sleep until around {stats['free_wake']} when you can")
        else:
            stats["late_wake"] = (f", ook als de wekker elke dag om {stats['wake']} gaat"
                                  if facts.lang == "nl" else
                                  f", even though the alarm goes at {stats['wake']} every day")
    span = f"{fmt_date(rows[0][0], lang)}–{fmt_date(rows[-1][0], lang)}"
    if lang == "nl":
        text = (f"{span}: meestal in slaap rond {stats['onset']}, wakker rond {stats['wake']}"
                + (f" (op vrije dagen rond {stats['free_wake']})" if late and free != wake_med else "")
                + f", over {len(rows)} nachten")
    else:
        text = (f"{span}: usually asleep around {stats['onset']}, awake around {stats['wake']}"
                + (f" (on free days around {stats['free_wake']})" if late and free != wake_med else "")
                + f", over {len(rows)} nights")
    return [Evidence("finding", None, "sleep_onset", round(on_med, 1), text)], shown, stats
