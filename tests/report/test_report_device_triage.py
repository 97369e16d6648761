"""The GP report's triage part shows body-clock flags from device nights (issue #17)."""

from __future__ import annotations

import datetime as dt

from nachtwacht.device.summary import summary_from_json
from nachtwacht.device.types import DeviceNight
from nachtwacht.diary.types import Diary, Night
from nachtwacht.report import data as report_data

FIRST = dt.date(2026, 10, 1)
DAYS = 21


def _diary() -> Diary:
    # Ordinary diary times (23:00 - 07:00): only the actigraph shows a late clock.
    return Diary(nights=tuple(
        Night(date=FIRST + dt.timedelta(days=i), bedtime=dt.time(22, 50), lights_out=dt.time(23, 0),
              sol_min=15, final_wake=dt.time(7, 0), out_of_bed=dt.time(7, 10), quality=3)
        for i in range(DAYS)))


def _device(first: dt.date = FIRST):
    nights = []
    for i in range(DAYS):
        d = first + dt.timedelta(days=i)
        on, off = dt.datetime.combine(d, dt.time(2, 20)), dt.datetime.combine(d, dt.time(10, 10))
        nights.append(DeviceNight(d, "awd", "oakley", on, off, on, off, 430.0, 40.0,
                                  91.0).to_dict())
    return summary_from_json([{"sources": ["week.AWD: awd"], "nights": nights, "rhythm": {},
                               "mean_gap_min": None}])


def test_report_triage_has_the_device_body_clock_flag() -> None:
    end = FIRST + dt.timedelta(days=DAYS - 1)
    nl = report_data.build(_diary(), lang="nl", device=_device(), today=end)
    en = report_data.build(_diary(), lang="en", device=_device(), today=end)
    without = report_data.build(_diary(), lang="nl", today=end)
    (flag,) = [f for f in nl.triage.flags if f.code == "late_sleep_phase"]
    assert flag.condition == "body-clock" and flag.level == "self_care"
    # Even the first sentence the report shows names the source.
    assert flag.text.startswith("Volgens uw actigraaf: u valt meestal pas rond 02:20 in slaap")
    (raw,) = [f for f in en.triage.flags if f.code == "late_sleep_phase"]
    assert raw.text.startswith("According to your actigraph: you usually fall asleep only around 02:20")
    # The plan items the flag triggers follow, in the report's language.
    assert any("Licht in de ochtend" in p for p in nl.triage.plan)
    assert any("Light in the morning" in p for p in en.triage.plan)
    assert "late_sleep_phase" not in {f.code for f in without.triage.flags}
    assert not any("Licht in de ochtend" in p for p in without.triage.plan)


def test_device_nights_outside_the_period_do_not_count() -> None:
    # The actigraph weeks lie before the report's period: no flag from them.
    end = FIRST + dt.timedelta(days=DAYS - 1)
    old = _device(FIRST - dt.timedelta(days=60))
    r = report_data.build(_diary(), lang="nl", device=old, today=end)
    assert "late_sleep_phase" not in {f.code for f in r.triage.flags}
