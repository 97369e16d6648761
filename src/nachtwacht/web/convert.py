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
    if cls not in _PLAIN:
        return cls(**vals)
    # The same object the dataclass's __init__ makes, without it: a frozen dataclass sets
    # each of its 31 fields through object.__setattr__, and that was four fifths of
    # turning a diary's rows into nights (about 1 ms per 120 nights, on every page).
    obj = object.__new__(cls)
    obj.__dict__.update(vals)
    return obj


def _plain(cls: type) -> bool:
    """Whether ``cls`` is a dataclass that its ``__init__`` only fills: every field is read
    from the row, nothing runs after (``__post_init__``), no slots, no init-only fields."""
    fs = dc_fields(cls)
    return (not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
            and {f.name for f in fs} == set(_NAMES[cls]) and all(f.init for f in fs))


_PLAIN = {cls for cls in _NAMES if _plain(cls)}


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
    from nachtwacht.web.accounts.models import Profile as ProfileRow
    from nachtwacht.web.diary.models import Episode as EpisodeRow
    from nachtwacht.web.diary.models import Night as NightRow

    pk = getattr(sleeper, "pk", sleeper)
    whole = since is None and until is None
    nights: tuple[Night, ...] = ()
    episodes: tuple[Episode, ...] = ()
    if "nights" in parts:
        if whole:
            rows = prepared_rows(("nights",), pk, lambda s: NightRow.objects.filter(sleeper_id=s).order_by(
                "date").values_list(*_NAMES[Night]))
        else:
            qs = NightRow.objects.filter(sleeper=sleeper)
            if since:
                qs = qs.filter(date__gte=since)
            if until:
                qs = qs.filter(date__lte=until)
            rows = qs.order_by("date").values_list(*_NAMES[Night])
        nights = tuple(_from_values(Night, v, notes="notes" in parts) for v in rows)
    if "episodes" in parts:
        private = "private" in parts
        if whole:
            rows = prepared_rows(("episodes", private), pk, lambda s: (
                EpisodeRow.objects.filter(sleeper_id=s) if private else
                EpisodeRow.objects.filter(sleeper_id=s, private=False)).values_list(*_NAMES[Episode]))
        else:
            qs = EpisodeRow.objects.filter(sleeper=sleeper)
            if not private:
                qs = qs.filter(private=False)
            if since:
                qs = qs.filter(date__gte=since)
            if until:
                qs = qs.filter(date__lte=until)
            rows = qs.values_list(*_NAMES[Episode])
        episodes = tuple(_from_values(Episode, v, notes="notes" in parts) for v in rows)
    profile = Profile()
    if "profile" in parts:
        # One query, and never a profile cached on the user object by an earlier read.
        got = prepared_rows(("profile",), pk, lambda s: ProfileRow.objects.filter(user_id=s).values_list(
            *_PROFILE_NAMES)[:1])
        profile = _profile_from_values(got[0]) if got else Profile()
    return Diary(nights=nights, episodes=episodes, profile=profile)


_PROFILE_NAMES = tuple(s.name for s in PROFILE_FIELDS)
#: A number no user id takes: stands for the sleeper in a prepared statement.
_SLOT = -7_301_946_285


def _profile_from_values(values: tuple) -> Profile:
    return Profile(**{s.name: _to_core(s, v) for s, v in zip(PROFILE_FIELDS, values, strict=True)})


def prepared_rows(key: tuple, pk: Any, build: Any) -> list[tuple]:
    """The rows of ``build(pk)`` (a ``values_list`` query), its SQL made once per connection.

    ``key`` names the query (one kept statement per key and connection); ``build`` takes
    the user id and must filter on it exactly once.

    Every page of a sleeper reads the whole diary, and building and compiling the same
    three queries again took about a third of that read under load (py-spy, issue #16
    item 5). The query is compiled once per database connection with a stand-in id;
    each call runs the kept SQL with the real id and converts the values with the
    compiler's own converters, exactly as ``values_list`` does
    (``tests/web/test_web_convert_prepared.py`` holds them equal).
    """
    from django.db import connections, router

    from nachtwacht.web.diary.models import Night as NightRow

    conn = connections[router.db_for_read(NightRow)]
    kept = conn.__dict__.setdefault("_nw_prepared", {})
    entry = kept.get(key)
    if entry is None:
        compiler = build(_SLOT).query.get_compiler(connection=conn)
        sql, params = compiler.as_sql()
        if list(params).count(_SLOT) != 1:  # not the shape this expects: use the ORM each time
            kept[key] = entry = (None, "", ())
        else:
            kept[key] = entry = (compiler, sql, tuple(params))
    compiler, sql, params = entry
    if compiler is None:
        return [tuple(r) for r in build(pk)]
    with conn.cursor() as cur:
        cur.execute(sql, [pk if p == _SLOT else p for p in params])
        fetched = cur.fetchall()
    return [tuple(r) for r in compiler.results_iter(results=[fetched])]
