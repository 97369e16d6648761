"""Converters between stored model rows and the core value types.

Every analysis (metrics, insight, triage, report) runs on the core dataclasses;
this module is the only place that turns Django rows into them and back.
What a viewer may see is decided here too, by :func:`diary_for`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import fields as dc_fields
from typing import Any

from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, PROFILE_FIELDS, FieldSpec
from nachtwacht.diary.types import Diary, Episode, Night, Profile


def _to_core(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in ("list", "multichoice"):
        return tuple(str(v) for v in (value or ()))
    if spec.kind == "text":
        return value or ""
    if spec.kind == "choice":
        return value or None
    return value


def _to_row(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in ("list", "multichoice"):
        return list(value or ())
    if spec.kind == "text":
        return value or ""
    return value


def night_to_core(row: Any, *, notes: bool = True) -> Night:
    """Return the :class:`Night` of a stored row (notes blanked when not shared)."""
    vals = {s.name: _to_core(s, getattr(row, s.name)) for s in NIGHT_FIELDS}
    if not notes:
        vals["notes"] = ""
    return Night(**vals)


def episode_to_core(row: Any, *, notes: bool = True) -> Episode:
    """Return the :class:`Episode` of a stored row."""
    vals = {s.name: _to_core(s, getattr(row, s.name)) for s in EPISODE_FIELDS}
    if not notes:
        vals["notes"] = ""
    return Episode(**vals)


#: Field names in spec order, for ``values_list`` (see :func:`_from_values`).
_NAMES = {Night: tuple(s.name for s in NIGHT_FIELDS), Episode: tuple(s.name for s in EPISODE_FIELDS)}
#: The fields whose stored value differs from the core value (the rest pass as they are).
_CONVERT = {cls: tuple(s for s in specs if s.kind in ("list", "multichoice", "text", "choice"))
            for cls, specs in ((Night, NIGHT_FIELDS), (Episode, EPISODE_FIELDS))}


def _from_values(cls: type, values: tuple, *, notes: bool) -> Any:
    """The core value of one ``values_list`` row, equal to ``night_to_core``/``episode_to_core``.

    Every page of a sleeper reads their whole diary, so this runs for every night on
    every request: a tuple from ``values_list`` skips building a model instance per row,
    and only the fields that need it are converted (bench/bench_web.py).
    """
    vals = dict(zip(_NAMES[cls], values, strict=True))
    for s in _CONVERT[cls]:
        vals[s.name] = _to_core(s, vals[s.name])
    if not notes:
        vals["notes"] = ""
    return cls(**vals)


def profile_to_core(row: Any | None) -> Profile:
    """Return the :class:`Profile` of a stored row (an empty profile for None)."""
    if row is None:
        return Profile()
    return Profile(**{s.name: _to_core(s, getattr(row, s.name)) for s in PROFILE_FIELDS})


def core_to_row_values(obj: Night | Episode | Profile) -> dict[str, Any]:
    """Return model field values for a core value (for ``Model(**values)``)."""
    specs = {Night: NIGHT_FIELDS, Episode: EPISODE_FIELDS, Profile: PROFILE_FIELDS}[type(obj)]
    by_name = {s.name: s for s in specs}
    return {f.name: _to_row(by_name[f.name], getattr(obj, f.name)) for f in dc_fields(obj)}


def diary_for(
    sleeper: Any,
    *,
    parts: Iterable[str] = ("nights", "episodes", "profile", "notes", "private"),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Diary:
    """Build the :class:`Diary` of ``sleeper`` holding only ``parts``.

    ``parts`` may hold ``nights``, ``episodes``, ``profile``, ``notes`` (free
    text) and ``private`` (episodes the sleeper marked private). The sleeper gets
    all; partners and clinicians get what the sleeper shared with them.
    """
    parts = set(parts)
    from nachtwacht.web.diary.models import Episode as EpisodeRow
    from nachtwacht.web.diary.models import Night as NightRow

    nights: tuple[Night, ...] = ()
    episodes: tuple[Episode, ...] = ()
    if "nights" in parts:
        qs = NightRow.objects.filter(sleeper=sleeper)
        if since:
            qs = qs.filter(date__gte=since)
        if until:
            qs = qs.filter(date__lte=until)
        nights = tuple(_from_values(Night, v, notes="notes" in parts)
                       for v in qs.order_by("date").values_list(*_NAMES[Night]))
    if "episodes" in parts:
        qs = EpisodeRow.objects.filter(sleeper=sleeper)
        if "private" not in parts:
            qs = qs.filter(private=False)
        if since:
            qs = qs.filter(date__gte=since)
        if until:
            qs = qs.filter(date__lte=until)
        episodes = tuple(_from_values(Episode, v, notes="notes" in parts)
                         for v in qs.values_list(*_NAMES[Episode]))
    profile = Profile()
    if "profile" in parts:
        from nachtwacht.web.accounts.models import Profile as ProfileRow

        # One query, and never a profile cached on the user object by an earlier read.
        profile = profile_to_core(ProfileRow.objects.filter(user=sleeper).first())
    return Diary(nights=nights, episodes=episodes, profile=profile)
