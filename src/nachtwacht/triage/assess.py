"""Triage a diary: red flags with their evidence, an overall advice level, hints and a plan."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nachtwacht.diary.types import Diary

from .conditions import evaluate
from .facts import Facts
from .loader import Rule, load_hints, load_rules, load_vocabulary
from .plan import build_plan, fill
from .types import LEVELS, Differential, Flag, TriageResult, level_rank

#: Fixed text on every urgent flag: self-help is not the answer now.
URGENT_NOTICE = {
    "nl": "Dit gaat voor alles: zelfhulp is nu niet het antwoord. Neem vandaag contact op met "
          "uw huisarts of de huisartsenpost; bij direct gevaar belt u 112.",
    "en": "This comes first: self-help is not the answer right now. Contact your GP or the "
          "out-of-hours service today; in immediate danger call 112.",
}
LANGS = ("nl", "en")


def assess(
    diary: Diary,
    insight: Any = None,
    lang: str = "nl",
    *,
    use_insight: bool = True,
    rules: Iterable[Rule] | None = None,
    night_figures: Mapping[dt.date, Any] | None = None,
    device_nights: Sequence[Any] | None = None,
    flags_only: bool = False,
) -> TriageResult:
    """Triage a diary.

    Parameters
    ----------
    diary : Diary
        Nights, episodes and profile.
    insight : InsightResult | None
        Result of :func:`nachtwacht.insight.analyse`; computed lazily when a rule or plan
        trigger needs it and ``use_insight`` is true.
    lang : {"nl", "en"}
        Language of all texts.
    use_insight : bool
        Set to false to triage from the diary alone.
    rules : iterable of Rule, optional
        Rules to apply instead of the shipped ones (for tests and reviews).
    night_figures : mapping of date to NightMetrics, optional
        Per-night results of :func:`nachtwacht.diary.metrics.night_metrics` for these
        nights, when the caller has them already (the report does); saves computing
        them twice. Nights missing here are computed as usual.
    device_nights : sequence of DeviceNight, optional
        Nights from a watch or actigraph: the body-clock rules also run on their times
        (:mod:`.device_clock`); a flag the diary did not raise is added, saying it comes
        from the device, and its plan items follow (issue #17).
    flags_only : bool
        Stop after the flags: no hints, no plan (``excluded`` empty too).

    Returns
    -------
    TriageResult
        The level is the highest flag level (``self_care`` without flags); flags are
        ordered most pressing first and urgent flags carry :data:`URGENT_NOTICE`.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'nl' or 'en'")
    if not isinstance(diary, Diary):
        raise TypeError(f"assess() needs a Diary, got {type(diary).__name__}")
    vocab = load_vocabulary()
    facts = Facts(diary, lang=lang, insight=insight, use_insight=use_insight, vocabulary=vocab,
                  night_figures=night_figures)
    rules = tuple(load_rules() if rules is None else rules)

    fired: list[Flag] = []
    for rule in rules:
        match = evaluate(rule.when, facts)
        if not match.ok:
            continue
        text = fill(rule.text[lang], match.stats)
        if rule.level == "urgent":
            text = f"{text} {URGENT_NOTICE[lang]}"
        fired.append(Flag(rule.code, rule.level, rule.condition, tuple(match.evidence), text,
                          fill(rule.tell_gp[lang], match.stats), rule.audience,
                          _routes(text, vocab.routes, lang)))
        facts.fired[rule.code] = match.stats
        facts.fired_meta[rule.code] = (rule.level, rule.condition)
    if device_nights:
        from .device_clock import device_flags

        for flag, stats in device_flags(facts, rules, device_nights, lang):
            if flag.code not in facts.fired:  # the diary's own flag comes first
                fired.append(flag)
                facts.fired[flag.code] = stats
                facts.fired_meta[flag.code] = (flag.level, flag.condition)

    flags = _drop_superseded(fired)
    flags.sort(key=lambda f: -level_rank(f.level))  # stable: file order within a level
    level = max((f.level for f in flags), key=level_rank, default=LEVELS[0])

    if flags_only:
        # The alert check after every save needs the flags only; hints and plan are
        # about a third of the work (bench/bench_web.py).
        return TriageResult(level, tuple(flags), (), (), lang,
                            URGENT_NOTICE[lang] if level == "urgent" else "", ())
    hints = []
    for hint in load_hints():
        m = evaluate(hint.when, facts)
        if m.ok:
            hints.append(Differential(hint.code, hint.group, hint.title[lang],
                                      fill(hint.text[lang], m.stats), fill(hint.tell_gp[lang], m.stats),
                                      hint.knowledge_slug, tuple(m.evidence)))
    plan, excluded = build_plan(facts)
    return TriageResult(level, tuple(flags), tuple(hints), tuple(plan), lang,
                        URGENT_NOTICE[lang] if level == "urgent" else "", tuple(excluded))


def _routes(text: str, routes: Mapping[str, Mapping[str, Any]], lang: str) -> tuple[dict[str, str], ...]:
    """The help lines a text names, as tap-to-call routes.

    Each: ``code``, ``label`` (in ``lang``), ``label_nl``, ``label_en``, ``phone`` and
    ``href`` (a ``tel:`` link), so a page in either language can show it.
    """
    out = []
    for code, r in routes.items():
        phone = str(r["phone"])
        if re.search(r"(?<![\d-])" + re.escape(phone) + r"(?![\d-])", text):
            out.append({"code": code, "label": r["label"][lang], "label_nl": r["label"]["nl"],
                        "label_en": r["label"]["en"], "phone": phone, "href": str(r["href"])})
    return tuple(out)


def _drop_superseded(flags: list[Flag]) -> list[Flag]:
    # A self-care note ("one episode, keep notes") is noise once a higher flag of the same
    # condition says to see the GP; keep the higher one only.
    top: dict[str, int] = {}
    for f in flags:
        top[f.condition] = max(top.get(f.condition, 0), level_rank(f.level))
    return [f for f in flags if f.level != "self_care" or top[f.condition] == 0]
