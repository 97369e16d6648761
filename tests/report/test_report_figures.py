"""The charts: vector SVG, text as text, episode types told apart without colour."""

from __future__ import annotations

import re

from nachtwacht.report import build
from nachtwacht.report.figures import sleep_chart, weekly_chart


def _marker_shapes(svg):
    return set(re.findall(r'<path id="[a-z-]*m[0-9a-f]+" d="([^"]+)"', svg))


def test_sleep_chart_marks_each_type_with_its_own_shape(household, household_nl):
    import dataclasses

    svg = sleep_chart(household_nl)
    assert svg.startswith("<svg")
    assert "18:00" in svg and "<text" in svg
    # Marker shapes defined in the SVG (tick marks included): the second episode type
    # adds exactly one new shape.
    one_type = dataclasses.replace(
        household, episodes=tuple(e for e in household.episodes if e.type == "sexsomnia"))
    single = sleep_chart(build(one_type, insight=_NoInsight()))
    assert len(_marker_shapes(svg)) == len(_marker_shapes(single)) + 1
    # Legend names the types in the report's language.
    assert "seksueel gedrag in de slaap" in svg and "schok bij inslapen" in svg


def test_weekly_chart_uses_hatching(household_nl):
    svg = weekly_chart(household_nl)
    assert "<pattern" in svg  # hatches, not colour alone


def test_no_chart_for_an_empty_period(household):
    import datetime as dt

    data = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 5)))
    assert sleep_chart(data) is None and weekly_chart(data) is None


def test_long_periods_are_summarised(household):
    # More than 26 weeks: the weekly chart groups by 4 weeks and stays one small figure.
    import dataclasses
    import datetime as dt

    from nachtwacht.diary.types import Diary

    nights = [dataclasses.replace(household.nights[0], date=dt.date(2024, 1, 1)
                                  + dt.timedelta(days=i)) for i in range(400)]
    eps = [dataclasses.replace(household.episodes[0], date=n.date) for n in nights[::5]]
    data = build(Diary(nights=tuple(nights), episodes=tuple(eps)), insight=_NoInsight())
    svg = weekly_chart(data)
    assert "4 × week vanaf" in svg


class _NoInsight:
    findings: list = []


def test_many_types_are_stacked_with_the_rest_grouped(household):
    import dataclasses
    import datetime as dt

    from nachtwacht.diary.fields import EPISODE_TYPES
    from nachtwacht.diary.types import Episode

    codes = [c.code for c in EPISODE_TYPES][:9]
    eps = [Episode(date=n.date, type=codes[(i + k) % 9], reporter="self", time=dt.time(2, 0))
           for i, n in enumerate(household.nights) for k in range(i % 3)]
    data = build(dataclasses.replace(household, episodes=tuple(eps)), lang="en",
                 insight=_NoInsight())
    assert len(data.frequency) == 9
    svg = weekly_chart(data)
    assert "other types" in svg  # 5 own styles + the rest together
    assert sum(1 for tc in data.frequency if tc.label in svg) == 5
    assert "other types" in sleep_chart(data)


def test_hypnogram_axis_shows_clock_times(household_nl):
    import dataclasses

    from nachtwacht.report.data import PsgInfo
    from nachtwacht.report.figures import hypnogram_chart

    hyp = {"epoch_s": 30, "start": "2026-03-01T23:40:00",
           "stages": ["W"] * 20 + ["N2"] * 600 + ["W"] * 10}  # 23:40 to 04:55
    data = dataclasses.replace(household_nl, psg=PsgInfo("x", [], hyp, [], []))
    svg = hypnogram_chart(data)
    assert re.findall(r">(\d\d:\d\d)<", svg) == ["00:00", "01:00", "02:00", "03:00", "04:00"]
