"""Two tabs editing the same night: the second, stale save is refused, not silently applied."""

from __future__ import annotations

import re

from nachtwacht.web.diary.models import Night


def _night_post(day: str, version: str | None, **over):
    data = {"date": day, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15", "awakenings": "1",
            "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00", "quality": "4", "rested": "3",
            "alcohol_units": "", "caffeine_mg": "", "caffeine_last": "", "stress": "", "tension": "",
            "notes": ""}
    if version is not None:
        data["version"] = version
    data.update(over)
    return data


def _version(html: str) -> str:
    m = re.search(r'name="version" value="([^"]+)"', html)
    assert m, "the edit form must carry the night's version"
    return m.group(1)


def test_stale_tab_is_refused_and_first_save_kept(household, as_user):
    c = as_user(household["sleeper"])
    day = household["day"].isoformat()
    tab1 = _version(c.get(f"/nacht/{day}/").content.decode())
    tab2 = _version(c.get(f"/nacht/{day}/").content.decode())
    assert tab1 == tab2

    assert c.post(f"/nacht/{day}/", _night_post(day, tab1, quality="2", notes="eerste")).status_code == 302
    r = c.post(f"/nacht/{day}/", _night_post(day, tab2, quality="5", notes="tweede"))

    assert r.status_code == 409
    body = r.content.decode()
    assert "Deze nacht is intussen ergens anders gewijzigd" in body
    night = Night.objects.get(sleeper=household["sleeper"], date=household["day"])
    assert (night.quality, night.notes) == (2, "eerste")
    # The form now shows what is stored, with the new version, so a deliberate retry works.
    assert "eerste" in body and 'value="2"' in body
    assert _version(body) != tab2
    # And what the user typed in the refused save is listed, so it is not lost.
    assert "tweede" in body

    retry = c.post(f"/nacht/{day}/", _night_post(day, _version(body), quality="5"))
    assert retry.status_code == 302
    assert Night.objects.get(pk=night.pk).quality == 5


def test_conflict_message_in_english(household, as_user):
    s = household["sleeper"]
    s.language = "en"
    s.save()
    c = as_user(s)
    day = household["day"].isoformat()
    old = _version(c.get(f"/nacht/{day}/").content.decode())
    assert c.post(f"/nacht/{day}/", _night_post(day, old, quality="2")).status_code == 302
    r = c.post(f"/nacht/{day}/", _night_post(day, old, quality="5"))
    assert r.status_code == 409
    assert "This night was changed somewhere else in the meantime" in r.content.decode()
    assert Night.objects.get(sleeper=s, date=household["day"]).quality == 2


def test_same_tab_saving_twice_in_a_row_works(household, as_user):
    # Each save redirects; reopening the form gives the fresh version, so normal use never conflicts.
    c = as_user(household["sleeper"])
    day = household["day"].isoformat()
    for q in ("2", "3"):
        v = _version(c.get(f"/nacht/{day}/").content.decode())
        assert c.post(f"/nacht/{day}/", _night_post(day, v, quality=q)).status_code == 302
    assert Night.objects.get(sleeper=household["sleeper"], date=household["day"]).quality == 3


def test_moving_a_night_onto_a_taken_date_is_a_form_error(household, as_user):
    # Changing the date of a stored night to one that already has a night must not
    # replace or crash: the form says so and both nights stay as they were.
    import datetime as dt

    s = household["sleeper"]
    other = Night.objects.create(sleeper=s, date=dt.date(2026, 11, 19), quality=1)
    c = as_user(s)
    day = household["day"].isoformat()
    v = _version(c.get(f"/nacht/{day}/").content.decode())
    r = c.post(f"/nacht/{day}/", _night_post("2026-11-19", v, quality="5"))
    assert r.status_code == 200
    assert "Voor deze datum is al een nacht ingevuld" in r.content.decode()
    assert Night.objects.get(pk=other.pk).quality == 1
    assert Night.objects.filter(sleeper=s, date=household["day"]).exists()
