"""Clock times land on the right calendar day and durations survive DST changes."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.clock import minutes_between, resolve

D = dt.date(2026, 1, 15)


def test_evening_anchor_puts_evening_times_on_the_day_before() -> None:
    assert resolve(D, dt.time(23, 0), "evening").date() == dt.date(2026, 1, 14)
    assert resolve(D, dt.time(12, 0), "evening").date() == dt.date(2026, 1, 14)
    assert resolve(D, dt.time(0, 30), "evening").date() == D
    assert resolve(D, dt.time(11, 59), "evening").date() == D


def test_morning_anchor_uses_the_morning_date() -> None:
    assert resolve(D, dt.time(7, 0), "morning") == dt.datetime(
        2026, 1, 15, 7, 0, tzinfo=resolve(D, dt.time(7, 0), "morning").tzinfo)
    assert resolve(D, dt.time(13, 0), "morning").date() == D


def test_result_is_aware_in_the_requested_zone() -> None:
    x = resolve(D, dt.time(7, 0), "morning", tz="America/New_York")
    assert x.utcoffset() == dt.timedelta(hours=-5)


def test_full_datetime_is_used_as_is() -> None:
    x = resolve(D, dt.datetime(2026, 1, 10, 13, 0), "evening")
    assert (x.date(), x.hour) == (dt.date(2026, 1, 10), 13)


@pytest.mark.parametrize(("morning", "hours"), [
    (dt.date(2026, 3, 29), 7),   # spring forward: the night is an hour shorter
    (dt.date(2026, 10, 25), 9),  # fall back: an hour longer
    (dt.date(2026, 6, 1), 8),
])
def test_bed_23_to_07_across_dst(morning: dt.date, hours: int) -> None:
    bed = resolve(morning, dt.time(23, 0), "evening")
    up = resolve(morning, dt.time(7, 0), "morning")
    assert minutes_between(bed, up) == hours * 60


def test_nonexistent_time_uses_fold_0_offset_before_the_change() -> None:
    # 02:30 does not exist on 2026-03-29 in Amsterdam; fold=0 reads it with +01:00.
    x = resolve(dt.date(2026, 3, 29), dt.time(2, 30), "morning")
    assert x.astimezone(dt.UTC).time() == dt.time(1, 30)


def test_ambiguous_time_is_the_first_occurrence() -> None:
    x = resolve(dt.date(2026, 10, 25), dt.time(2, 30), "morning")
    assert x.utcoffset() == dt.timedelta(hours=2)


def test_unknown_zone_and_anchor_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        resolve(D, dt.time(1, 0), "morning", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="anchor"):
        resolve(D, dt.time(1, 0), "noon")  # type: ignore[arg-type]


def test_morning_of_is_the_inverse_of_the_evening_anchor() -> None:
    from nachtwacht.diary.clock import morning_of

    morning = dt.date(2026, 3, 29)  # the spring-forward night
    for t in (dt.time(12, 0), dt.time(22, 30), dt.time(0, 5), dt.time(11, 59)):
        moment = resolve(morning, t, "evening")
        assert morning_of(moment.replace(tzinfo=None)) == morning, t
