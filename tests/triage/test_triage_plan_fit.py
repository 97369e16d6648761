"""Plan and flags fit the person.

Travel nights are not insomnia; sleepiness alone brings no driving advice to someone
who said they do not drive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from nachtwacht.diary.types import Diary, Night
from nachtwacht.triage import assess

END = dt.date(2026, 3, 1)


def _diary(travel_nights: int, trip_sol: int = 160) -> Diary:
    nights = []
    for i in range(28):
        trip = i >= 28 - travel_nights
        nights.append(Night(date=END - dt.timedelta(days=27 - i), bedtime=dt.time(23, 0),
                            lights_out=dt.time(23, 0), sol_min=trip_sol if trip else 25,
                            waso_min=10 if trip else 25, final_wake=dt.time(7, 0),
                            out_of_bed=dt.time(7, 10), quality=2 if trip else 3, travel=trip or None))
    return Diary(nights=tuple(nights))


def test_jet_lag_nights_do_not_make_insomnia():
    r = assess(_diary(4), lang="nl")
    assert "insomnia_pattern" not in {f.code for f in r.flags}
    assert "sleep_window" not in {p.code for p in r.plan}


def test_the_same_nights_without_a_trip_still_count():
    d = _diary(4)
    d = replace(d, nights=tuple(replace(n, travel=None) for n in d.nights))
    assert "insomnia_pattern" in {f.code for f in assess(d, lang="nl").flags}


def test_no_driving_item_for_sleepiness_only_when_the_person_may_drive():
    from nachtwacht.diary.types import Profile

    base = _diary(0)
    sleepy = replace(base, profile=Profile(daytime_sleepiness=3, drives=False))
    assert "severe_daytime_sleepiness" in {f.code for f in assess(sleepy, lang="nl").flags}
    assert "no_driving_when_sleepy" not in {p.code for p in assess(sleepy, lang="nl").plan}
    driver = replace(base, profile=Profile(daytime_sleepiness=3, drives=True))
    assert "no_driving_when_sleepy" in {p.code for p in assess(driver, lang="nl").plan}
    unknown = replace(base, profile=Profile(daytime_sleepiness=3))
    assert "no_driving_when_sleepy" in {p.code for p in assess(unknown, lang="nl").plan}
