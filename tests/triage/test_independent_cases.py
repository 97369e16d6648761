"""Independent clinician-written triage cases (issue #11): levels, contraindicated plan
items, required help lines and things that must never be said. See ``independent_cases``."""

from __future__ import annotations

from typing import Any

import pytest
from independent_cases import CASES, LANGS, check, diary_of

from nachtwacht.triage import LEVELS

EXPECT_KEYS = {
    "level_min", "level_max", "forbid_plan", "must_mention_nl", "must_mention_en",
    "must_not_say_nl", "must_not_say_en", "partner_route", "forbid_flag_re",
    "numbers_nl", "numbers_en",
}


def test_case_set_is_broad_enough() -> None:
    assert len(CASES) >= 30
    benign = [n for n, c in CASES if c["expect"].get("level_max") == "self_care"]
    assert len(benign) >= 8, benign
    for name, case in CASES:
        expect = case["expect"]
        assert case.get("description"), name
        assert set(expect) <= EXPECT_KEYS, (name, set(expect) - EXPECT_KEYS)
        lo, hi = expect.get("level_min", LEVELS[0]), expect.get("level_max", LEVELS[-1])
        assert LEVELS.index(lo) <= LEVELS.index(hi), name


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_independent_case(name: str, case: dict[str, Any]) -> None:
    diary = diary_of(case)
    problems = {lang: check(name, case, diary, lang) for lang in LANGS}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{name}: {problems}"
