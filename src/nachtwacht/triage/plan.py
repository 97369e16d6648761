"""Choose the self-help measures that match this person, each with why it was chosen."""

from __future__ import annotations

from typing import Any

from .conditions import Match, evaluate
from .facts import Facts
from .loader import Measure, load_plan, load_vocabulary
from .sleep_window import from_diary, window_hours
from .types import PlanItem


class _Fill(dict):
    """Placeholder values; a missing one renders empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(text: str, stats: dict[str, Any]) -> str:
    """Fill ``{placeholders}`` in a data text."""
    return " ".join(text.format_map(_Fill(stats)).split())


_INSTEAD = {
    "nl": "In plaats van '{title}', omdat bij u sprake is van: {labels}.",
    "en": "Instead of '{title}', because you have: {labels}.",
}


def build_plan(facts: Facts) -> tuple[list[PlanItem], list[dict[str, Any]]]:
    """Return the plan items and the measures left out for safety (with the reason).

    Needs ``facts.fired`` to hold the codes of the triage flags already raised.
    """
    lang = facts.lang
    vocab = load_vocabulary()
    contra: dict[str, Match] = {}
    measures = {m.code: m for m in load_plan()}
    chosen: dict[str, PlanItem] = {}
    excluded: list[dict[str, Any]] = []
    for m in measures.values():
        reasons, stats = _reasons(m, facts)
        if not reasons:
            continue
        blocked = []
        for name in m.contraindications:
            if name not in contra:
                contra[name] = evaluate(vocab.contraindications[name], facts)
            if contra[name].ok:
                blocked.append(name)
        if blocked:
            labels = ", ".join(vocab.labels[b][lang] for b in blocked)
            excluded.append({"code": m.code, "contraindications": blocked,
                             "evidence": [e.to_dict() for b in blocked for e in contra[b].evidence]})
            instead = m.instead_for(blocked)
            if instead and instead not in chosen:
                alt = measures[instead]
                why = _INSTEAD[lang].format(title=m.title[lang], labels=labels)
                chosen[alt.code] = _item(alt, [why, *reasons], stats, facts)
            continue
        item = _item(m, reasons, stats, facts)
        if item is not None:
            chosen[m.code] = item
    order = {code: m.order for code, m in measures.items()}
    return sorted(chosen.values(), key=lambda p: order[p.code]), excluded


def _reasons(m: Measure, facts: Facts) -> tuple[list[str], dict[str, Any]]:
    reasons: list[str] = []
    stats: dict[str, Any] = {}
    for t in m.triggers:
        match = evaluate(t.when, facts)
        if match.ok:
            text = fill(t.reason[facts.lang], match.stats)
            if text not in reasons:
                reasons.append(text)
            for k, v in match.stats.items():
                stats.setdefault(k, v)
    return reasons, stats


def _item(m: Measure, reasons: list[str], stats: dict[str, Any], facts: Facts) -> PlanItem | None:
    lang = facts.lang
    details: dict[str, Any] = {}
    values = dict(stats)
    if m.code == "sleep_window":
        window = from_diary(facts)
        if window is None:  # too few nights with sleep times to prescribe a window
            return None
        details = window.to_dict()
        values.update(window=window.window_min, bedtime=window.bedtime, rise_time=window.rise_time,
                      window_hours=window_hours(window.window_min, lang))
    why = " ".join([m.why[lang], *reasons])
    steps = tuple(fill(s, values) for s in m.steps[lang])
    return PlanItem(m.code, m.title[lang], why, steps, m.knowledge_slug, tuple(reasons), details)
