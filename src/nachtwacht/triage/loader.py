"""Load and strictly check the triage data files (rules, plan measures, hints, vocabulary).

The files are reviewed like code, so the loader refuses anything it does not know:
unknown keys, unknown diary fields, episode types or levels, a text without both
languages, an unknown ``{placeholder}``. Every error names the file and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .conditions import PLACEHOLDERS, RuleError, placeholders_ok, validate
from .types import LEVELS

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
LANGS = ("nl", "en")
#: Whom a flag can address.
AUDIENCES = ("sleeper", "partner")
#: Extra placeholders the plan steps may use (filled by the sleep-window calculation).
STEP_PLACEHOLDERS = {"window", "bedtime", "rise_time", "window_hours"}


@dataclass(frozen=True)
class Rule:
    """One red-flag rule: when ``when`` holds, raise a flag at ``level`` for ``condition``."""

    code: str
    condition: str
    level: str
    when: Mapping[str, Any]
    text: Mapping[str, str]
    tell_gp: Mapping[str, str]
    source: str = ""
    #: Whom the flag addresses: ``sleeper`` (default) or ``partner``.
    audience: str = "sleeper"


@dataclass(frozen=True)
class Trigger:
    """One reason to propose a plan measure."""

    when: Mapping[str, Any]
    reason: Mapping[str, str]


@dataclass(frozen=True)
class Measure:
    """One self-help measure of the plan."""

    code: str
    title: Mapping[str, str]
    why: Mapping[str, str]
    steps: Mapping[str, tuple[str, ...]]
    knowledge_slug: str
    triggers: tuple[Trigger, ...]
    contraindications: tuple[str, ...] = ()
    #: The measure offered in its place when a contraindication holds: one code for
    #: all of them, or per contraindication (``{shift_work: shift_sleep}``), so a
    #: replacement fits the reason (shift advice is no stand-in for someone with a
    #: bipolar disorder).
    instead: str | Mapping[str, str] = ""
    order: int = 0

    def instead_for(self, blocked: Iterable[str]) -> str:
        """The replacement measure for these contraindications ("" for none)."""
        if isinstance(self.instead, str):
            return self.instead
        return next((self.instead[b] for b in blocked if b in self.instead), "")


@dataclass(frozen=True)
class Hint:
    """One differential hint (what else it could be) with what to tell the GP."""

    code: str
    group: str
    knowledge_slug: str
    when: Mapping[str, Any]
    title: Mapping[str, str]
    text: Mapping[str, str]
    tell_gp: Mapping[str, str]


@dataclass(frozen=True)
class Vocabulary:
    """Substance aliases and named contraindications shared by rules and plan."""

    aliases: Mapping[str, tuple[str, ...]]
    contraindications: Mapping[str, Mapping[str, Any]]
    labels: Mapping[str, Mapping[str, str]]
    #: Substance names never matched in medication fields.
    recreational: frozenset[str] = frozenset()
    #: Words that make an entry a prescribed treatment (never recreational use).
    treatments: tuple[str, ...] = ()
    #: Aliases that count only as the whole entry ("k", "g", "coke").
    bare: frozenset[str] = frozenset()
    #: Help lines by code: ``{"label": {nl, en}, "phone", "href"}``.
    routes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


#: libyaml's loader when PyYAML was built with it: the pure-Python one takes about
#: 0.4 s for the shipped rules, a tenth of a cold report. Same safe tag set.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path.name}: not valid YAML: {exc}") from None


def _keys(obj: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    if not isinstance(obj, Mapping):
        raise RuleError(f"{where}: expected a mapping, got {type(obj).__name__}")
    unknown = sorted(set(obj) - required - optional)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {unknown}")
    missing = sorted(required - set(obj))
    if missing:
        raise RuleError(f"{where}: missing key(s) {missing}")


def _texts(obj: Any, where: str, placeholders: set[str] = frozenset()) -> dict[str, str]:  # type: ignore[assignment]
    _keys(obj, where, set(LANGS))
    out = {}
    for lang in LANGS:
        text = obj[lang]
        if not isinstance(text, str) or not text.strip():
            raise RuleError(f"{where}: the {lang} text is empty")
        placeholders_ok(text, f"{where} ({lang})", placeholders)
        out[lang] = text.strip()
    return out


def _code(obj: Mapping[str, Any], where: str) -> str:
    code = obj.get("code")
    if not isinstance(code, str) or not code.replace("_", "").isalnum() or code != code.lower():
        raise RuleError(f"{where}: code must be lower_snake_case, got {code!r}")
    return code


def _entries(data: Any, source: str, kind: str, what: str) -> Iterator[tuple[int, Any, str]]:
    """Yield ``(index, entry, where)`` for a YAML list of ``kind`` entries.

    ``where`` names the entry by its code when it has one, else by position, so every
    error message points at the entry a reviewer has to fix.
    """
    if not isinstance(data, list):
        raise RuleError(f"{source}: {what}")
    for i, raw in enumerate(data):
        where = f"{source} {kind} #{i + 1}"
        if isinstance(raw, Mapping) and isinstance(raw.get("code"), str):
            where = f"{source} {kind} {raw['code']!r}"
        yield i, raw, where


def parse_rules(data: Any, source: str = "<rules>") -> list[Rule]:
    """Check a list of rule mappings (as read from YAML) and return :class:`Rule` objects."""
    rules = []
    for _i, raw, where in _entries(data, source, "rule", "a rule file holds a list of rules"):
        _keys(raw, where, {"code", "condition", "level", "when", "text", "tell_gp"}, {"audience"})
        code = _code(raw, where)
        audience = raw.get("audience", "sleeper")
        if audience not in AUDIENCES:
            raise RuleError(f"{where}: audience must be one of {AUDIENCES}, got {audience!r}")
        if raw["level"] not in LEVELS:
            raise RuleError(f"{where}: unknown level {raw['level']!r} (use one of {LEVELS})")
        if not isinstance(raw["condition"], str) or not raw["condition"]:
            raise RuleError(f"{where}: condition must be a knowledge page slug")
        validate(raw["when"], where)
        rules.append(Rule(code, raw["condition"], raw["level"], raw["when"],
                          _texts(raw["text"], f"{where} text", PLACEHOLDERS),
                          _texts(raw["tell_gp"], f"{where} tell_gp", PLACEHOLDERS), source, audience))
    return rules


@lru_cache(maxsize=4)
def load_rules(directory: str | None = None) -> tuple[Rule, ...]:
    """Load every ``*.yaml`` rule file in ``directory`` (default: the shipped rules)."""
    root = Path(directory) if directory else RULES_DIR
    rules: list[Rule] = []
    for path in sorted(root.glob("*.yaml")):
        rules.extend(parse_rules(_read(path), path.name))
    seen: set[str] = set()
    for r in rules:
        if r.code in seen:
            raise RuleError(f"{r.source}: duplicate rule code {r.code!r}")
        seen.add(r.code)
    if not rules:
        raise RuleError(f"no rules found in {root}")
    return tuple(rules)


def _instead(raw: Any, contra: list[str], where: str) -> str | Mapping[str, str]:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise RuleError(f"{where}: 'instead' is a measure code or a mapping contraindication -> code")
    unknown = sorted(set(raw) - set(contra))
    if unknown:
        raise RuleError(f"{where}: 'instead' names contraindications the measure lacks: {unknown}")
    return dict(raw)


def parse_plan(data: Any, source: str = "plan.yaml") -> list[Measure]:
    """Check the plan measures file and return :class:`Measure` objects in file order."""
    out = []
    for i, raw, where in _entries(data, source, "measure", "the plan file holds a list of measures"):
        _keys(raw, where, {"code", "title", "why", "steps", "knowledge_slug", "triggers"},
              {"contraindications", "instead"})
        code = _code(raw, where)
        steps = raw["steps"]
        _keys(steps, f"{where} steps", set(LANGS))
        for lang in LANGS:
            for k, step in enumerate(steps[lang] if isinstance(steps[lang], list) else []):
                placeholders_ok(str(step), f"{where} steps.{lang}[{k}]", PLACEHOLDERS | STEP_PLACEHOLDERS)
            if not isinstance(steps[lang], list) or not steps[lang] or not all(
                    isinstance(s, str) and s.strip() for s in steps[lang]):
                raise RuleError(f"{where}: steps.{lang} must be a non-empty list of texts")
        if len(steps["nl"]) != len(steps["en"]):
            raise RuleError(f"{where}: steps differ in number between nl and en")
        triggers = []
        # An empty trigger list is allowed for measures only offered 'instead' of another.
        if not isinstance(raw["triggers"], list):
            raise RuleError(f"{where}: triggers must be a list")
        for j, t in enumerate(raw["triggers"]):
            tw = f"{where} trigger #{j + 1}"
            _keys(t, tw, {"when", "reason"})
            validate(t["when"], tw)
            triggers.append(Trigger(t["when"], _texts(t["reason"], f"{tw} reason", PLACEHOLDERS)))
        contra = raw.get("contraindications", [])
        if not isinstance(contra, list) or not all(isinstance(c, str) for c in contra):
            raise RuleError(f"{where}: contraindications must be a list of names")
        out.append(Measure(code, _texts(raw["title"], f"{where} title"),
                           _texts(raw["why"], f"{where} why", PLACEHOLDERS),
                           {lang: tuple(s.strip() for s in steps[lang]) for lang in LANGS},
                           str(raw["knowledge_slug"]), tuple(triggers), tuple(contra),
                           _instead(raw.get("instead", ""), contra, where), i))
    codes = {m.code for m in out}
    for m in out:
        for alt in ([m.instead] if isinstance(m.instead, str) else m.instead.values()):
            if alt and alt not in codes:
                raise RuleError(f"{source} measure {m.code!r}: 'instead' names unknown measure {alt!r}")
    return out


def parse_hints(data: Any, source: str = "differentials.yaml") -> list[Hint]:
    """Check the differential hints file and return :class:`Hint` objects."""
    out = []
    for _i, raw, where in _entries(data, source, "hint", "the hints file holds a list of hints"):
        _keys(raw, where, {"code", "group", "knowledge_slug", "when", "title", "text", "tell_gp"})
        validate(raw["when"], where)
        out.append(Hint(_code(raw, where), str(raw["group"]), str(raw["knowledge_slug"]), raw["when"],
                        _texts(raw["title"], f"{where} title"),
                        _texts(raw["text"], f"{where} text", PLACEHOLDERS),
                        _texts(raw["tell_gp"], f"{where} tell_gp", PLACEHOLDERS)))
    return out


def parse_vocabulary(data: Any, source: str = "vocabulary.yaml") -> Vocabulary:
    """Check the vocabulary file (substance aliases, named contraindications)."""
    _keys(data, source, {"substances", "contraindications"},
          {"recreational", "treatments", "bare_aliases", "routes"})
    aliases: dict[str, tuple[str, ...]] = {}
    for name, words in (data["substances"] or {}).items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise RuleError(f"{source}: substance {name!r} needs a list of aliases")
        aliases[str(name)] = tuple([str(name), *words])
    contra: dict[str, Mapping[str, Any]] = {}
    labels: dict[str, Mapping[str, str]] = {}
    for name, raw in (data["contraindications"] or {}).items():
        where = f"{source} contraindication {name!r}"
        _keys(raw, where, {"when", "label"})
        validate(raw["when"], where)
        contra[str(name)] = raw["when"]
        labels[str(name)] = _texts(raw["label"], f"{where} label")
    extra: dict[str, list[str]] = {}
    for key in ("recreational", "treatments", "bare_aliases"):
        words = data.get(key) or []
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise RuleError(f"{source}: {key} must be a list of words")
        extra[key] = [str(w) for w in words]
    unknown = sorted(set(extra["recreational"]) - set(aliases))
    if unknown:
        raise RuleError(f"{source}: recreational names without aliases: {unknown}")
    routes: dict[str, Mapping[str, Any]] = {}
    for name, raw in (data.get("routes") or {}).items():
        where = f"{source} route {name!r}"
        _keys(raw, where, {"label", "phone", "href"})
        if not str(raw["href"]).startswith("tel:") or not str(raw["phone"]).strip():
            raise RuleError(f"{where}: a route needs a phone number and a tel: href")
        routes[str(name)] = {"label": _texts(raw["label"], f"{where} label"),
                             "phone": str(raw["phone"]), "href": str(raw["href"])}
    return Vocabulary(aliases, contra, labels, frozenset(extra["recreational"]),
                      tuple(extra["treatments"]), frozenset(extra["bare_aliases"]), routes)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The shipped vocabulary."""
    return parse_vocabulary(_read(HERE / "vocabulary.yaml"))


@lru_cache(maxsize=1)
def load_plan() -> tuple[Measure, ...]:
    """The shipped plan measures, checked against the vocabulary's contraindications."""
    measures = parse_plan(_read(HERE / "plan.yaml"))
    known = set(load_vocabulary().contraindications)
    for m in measures:
        for c in m.contraindications:
            if c not in known:
                raise RuleError(f"plan.yaml measure {m.code!r}: unknown contraindication {c!r}")
    return tuple(measures)


@lru_cache(maxsize=1)
def load_hints() -> tuple[Hint, ...]:
    """The shipped differential hints."""
    return tuple(parse_hints(_read(HERE / "differentials.yaml")))
