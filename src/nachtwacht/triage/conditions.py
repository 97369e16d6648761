"""A small declarative condition language for triage rules, plan triggers and hints.

Rules are data (YAML), so conditions are plain mappings that this module checks and
evaluates itself; nothing is ever passed to ``eval``. A condition is a mapping with
exactly one key:

``all: [cond, ...]`` / ``any: [cond, ...]`` / ``not: cond``
    combinators.
``profile: name``
    a yes/no answer is *yes*; or ``profile: {field, op, value}`` /
    ``profile: {field, contains: [...]}`` (``field: age`` is derived from the birth year).
``nights: {test..., min_nights, min_share, within_days, since_last_use}``
    at least ``min_nights`` (default 1) nights, and at least ``min_share`` of the diary
    nights in the window, pass a *night test*:
    ``{field, op, value}``, ``{field, contains: [...]}``, ``{any_of: [tests]}`` or
    ``{all_of: [tests]}``; ``field`` is a Night field or ``tst_min``/``tib_min``/``se_pct``.
``mean: {field, op, value, min_nights, within_days, except}``
    the mean over nights with a value passes, with at least ``min_nights`` values;
    nights passing the night test ``except`` are left out.
``episodes: {type, reporter, where, night_part, min, min_nights, min_share, min_per_night, within_days, since_last_use}``
    episodes of the given types; ``min`` counts occurrences (an entry's ``count``),
    ``min_share`` the nights with an episode as a share of the diary nights in the window.
``spread: {field, op, value, min_nights, within_days, except}``
    the standard deviation (minutes for clock fields) passes: irregular bedtimes.
``pattern: {episodes: {...}, night: test, min_nights, min_share}``
    a share of the episode nights (at least ``min_share``) had the night test true,
    more often than the other nights: a plain trigger check that needs no statistics.
``insight: {factor: [...], outcome: [...], direction, significant}``
    a finding of :func:`nachtwacht.insight.analyse` (substring match on its codes).
``flag: code`` or ``flag: [codes]``
    a triage flag already fired (used by plan triggers and hints).

``fired: {min_level, not_condition, not_code}``
    a flag at ``min_level`` or above fired, other than those named (the plan guard).
``clock_phase: {direction, onset, wake, free_wake, onset_alone, max_onset_spread, min_nights, min_free, within_days}``
    a stable late or early sleep onset with a matching wake time, free days included
    (see :mod:`.phase`).
``mentions: {concept, in, type, reporter, with, tense, within_days, min_nights}``
    a free-text lexicon concept said (not negated) in notes, behaviours or known
    conditions; ``tense`` keeps only mentions said of ``now``, as ``planned`` or of the
    ``past``; see :mod:`.text` and :attr:`.facts.Facts.text_facts`.

This module is longer than our usual 500 lines on purpose: validation and evaluation of
one small language sit side by side, so a reviewer reads each condition's checks next to
its meaning.

Clock values compare on a night-friendly scale: evening-anchored factor times (last
coffee, last drink, end of exercise) count from 05:00, so ``caffeine_last >= "15:00"``
catches a coffee at 00:30 but not one at 10:00; bedtimes count from noon.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nachtwacht.diary import fields as F  # noqa: N812 - short, used everywhere

from . import compiled, memo
from .facts import METRICS, Facts, clock_minutes, day_minutes, fmt_date, fold, parse_clock
from .memo import frozen
from .types import Evidence


class RuleError(ValueError):
    """A rule, plan or hint file does not follow the condition language."""


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
NIGHT_PARTS = ("first_third", "first_half", "second_half", "last_third", "sleep_onset")

_NIGHT = {f.name: f for f in F.NIGHT_FIELDS}
_EPISODE = {f.name: f for f in F.EPISODE_FIELDS}
_PROFILE = {f.name: f for f in F.PROFILE_FIELDS}


@dataclass
class Match:
    """Result of one condition: true or not, the evidence, and numbers for the texts."""

    ok: bool
    evidence: list[Evidence] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------
def validate(cond: Any, where: str) -> None:
    """Check a condition strictly; raise :class:`RuleError` naming ``where`` otherwise."""
    if not isinstance(cond, Mapping) or len(cond) != 1:
        raise RuleError(f"{where}: a condition is a mapping with exactly one key, got {cond!r}")
    (key, arg), = cond.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise RuleError(f"{where}: '{key}' needs a non-empty list of conditions")
        for i, sub in enumerate(arg):
            validate(sub, f"{where} > {key}[{i}]")
    elif key == "not":
        validate(arg, f"{where} > not")
    elif key == "profile":
        _validate_profile(arg, where)
    elif key == "nights":
        _keys(arg, where, "nights", _NIGHT_TEST_KEYS | {"min_nights", "min_share", "within_days",
                                                         "since_last_use"})
        _validate_night_test({k: v for k, v in arg.items() if k in _NIGHT_TEST_KEYS}, f"{where} > nights")
        _validate_common(arg, where)
    elif key in ("mean", "spread"):
        _keys(arg, where, key, {"field", "op", "value", "min_nights", "within_days", "except"})
        if "except" in arg:
            _validate_night_test(arg["except"], f"{where} > {key} > except")
        if "op" not in arg or "value" not in arg:
            raise RuleError(f"{where}: '{key}' needs field, op and value")
        if key == "mean":
            _validate_night_test({k: arg[k] for k in ("field", "op", "value")}, f"{where} > mean")
        else:
            if arg.get("field") not in _NIGHT and arg.get("field") not in METRICS:
                raise RuleError(f"{where}: unknown night field {arg.get('field')!r}")
            _validate_value(None, arg["field"], arg["op"], arg["value"], f"{where} > spread")
        _validate_common(arg, where)
    elif key == "episodes":
        _validate_episodes(arg, where)
    elif key == "pattern":
        _keys(arg, where, "pattern", {"episodes", "night", "min_nights", "min_share"})
        for need in ("episodes", "night"):
            if need not in arg:
                raise RuleError(f"{where}: 'pattern' needs '{need}'")
        _validate_episodes(arg["episodes"], f"{where} > pattern")
        _validate_night_test(arg["night"], f"{where} > pattern > night")
        _validate_common(arg, where)
    elif key == "insight":
        _keys(arg, where, "insight", {"factor", "outcome", "direction", "significant"})
        for k in ("factor", "outcome"):
            if k in arg:
                _str_list(arg[k], f"{where} > insight > {k}")
        if arg.get("direction", "up") not in ("up", "down"):
            raise RuleError(f"{where}: insight direction must be 'up' or 'down'")
        if not isinstance(arg.get("significant", False), bool):
            raise RuleError(f"{where}: insight 'significant' must be true or false")
    elif key == "flag":
        _str_list(arg, f"{where} > flag")
    elif key == "fired":
        _keys(arg, where, "fired", {"min_level", "not_condition", "not_code"})
        if arg.get("min_level", "self_care") not in _LEVELS:
            raise RuleError(f"{where}: fired min_level must be one of {_LEVELS}")
        for k in ("not_condition", "not_code"):
            if k in arg:
                _str_list(arg[k], f"{where} > fired > {k}")
    elif key == "mentions":
        _validate_mentions(arg, where)
    elif key == "clock_phase":
        from .phase import validate as validate_phase

        problem = validate_phase(arg, where)
        if problem:
            raise RuleError(problem)
    else:
        raise RuleError(f"{where}: unknown condition {key!r} (known: all, any, not, profile, "
                        "nights, mean, spread, episodes, pattern, insight, flag, fired, mentions, "
                        "clock_phase)")


_LEVELS = ("self_care", "gp_routine", "gp_soon", "urgent")
_SOURCES = ("night", "episode", "answer")
_TENSES = ("now", "planned", "past")


def _validate_mentions(arg: Any, where: str) -> None:
    from .text import load_lexicon

    _keys(arg, where, "mentions", {"concept", "in", "type", "reporter", "within_days", "min_nights",
                                   "with", "same_episode_as", "tense"})
    known = load_lexicon().concepts
    for k in ("concept", "with"):
        if k in arg or k == "concept":
            for c in _str_list(arg.get(k), f"{where} > mentions > {k}"):
                if c not in known:
                    raise RuleError(f"{where}: unknown lexicon concept {c!r} (see lexicon.yaml)")
    for src in _str_list(arg.get("in", list(_SOURCES)), f"{where} > mentions > in"):
        if src not in _SOURCES:
            raise RuleError(f"{where}: mentions 'in' must be among {_SOURCES}")
    for t in _str_list(arg.get("type", ["other"]), f"{where} > mentions > type"):
        if t not in _EPISODE["type"].choice_codes:
            raise RuleError(f"{where}: unknown episode type {t!r}")
    for t in _str_list(arg.get("tense", list(_TENSES)), f"{where} > mentions > tense"):
        if t not in _TENSES:
            raise RuleError(f"{where}: mentions 'tense' must be among {_TENSES}")
    for r in _str_list(arg.get("reporter", ["self"]), f"{where} > mentions > reporter"):
        if r not in _EPISODE["reporter"].choice_codes:
            raise RuleError(f"{where}: unknown reporter {r!r}")
    _validate_common(arg, where)


_NIGHT_TEST_KEYS = {"field", "op", "value", "contains", "any_of", "all_of"}
_NIGHT_TEST_PART = frozenset(_NIGHT_TEST_KEYS)


def _keys(arg: Any, where: str, what: str, allowed: set[str]) -> None:
    if not isinstance(arg, Mapping):
        raise RuleError(f"{where}: '{what}' needs a mapping, got {arg!r}")
    unknown = sorted(set(arg) - allowed)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {unknown} in '{what}' (allowed: {sorted(allowed)})")


def _str_list(arg: Any, where: str) -> list[str]:
    items = [arg] if isinstance(arg, str) else arg
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise RuleError(f"{where}: expected a name or a list of names, got {arg!r}")
    return items


def _validate_common(arg: Mapping[str, Any], where: str) -> None:
    for k in ("min_nights", "within_days", "min", "min_per_night"):
        if k in arg and (not isinstance(arg[k], int) or isinstance(arg[k], bool) or arg[k] < 1):
            raise RuleError(f"{where}: '{k}' must be a whole number >= 1, got {arg[k]!r}")
    if "since_last_use" in arg:
        _str_list(arg["since_last_use"], f"{where} > since_last_use")
    share = arg.get("min_share", 0.5)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1:
        raise RuleError(f"{where}: min_share must be a number in (0, 1], got {share!r}")


def _validate_value(spec: F.FieldSpec | None, name: str, op: Any, value: Any, where: str) -> None:
    if op not in OPS:
        raise RuleError(f"{where}: unknown op {op!r} for {name!r} (use one of {list(OPS)})")
    kind = spec.kind if spec else "float"
    if kind == "clock":
        try:
            parse_clock(value)
        except ValueError as exc:
            raise RuleError(f"{where}: {name!r} compares with a clock time 'HH:MM': {exc}") from None
    elif kind in ("int", "float", "minutes"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise RuleError(f"{where}: {name!r} compares with a number, got {value!r}")
        if spec and ((spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max)):
            raise RuleError(f"{where}: {value!r} is outside the range of {name!r}")
    elif kind == "bool":
        if not isinstance(value, bool) or op not in ("==", "!="):
            raise RuleError(f"{where}: {name!r} is yes/no: use op '==' with true or false")
    elif kind == "choice":
        if value not in spec.choice_codes:  # type: ignore[union-attr]
            raise RuleError(f"{where}: {value!r} is not a choice of {name!r} ({list(spec.choice_codes)})")  # type: ignore[union-attr]
    else:
        raise RuleError(f"{where}: {name!r} ({kind}) cannot be compared; use 'contains'")


def _validate_night_test(test: Any, where: str) -> None:
    _keys(test, where, "night test", _NIGHT_TEST_KEYS)
    if "any_of" in test or "all_of" in test:
        key = "any_of" if "any_of" in test else "all_of"
        if len(test) != 1 or not isinstance(test[key], list) or not test[key]:
            raise RuleError(f"{where}: '{key}' stands alone and needs a non-empty list of tests")
        for i, sub in enumerate(test[key]):
            _validate_night_test(sub, f"{where} > {key}[{i}]")
        return
    name = test.get("field")
    if name not in _NIGHT and name not in METRICS:
        raise RuleError(f"{where}: unknown night field {name!r}")
    spec = _NIGHT.get(name)
    if "contains" in test:
        if spec is None or spec.kind not in ("list", "text") or "op" in test:
            raise RuleError(f"{where}: 'contains' only works on list fields, not {name!r}")
        _str_list(test["contains"], f"{where} > contains")
    else:
        if "op" not in test or "value" not in test:
            raise RuleError(f"{where}: night test on {name!r} needs op and value (or contains)")
        _validate_value(spec, name, test["op"], test["value"], where)


def _validate_profile(arg: Any, where: str) -> None:
    if isinstance(arg, str):
        spec = _PROFILE.get(arg)
        if spec is None or spec.kind != "bool":
            raise RuleError(f"{where}: 'profile: {arg}' must name a yes/no profile field")
        return
    _keys(arg, where, "profile", {"field", "op", "value", "contains"})
    name = arg.get("field")
    if name != "age" and name not in _PROFILE:
        raise RuleError(f"{where}: unknown profile field {name!r}")
    spec = _PROFILE.get(name)
    if "contains" in arg:
        if spec is None or spec.kind != "list" or "op" in arg:
            raise RuleError(f"{where}: 'contains' only works on list fields, not {name!r}")
        _str_list(arg["contains"], f"{where} > contains")
        return
    if "op" not in arg or "value" not in arg:
        raise RuleError(f"{where}: profile test on {name!r} needs op and value")
    _validate_value(spec, name, arg["op"], arg["value"], where)


def _validate_episodes(arg: Any, where: str) -> None:
    _keys(arg, where, "episodes", {"type", "reporter", "where", "night_part", "min", "min_nights",
                                   "min_share", "min_per_night", "within_days", "since_last_use"})
    for t in _str_list(arg.get("type", []) or ["other"], f"{where} > episodes > type"):
        if t not in _EPISODE["type"].choice_codes:
            raise RuleError(f"{where}: unknown episode type {t!r}")
    if "reporter" in arg:
        for r in _str_list(arg["reporter"], f"{where} > episodes > reporter"):
            if r not in _EPISODE["reporter"].choice_codes:
                raise RuleError(f"{where}: unknown reporter {r!r}")
    if "night_part" in arg and arg["night_part"] not in NIGHT_PARTS:
        raise RuleError(f"{where}: night_part must be one of {NIGHT_PARTS}")
    filt = arg.get("where", {})
    if not isinstance(filt, Mapping):
        raise RuleError(f"{where}: episodes 'where' needs a mapping of field: value")
    for name, want in filt.items():
        spec = _EPISODE.get(name)
        if spec is None or name in ("date", "type", "reporter"):
            raise RuleError(f"{where}: unknown or unsupported episode field {name!r} in 'where'")
        if spec.kind == "bool":
            if not isinstance(want, bool) and want != "not_no":
                raise RuleError(f"{where}: episode field {name!r} is yes/no (or not_no), got {want!r}")
        elif spec.kind == "choice":
            for w in _str_list(want, f"{where} > where > {name}"):
                if w not in spec.choice_codes:
                    raise RuleError(f"{where}: {w!r} is not a choice of {name!r}")
        elif spec.kind in ("list", "text"):
            _keys(want, where, f"where > {name}", {"contains"})
            _str_list(want.get("contains"), f"{where} > where > {name} > contains")
        else:
            _keys(want, where, f"where > {name}", {"op", "value"})
            _validate_value(spec, name, want.get("op"), want.get("value"), where)
    _validate_common(arg, where)


def placeholders_ok(text: str, where: str, allowed: set[str]) -> None:
    """Check that a text only uses known ``{placeholders}``."""
    import string

    try:
        names = {n for _, n, _, _ in string.Formatter().parse(text) if n is not None}
    except ValueError as exc:
        raise RuleError(f"{where}: malformed placeholder in text: {exc}") from None
    unknown = sorted(names - allowed)
    if unknown:
        raise RuleError(f"{where}: unknown placeholder(s) {unknown} (known: {sorted(allowed)})")


PLACEHOLDERS = {"n_nights", "n_episodes", "nights", "times", "first_date", "last_date", "dates", "mean", "window",
                "share", "substances", "days_of", "mornings_of", "evenings_of", "nights_of",
                "onset", "wake", "free_wake", "late_wake"}


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------
def evaluate(cond: Mapping[str, Any], facts: Facts) -> Match:
    """Evaluate a validated condition against ``facts``."""
    (key, arg), = cond.items()
    return _EVAL[key](arg, facts)


def _all(arg: list[Any], facts: Facts) -> Match:
    out = Match(True)
    for sub in arg:
        m = evaluate(sub, facts)
        if not m.ok:
            return Match(False)
        _merge(out, m)
    return out


def _any(arg: list[Any], facts: Facts) -> Match:
    out = Match(False)
    for sub in arg:
        m = evaluate(sub, facts)
        if m.ok:
            out.ok = True
            _merge(out, m)
    return out


def _not(arg: Any, facts: Facts) -> Match:
    return Match(not evaluate(arg, facts).ok)


def _merge(into: Match, m: Match) -> None:
    seen = {e.key for e in into.evidence}
    into.evidence.extend(e for e in m.evidence if e.key not in seen)
    for k, v in m.stats.items():
        into.stats.setdefault(k, v)


def _profile(arg: Any, facts: Facts) -> Match:
    p = facts.profile
    if isinstance(arg, str):
        ok = getattr(p, arg) is True
        return Match(ok, [facts.answer_evidence(arg, True)] if ok else [])
    name = arg["field"]
    if name == "age":
        if p.birth_year is None or facts.ref_date is None:
            return Match(False)
        value: Any = facts.ref_date.year - p.birth_year
    else:
        value = getattr(p, name)
    if "contains" in arg:
        hits = facts.matches_alias(value or (), arg["contains"], field=name)
        return Match(bool(hits), [facts.answer_evidence(name, hits)] if hits else [])
    ok = _compare(value, arg["op"], arg["value"], _PROFILE.get(name))
    return Match(ok, [facts.answer_evidence(name, value)] if ok else [])


def _compare(value: Any, op: str, want: Any, spec: F.FieldSpec | None) -> bool:
    if value is None:
        return False
    if spec is not None and spec.kind == "clock":
        if spec.anchor == "evening" and spec.name not in ("bedtime", "lights_out"):
            return OPS[op](day_minutes(value), day_minutes(want))
        return OPS[op](clock_minutes(value, spec.anchor), clock_minutes(want, spec.anchor))
    return OPS[op](value, want)


def _night_test(test: Mapping[str, Any], night: Any, facts: Facts) -> list[Evidence]:
    """Evidence list if the night passes ``test``, else an empty list."""
    if "any_of" in test:
        for sub in test["any_of"]:
            ev = _night_test(sub, night, facts)
            if ev:
                return ev
        return []
    if "all_of" in test:
        out: list[Evidence] = []
        for sub in test["all_of"]:
            ev = _night_test(sub, night, facts)
            if not ev:
                return []
            out.extend(ev)
        return out
    name = test["field"]
    if "contains" in test:
        values = getattr(night, name)
        values = (values,) if isinstance(values, str) else values
        concepts = [c for c in test["contains"] if c in facts.lexicon.concepts]
        if name == "substances" and concepts:
            # Lexicon words on the entries themselves (the plan guard's wide net: a bare
            # "g" counts here, though it takes context to be called drug use in a text).
            own = [v for v in values or () if v and facts.said(v, concepts)]
            return [facts.night_evidence(night, name, tuple(own))] if own else []
        if name in ("substances", "medication"):
            hits = facts.uses(night, test["contains"])
            own = facts.own_words(night, hits)
            return [facts.night_evidence(night, name, tuple(own or hits))] if hits else []
        if name == "notes":
            said = facts.said(night.notes, [c for c in test["contains"] if c in facts.lexicon.concepts],
                              facts.night_answers(night.date))
            return [facts.quote_evidence("night", night.date, name, [m.phrase for m in said])] if said else []
        hits = facts.matches_alias(values or (), test["contains"], field=name)
        return [facts.night_evidence(night, name, tuple(hits))] if hits else []
    value = facts.night_value(night, name)
    if _compare(value, test["op"], test["value"], _NIGHT.get(name)):
        return [facts.night_evidence(night, name, value)]
    return []


def _compiled(test: Mapping[str, Any]) -> Callable[[Any, Facts], list[Evidence]]:
    """:func:`_night_test` for one test, read once (see :mod:`.compiled`)."""
    return compiled.night_test(test, _night_test, OPS)


#: Days without use after which "since you stopped" may be said without an explicit stop.
STOP_DAYS = 14
#: Nights of use that make earlier use "regular".
REGULAR_NIGHTS = 3


def _since_last_use(arg: Mapping[str, Any], facts: Facts) -> tuple[dt.date | None, list[str]]:
    """Date of the last use of any of the substances, if the person has *stopped*.

    Stopped means an explicit stop said in a note or the profile ("gestopt met keta"),
    or at least :data:`STOP_DAYS` days without use after regular use
    (:data:`REGULAR_NIGHTS` nights or more). A weekend user between two weekends has
    not stopped, so this returns None for them, as for someone who never used.
    """
    names = arg["since_last_use"]
    names = (names,) if isinstance(names, str) else tuple(names)
    key = ("since_last_use", names)
    if key not in facts.memo:
        last, used, n_use = None, [], 0
        for n in facts.nights:
            hits = facts.uses(n, names)
            if hits:
                last, n_use = n.date, n_use + 1
                used.extend(h for h in hits if h not in used)
        stopped = False
        if last is not None and facts.ref_date is not None:
            quiet = (facts.ref_date - last).days
            # A dated note counts from its date; an undated answer ("ketamine (gestopt)" in
            # the profile) only when the diary itself shows a week without use.
            explicit = any(f.concept in ("ketamine_stopped", "substance_stopped", "risky_stop")
                           and (f.date >= last if f.date is not None else quiet >= 7)
                           for f in facts.text_facts)
            stopped = explicit or (quiet >= STOP_DAYS and n_use >= REGULAR_NIGHTS)
        facts.memo[key] = (last if stopped else None, tuple(used))
    last, used_t = facts.memo[key]
    return last, list(used_t)


def _nights(arg: Mapping[str, Any], facts: Facts) -> Match:
    test = memo.part(arg, _NIGHT_TEST_PART)
    after, used = None, []
    if "since_last_use" in arg:
        after, used = _since_last_use(arg, facts)
        if after is None:
            return Match(False)
    # One walk per distinct test and window, shared by the rules that differ only in
    # min_nights or min_share (the same "bad night" test sits in several rules).
    hits = memo.scan(facts, frozen(test), arg.get("within_days"), after, _compiled(test))
    evidence = [e for _, ev in hits for e in ev]
    dates = [n.date for n, _ in hits]
    ok = len(dates) >= arg.get("min_nights", 1) and _share_ok(len(dates), arg, facts)
    stats = _date_stats(dates, facts, arg.get("within_days"))
    if used:
        stats["substances"] = _substance_words(used)
    elif test.get("field") in ("substances", "medication") and "contains" in test:
        # The person's own words ("keta", "G"), not the alias group's name.
        own = [str(w) for e in evidence for w in (e.value or ())]
        stats["substances"] = ", ".join(dict.fromkeys(own))
    return Match(ok, evidence if ok else [], stats)


def _mean(arg: Mapping[str, Any], facts: Facts) -> Match:
    return _summary(arg, facts, "mean")


def _spread(arg: Mapping[str, Any], facts: Facts) -> Match:
    return _summary(arg, facts, "spread")


def _summary(arg: Mapping[str, Any], facts: Facts, how: str) -> Match:
    name = arg["field"]
    # ``except`` leaves out nights that say why they differ (a trip, a night shift), so a
    # few travel nights do not make an ordinary sleeper's mean look like insomnia.
    skip = arg.get("except")
    within = arg.get("within_days")
    skipped = ({id(n) for n, _ in memo.scan(facts, frozen(skip), within, None, _compiled(skip))}
               if skip else set())
    vals = [(n, facts.night_value(n, name)) for n in memo.nights_in(facts, within)
            if id(n) not in skipped]
    vals = [(n, v) for n, v in vals if v is not None]
    if not vals or len(vals) < arg.get("min_nights", 1):
        return Match(False)
    spec = _NIGHT.get(name)
    if spec is not None and spec.kind == "clock":
        nums = [clock_minutes(v, spec.anchor) or 0.0 for _, v in vals]
    else:
        nums = [float(v) for _, v in vals]
    mean = sum(nums) / len(nums)
    if how == "spread":
        if len(nums) < 2:
            return Match(False)
        value = (sum((x - mean) ** 2 for x in nums) / (len(nums) - 1)) ** 0.5
        want = arg["value"]
        shown = f"{value:.0f} min"
    else:
        value = mean
        want = clock_minutes(arg["value"], spec.anchor) if spec is not None and spec.kind == "clock" else arg["value"]
        shown = _clock_text(value, spec.anchor) if spec is not None and spec.kind == "clock" else facts.show(value, name)
    if not OPS[arg["op"]](value, want):
        return Match(False)
    lang = facts.lang
    first, last = vals[0][0].date, vals[-1][0].date
    label = facts.label(name)
    span = f"{fmt_date(first, lang)}–{fmt_date(last, lang)}"
    if lang == "nl":
        what = "gemiddeld" if how == "mean" else "spreiding van"
        text = f"{span}: {what} {label} {shown} over {len(vals)} nachten"
    else:
        what = "mean" if how == "mean" else "spread of"
        text = f"{span}: {what} {label} {shown} over {len(vals)} nights"
    # A summary over many nights is one finding, not one night: citing only the last
    # night made a 21-night mean look like it rested on a single night (issue #11).
    ev = Evidence("finding", None, name, round(value, 1), text)
    stats = _date_stats([n.date for n, _ in vals], facts, arg.get("within_days"))
    stats["mean"] = shown
    return Match(True, [ev], stats)


def _clock_text(minutes: float, anchor: str) -> str:
    total = int(round(minutes)) + (12 * 60 if anchor == "evening" else 0)
    return f"{(total // 60) % 24:02d}:{total % 60:02d}"


def _episode_matches(arg: Mapping[str, Any], facts: Facts) -> list[Any]:
    # The same episode selection appears in many rules, triggers and hints; it depends
    # on the diary only, so it is computed once per Facts.
    key = ("episodes", frozen(arg))
    if key not in facts.memo:
        facts.memo[key] = tuple(_select_episodes(arg, facts))
    return list(facts.memo[key])


_freeze = memo.freeze  # the memo keys' definition lives with the memo tables


def _select_episodes(arg: Mapping[str, Any], facts: Facts) -> list[Any]:
    types = arg.get("type")
    types = [types] if isinstance(types, str) else types
    reporters = arg.get("reporter")
    reporters = [reporters] if isinstance(reporters, str) else reporters
    after = None
    if "since_last_use" in arg:
        after, _ = _since_last_use(arg, facts)
        if after is None:
            return []
    out = []
    if types:
        # Only the episodes of the asked types, in the diary's order.
        key = ("pool", frozenset(types))
        if key not in facts.memo:
            facts.memo[key] = tuple(sorted((ep for ty in set(types) for ep in facts.episodes_by_type.get(ty, ())),
                                           key=facts.episode_order))
        pool = facts.memo[key]
    else:
        pool = facts.episodes
    within, filt = arg.get("within_days"), arg.get("where", {})
    for ep in pool:
        if reporters and ep.reporter not in reporters:
            continue
        if (within is not None and not facts.in_window(ep.date, within)) or (after and ep.date <= after):
            continue
        said: list[str] = []
        if filt and not _episode_where(ep, filt, facts, said):
            continue
        if said:
            facts.memo.setdefault(("quotes", frozen(arg)), {})[id(ep)] = tuple(said)
        if "night_part" in arg and not _in_night_part(ep, arg["night_part"], facts):
            continue
        out.append(ep)
    return out


def _episode_where(ep: Any, filt: Mapping[str, Any], facts: Facts,
                   quotes: list[str] | None = None) -> bool:
    for name, want in filt.items():
        value = getattr(ep, name)
        spec = _EPISODE[name]
        if spec.kind == "bool":
            # "not_no": yes or unanswered, i.e. not explicitly answered "no".
            if (value is False) if want == "not_no" else ((value is True) != want):
                return False
        elif spec.kind == "choice":
            if value not in ([want] if isinstance(want, str) else want):
                return False
        elif spec.kind in ("list", "text") and name in ("notes", "behaviours"):
            said = _said_in(ep, name, want, facts)
            if not said:
                return False
            if quotes is not None:
                quotes.extend(p for p in said if p not in quotes)
        elif spec.kind in ("list", "text"):
            values = (value,) if isinstance(value, str) else value
            if not facts.matches_alias(values or (), want["contains"], field=name):
                return False
        elif not _compare(value, want["op"], want["value"], spec):
            return False
    return True


def _said_in(ep: Any, name: str, want: Mapping[str, Any], facts: Facts) -> tuple[str, ...]:
    """The phrases of ``want["contains"]`` said in an episode's notes or behaviours.

    Kept per episode and test: the same test ("injury words in the notes") sits in
    several rules with other episode types.
    """
    by_id = facts.memo.get("said_in")
    if by_id is None:
        by_id = facts.memo["said_in"] = {}
    pair = by_id.get(id(want))  # with the test itself: its id stays its own
    if pair is None or pair[0] is not want:
        pair = by_id[id(want)] = (want, facts.memo.setdefault(("said_in", name, frozen(want)), {}))
    table = pair[1]
    held = table.get(id(ep))  # the episodes are held by facts: their ids stay theirs
    if held is None:
        value = getattr(ep, name)
        values = (value,) if isinstance(value, str) else value
        if not any(values or ()):  # nothing written: nothing said
            held = ()
        else:
            concepts = [c for c in want["contains"] if c in facts.lexicon.concepts]
            answers = {"injury": ep.injury, "left_bedroom": ep.left_bedroom,
                       "partner_unsafe": ep.partner_unsafe}
            held = tuple(m.phrase for v in values or () if v for m in facts.said(v, concepts, answers))
        table[id(ep)] = held
    return held


def _in_night_part(ep: Any, part: str, facts: Facts) -> bool:
    if ep.time is None:
        return False
    t = clock_minutes(ep.time, "evening") or 0.0
    night = facts.night_by_date.get(ep.date)
    start = clock_minutes(night.lights_out or night.bedtime, "evening") if night else None
    end = clock_minutes(night.final_wake or night.out_of_bed, "evening") if night else None
    # Without a diary night, assume a common 23:00-07:00 night.
    start = 660.0 if start is None else start
    end = 1140.0 if end is None or end <= start else end
    frac = (t - start) / (end - start)
    return {
        "sleep_onset": t - start <= 60,
        "first_third": frac <= 1 / 3,
        "first_half": frac <= 0.5,
        "second_half": frac > 0.5,
        "last_third": frac >= 2 / 3,
    }[part]


def _episodes(arg: Mapping[str, Any], facts: Facts) -> Match:
    eps = _episode_matches(arg, facts)
    per_night: dict[dt.date, int] = {}
    for ep in eps:
        per_night[ep.date] = per_night.get(ep.date, 0) + ep.n
    if "min_per_night" in arg:
        keep = {d for d, k in per_night.items() if k >= arg["min_per_night"]}
        eps = [e for e in eps if e.date in keep]
        per_night = {d: k for d, k in per_night.items() if d in keep}
    total = sum(per_night.values())
    ok = (bool(eps) and total >= arg.get("min", 1) and len(per_night) >= arg.get("min_nights", 1)
          and _share_ok(len(per_night), arg, facts))
    stats = _date_stats(sorted(per_night), facts, arg.get("within_days"))
    stats.update(_count_words(total, facts.lang, "times"))
    stats["n_episodes"] = total
    if "since_last_use" in arg:
        stats["substances"] = _substance_words(_since_last_use(arg, facts)[1])
    quotes = facts.memo.get(("quotes", frozen(arg)), {})
    evidence = [facts.episode_evidence(e, quotes.get(id(e), ())) for e in eps] if ok else []
    return Match(ok, evidence, stats)


def _mentions(arg: Mapping[str, Any], facts: Facts) -> Match:
    """Lexicon concepts said in free text (notes, behaviours, known conditions).

    ``in`` limits the sources (``night``, ``episode``, ``answer``), ``type`` and
    ``reporter`` the episodes; ``with`` asks for another concept in the same text (a
    child *and* a sexual episode; "stopped" *and* GHB). Evidence quotes the person's own
    words.
    """
    concepts = set(_as_list(arg["concept"]))
    sources = set(_as_list(arg.get("in")) or ("night", "episode", "answer"))
    types = set(_as_list(arg.get("type")))
    reporters = set(_as_list(arg.get("reporter")))
    with_ = set(_as_list(arg.get("with")))
    tenses = set(_as_list(arg.get("tense")))
    hits = []
    for f in facts.text_facts:
        if f.concept not in concepts or f.kind not in sources:
            continue
        if tenses and f.tense not in tenses:
            continue
        if f.date is not None and not facts.in_window(f.date, arg.get("within_days")):
            continue
        if f.episode is not None and ((types and f.episode.type not in types)
                                      or (reporters and f.episode.reporter not in reporters)):
            continue
        if f.kind == "night" and types and not any(
                e.type in types for e in facts.episodes_on(f.date)):
            continue
        if with_ and not any(g.concept in with_ and g is not f and g.kind == f.kind
                             and g.date == f.date and g.field == f.field and g.episode is f.episode
                             and g.mention.start != f.mention.start
                             for g in facts.text_facts):
            continue
        hits.append(f)
    dates = sorted({f.date for f in hits if f.date is not None})
    ok = bool(hits) and len(dates) >= arg.get("min_nights", 1) if dates else bool(hits)
    if not ok:
        return Match(False)
    evidence: list[Evidence] = []
    seen: set[Any] = set()
    for f in hits:
        k = (f.kind, f.date, f.field, id(f.episode))
        if k in seen:
            continue
        seen.add(k)
        phrases = [g.mention.phrase for g in hits if (g.kind, g.date, g.field, id(g.episode)) == k]
        evidence.append(facts.quote_evidence(f.kind, f.date, f.field, phrases, f.episode))
    stats = _date_stats(dates, facts, arg.get("within_days"))
    n = len(hits)
    stats.update(_count_words(n, facts.lang, "times"))
    stats["n_episodes"] = n
    return Match(True, evidence, stats)


def _fired(arg: Mapping[str, Any], facts: Facts) -> Match:
    """A flag at ``min_level`` or above fired, other than ``not_condition``/``not_code``."""
    floor = _LEVELS.index(arg.get("min_level", "self_care"))
    skip_cond = set(_as_list(arg.get("not_condition")))
    skip_code = set(_as_list(arg.get("not_code")))
    for code, (level, condition) in facts.fired_meta.items():
        if _LEVELS.index(level) >= floor and condition not in skip_cond and code not in skip_code:
            return Match(True, [], dict(facts.fired.get(code, {})))
    return Match(False)


def _pattern(arg: Mapping[str, Any], facts: Facts) -> Match:
    eps = _episode_matches(arg["episodes"], facts)
    ep_dates = sorted({e.date for e in eps})
    with_night = [d for d in ep_dates if d in facts.night_by_date]
    if not with_night:
        return Match(False)
    test = arg["night"]
    passed = {id(n): ev for n, ev in memo.scan(facts, frozen(test), None, None, _compiled(test))}
    hit_dates, evidence = [], []
    for d in with_night:
        ev = passed.get(id(facts.night_by_date[d]))
        if ev:
            hit_dates.append(d)
            evidence.extend(ev)
    ep_set, hit_set = set(ep_dates), set(hit_dates)
    others = [n for n in facts.nights if n.date not in ep_set]
    other_hits = sum(1 for n in others if id(n) in passed)
    share = len(hit_dates) / len(with_night)
    base = other_hits / len(others) if others else 0.0
    ok = (len(hit_dates) >= arg.get("min_nights", 2) and share >= arg.get("min_share", 0.5)
          and share > base)
    if not ok:
        return Match(False)
    evidence.extend(facts.episode_evidence(e) for e in eps if e.date in hit_set)
    stats = _date_stats(hit_dates, facts)
    stats["share"] = f"{round(100 * share)}%"
    stats["n_episodes"] = sum(e.n for e in eps if e.date in hit_set)
    stats.update(_count_words(stats["n_episodes"], facts.lang, "times"))
    return Match(True, evidence, stats)


def _insight(arg: Mapping[str, Any], facts: Facts) -> Match:
    factors = [fold(f) for f in _as_list(arg.get("factor"))]
    outcomes = [fold(o) for o in _as_list(arg.get("outcome"))]
    direction = arg.get("direction", "up")
    strict = arg.get("significant", False)
    evidence = []
    for f in facts.findings:
        def get(k: str, f: Any = f) -> Any:
            return f.get(k) if isinstance(f, Mapping) else getattr(f, k, None)

        factor, outcome = fold(get("factor") or ""), fold(get("outcome") or "")
        if factors and not any(x in factor for x in factors):
            continue
        if outcomes and not any(x in outcome for x in outcomes):
            continue
        if (get("direction") or "up") != direction:
            continue
        significant = bool(get("significant"))
        p = get("q") if get("q") is not None else get("p")
        possible = p is not None and p < 0.1
        if not significant and (strict or not possible):
            continue
        text = get("text_en" if facts.lang == "en" else "text_nl") or f"{factor} → {outcome}"
        evidence.append(Evidence("finding", None, get("factor"), get("outcome"), str(text)))
    return Match(bool(evidence), evidence)


def _clock_phase(arg: Mapping[str, Any], facts: Facts) -> Match:
    """A stable late or early sleep onset with a matching wake time (see :mod:`.phase`)."""
    from .phase import evaluate as phase

    found = phase(arg, facts)
    if found is None:
        return Match(False)
    evidence, dates, numbers = found
    stats = _date_stats(dates, facts, arg.get("within_days"))
    stats.update(numbers)
    return Match(True, evidence, stats)


def _flag(arg: Any, facts: Facts) -> Match:
    # The numbers of the first fired flag travel along, so a plan reason can say "on 9 nights".
    for code in _as_list(arg):
        if code in facts.fired:
            return Match(True, [], dict(facts.fired[code]))
    return Match(False)


def _share_ok(n: int, arg: Mapping[str, Any], facts: Facts) -> bool:
    """``n`` nights are at least ``min_share`` of the diary nights in the window."""
    if "min_share" not in arg:
        return True
    key = ("nights_in_window", arg.get("within_days"))
    if key not in facts.memo:
        facts.memo[key] = sum(1 for night in facts.nights
                              if facts.in_window(night.date, arg.get("within_days")))
    total = facts.memo[key]
    return total > 0 and n / total >= arg["min_share"]


def _as_list(x: Any) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _date_stats(dates: list[dt.date], facts: Facts, within_days: int | None = None) -> dict[str, Any]:
    return memo.date_stats(facts, dates, within_days, _compute_date_stats)


def _compute_date_stats(dates: list[dt.date], facts: Facts, within_days: int | None) -> dict[str, Any]:
    dates = sorted(set(dates))
    lang = facts.lang
    shown = [fmt_date(d, lang) for d in dates[:5]]
    more = len(dates) - len(shown)
    joined = ", ".join(shown) + ((" en nog " if lang == "nl" else " and ") + str(more)
                                 + (" andere" if lang == "nl" else " more") if more > 0 else "")
    return {
        "n_nights": len(dates),
        **_count_words(len(dates), lang, "nights"),
        "first_date": fmt_date(dates[0], lang) if dates else "",
        "last_date": fmt_date(dates[-1], lang) if dates else "",
        "dates": joined,
        **_counts_in_window(len(dates), facts, within_days),
    }


_UNITS = {
    "days_of": ("dag", "dagen", "day", "days"),
    "mornings_of": ("ochtend", "ochtenden", "morning", "mornings"),
    "evenings_of": ("avond", "avonden", "evening", "evenings"),
    "nights_of": ("nacht", "nachten", "night", "nights"),
}
_PERIODS = {7: ("de laatste week", "the last week"), 14: ("de laatste twee weken", "the last two weeks"),
            28: ("de laatste vier weken", "the last four weeks")}


def _counts_in_window(n: int, facts: Facts, within_days: int | None) -> dict[str, str]:
    """``{days_of}`` = "9 dagen in de laatste vier weken", or "9 van de 14 dagen".

    "In four weeks" is only said when the diary covers the whole window; a 14-day diary
    where someone drank every day gets "op 14 van de 14 dagen", not "op 14 dagen in vier
    weken", which reads as half the time (issue #11).
    """
    key = ("window_cover", within_days)
    if key not in facts.memo:
        kept = sum(1 for night in facts.nights if facts.in_window(night.date, within_days))
        full = bool(within_days and facts.nights and facts.ref_date is not None
                    and (facts.ref_date - facts.nights[0].date).days + 1 >= int(within_days))
        facts.memo[key] = (kept, full)
    kept, full = facts.memo[key]
    total = max(kept, n)
    nl = facts.lang != "en"
    out = {}
    for name, (one_nl, many_nl, one_en, many_en) in _UNITS.items():
        if full and within_days is not None:
            period = _PERIODS.get(int(within_days))
            when = (period[0 if nl else 1] if period else
                    (f"de laatste {within_days} dagen" if nl else f"the last {within_days} days"))
            unit = (one_nl if n == 1 else many_nl) if nl else (one_en if n == 1 else many_en)
            out[name] = f"{n} {unit} in {when}"
        elif n == total and n > 1:
            out[name] = f"alle {n} {many_nl}" if nl else f"all {n} {many_en}"
        else:
            out[name] = f"{n} van de {total} {many_nl}" if nl else f"{n} of the {total} {many_en}"
    return out


_WORDS = {
    "nights": {"nl": ("nacht", "nachten"), "en": ("night", "nights")},
    "times": {"nl": ("keer", "keer"), "en": ("time", "times")},
}


def _count_words(n: int, lang: str, what: str) -> dict[str, str]:
    """``{nights}`` = "1 nacht" / "3 nachten"; ``{times}`` = "1 keer" / "once" / "3 times"."""
    if what == "times" and lang == "en" and n == 1:
        return {what: "once"}
    one, many = _WORDS[what]["en" if lang == "en" else "nl"]
    return {what: f"{n} {one if n == 1 else many}"}


def _substance_words(names: list[str]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)


_EVAL: dict[str, Callable[[Any, Facts], Match]] = {
    "all": _all, "any": _any, "not": _not, "profile": _profile, "insight": _insight, "flag": _flag,
    "fired": _fired,
    # These depend on the diary alone: each distinct one is evaluated once per Facts.
    **{k: memo.match(k, f) for k, f in (
        ("nights", _nights), ("mean", _mean), ("spread", _spread), ("episodes", _episodes),
        ("pattern", _pattern), ("mentions", _mentions), ("clock_phase", _clock_phase))},
}
