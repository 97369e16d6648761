"""Caches shared by all triages in this process, keyed by values (issue #16 item 5).

After every diary save the web layer triages the whole diary again for red flags, and
the advice and partner pages triage it once more: all nights but the one just saved are
the same as last time. What a triage works out for a night from that night's values
alone is therefore kept here, across diaries, keyed by exactly those values:

* :func:`night_figures`: the sleep figures (total sleep, time in bed, efficiency) of
  a night, a good part of a triage's time;
* :func:`evidence`: the evidence item citing one night field or one episode (its text
  built from the date, the field or the episode's type, reporter, time and count, the
  value and the language);
* :func:`folded_vocabulary`: the folded substance vocabulary (by object: the shipped
  vocabulary is loaded once).

Each table is bounded and simply emptied when full: no lock is needed (a lost entry
is computed again) and memory stays at a few megabytes. Everything else a triage works
out is kept per diary, in :class:`~.facts.Facts` and :mod:`.memo`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: Sleep figures by the values they are computed from; about 1 kB each.
_FIGURES: dict[tuple[Any, ...], dict[str, float | None]] = {}
_FIGURES_MAX = 4096
#: Evidence items of night fields; a few hundred bytes each.
_EVIDENCE: dict[tuple[Any, ...], Any] = {}
_EVIDENCE_MAX = 8192
#: Folded vocabulary by ids of the vocabulary and alias objects, with the objects (which
#: keeps the ids theirs).
_VOCAB: dict[tuple[int, int], tuple[Any, Any, tuple[Any, ...]]] = {}


def tag(v: Any) -> Any:
    """A cache key for one value that tells apart values read differently.

    Values that compare equal must not share a key when they are shown or computed
    differently: a clock time and a datetime, ``fold=1`` of an ambiguous autumn hour,
    another time zone, ``1``, ``1.0`` and ``True``, ``0.0`` and ``-0.0`` (hence the
    repr of a float).
    """
    if v is None:
        return v
    cls = v.__class__
    if cls is float:
        return (float, repr(v))
    if cls is tuple:
        return (tuple, tuple(tag(x) for x in v))
    return (cls, v, getattr(v, "fold", 0), getattr(v, "tzinfo", None))


def night_figures(night: Any, tz: str, compute: Callable[[Any, str], dict[str, float | None]]
                  ) -> dict[str, float | None]:
    """``compute(night, tz)``, kept by the night's values (a fresh dict each time).

    The key holds every value the figures are computed from
    (:func:`nachtwacht.diary.metrics.night_metrics` and the triage's fallback read the
    date, the four clock times, ``sol_min`` and ``waso_min``); a test changes every
    other field of a night and checks that the figures stay the same.
    """
    key = (tz, night.date, tag(night.bedtime), tag(night.lights_out), tag(night.final_wake),
           tag(night.out_of_bed), tag(night.sol_min), tag(night.waso_min))
    try:
        held = _FIGURES.get(key)
    except TypeError:  # an unhashable value in a hand-made night: no cache
        return compute(night, tz)
    if held is None:
        if len(_FIGURES) >= _FIGURES_MAX:
            _FIGURES.clear()
        held = _FIGURES[key] = compute(night, tz)
    return dict(held)


def evidence(where: tuple[Any, ...], value: Any, make: Callable[[], Any]) -> Any:
    """``make()``, kept by ``where`` and ``value``: all that the item is made of.

    For :meth:`.facts.Facts.night_evidence` (language, date, field; value) and
    :meth:`.facts.Facts.episode_evidence` (language, date, type, reporter; time and
    count). The item is immutable, so sharing it is safe.
    """
    key = (*where, tag(value))
    try:
        ev = _EVIDENCE.get(key)
    except TypeError:  # an unhashable value: no cache
        return make()
    if ev is None:
        if len(_EVIDENCE) >= _EVIDENCE_MAX:
            _EVIDENCE.clear()
        ev = _EVIDENCE[key] = make()
    return ev


def folded_vocabulary(vocabulary: Any, aliases: Mapping[str, Sequence[str]] | None,
                      fold: Callable[[str], str]) -> tuple[Any, ...]:
    """Folded ``(aliases, recreational, treatments, bare)`` of a vocabulary.

    Kept for the vocabulary object (loaded once and never changed); folding it took a
    good part of building a :class:`~.facts.Facts`. Hand-made aliases are folded anew.
    """
    def compute() -> tuple[Any, ...]:
        return (
            {fold(k): tuple(fold(a) for a in v) for k, v in (aliases or {}).items()},
            frozenset(fold(x) for x in getattr(vocabulary, "recreational", ())),
            tuple(fold(x) for x in getattr(vocabulary, "treatments", ())),
            frozenset(fold(x) for x in getattr(vocabulary, "bare", ())),
        )

    if vocabulary is None or aliases is not getattr(vocabulary, "aliases", None):
        return compute()  # hand-made aliases (tests): not kept, they might be changed
    key = (id(vocabulary), id(aliases))
    held = _VOCAB.get(key)
    if held is None or held[0] is not vocabulary or held[1] is not aliases:
        if len(_VOCAB) >= 64:
            _VOCAB.clear()
        held = _VOCAB[key] = (vocabulary, aliases, compute())
    return held[2]


def clear() -> None:
    """Empty every table (a person's data was deleted: this process keeps none of it)."""
    _FIGURES.clear()
    _EVIDENCE.clear()
