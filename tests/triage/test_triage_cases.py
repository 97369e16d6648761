"""The written cases: red flags reach at least their level, benign diaries stay self_care."""

from __future__ import annotations

from typing import Any

from triage_cases import CASES

from nachtwacht.diary.types import Diary
from nachtwacht.triage import LEVELS, assess
from nachtwacht.triage.types import level_rank


def test_enough_cases_of_both_kinds() -> None:
    red = [n for n, c in CASES if "at_least" in c["expect"]]
    benign = [n for n, c in CASES if c["expect"].get("level") == "self_care"]
    assert len(red) >= 20 and len(benign) >= 8
    assert {c["expect"].get("at_least") for _, c in CASES} >= {"urgent", "gp_soon", "gp_routine"}


def test_case_reaches_its_level(case: tuple[str, dict[str, Any], Diary]) -> None:
    name, data, diary = case
    for lang in ("nl", "en"):
        result = assess(diary, lang=lang, use_insight=False)
        expect = data["expect"]
        flags = [f.code for f in result.flags]
        if "level" in expect:
            assert result.level == expect["level"], f"{name}: over/under-triage, flags {flags}"
        else:
            assert level_rank(result.level) >= level_rank(expect["at_least"]), f"{name}: {flags}"
        for code in expect.get("flags", []):
            assert code in flags, f"{name}: expected flag {code}, got {flags}"


def test_every_flag_names_its_evidence(case: tuple[str, dict[str, Any], Diary]) -> None:
    _, _, diary = case
    result = assess(diary, use_insight=False)
    for flag in result.to_dict()["flags"]:
        assert flag["evidence"], f"{flag['code']} has no evidence"
        for ev in flag["evidence"]:
            assert set(ev) == {"kind", "date", "field", "value", "text"}
            assert ev["kind"] in ("night", "episode", "answer", "finding")
            assert ev["text"]
            if ev["kind"] in ("night", "episode"):
                assert ev["date"], ev
        assert flag["text"] and "{" not in flag["text"], flag["text"]


def test_level_is_the_highest_flag_and_urgent_comes_first(case: tuple[str, dict[str, Any], Diary]) -> None:
    _, _, diary = case
    result = assess(diary, use_insight=False)
    ranks = [level_rank(f.level) for f in result.flags]
    assert ranks == sorted(ranks, reverse=True)
    assert result.level == (LEVELS[max(ranks)] if ranks else "self_care")


def test_flag_evidence_points_at_the_right_episode() -> None:
    from triage_cases import build_diary

    data = dict(CASES)["soon_sexsomnia_partner_unsafe"]
    result = assess(build_diary(data), use_insight=False)
    flag = next(f for f in result.flags if f.code == "sexsomnia_partner_unsafe")
    assert {e.date for e in flag.evidence} == {"2026-02-14", "2026-02-21"}
    assert "14 feb" in flag.text and "21 feb" in flag.text


def test_empty_diary_is_self_care() -> None:
    result = assess(Diary(), use_insight=False)
    assert result.level == "self_care" and not result.flags and not result.plan
