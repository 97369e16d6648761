"""Issue #14 item 5, core side: nights and episodes that first use let through.

Each rule lives in :mod:`nachtwacht.diary.validate`, so the web forms, the CSV import
and the CLI refuse the same records.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.csvio import read_nights
from nachtwacht.diary.errors import DiaryImportError
from nachtwacht.diary.messages import render_body
from nachtwacht.diary.types import Episode, Night
from nachtwacht.diary.validate import validate_episode, validate_night

TODAY = dt.date(2026, 11, 1)
DAY = dt.date(2026, 10, 20)


def _codes(errors) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in errors}


def test_wake_shortly_before_bedtime_on_the_clock_is_refused_not_a_23_hour_night() -> None:
    night = Night(date=DAY, bedtime=dt.time(23, 0), final_wake=dt.time(22, 30))
    errors = validate_night(night, today=TODAY)
    assert ("final_wake", "wake_before_bed") in _codes(errors)
    text = render_body(errors[0], "nl")
    assert "22:30" in text and "23:00" in text


def test_out_of_bed_before_bedtime_on_the_clock_is_refused_too() -> None:
    night = Night(date=DAY, bedtime=dt.time(23, 0), final_wake=dt.time(6, 30),
                  out_of_bed=dt.time(22, 45))
    assert ("out_of_bed", "wake_before_bed") in _codes(validate_night(night, today=TODAY))


def test_more_than_16_hours_with_plain_clock_times_is_refused() -> None:
    night = Night(date=DAY, bedtime=dt.time(20, 0), final_wake=dt.time(13, 30),
                  out_of_bed=dt.time(14, 0))
    errors = validate_night(night, today=TODAY)
    assert ("out_of_bed", "tib_over_16h") in _codes(errors)
    msg = [e for e in errors if e.code == "tib_over_16h"][0]
    assert "16 uur" in render_body(msg, "nl") and "JJJJ-MM-DD" in render_body(msg, "nl")
    assert "16 hours" in render_body(msg, "en")


def test_long_nights_within_the_limit_and_explicit_date_times_stay_allowed() -> None:
    long_sleep = Night(date=DAY, bedtime=dt.time(21, 0), final_wake=dt.time(11, 0),
                       out_of_bed=dt.time(12, 30))  # 15.5 h: a recovery night
    assert validate_night(long_sleep, today=TODAY) == []
    day_sleeper = Night(date=DAY, bedtime=dt.time(8, 0), final_wake=dt.time(15, 0),
                        out_of_bed=dt.time(15, 15))
    assert validate_night(day_sleeper, today=TODAY) == []
    ill = Night(date=DAY, bedtime=dt.datetime(2026, 10, 19, 14, 0),
                out_of_bed=dt.datetime(2026, 10, 20, 16, 0))  # 26 h, written deliberately
    assert validate_night(ill, today=TODAY) == []


def test_an_empty_night_is_refused_with_a_clear_message() -> None:
    errors = validate_night(Night(date=DAY), today=TODAY)
    assert _codes(errors) == {("date", "empty_night")}
    assert "niets over uw slaap" in render_body(errors[0], "nl").lower()
    assert "nothing about your sleep" in render_body(errors[0], "en").lower()
    # Only factors (no sleep at all) is still empty as a night.
    assert _codes(validate_night(Night(date=DAY, caffeine_mg=80.0), today=TODAY)) == {
        ("date", "empty_night")}
    # One sleep answer is enough.
    assert validate_night(Night(date=DAY, quality=3), today=TODAY) == []


def test_csv_import_refuses_the_same_nights() -> None:
    text = ("date,bedtime,final_wake,quality\n"
            "2026-10-18,23:00,22:30,3\n"
            "2026-10-19,,,\n")
    with pytest.raises(DiaryImportError) as info:
        read_nights(text, today=TODAY)
    found = {(e.row, e.code) for e in info.value.errors}
    assert (2, "wake_before_bed") in found and (3, "empty_night") in found


def test_episode_in_the_future_is_refused() -> None:
    ep = Episode(date=dt.date(2030, 1, 1), type="hypnic_jerk", reporter="self")
    assert ("date", "future_date") in _codes(validate_episode(ep, today=TODAY))
    assert "voorval" in render_body(validate_episode(ep, today=TODAY)[0], "nl")
