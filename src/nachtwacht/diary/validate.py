"""Check parsed diary records against the field specs and the rules between fields.

Web forms call :func:`parse_value` per input and :func:`validate_night` on the built
:class:`~nachtwacht.diary.types.Night`; the CSV reader does the same per row. Every
function returns *all* problems it finds as :class:`RowError` values, never raises for
bad user input.

Cross-field rules for a night (times placed on the calendar by their anchor):

- ``lights_out_before_bed``: lights out earlier than into bed;
- ``wake_before_bed``: final wake or out of bed at or before into bed;
- ``final_wake_before_lights_out``: final wake at or before lights out;
- ``out_of_bed_before_final_wake``: out of bed earlier than final wake;
- ``wake_before_bed`` also when plain clock times put the final wake (or out of bed)
  more than :data:`MAX_CLOCK_NIGHT_H` hours after bedtime *and* its clock time lies
  shortly before the bedtime (wake 22:30 after bed 23:00 is a slip, not a 23.5 h night);
- ``tib_over_16h``: more than :data:`MAX_CLOCK_NIGHT_H` hours in bed written as plain
  clock times (``tib_over_48h``: more than 48 h when both into bed and out of bed are
  written as full date-times, which is how a really long night is entered);
- ``empty_night``: nothing about the sleep itself is filled in (no time, minutes, count
  or score), so the row would count as a night in every average without saying anything;
- ``sol_longer_than_tib``: SOL longer than lights out -> final wake (or than TIB);
- ``waso_plus_sol_exceeds_window``: SOL + WASO longer than lights out -> final wake;
- ``future_date``: the morning is after ``today``;
- ``duplicate_night``: two nights with the same date (:func:`validate_nights`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import fields as dc_fields
from typing import Any

from .clock import DEFAULT_TZ, minutes_between, zone
from .errors import FieldValueError, Record, RowError
from .fields import EPISODE_FIELDS, NIGHT_FIELDS, PROFILE_FIELDS, FieldSpec
from .metrics import resolved_times
from .types import Episode, Night, Profile
from .values import check_choice, check_range, format_value, parse_value

__all__ = [
    "parse_value", "validate_night", "validate_nights", "validate_episode", "validate_profile",
    "validate_fields", "today_in", "MAX_CLOCK_NIGHT_H", "SLEEP_FIELDS",
]

#: Longest stay in bed written with plain clock times (hours). Even a long recovery
#: sleep rarely passes 14 h; past 16 h a plain time is nearly always a slip (a wake-up
#: time read on the wrong day). A real longer stay is written with full date-times.
MAX_CLOCK_NIGHT_H = 16
#: A clock time at most this many hours *before* the bedtime is read as "wake before
#: bed" rather than as a very long night.
_BEFORE_BED_H = 4
#: The fields that say something about the sleep itself; a night needs one of them.
SLEEP_FIELDS = ("bedtime", "lights_out", "sol_min", "awakenings", "waso_min", "final_wake",
                "out_of_bed", "quality", "rested")

_SPECS: dict[Record, tuple[FieldSpec, ...]] = {
    "night": NIGHT_FIELDS, "episode": EPISODE_FIELDS, "profile": PROFILE_FIELDS,
}


def today_in(tz: str = DEFAULT_TZ) -> dt.date:
    """Today's date in ``tz`` (the default for future-date checks)."""
    return dt.datetime.now(zone(tz)).date()


def _check_spec(spec: FieldSpec, value: Any) -> tuple[str, dict[str, Any]] | None:
    """Check an already-typed value against its spec; return (code, params) or None."""
    if value is None or value == () or value == "":
        return ("required", {}) if spec.required else None
    try:
        kind = spec.kind
        if kind in ("minutes", "float", "int"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "bad_number", {"value": str(value)}
            if kind == "int" and not float(value).is_integer():
                return "bad_integer", {"value": str(value)}
            check_range(spec, float(value))
        elif kind == "choice":
            if check_choice(spec, str(value)) != value:
                return "unknown_choice", {"value": value, "choices": list(spec.choice_codes)}
        elif kind == "multichoice":
            for item in value:
                check_choice(spec, str(item))
        elif kind in ("list", "text"):
            text = format_value(spec, value)
            if len(text) > spec.max_length:
                return "too_long", {"length": len(text), "max": spec.max_length}
        elif kind == "bool" and not isinstance(value, bool):
            return "bad_bool", {"value": str(value)}
        elif kind == "clock" and not isinstance(value, dt.time | dt.datetime):
            return "bad_time", {"value": str(value)}
        elif kind == "date" and not isinstance(value, dt.date):
            return "bad_date", {"value": str(value)}
    except FieldValueError as exc:
        return exc.code, exc.params
    return None


def validate_fields(record: Record, obj: Any, row: int | None = None,
                    skip: Iterable[str] = ()) -> list[RowError]:
    """Check every field of ``obj`` against its spec (range, choices, length, required)."""
    skip = set(skip)
    errors = []
    for spec in _SPECS[record]:
        if spec.name in skip:
            continue
        found = _check_spec(spec, getattr(obj, spec.name))
        if found:
            errors.append(RowError(row, spec.name, found[0], found[1], record))
    return errors


def _hm(x: dt.datetime, ref_day: dt.date) -> str:
    """Short display of a resolved time: ``23:15``, with the date if not the row's day."""
    if x.date() in (ref_day, ref_day - dt.timedelta(days=1)):
        return x.strftime("%H:%M")
    return x.strftime("%Y-%m-%d %H:%M")


def validate_night(night: Night, *, row: int | None = None, today: dt.date | None = None,
                   tz: str = DEFAULT_TZ, skip_fields: Iterable[str] = (),
                   check_fields: bool = True) -> list[RowError]:
    """Return every problem of one night: field specs, then the cross-field rules.

    Parameters
    ----------
    night
        The night to check.
    row
        Spreadsheet row number to put in the errors (``None`` for a form).
    today
        Reference date for ``future_date`` (default: today in ``tz``).
    tz
        IANA time zone of the clock times.
    skip_fields
        Fields already reported while parsing (their spec check is not repeated).
    check_fields
        ``False`` when every value came from :func:`parse_value`, which already checked
        ranges and choices (the CSV reader); only the cross-field rules run then.
    """
    errors = validate_fields("night", night, row, skip_fields) if check_fields else []
    bad = {e.field for e in errors} | set(skip_fields)

    def err(field: str, code: str, **params: Any) -> None:
        if field not in bad:
            errors.append(RowError(row, field, code, params, "night"))
            bad.add(field)

    if isinstance(night.date, dt.date):
        if night.date > (today or today_in(tz)):
            err("date", "future_date", value=night.date.isoformat())
    else:
        return errors
    if all(getattr(night, name) in (None, "", ()) for name in SLEEP_FIELDS) and not (
            bad & set(SLEEP_FIELDS)):
        err("date", "empty_night", value=night.date.isoformat())
        return errors
    t = resolved_times(night, tz)
    bed, lo, fw, up = t["bedtime"], t["lights_out"], t["final_wake"], t["out_of_bed"]
    d = night.date
    if bed and lo and minutes_between(bed, lo) < 0:
        err("lights_out", "lights_out_before_bed", value=_hm(lo, d), other=_hm(bed, d))
    for name, moment in (("final_wake", fw), ("out_of_bed", up)):
        if not (bed and moment):
            continue
        span = minutes_between(bed, moment)
        explicit = isinstance(night.bedtime, dt.datetime) and isinstance(getattr(night, name),
                                                                          dt.datetime)
        if span <= 0:
            err(name, "wake_before_bed", value=_hm(moment, d), other=_hm(bed, d))
        elif not explicit and span > MAX_CLOCK_NIGHT_H * 60:
            # Plain clock times: the anchors put the wake-up on the morning date, so a
            # wake-up written a little *before* the bedtime becomes a day-long night.
            before = (bed.hour * 60 + bed.minute - moment.hour * 60 - moment.minute) % 1440
            if 0 < before <= _BEFORE_BED_H * 60:
                err(name, "wake_before_bed", value=moment.strftime("%H:%M"),
                    other=bed.strftime("%H:%M"))
            elif name == "out_of_bed" or not up:
                err(name, "tib_over_16h", value=_hm(moment, d), other=_hm(bed, d),
                    hours=round(span / 60.0, 1), limit=MAX_CLOCK_NIGHT_H)
    if lo and fw and minutes_between(lo, fw) <= 0:
        err("final_wake", "final_wake_before_lights_out", value=_hm(fw, d), other=_hm(lo, d))
    if fw and up and minutes_between(fw, up) < 0:
        err("out_of_bed", "out_of_bed_before_final_wake", value=_hm(up, d), other=_hm(fw, d))
    if bed and up:
        tib = minutes_between(bed, up)
        # A night written with two full date-times is deliberate (ill in bed, day
        # sleeper) and may reach 48 h; plain clock times are limited above.
        explicit = isinstance(night.bedtime, dt.datetime) and isinstance(night.out_of_bed,
                                                                          dt.datetime)
        if explicit and tib > 48 * 60:
            err("out_of_bed", "tib_over_48h", value=_hm(up, d), other=_hm(bed, d),
                hours=round(tib / 60.0, 1))
    start = lo or bed
    window = minutes_between(start, fw) if start and fw else None
    if window is None and bed and up:
        window = minutes_between(bed, up)
    if window is not None and window > 0 and "final_wake" not in bad and "out_of_bed" not in bad:
        sol, waso = night.sol_min, night.waso_min
        if sol is not None and "sol_min" not in bad and sol > window:
            err("sol_min", "sol_longer_than_tib", value=sol, window=round(window))
        elif (sol is not None and waso is not None and "sol_min" not in bad
              and "waso_min" not in bad and sol + waso > window):
            err("waso_min", "waso_plus_sol_exceeds_window", value=waso, sol=sol,
                window=round(window))
    return errors


def validate_nights(nights: Sequence[Night], *, rows: Sequence[int] | None = None,
                    today: dt.date | None = None, tz: str = DEFAULT_TZ) -> list[RowError]:
    """Validate many nights, including ``duplicate_night`` between them.

    ``rows`` gives each night's spreadsheet row (default: position + 2).
    """
    today = today or today_in(tz)
    rows = list(rows) if rows is not None else [i + 2 for i in range(len(nights))]
    errors: list[RowError] = []
    first_row: dict[dt.date, int] = {}
    for night, row in zip(nights, rows, strict=True):
        errors.extend(validate_night(night, row=row, today=today, tz=tz))
        if night.date in first_row:
            errors.append(RowError(row, "date", "duplicate_night",
                                   {"value": night.date.isoformat(),
                                    "first_row": first_row[night.date]}, "night"))
        else:
            first_row[night.date] = row
    return errors


def validate_episode(episode: Episode, *, row: int | None = None, today: dt.date | None = None,
                     tz: str = DEFAULT_TZ, skip_fields: Iterable[str] = (),
                     check_fields: bool = True) -> list[RowError]:
    """Return every problem of one episode (field specs and a future date)."""
    errors = validate_fields("episode", episode, row, skip_fields) if check_fields else []
    bad = {e.field for e in errors} | set(skip_fields)
    if ("date" not in bad and isinstance(episode.date, dt.date)
            and episode.date > (today or today_in(tz))):
        errors.append(RowError(row, "date", "future_date", {"value": episode.date.isoformat()},
                               "episode"))
    return errors


def validate_profile(profile: Profile) -> list[RowError]:
    """Return every problem of a profile (types and ranges of each key)."""
    return validate_fields("profile", profile)


def record_field_names(record: Record) -> tuple[str, ...]:
    """Names of the fields of a record type, in CSV order."""
    cls = {"night": Night, "episode": Episode, "profile": Profile}[record]
    order = [s.name for s in _SPECS[record]]
    names = {f.name for f in dc_fields(cls)}
    return tuple(n for n in order if n in names)
