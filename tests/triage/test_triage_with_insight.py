"""Triage on the demo household, with the trigger analysis switched on."""

from __future__ import annotations

import pytest

from nachtwacht.triage import assess

demo = pytest.importorskip("nachtwacht.diary.demo")
pytest.importorskip("nachtwacht.insight")


def test_demo_household_plan_follows_its_planted_triggers() -> None:
    result = assess(demo.demo_diary(), lang="nl")
    assert result.level in ("gp_routine", "gp_soon")
    codes = {f.code for f in result.flags}
    assert "sexsomnia_repeated" in codes and "alcohol_trigger" in codes
    plan = {p.code: p for p in result.plan}
    # Planted: sexsomnia after alcohol, jerks after late caffeine, jaw tension under stress.
    assert {"less_alcohol", "partner_agreements", "caffeine_cutoff", "tense_release"} <= set(plan)
    assert "sleep_window" not in plan  # parasomnia: never sleep restriction
    assert any("15:00" in r for r in plan["caffeine_cutoff"].reasons)


def test_insight_findings_can_raise_a_flag() -> None:
    from nachtwacht.diary.types import Diary

    class Finding:
        factor, outcome, direction, significant, p, q = "alcohol_3plus", "episode:sexsomnia", "up", True, 0.001, 0.01
        text_nl, text_en = "Na 3+ glazen vaker sexsomnie.", "More sexsomnia after 3+ drinks."

    class Insight:
        findings = [Finding()]

    result = assess(Diary(), insight=Insight(), lang="en")
    flag = next(f for f in result.flags if f.code == "alcohol_trigger")
    assert flag.evidence[0].kind == "finding" and "3+ drinks" in flag.evidence[0].text
