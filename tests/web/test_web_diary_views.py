"""The morning diary: validation in the user's language, prefill, edit and delete."""

from __future__ import annotations

import datetime as dt

from nachtwacht.web.diary.models import Episode, Night


def _night_post(day: str, **over):
    data = {"date": day, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15", "awakenings": "1",
            "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00", "quality": "4", "rested": "3",
            "alcohol_units": "", "caffeine_mg": "", "caffeine_last": "", "stress": "", "tension": "",
            "notes": ""}
    data.update(over)
    return data


def test_valid_night_is_saved(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post("2026-11-21"))
    assert r.status_code == 302
    n = Night.objects.get(sleeper=household["sleeper"], date=dt.date(2026, 11, 21))
    assert n.bedtime == dt.time(23, 0) and n.quality == 4


def test_out_of_range_error_in_dutch_and_english(household, as_user):
    user = household["sleeper"]
    c = as_user(user)
    r = c.post("/nacht/", _night_post("2026-11-21", quality="9"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Zorg ervoor dat deze waarde" in body and "Slaapkwaliteit" in body
    user.language = "en"
    user.save()
    r = c.post("/nacht/", _night_post("2026-11-21", quality="9"))
    body = r.content.decode()
    assert "Ensure this value is less than or equal to 5" in body and "Sleep quality" in body
    assert not Night.objects.filter(sleeper=user, date=dt.date(2026, 11, 21)).exists()


def test_time_order_is_checked(household, as_user):
    c = as_user(household["sleeper"])
    # Out of bed before the final awakening: a typical typo.
    r = c.post("/nacht/", _night_post("2026-11-21", out_of_bed="06:00"))
    assert r.status_code == 200
    assert "ligt vóór de laatste keer wakker worden" in r.content.decode()
    assert not Night.objects.filter(date=dt.date(2026, 11, 21)).exists()


def test_duplicate_date_is_refused_not_overwritten(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/nacht/", _night_post(household["day"].isoformat(), quality="1"))
    assert r.status_code == 200
    assert Night.objects.get(sleeper=household["sleeper"], date=household["day"]).notes == "NOTITIE-NACHT"


def test_prefill_uses_median_of_recent_nights(household):
    from nachtwacht.web.views.diary import prefill

    s = household["sleeper"]
    for i, bt in enumerate(["23:30", "00:30", "23:50"]):
        Night.objects.create(sleeper=s, date=dt.date(2026, 11, 1 + i), bedtime=dt.time.fromisoformat(bt))
    init = prefill(s, dt.date(2026, 11, 10))
    # 23:30, 23:50 and 00:30 (after midnight): the median is 23:50, not a daytime mix-up.
    assert init["bedtime"] == dt.time(23, 50)


def test_edit_and_delete_own_night(household, as_user):
    c = as_user(household["sleeper"])
    day = household["day"].isoformat()
    assert c.get(f"/nacht/{day}/").status_code == 200
    r = c.post(f"/nacht/{day}/", _night_post(day, quality="2"))
    assert r.status_code == 302
    assert Night.objects.get(sleeper=household["sleeper"], date=household["day"]).quality == 2
    assert c.post(f"/nacht/{day}/verwijderen/").status_code == 302
    assert not Night.objects.filter(sleeper=household["sleeper"], date=household["day"]).exists()


def test_tracked_factors_choose_the_form_fields(household, as_user):
    s = household["sleeper"]
    c = as_user(s)
    c.post("/instellingen/bijhouden/", {"tracked": ["nicotine"]})
    s.refresh_from_db()
    assert s.tracked == ["nicotine"]
    body = c.get("/nacht/").content.decode()
    assert 'name="nicotine"' in body and 'name="alcohol_units"' not in body


def test_sleeper_logs_private_episode(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/episode/", {"date": "2026-11-21", "type": "sleepwalking", "count": "1", "private": "on",
                             "notes": "niet delen"})
    assert r.status_code == 302
    e = Episode.objects.get(sleeper=household["sleeper"], type="sleepwalking")
    assert e.private and e.reporter == "self"


def test_future_night_is_refused(household, as_user):
    from django.utils import timezone

    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = as_user(household["sleeper"]).post("/nacht/", _night_post(future))
    assert r.status_code == 200
    assert not Night.objects.filter(date=dt.date.fromisoformat(future)).exists()
