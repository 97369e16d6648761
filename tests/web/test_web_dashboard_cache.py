"""The dashboard's trigger analysis is computed once per diary version, never stale.

The analysis takes about a second; it is cached in the shared cache under a digest of
the diary, so a second view after no change reuses it and any change (an edit, a
bulk update without save signals, a deletion) is analysed afresh.
"""

from __future__ import annotations

import datetime as dt
import types

import pytest

from nachtwacht import insight
from nachtwacht.web.diary.models import Episode, Night

N = 20


@pytest.fixture
def counted(monkeypatch):
    """Replace the analysis by one that counts its calls and describes the diary."""
    calls = []

    def analyse(diary, lang="nl"):
        calls.append(len(diary.nights))
        units = sum(n.alcohol_units or 0 for n in diary.nights)
        text = f"NACHTEN-{len(diary.nights)}-ALCOHOL-{units:g}-EPISODES-{len(diary.episodes)}"
        return types.SimpleNamespace(findings=[types.SimpleNamespace(
            effect={}, ci_low=None, ci_high=None, significant=False, text_nl=text, text_en=text)])

    monkeypatch.setattr(insight, "analyse", analyse)
    return calls


@pytest.fixture
def sleeper(household):
    s = household["sleeper"]
    start = household["day"] - dt.timedelta(days=N)
    Night.objects.bulk_create([Night(sleeper=s, date=start + dt.timedelta(days=i), bedtime=dt.time(23, 0),
                                     final_wake=dt.time(7, 0), alcohol_units=1) for i in range(N - 1)])
    return s


def test_second_view_reuses_the_analysis(sleeper, as_user, counted):
    c = as_user(sleeper)
    first = c.get("/overzicht/").content.decode()
    second = c.get("/overzicht/").content.decode()
    assert "NACHTEN-20-ALCOHOL-19-EPISODES-2" in first and "NACHTEN-20-ALCOHOL-19-EPISODES-2" in second
    assert counted == [N]


def test_every_kind_of_change_shows_at_once(sleeper, as_user, counted):
    c = as_user(sleeper)
    assert "ALCOHOL-19-" in c.get("/overzicht/").content.decode()
    # An edit through the ORM's bulk path (no save signal, ``updated`` untouched).
    Night.objects.filter(sleeper=sleeper, date=Night.objects.filter(sleeper=sleeper).order_by("date")
                         .values("date")[:1]).update(alcohol_units=5)
    assert "NACHTEN-20-ALCOHOL-23-EPISODES-2" in c.get("/overzicht/").content.decode()
    # A deletion.
    Episode.objects.filter(sleeper=sleeper, private=True).delete()
    assert "NACHTEN-20-ALCOHOL-23-EPISODES-1" in c.get("/overzicht/").content.decode()
    # A night saved through the web form.
    day = (sleeper.nights.order_by("date").first().date - dt.timedelta(days=1)).isoformat()
    r = c.post("/nacht/", {"date": day, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15",
                           "awakenings": "1", "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00",
                           "quality": "4", "rested": "3", "notes": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert "NACHTEN-21-ALCOHOL-23-EPISODES-1" in c.get("/overzicht/").content.decode()
    assert counted == [20, 20, 20, 21]
    # Back to a version seen before: served from the cache, still right.
    assert "NACHTEN-21-ALCOHOL-23-EPISODES-1" in c.get("/overzicht/").content.decode()
    assert counted == [20, 20, 20, 21]


def test_cache_is_shared_by_the_clinician_view_only_for_the_same_content(sleeper, household, client, counted):
    # The clinician sees nights and episodes, not private ones: another diary, its own result.
    client.force_login(household["gp"])
    r = client.get(f"/zorg/{household['share'].pk}/")
    assert r.status_code == 200 and "EPISODES-1" in r.content.decode()
    client.force_login(sleeper)
    assert "EPISODES-2" in client.get("/overzicht/").content.decode()
    assert counted == [N, N]


def test_triage_and_plan_reuse_the_dashboard_analysis(sleeper, as_user, monkeypatch):
    # The real analysis, counted: advice pages must not recompute what the dashboard has.
    real, calls = insight.analyse, []

    def analyse(diary, lang="nl"):
        calls.append(len(diary.nights))
        return real(diary, lang=lang)

    monkeypatch.setattr(insight, "analyse", analyse)
    c = as_user(sleeper)
    for url in ("/overzicht/", "/advies/", "/plan/"):
        assert c.get(url).status_code == 200, url
    assert calls == [N]
