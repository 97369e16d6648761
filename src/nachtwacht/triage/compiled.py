"""Night tests compiled once into small functions (issue #16 item 5).

A *night test* (``{field, op, value}``, ``{any_of: [...]}``, ...; see
:mod:`.conditions`) is asked of every diary night, so its mapping used to be read
again for each night: which kind of test, which field and its spec, which operator,
and a clock value such as ``"15:00"`` parsed again for every comparison. Here that
reading happens once per test; the function it gives does only the per-night work.

Tests on free text and substance lists (``contains``) keep the general evaluator
(:func:`.conditions._night_test`): their work is in the lexicon and the substance
caches of :class:`~.facts.Facts`, not in reading the mapping. The results are exactly
those of the general evaluator: the same evidence, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nachtwacht.diary import fields as F  # noqa: N812 - short, used everywhere

from .facts import METRICS, Facts, clock_minutes, day_minutes, fold
from .types import Evidence

NightTest = Callable[[Any, Facts], list[Evidence]]
General = Callable[[Mapping[str, Any], Any, Facts], list[Evidence]]

_NIGHT = {f.name: f for f in F.NIGHT_FIELDS}
#: Compiled tests by ``id`` of the test mapping, with the mapping itself (which keeps the
#: id from being reused). Tests are loaded rule data, never changed after loading.
_COMPILED: dict[int, tuple[Mapping[str, Any], NightTest]] = {}
_MAX = 4096


def night_test(test: Mapping[str, Any], general: General, ops: Mapping[str, Callable[[Any, Any], bool]]) -> NightTest:
    """The compiled form of ``test``: ``fn(night, facts)`` -> evidence list (empty: failed).

    ``general`` is the general evaluator for ``contains`` tests, ``ops`` the operators.
    """
    held = _COMPILED.get(id(test))
    if held is not None and held[0] is test:
        return held[1]
    fn = _build(test, general, ops)
    if len(_COMPILED) >= _MAX:
        _COMPILED.clear()
    _COMPILED[id(test)] = (test, fn)
    return fn


def _build(test: Mapping[str, Any], general: General, ops: Mapping[str, Callable[[Any, Any], bool]]) -> NightTest:
    # The branches follow conditions._night_test in the same order.
    if "any_of" in test:
        subs = [night_test(s, general, ops) for s in test["any_of"]]

        def any_of(night: Any, facts: Facts) -> list[Evidence]:
            for sub in subs:
                ev = sub(night, facts)
                if ev:
                    return ev
            return []
        return any_of
    if "all_of" in test:
        subs = [night_test(s, general, ops) for s in test["all_of"]]

        def all_of(night: Any, facts: Facts) -> list[Evidence]:
            out: list[Evidence] = []
            for sub in subs:
                ev = sub(night, facts)
                if not ev:
                    return []
                out.extend(ev)
            return out
        return all_of
    name = test["field"]
    if "contains" in test:
        if name == "notes":
            def notes(night: Any, facts: Facts) -> list[Evidence]:
                # An empty note has no mentions (the lexicon finds nothing in ""), so
                # the lexicon and the night's episode answers need not be asked.
                return general(test, night, facts) if night.notes else []
            return notes
        if name in ("substances", "medication"):
            # Most nights list nothing taken; then only an "alcohol" name could count
            # (any units), and the general evaluator would find nothing else either.
            alcohol = any(fold(n) == "alcohol" for n in test["contains"])

            def taken(night: Any, facts: Facts) -> list[Evidence]:
                s, m = night.substances, night.medication
                if not alcohol and s is not None and m is not None and not s and not m:
                    return []
                return general(test, night, facts)
            return taken
        return lambda night, facts: general(test, night, facts)
    op = ops[test["op"]]
    want = test["value"]
    spec = _NIGHT.get(name)
    conv: Callable[[Any], float | None] | None = None
    if spec is not None and spec.kind == "clock":
        # As conditions._compare: evening factor times on the 05:00 scale, bedtimes
        # and morning times on their own anchor; the wanted clock is parsed once here.
        if spec.anchor == "evening" and spec.name not in ("bedtime", "lights_out"):
            conv = day_minutes
        else:
            anchor = spec.anchor

            def conv(v: Any, anchor: str = anchor) -> float | None:
                return clock_minutes(v, anchor)
        want = conv(want)
    metric = name in METRICS

    def field_test(night: Any, facts: Facts) -> list[Evidence]:
        value = facts.metric(night, name) if metric else getattr(night, name)
        if value is None:
            return []
        if op(conv(value), want) if conv is not None else op(value, want):
            return [facts.field_evidence(night, name, value)]
        return []
    return field_test
