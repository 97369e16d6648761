"""Second round of independent clinician-written triage cases (issue #11).

Written from clinical knowledge by a reviewer who read neither the rules nor the first
round's cases; same format and checks as ``independent_cases`` (imported, not copied),
only the case directory differs: ``cases_independent2/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from independent_cases import LANGS, check, diary_of

from nachtwacht.triage import LEVELS

CASES_DIR = Path(__file__).parent / "cases_independent2"
CASES: list[tuple[str, dict[str, Any]]] = [
    (p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
    for p in sorted(CASES_DIR.glob("*.yaml"))
]
EXPECT_KEYS = {
    "level_min", "level_max", "forbid_plan", "must_mention_nl", "must_mention_en",
    "must_not_say_nl", "must_not_say_en", "partner_route", "forbid_flag_re",
    "numbers_nl", "numbers_en",
}
#: The plan ids a case may forbid (the menu in triage/plan.yaml); a typo would make a
#: ``forbid_plan`` entry silently pass.
PLAN_IDS = {
    "no_driving_when_sleepy", "safe_bedroom", "partner_agreements", "medication_talk",
    "less_alcohol", "fixed_times", "caffeine_cutoff", "no_late_hard_exercise", "wind_down",
    "slow_breathing", "tense_release", "pillow_posture", "cbti_basics", "sleep_window",
    "ask_gp_cbti", "alcohol_with_gp", "shift_sleep", "dentist_check", "talk_to_someone",
    "substance_support",
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
        assert set(expect.get("forbid_plan", [])) <= PLAN_IDS, name
        diary_of(case)  # every diary must build (field names, clock values)


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_independent_case2(name: str, case: dict[str, Any]) -> None:
    diary = diary_of(case)
    problems = {lang: check(name, case, diary, lang) for lang in LANGS}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{name}: {problems}"
