"""Memo tables for the condition evaluator: the same question is answered once per diary.

After every diary save the web layer triages the diary for red flags (issue #16 item 5),
so :func:`nachtwacht.triage.assess` is on the hot path. Its rules ask the same questions
many times: five rules check for evening or night shifts in the last 28 days, four for
nights with six drinks or more, three the same "bad night" test; each question walked
every diary night again. The tables here keep, per :class:`~.facts.Facts` (so per
diary and language, for one triage), what such a walk found, so a repeated question
costs a dictionary look-up:

* :func:`match` keeps the whole result of a condition that depends on the diary alone
  (``nights``, ``mean``, ``episodes``...), keyed by its frozen argument;
* :func:`nights_in` keeps the nights inside a ``within_days`` window;
* :func:`scan` keeps, per night test and window, the nights that pass with their
  evidence (``min_nights`` and ``min_share`` are applied afterwards, so rules that only
  differ in those share one walk);
* :func:`date_stats` keeps the date numbers for the texts;
* :func:`frozen` freezes a condition argument to a memo key once per condition object,
  :func:`part` copies the night test out of a ``nights`` argument once.

Results are stored immutable (tuples) and handed out as fresh lists and dicts, because
callers extend a :class:`~.conditions.Match` in place when they combine conditions: a
cached result must never be the one that gets extended. Everything cached here depends
on the diary only, never on the flags raised so far (``flag``/``fired`` conditions and
``insight`` are not cached).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only (conditions imports this module)
    from .conditions import Match
    from .facts import Facts
    from .types import Evidence

#: Frozen keys by ``id`` of the condition object, with the object itself: holding it
#: keeps its ``id`` from being reused. Conditions are loaded data that nothing changes
#: after loading (rules, hints, plan triggers, contraindications), so a key computed
#: once stays right. Bounded, so conditions built on the fly cannot grow it for ever.
_FROZEN: dict[int, tuple[Any, Any]] = {}
_FROZEN_MAX = 4096


def freeze(x: Any) -> Any:
    """A hashable, order-independent copy of a condition argument (for memo keys)."""
    if isinstance(x, Mapping):
        return tuple(sorted((k, freeze(v)) for k, v in x.items()))
    if isinstance(x, list | tuple):
        return tuple(freeze(v) for v in x)
    return x


def frozen(x: Any) -> Any:
    """:func:`freeze` of ``x``, computed once per condition object."""
    held = _FROZEN.get(id(x))
    if held is not None and held[0] is x:
        return held[1]
    key = freeze(x)
    if len(_FROZEN) >= _FROZEN_MAX:
        _FROZEN.clear()
    _FROZEN[id(x)] = (x, key)
    return key


#: Parts of condition arguments (see :func:`part`), by id of the argument, with it.
_PARTS: dict[tuple[int, frozenset[str]], tuple[Any, dict[str, Any]]] = {}


def part(arg: Mapping[str, Any], keys: frozenset[str] | set[str]) -> dict[str, Any]:
    """``{k: v for k, v in arg.items() if k in keys}``, built once per condition object.

    The night test inside a ``nights`` argument was copied out for every evaluation.
    """
    key = (id(arg), frozenset(keys))
    held = _PARTS.get(key)
    if held is None or held[0] is not arg:
        if len(_PARTS) >= _FROZEN_MAX:
            _PARTS.clear()
        held = _PARTS[key] = (arg, {k: v for k, v in arg.items() if k in keys})
    return held[1]


def match(kind: str, fn: Callable[[Any, Facts], Match]) -> Callable[[Any, Facts], Match]:
    """Wrap a diary-only condition evaluator so each distinct argument is evaluated once per Facts."""
    from .conditions import Match

    def cached(arg: Any, facts: Facts) -> Match:
        key = ("match", kind, frozen(arg))
        held = facts.memo.get(key)
        if held is None:
            m = fn(arg, facts)
            held = facts.memo[key] = (m.ok, tuple(m.evidence), tuple(m.stats.items()))
        # Fresh containers: the caller may merge into them (see conditions._merge).
        return Match(held[0], list(held[1]), dict(held[2]))

    cached.__name__ = cached.__qualname__ = fn.__name__
    cached.__doc__ = fn.__doc__
    return cached


def nights_in(facts: Facts, within_days: int | None) -> tuple[Any, ...]:
    """The diary nights in the last ``within_days`` days (all with None), in diary order."""
    # ref_date is part of the key: device_clock moves "now" of a Facts it built itself.
    key = ("nights_in", within_days, facts.ref_date)
    held = facts.memo.get(key)
    if held is None:
        held = facts.memo[key] = tuple(n for n in facts.nights if facts.in_window(n.date, within_days))
    return held


def scan(facts: Facts, test_key: Any, within_days: int | None, after: dt.date | None,
         test: Callable[[Any, Facts], list[Evidence]]) -> tuple[tuple[Any, tuple[Evidence, ...]], ...]:
    """The nights in the window (after ``after``) that pass a night test, with their evidence.

    ``test_key`` identifies the test (its frozen mapping); ``test(night, facts)`` runs it.
    """
    key = ("scan", test_key, within_days, after, facts.ref_date)
    held = facts.memo.get(key)
    if held is None:
        out = []
        for n in nights_in(facts, within_days):
            if after and n.date <= after:
                continue
            ev = test(n, facts)
            if ev:
                out.append((n, tuple(ev)))
        held = facts.memo[key] = tuple(out)
    return held


def date_stats(facts: Facts, dates: list[dt.date], within_days: int | None,
               compute: Callable[[list[dt.date], Facts, int | None], dict[str, Any]]) -> dict[str, Any]:
    """``compute(dates, facts, within_days)``, kept per distinct date set; a fresh dict each time."""
    key = ("date_stats", tuple(sorted(set(dates))), within_days, facts.ref_date)
    held = facts.memo.get(key)
    if held is None:
        held = facts.memo[key] = tuple(compute(dates, facts, within_days).items())
    return dict(held)
