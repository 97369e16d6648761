"""Device body-clock flags on the advice and plan pages, device outcomes in the insight (issue #17)."""

from __future__ import annotations

import datetime as dt

from nachtwacht.device.types import DeviceNight
from nachtwacht.web.diary.models import Night
from nachtwacht.web.front.models import DeviceUpload

FIRST = dt.date(2026, 11, 1)


def _late_watch(days: int = 19) -> dict:
    """A stored upload whose watch says: asleep at 02:15, awake at 10:05, every night."""
    nights = []
    for i in range(days):
        d = FIRST + dt.timedelta(days=i)
        on, off = dt.datetime.combine(d, dt.time(2, 15)), dt.datetime.combine(d, dt.time(10, 5))
        nights.append(DeviceNight(d, "apple", "apple", None, None, on, off, 440.0, 30.0,
                                  93.0).to_dict())
    return {"sources": ["export.zip: apple"], "nights": nights, "comparison": [], "drafts": [],
            "rhythm": {}, "mean_gap_min": None}


def _diary(sleeper, days: int = 19) -> None:
    # The diary's own times are ordinary (23:00 - 07:00): only the watch shows a late clock.
    for i in range(days):
        Night.objects.create(sleeper=sleeper, date=FIRST + dt.timedelta(days=i),
                             bedtime=dt.time(22, 50), lights_out=dt.time(23, 0), sol_min=15,
                             final_wake=dt.time(7, 0), out_of_bed=dt.time(7, 10), quality=3)


def test_advice_and_plan_show_the_watch_body_clock(household, as_user):
    sleeper = household["sleeper"]
    _diary(sleeper)
    c = as_user(sleeper)
    before = c.get("/advies/").content.decode()
    assert "in slaap en slaapt uit" not in before
    assert "Licht in de ochtend" not in c.get("/plan/").content.decode()

    DeviceUpload.objects.create(sleeper=sleeper, original_name="export.zip", summary=_late_watch())
    page = c.get("/advies/").content.decode()
    assert "Volgens uw horloge: u valt meestal pas rond" in page
    assert "(gemeten met horloge)" in page  # the "tell your GP" line
    assert "You usually" not in page and "According to" not in page
    plan = c.get("/plan/").content.decode()
    assert "Licht in de ochtend, donker in de avond" in plan
    assert "U valt laat in slaap; uw biologische klok staat later" in plan


def test_shift_worker_gets_no_light_plan_from_the_watch(household, as_user):
    sleeper = household["sleeper"]
    _diary(sleeper)
    # Evening shifts written in the diary keep the phase rule out, also for the watch's times.
    Night.objects.filter(sleeper=sleeper, date__in=[FIRST + dt.timedelta(days=i) for i in (3, 9)]) \
        .update(shift="evening")
    DeviceUpload.objects.create(sleeper=sleeper, original_name="export.zip", summary=_late_watch())
    c = as_user(sleeper)
    assert "laat slapen" not in c.get("/advies/").content.decode()
    assert "Licht in de ochtend, donker in de avond" not in c.get("/plan/").content.decode()


def test_insight_uses_device_nights_and_clinician_without_nights_gets_none(household):
    from nachtwacht.web.convert import diary_for
    from nachtwacht.web.views.dashboard import device_nights_for

    sleeper = household["sleeper"]
    _diary(sleeper)
    DeviceUpload.objects.create(sleeper=sleeper, original_name="export.zip", summary=_late_watch())
    full = diary_for(sleeper)
    assert len(device_nights_for(sleeper, full)) == 19
    no_nights = diary_for(sleeper, parts=("episodes",))
    assert device_nights_for(sleeper, no_nights) is None
    assert device_nights_for(household["stranger"], full) is None
