"""The ``clock_phase`` condition and per-contraindication ``instead`` (issue #17, item 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.types import Diary, Night, Profile
from nachtwacht.triage import assess
from nachtwacht.triage.conditions import RuleError, validate
from nachtwacht.triage.loader import parse_plan

END = dt.date(2026, 3, 1)


def _diary(onset: tuple[int, int], work_wake: tuple[int, int], free_wake: tuple[int, int],
           profile: Profile | None = None) -> Diary:
    nights = []
    for i in range(28):
        d = END - dt.timedelta(days=27 - i)
        free = d.weekday() >= 5
        wake = free_wake if free else work_wake
        nights.append(Night(date=d, bedtime=dt.time(*onset), lights_out=dt.time(*onset), sol_min=10,
                            final_wake=dt.time(*wake), out_of_bed=dt.time(*wake), quality=3,
                            rested=3))
    return Diary(nights=tuple(nights), profile=profile or Profile())


def _codes(diary: Diary) -> set[str]:
    return {f.code for f in assess(diary, lang="nl").flags}


def test_an_alarm_on_work_days_does_not_hide_a_late_clock() -> None:
    assert "late_sleep_phase" in _codes(_diary((1, 50), (7, 0), (11, 0)))
    # The same alarm with an ordinary onset: no late clock.
    assert "late_sleep_phase" not in _codes(_diary((23, 10), (7, 0), (8, 30)))


def test_late_clock_with_an_alarm_every_day_needs_a_later_onset() -> None:
    assert "late_sleep_phase" in _codes(_diary((1, 45), (7, 0), (7, 0)))
    assert "late_sleep_phase" not in _codes(_diary((1, 5), (7, 0), (7, 0)))


def test_late_text_says_how_the_morning_goes() -> None:
    (flag,) = [f for f in assess(_diary((1, 45), (7, 0), (7, 0)), lang="nl").flags
               if f.code == "late_sleep_phase"]
    assert "ook als de wekker elke dag om 07:00 gaat" in flag.text


def test_morning_light_is_not_replaced_by_shift_advice_for_a_bipolar_disorder() -> None:
    prof = Profile(known_conditions=("bipolaire stoornis",))
    result = assess(_diary((2, 0), (10, 30), (11, 0), prof), lang="nl")
    plan = {p.code for p in result.plan}
    assert "late_sleep_phase" in {f.code for f in result.flags}
    assert "morning_light" not in plan and "shift_sleep" not in plan


@pytest.mark.parametrize("arg", [
    {"direction": "later", "onset": "01:00", "wake": "09:00"},
    {"direction": "early", "onset": "21:00", "wake": "05:00", "free_wake": "06:00"},
    {"direction": "late", "onset": "1 uur", "wake": "09:00"},
    {"direction": "late", "onset": "01:00"},
    {"direction": "late", "onset": "01:00", "wake": "09:00", "min_nights": 0},
])
def test_malformed_clock_phase_is_refused(arg) -> None:
    with pytest.raises(RuleError, match="clock_phase"):
        validate({"clock_phase": arg}, "test")


def test_instead_per_contraindication_must_name_the_measure_s_own() -> None:
    measure = {"code": "x", "title": {"nl": "x", "en": "x"}, "why": {"nl": "x", "en": "x"},
               "steps": {"nl": ["x"], "en": ["x"]}, "knowledge_slug": "body-clock", "triggers": [],
               "contraindications": ["shift_work"], "instead": {"bipolar": "x"}}
    with pytest.raises(RuleError, match="contraindications the measure lacks"):
        parse_plan([measure])
