"""Safety rules: no sleep restriction when it can harm, never 'stop your medication', urgent first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from triage_cases import CASES, build_diary

from nachtwacht.diary.types import Diary
from nachtwacht.triage import URGENT_NOTICE, assess, load_hints, load_plan, load_rules


def _with(case: str, **profile: Any) -> Diary:
    data = dict(dict(CASES)[case])
    data["profile"] = {**data.get("profile", {}), **profile}
    return build_diary(data)


def test_insomnia_alone_gets_a_computed_sleep_window() -> None:
    result = assess(build_diary(dict(CASES)["benign_insomnia_pattern"]), use_insight=False)
    item = next(p for p in result.plan if p.code == "sleep_window")
    # 22:40 lights out, 50 min to sleep, 60 min awake, up 07:00 -> about 6 h 30 asleep.
    assert item.details["window_min"] == 390
    assert item.details["rise_time"] == "07:15" or item.details["rise_time"] == "07:00"
    assert item.details["window_min"] >= 300
    assert any(item.details["bedtime"] in s for s in item.steps)


@pytest.mark.parametrize("profile", [
    {"epilepsy": True}, {"witnessed_apneas": True}, {"past_sleepwalking": True},
    {"drowsy_driving": True}, {"known_conditions": ["bipolaire stoornis"]},
    {"snoring": True, "daytime_sleepiness": 2}, {"suicidal_thoughts": True},
])
def test_no_sleep_restriction_with_contraindications(profile: dict[str, Any]) -> None:
    result = assess(_with("benign_insomnia_pattern", **profile), use_insight=False)
    codes = [p.code for p in result.plan]
    assert "sleep_window" not in codes
    assert "ask_gp_cbti" in codes  # guided therapy offered instead
    assert any(e["code"] == "sleep_window" for e in result.excluded)


def test_no_sleep_restriction_with_parasomnia_episodes() -> None:
    data = dict(dict(CASES)["benign_insomnia_pattern"])
    data["episodes"] = [{"date": "2026-02-20", "type": "sleepwalking", "reporter": "partner",
                         "time": "01:00", "recall": "none"}]
    result = assess(build_diary(data), use_insight=False)
    assert "sleep_window" not in [p.code for p in result.plan]


def test_sleep_restriction_never_in_any_case_with_a_contraindication() -> None:
    risky = ("parasomnia", "epilepsy", "seizure", "sleepwalking", "sexsomnia", "apnea", "drowsy",
             "dream", "left_bedroom")
    for name, data in CASES:
        result = assess(build_diary(data), use_insight=False)
        if any(r in name for r in risky):
            assert "sleep_window" not in [p.code for p in result.plan], name


_MED = r"(medic\w*|pil\w*|pill\w*|slaapmiddel\w*|antidepressiv\w*|tablet\w*|voorgeschreven)"
# Advice to stop: an imperative ("stop met uw medicijnen", "stop your pills") or a
# permission ("u kunt/mag/moet ... stoppen ... medicijnen"), not a description or a question.
_ADVICE = [
    re.compile(r"\bstop\s+(met\s+)?(taking\s+)?(uw|je|jouw|de|het|your|the)?\s*" + _MED, re.I),
    re.compile(r"\b(kunt|mag|moet|can|should|may|must)\b[^?]*\b(stop|stoppen|quit|afbouwen)\b[^?]*" + _MED, re.I),
    re.compile(r"\b(quit|discontinue)\s+(your|the)?\s*" + _MED, re.I),
]
_NEG = re.compile(r"\b(niet|nooit|don't|do not|never|not)\b", re.I)


def _advises_stopping(sentence: str) -> bool:
    if sentence.rstrip().endswith("?") or _NEG.search(sentence):
        return False
    return any(p.search(sentence) for p in _ADVICE)


def test_the_stop_check_itself_works() -> None:
    assert _advises_stopping("Stop met uw medicijnen.")
    assert _advises_stopping("You can stop your medication when you sleep better.")
    assert not _advises_stopping("Stop niet op eigen houtje met uw medicijnen.")
    assert not _advises_stopping("Don't stop your medicines on your own.")


def _all_texts() -> list[str]:
    texts = []
    for r in load_rules():
        texts += [*r.text.values(), *r.tell_gp.values()]
    for m in load_plan():
        texts += [*m.title.values(), *m.why.values(), *m.steps["nl"], *m.steps["en"]]
        texts += [t.reason[lang] for t in m.triggers for lang in ("nl", "en")]
    for h in load_hints():
        texts += [*h.title.values(), *h.text.values(), *h.tell_gp.values()]
    from nachtwacht import knowledge

    for lang in ("nl", "en"):
        texts += [p.body for p in knowledge.pages(lang)]
    return texts


def test_no_text_tells_anyone_to_stop_medication() -> None:
    bad = []
    for text in _all_texts():
        for sentence in re.split(r"(?<=[.!?:;])\s+|\n", text):
            if _advises_stopping(sentence):
                bad.append(sentence)
    assert not bad, bad


def test_urgent_flags_first_with_the_fixed_notice_and_plan_kept() -> None:
    data = dict(dict(CASES)["urgent_suicidal_thoughts"])
    data["profile"] = {**data["profile"], "snoring": True, "daytime_sleepiness": 2}
    data["defaults"] = {"tension": 7, "waso_min": 45, "quality": 2}
    for lang in ("nl", "en"):
        d = assess(build_diary(data), lang=lang, use_insight=False).to_dict()
        assert d["level"] == "urgent"
        assert d["flags"][0]["level"] == "urgent"
        assert URGENT_NOTICE[lang] in d["flags"][0]["text"]
        assert all(URGENT_NOTICE[lang] not in f["text"] for f in d["flags"] if f["level"] != "urgent")
        assert d["plan"], "the plan stays in the JSON, after the urgent advice"
        assert "113" in d["flags"][0]["text"] and "0800-0113" in d["flags"][0]["text"]


def test_partner_agreements_when_partner_witnessed() -> None:
    result = assess(build_diary(dict(CASES)["routine_sexsomnia_repeated"]), use_insight=False)
    item = next(p for p in result.plan if p.code == "partner_agreements")
    text = " ".join(item.steps).lower()
    assert "geen seks" in text and "apart" in text and "afstand" in text
    assert item.reasons  # says why it was chosen


def test_plan_items_say_why_they_were_chosen() -> None:
    for name, data in CASES:
        for item in assess(build_diary(data), use_insight=False).plan:
            assert item.reasons, f"{name}: {item.code} has no reason"
            assert item.steps and item.title and item.why


def test_caffeine_cutoff_chosen_from_the_diary() -> None:
    result = assess(build_diary(dict(CASES)["benign_coffee_nights"]), use_insight=False)
    assert "caffeine_cutoff" in [p.code for p in result.plan]


def test_factor_clock_times_compare_on_a_day_scale() -> None:
    import datetime as dt

    from nachtwacht.diary.types import Night
    from nachtwacht.triage.conditions import evaluate
    from nachtwacht.triage.facts import Facts

    def late_coffee(t: dt.time) -> bool:
        night = Night(dt.date(2026, 3, 1), caffeine_last=t)
        cond = {"nights": {"field": "caffeine_last", "op": ">=", "value": "15:00"}}
        return evaluate(cond, Facts(Diary(nights=(night,)), use_insight=False)).ok

    assert late_coffee(dt.time(16, 0)) and late_coffee(dt.time(0, 30))
    assert not late_coffee(dt.time(10, 0)) and not late_coffee(dt.time(14, 59))
