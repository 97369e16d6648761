"""Quick morning entry (issue #14 item 1): taps, "like usual", caffeine, idempotency, KLM.

The keystroke-level model (Card, Moran & Newell 1983; touch operators as in later
phone studies, e.g. Holleis et al. 2007, Rice & Lartigue 2014) with these times:

* P, tap (point + touch, homing of the thumb included) ........ 1.10 s
* S, swipe/scroll one screen or fling a native picker ......... 1.10 s
* M, mental preparation (before each decision) ................ 1.35 s

Each answer that is a decision costs M + P; the page costs one M to take in.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from nachtwacht.web.diary.models import Night
from nachtwacht.web.quick.choices import QuickNightForm
from nachtwacht.web.quick.drinks import caffeine_mg
from nachtwacht.web.quick.models import IdempotencyKey
from nachtwacht.web.quick.usual import usual_night

P, S, M = 1.10, 1.10, 1.35
TRACKED = ["stress", "tension", "caffeine_mg", "alcohol_units", "screens_last_hour"]


@pytest.fixture
def sleeper(db):
    from nachtwacht.web.accounts.models import User

    u = User.objects.create_user("snel", password="snel-wachtwoord-1", role="sleeper")
    u.tracked = TRACKED
    u.save()
    return u


@pytest.fixture
def returning(sleeper):
    """Fourteen ordinary nights before today."""
    from nachtwacht.web.views.diary import today

    t = today()
    for i in range(1, 15):
        Night.objects.create(
            sleeper=sleeper, date=t - dt.timedelta(days=i), bedtime=dt.time(23, 0 if i % 2 else 10),
            lights_out=dt.time(23, 15), sol_min=15, awakenings=1, waso_min=10, final_wake=dt.time(6, 50),
            out_of_bed=dt.time(7, 5), quality=3, rested=3, stress=4, tension=2, caffeine_mg=240.0,
            alcohol_units=0.0, screens_last_hour=True)
    return sleeper


def _defaults(resp) -> dict:
    """What the browser would post without any tap: every field's initial value."""
    form = resp.context["form"]
    data = {}
    for name in form.fields:
        v = form[name].value()
        if v not in (None, ""):
            data[name] = str(v)
    return data


def _options(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)"', html)) | set(
        re.findall(r'<option value="([^"]*)"', html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0])
        if f'<select name="{name}"' in html else [])


def _klm(taps: int, decisions: int, swipes: int) -> float:
    return round(M + decisions * M + taps * P + swipes * S, 2)


def test_caffeine_drinks_to_mg():
    assert caffeine_mg({"coffee": 2, "tea": 1}) == 190.0
    assert caffeine_mg({"espresso": 1, "cola": 1, "energy": 1}) == 180.0
    with pytest.raises(ValueError):
        caffeine_mg({"coffee": -1})
    with pytest.raises(ValueError):
        caffeine_mg({"absinthe": 1})


def test_usual_is_median_of_recent_nights(returning):
    nights = Night.objects.filter(sleeper=returning).order_by("-date")
    u = usual_night(nights, ["bedtime", "sol_min", "screens_last_hour", "caffeine_mg", "quality"])
    assert u["bedtime"] == dt.time(23, 5)  # median of 23:00 and 23:10
    assert u["sol_min"] == 15.0 and u["screens_last_hour"] is True and u["caffeine_mg"] == 240.0


def test_quick_page_prefills_like_usual_and_says_so(returning, as_user):
    c = as_user(returning)
    r = c.get("/snel/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "zoals meestal" in html.lower()
    d = _defaults(r)
    assert d["bedtime"] == "23:05" and d["final_wake"] == "06:50" and d["sol_min"] == "15"
    assert d["caffeine"] == "usual" and d["screens_last_hour"] == "true"
    assert "quality" not in d  # scales are rated fresh every morning
    assert "<script>" not in html and "onclick" not in html
    # the dashboard's main button leads here
    assert 'href="/snel/"' in c.get("/overzicht/").content.decode()


def test_returning_user_klm_and_save(returning, as_user):
    c = as_user(returning)
    r = c.get("/snel/")
    html = r.content.decode()
    data = _defaults(r)
    taps = {"quality": "4", "rested": "3", "stress": "3", "tension": "2", "bedtime": "23:00"}
    for name, value in taps.items():
        assert value in _options(html, name), name  # one tap each (a chip, or -5 on the time)
        data[name] = value
    r = c.post("/snel/", data)
    assert r.status_code == 302, (r.context["form"].errors, data)
    night = Night.objects.get(sleeper=returning, date=dt.date.fromisoformat(data["date"]))
    assert night.quality == 4 and night.bedtime == dt.time(23, 0) and night.caffeine_mg == 240.0
    assert night.sol_min == 15 and night.screens_last_hour is True and night.lights_out == dt.time(23, 15)
    n_taps = len(taps) + 1  # + save
    swipes = 2  # measured at 360x740 in tests/browser/test_browser_quick.py
    seconds = _klm(n_taps, decisions=len(taps) + 1, swipes=swipes)
    print(f"\nKLM returning user: {n_taps} taps + {swipes} swipes = {n_taps + swipes} gestures, {seconds} s")
    assert n_taps + swipes <= 10 and seconds <= 20


def test_new_user_klm_and_save(sleeper, as_user):
    c = as_user(sleeper)
    r = c.get("/snel/")
    html = r.content.decode()
    data = _defaults(r)
    assert "bedtime" not in data and "caffeine" not in data
    chips = {"quality": "3", "rested": "2", "stress": "5", "tension": "3", "sol_min": "20",
             "awakenings": "2", "waso_min": "15", "alcohol_units": "0", "screens_last_hour": "true"}
    for name, value in chips.items():
        assert value in _options(html, name), name
    data.update(chips)
    # Two native time pickers (tap, fling, tap); lights out and out of bed follow them (quick.js).
    data.update({"bedtime": "23:30", "lights_out": "23:30", "final_wake": "07:00", "out_of_bed": "07:00"})
    data.update({"drink_coffee": "2", "caffeine": "drinks"})  # "+" twice
    r = c.post("/snel/", data)
    assert r.status_code == 302, (r.context["form"].errors, data)
    night = Night.objects.get(sleeper=sleeper)
    assert night.caffeine_mg == 160.0 and night.alcohol_units == 0 and night.awakenings == 2
    taps = len(chips) + 2 * 2 + 2 + 1  # chips, two pickers, coffee + twice, save
    decisions = len(chips) + 2 + 1 + 1
    swipes = 2 + 3  # page at 360x740 (browser test) + one fling per picker, one spare
    seconds = _klm(taps, decisions, swipes)
    print(f"\nKLM new user: {taps} taps + {swipes} swipes, {decisions} decisions, {seconds} s")
    assert seconds <= 45


def test_same_validation_as_full_form(returning, as_user):
    c = as_user(returning)
    r = c.get("/snel/")
    data = _defaults(r) | {"final_wake": "23:00", "bedtime": "23:30", "lights_out": "23:30",
                           "out_of_bed": "23:10"}
    r = c.post("/snel/", data)
    assert r.status_code == 200 and "error-summary" in r.content.decode()
    assert not Night.objects.filter(sleeper=returning, date=dt.date.fromisoformat(data["date"])).exists()


def test_sent_twice_stored_once(returning, as_user):
    c = as_user(returning)
    data = _defaults(c.get("/snel/")) | {"quality": "3"}
    first = c.post("/snel/", data, HTTP_ACCEPT="application/json")
    again = c.post("/snel/", data, HTTP_ACCEPT="application/json")
    assert first.status_code == 201 and first.json()["status"] == "saved"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Night.objects.filter(sleeper=returning, date=dt.date.fromisoformat(data["date"])).count() == 1
    assert IdempotencyKey.objects.filter(user=returning, key=data["key"]).count() == 1


def test_queued_entry_of_someone_else_is_refused(returning, sleeper, as_user, db):
    from nachtwacht.web.accounts.models import User

    other = User.objects.create_user("ander", password="ander-wachtwoord-1", role="sleeper")
    data = _defaults(as_user(returning).get("/snel/")) | {"quality": "3"}
    r = as_user(other).post("/snel/", data, HTTP_ACCEPT="application/json")
    assert r.status_code == 409 and not Night.objects.filter(sleeper=other).exists()


def test_form_key_is_fresh_per_page(sleeper, as_user):
    c = as_user(sleeper)
    k1, k2 = (_defaults(c.get("/snel/"))["key"] for _ in range(2))
    assert k1 != k2 and uuid.UUID(k1)


def test_manifest_and_service_worker(sleeper, as_user, client):
    m = client.get("/manifest.webmanifest")
    assert m.status_code == 200 and m["Content-Type"].startswith("application/manifest+json")
    data = m.json()
    assert data["display"] == "standalone" and data["start_url"] == "/snel/"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/"
    assert "__CONFIG__" not in sw.content.decode() and '"/snel/"' in sw.content.decode()
    assert 'rel="manifest"' in as_user(sleeper).get("/snel/").content.decode()


def test_form_choices_have_none_per_factor(sleeper):
    f = QuickNightForm(names=["alcohol_units", "nap_min", "sol_min"], usual={},
                       days=[("2026-12-01", "x")], language="nl")
    assert dict(f.fields["alcohol_units"].choices)["0"] == "geen"
    assert dict(f.fields["sol_min"].choices)["0"] == "0"  # a sleep measure, not a factor


def test_entry_queued_days_ago_is_accepted_future_refused(returning, as_user):
    c = as_user(returning)
    data = _defaults(c.get("/snel/")) | {"quality": "3"}
    old = dt.date.fromisoformat(data["date"]) - dt.timedelta(days=20)
    r = c.post("/snel/", data | {"date": old.isoformat()}, HTTP_ACCEPT="application/json")
    assert r.status_code == 201 and Night.objects.filter(sleeper=returning, date=old).exists()
    future = dt.date.fromisoformat(data["date"]) + dt.timedelta(days=2)
    r = c.post("/snel/", data | {"date": future.isoformat(), "key": str(uuid.uuid4())},
               HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and not Night.objects.filter(sleeper=returning, date=future).exists()


def test_quick_episode_saved_once(sleeper, as_user):
    from nachtwacht.web.diary.models import Episode

    c = as_user(sleeper)
    r = c.get("/snel/voorval/")
    assert r.status_code == 200 and "slaapwandelen" in r.content.decode()
    data = _defaults(r) | {"type": "sleepwalking", "time": "02:30", "count": "2"}
    first = c.post("/snel/voorval/", data, HTTP_ACCEPT="application/json")
    again = c.post("/snel/voorval/", data, HTTP_ACCEPT="application/json")
    assert first.status_code == 201 and again.json()["status"] == "duplicate"
    ep = Episode.objects.get(sleeper=sleeper)
    assert ep.count == 2 and ep.time == dt.time(2, 30) and ep.reporter == "self" and not ep.private
    bad = c.post("/snel/voorval/", _defaults(c.get("/snel/voorval/")), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "type" in bad.json()["errors"]
    future = (dt.date.fromisoformat(data["date"]) + dt.timedelta(days=3)).isoformat()
    r = c.post("/snel/voorval/", data | {"date": future, "key": str(uuid.uuid4())})
    assert r.status_code == 200 and Episode.objects.filter(sleeper=sleeper).count() == 1
