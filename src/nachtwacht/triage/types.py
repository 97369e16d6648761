"""Value types of the triage: evidence, flags, differential hints, plan items, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["self_care", "gp_routine", "gp_soon", "urgent"]

#: Advice levels from least to most pressing; the overall level is the highest flag level.
LEVELS: tuple[str, ...] = ("self_care", "gp_routine", "gp_soon", "urgent")


def level_rank(level: str) -> int:
    """Return the position of ``level`` in :data:`LEVELS` (ValueError if unknown)."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown advice level {level!r}; expected one of {LEVELS}") from None


@dataclass(frozen=True)
class Evidence:
    """One concrete fact that made a rule fire: a night, an episode, an answer or a finding."""

    kind: Literal["night", "episode", "answer", "finding"]
    date: str | None = None
    field: str | None = None
    value: Any = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kind", "date", "field", "value", "text"}``."""
        return {"kind": self.kind, "date": self.date, "field": self.field,
                "value": self.value, "text": self.text}

    @property
    def key(self) -> tuple[Any, ...]:
        """Identity used to drop duplicates when conditions are combined."""
        return (self.kind, self.date, self.field, str(self.value), self.text)


@dataclass(frozen=True)
class Flag:
    """A fired triage rule with the evidence behind it."""

    code: str
    level: str
    condition: str
    evidence: tuple[Evidence, ...]
    text: str
    tell_gp: str = ""
    #: Whom the flag addresses: ``sleeper`` or ``partner`` (shown on the partner's pages).
    audience: str = "sleeper"
    #: Help lines named in the text: ``{"code", "label", "label_nl", "label_en", "phone",
    #: "href"}`` (``href`` a ``tel:`` link).
    routes: tuple[dict[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the flag as in the CLI JSON (plus ``tell_gp``, ``audience`` and ``routes``)."""
        return {"code": self.code, "level": self.level, "condition": self.condition,
                "evidence": [e.to_dict() for e in self.evidence], "text": self.text,
                "tell_gp": self.tell_gp, "audience": self.audience,
                "routes": [dict(r) for r in self.routes]}


@dataclass(frozen=True)
class Differential:
    """A plain-language hint about what else a complaint could be, and what to tell the GP."""

    code: str
    group: str
    title: str
    text: str
    tell_gp: str
    knowledge_slug: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"code": self.code, "group": self.group, "title": self.title, "text": self.text,
                "tell_gp": self.tell_gp, "knowledge_slug": self.knowledge_slug,
                "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class PlanItem:
    """One self-help measure, with why it was chosen for this person."""

    code: str
    title: str
    why: str
    steps: tuple[str, ...]
    knowledge_slug: str
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"code": self.code, "title": self.title, "why": self.why,
                "steps": list(self.steps), "knowledge_slug": self.knowledge_slug,
                "reasons": list(self.reasons), "details": dict(self.details)}


@dataclass(frozen=True)
class TriageResult:
    """Outcome of :func:`nachtwacht.triage.assess`: a level, flags, hints and a plan.

    ``flags`` are ordered most pressing first, so urgent advice is never below self-help.
    """

    level: str
    flags: tuple[Flag, ...]
    differentials: tuple[Differential, ...]
    plan: tuple[PlanItem, ...]
    lang: str = "nl"
    notice: str = ""
    excluded: tuple[dict[str, Any], ...] = ()

    @property
    def urgent(self) -> bool:
        """True when at least one flag asks for help today."""
        return self.level == "urgent"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"level", "flags", "differentials", "plan"}`` as printed by the CLI."""
        return {
            "level": self.level,
            "flags": [f.to_dict() for f in self.flags],
            "differentials": [d.to_dict() for d in self.differentials],
            "plan": [p.to_dict() for p in self.plan],
        }
