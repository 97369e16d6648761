"""The rule, plan and hint files: strictly checked, both languages, linked to knowledge pages."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nachtwacht import knowledge
from nachtwacht.triage import RuleError, load_hints, load_plan, load_rules, parse_rules
from nachtwacht.triage.loader import parse_plan, parse_vocabulary

GOOD: dict[str, Any] = {
    "code": "example",
    "condition": "sexsomnia",
    "level": "gp_soon",
    "when": {"episodes": {"type": ["sexsomnia"], "where": {"partner_unsafe": True}, "min": 1}},
    "text": {"nl": "Op {n_nights} nachten.", "en": "On {n_nights} nights."},
    "tell_gp": {"nl": "Vertel het.", "en": "Tell it."},
}


def _bad(path: list[Any], value: Any) -> dict[str, Any]:
    rule = copy.deepcopy(GOOD)
    target = rule
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return rule


def test_a_good_rule_loads() -> None:
    (rule,) = parse_rules([GOOD], "test.yaml")
    assert rule.code == "example" and rule.level == "gp_soon"


@pytest.mark.parametrize(("path", "value", "message"), [
    (["colour"], "red", "unknown key"),
    (["level"], "emergency", "unknown level"),
    (["text", "en"], KeyError, "missing key"),
    (["text", "en"], "  ", "empty"),
    (["text", "nl"], "Op {aantal} nachten.", "unknown placeholder"),
    (["when"], {"episodes": {"type": ["sexsomnie"]}}, "unknown episode type"),
    (["when"], {"nights": {"field": "coffee", "op": ">", "value": 1}}, "unknown night field"),
    (["when"], {"nights": {"field": "tension", "op": "=~", "value": 1}}, "unknown op"),
    (["when"], {"nights": {"field": "tension", "op": ">", "value": 99}}, "outside the range"),
    (["when"], {"nights": {"field": "caffeine_last", "op": ">", "value": "late"}}, "clock time"),
    (["when"], {"profile": "suicidal"}, "yes/no profile field"),
    (["when"], {"eval": "__import__('os').system('true')"}, "unknown condition"),
    (["when"], {"all": []}, "non-empty list"),
    (["when"], {"episodes": {"type": ["sexsomnia"], "min": 0}}, "whole number"),
    (["when"], {"episodes": {"type": ["sexsomnia"], "where": {"recall": ["perfect"]}}}, "not a choice"),
    (["code"], "Bad Code", "lower_snake_case"),
])
def test_malformed_rules_are_refused_naming_the_rule(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(RuleError, match=message) as err:
        parse_rules([_bad(path, value)], "test.yaml")
    assert "test.yaml" in str(err.value)
    if path != ["code"]:
        assert "'example'" in str(err.value)


def test_duplicate_codes_and_bad_yaml_are_refused(tmp_path: Any) -> None:
    import yaml

    (tmp_path / "a.yaml").write_text(yaml.safe_dump([GOOD]))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump([GOOD]))
    with pytest.raises(RuleError, match="duplicate"):
        load_rules(str(tmp_path))
    (tmp_path / "b.yaml").write_text("- code: [unclosed")
    with pytest.raises(RuleError, match="not valid YAML"):
        load_rules(str(tmp_path))


def test_plan_and_vocabulary_are_checked_too() -> None:
    measure = {"code": "m", "knowledge_slug": "about", "title": {"nl": "a", "en": "b"},
               "why": {"nl": "a", "en": "b"}, "steps": {"nl": ["x"], "en": ["y", "z"]},
               "triggers": []}
    with pytest.raises(RuleError, match="differ in number"):
        parse_plan([measure])
    with pytest.raises(RuleError, match="unknown key"):
        parse_vocabulary({"substances": {}, "contraindications": {}, "extra": 1})


def test_shipped_rules_cover_every_level_and_complaint() -> None:
    rules = load_rules()
    assert {r.level for r in rules} == {"self_care", "gp_routine", "gp_soon", "urgent"}
    conditions = {r.condition for r in rules}
    assert {"sexsomnia", "sleepwalking", "hypnic-jerks", "restless-legs-plm", "muscle-tension-bruxism",
            "substances-and-sleep", "compulsive-sexual-behaviour", "low-mood-and-sleep",
            "sleep-apnea", "nightmares-and-dream-enactment"} <= conditions


def test_every_linked_slug_has_a_page_in_both_languages() -> None:
    slugs = {r.condition for r in load_rules()}
    slugs |= {m.knowledge_slug for m in load_plan()} | {h.knowledge_slug for h in load_hints()}
    for lang in ("nl", "en"):
        known = {p.slug for p in knowledge.pages(lang)}
        assert slugs <= known, sorted(slugs - known)


def test_every_text_exists_in_both_languages_and_differs() -> None:
    for r in load_rules():
        for texts in (r.text, r.tell_gp):
            assert texts["nl"].strip() and texts["en"].strip()
            assert texts["nl"] != texts["en"], r.code
    for m in load_plan():
        assert len(m.steps["nl"]) == len(m.steps["en"]) >= 1
    for h in load_hints():
        assert h.text["nl"] != h.text["en"]


def test_dutch_texts_are_plain_short_sentences() -> None:
    import re
    import statistics

    texts = []
    for r in load_rules():
        texts += [r.text["nl"], r.tell_gp["nl"]]
    for m in load_plan():
        texts += [m.why["nl"], *m.steps["nl"]]
    for h in load_hints():
        texts += [h.text["nl"], h.tell_gp["nl"]]
    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]
    lengths = [len(s.split()) for s in sentences]
    long = [s for s in sentences if len(s.split()) > 28]
    assert not long, long
    assert statistics.mean(lengths) < 15
