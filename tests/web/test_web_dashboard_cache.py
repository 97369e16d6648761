"""The dashboard's trigger analysis: once per diary version, stale only briefly, never after a deletion.

The analysis costs more than the rest of the dashboard; it is cached in the shared
cache under a digest of the diary, so a second view after no change reuses it. After a
change (an edit, a bulk update without save signals, a night saved through the form)
the dashboard may show the same viewer's previous analysis for up to
``NACHTWACHT_INSIGHT_REFRESH_S`` seconds (60) with a note saying when it was made; after
that it is analysed afresh. A deletion (night, episode, a partner's report, an episode
made private for clinicians) shows at once: findings that still use deleted data are
never shown. A clinician sees only analyses of what was shared with them. Time is
controlled by a fake clock, not by sleeping.
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


@pytest.fixture
def clock(monkeypatch):
    """The dashboard's clock, moved by hand: ``clock.now += 61``."""
    from nachtwacht.web.views import dashboard

    fake = types.SimpleNamespace(now=1_800_000_000.0)
    fake.time = lambda: fake.now
    monkeypatch.setattr(dashboard, "time", fake)
    return fake


def _page(c) -> str:
    return c.get("/overzicht/").content.decode()


def test_edits_show_within_the_window_with_a_note(sleeper, as_user, counted, clock):
    c = as_user(sleeper)
    first = _page(c)
    assert "ALCOHOL-19-" in first and "Bijgewerkt om" not in first
    # An edit through the ORM's bulk path (no save signal, ``updated`` untouched).
    Night.objects.filter(sleeper=sleeper, date=Night.objects.filter(sleeper=sleeper).order_by("date")
                         .values("date")[:1]).update(alcohol_units=5)
    clock.now += 10
    page = _page(c)
    assert "NACHTEN-20-ALCOHOL-19-EPISODES-2" in page  # the analysis of 10 s ago ...
    assert "Bijgewerkt om" in page and "telt over hooguit een minuut mee" in page  # ... and says so
    assert counted == [20]
    # A night saved through the web form: the chart shows it at once, the findings follow.
    day = (sleeper.nights.order_by("date").first().date - dt.timedelta(days=1)).isoformat()
    r = c.post("/nacht/", {"date": day, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15",
                           "awakenings": "1", "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00",
                           "quality": "4", "rested": "3", "notes": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    clock.now += 30  # 40 s: within the window (shortened to 45-60 s per analysis, _spread)
    page = _page(c)
    assert "21 nachten in uw dagboek" in page and "NACHTEN-20-ALCOHOL-19-" in page
    assert counted == [20]
    clock.now += 21  # 61 s after the analysis: made afresh, no note
    page = _page(c)
    assert "NACHTEN-21-ALCOHOL-23-EPISODES-2" in page and "Bijgewerkt om" not in page
    assert counted == [20, 21]
    # Back to a version seen before: served from the cache, still right.
    assert "NACHTEN-21-ALCOHOL-23-EPISODES-2" in _page(c)
    assert counted == [20, 21]


def test_the_note_in_english(sleeper, as_user, counted, clock):
    c = as_user(sleeper)
    c.post("/taal/", {"language": "en", "next": "/overzicht/"})
    assert "Overview" in _page(c)
    Night.objects.filter(sleeper=sleeper).update(alcohol_units=2)
    clock.now += 5
    page = _page(c)
    assert "Updated at" in page and "your latest change will count within a minute at most" in page
    assert "Bijgewerkt" not in page and counted == [20]


def test_a_zero_window_analyses_every_change(sleeper, as_user, counted, clock, monkeypatch):
    monkeypatch.setenv("NACHTWACHT_INSIGHT_REFRESH_S", "0")
    c = as_user(sleeper)
    _page(c)
    Night.objects.filter(sleeper=sleeper).update(alcohol_units=2)
    assert "ALCOHOL-40-" in _page(c)
    assert counted == [20, 20]


@pytest.mark.parametrize("how", ["night", "episode", "private", "account_model"])
def test_deletions_show_at_once(sleeper, household, as_user, counted, clock, how,
                                django_capture_on_commit_callbacks):
    c = as_user(sleeper)
    assert "NACHTEN-20-ALCOHOL-19-EPISODES-2" in _page(c)
    clock.now += 1
    # The deletion commits (the test's own transaction never does: run its callbacks).
    with django_capture_on_commit_callbacks(execute=True):
        if how == "night":
            first = sleeper.nights.order_by("date").first().date.isoformat()
            assert c.post(f"/nacht/{first}/verwijderen/").status_code == 302
            want = "NACHTEN-19-ALCOHOL-18-EPISODES-2"
        elif how == "episode":
            assert c.post(f"/episode/{household['ep_open'].pk}/verwijderen/").status_code == 302
            want = "NACHTEN-20-ALCOHOL-19-EPISODES-1"
        elif how == "private":
            # Not deleted, but withdrawn from the clinician: their findings must not keep it.
            gp = as_user(household["gp"])
            url = f"/zorg/{household['share'].pk}/"
            assert "EPISODES-1" in gp.get(url).content.decode()
            ep = household["ep_open"]
            r = c.post(f"/episode/{ep.pk}/", {"date": ep.date.isoformat(), "type": ep.type, "count": "1",
                                              "private": "on"})
            assert r.status_code == 302, r.content.decode()[:3000]
            clock.now += 1
            page = gp.get(url).content.decode()
            assert "EPISODES-0" in page and "Bijgewerkt om" not in page
            return
        else:  # any other path, e.g. the admin or a cascade: the model's own delete
            Episode.objects.filter(sleeper=sleeper, private=True).delete()
            want = "NACHTEN-20-ALCOHOL-19-EPISODES-1"
    clock.now += 1
    page = _page(c)
    assert want in page and "Bijgewerkt om" not in page


def test_a_late_analysis_of_deleted_data_is_not_reused(sleeper, as_user, counted, clock,
                                                       django_capture_on_commit_callbacks):
    # A request that read the diary before a deletion and stores its analysis after it.
    from nachtwacht.web.convert import diary_for
    from nachtwacht.web.views.dashboard import insight_for

    read_at = clock.now
    old = diary_for(sleeper)
    clock.now += 1
    with django_capture_on_commit_callbacks(execute=True):
        Episode.objects.filter(sleeper=sleeper, private=True).delete()
    clock.now += 1
    insight_for(old, "nl", sleeper, scope="all", read_at=read_at)  # stored after the deletion
    page = _page(as_user(sleeper))
    assert "EPISODES-1" in page and "Bijgewerkt om" not in page


def test_cache_is_shared_by_the_clinician_view_only_for_the_same_content(sleeper, household, client, counted):
    # The clinician sees nights and episodes, not private ones: another diary, its own result.
    client.force_login(household["gp"])
    r = client.get(f"/zorg/{household['share'].pk}/")
    assert r.status_code == 200 and "EPISODES-1" in r.content.decode()
    client.force_login(sleeper)
    assert "EPISODES-2" in client.get("/overzicht/").content.decode()
    assert counted == [N, N]


def test_a_clinician_sees_the_note_about_the_diary(sleeper, household, client, counted, clock):
    client.force_login(household["gp"])
    url = f"/zorg/{household['share'].pk}/"
    client.get(url)
    Night.objects.filter(sleeper=sleeper).update(alcohol_units=2)
    clock.now += 5
    page = client.get(url).content.decode()
    assert "de laatste wijziging in het dagboek telt over hooguit een minuut mee" in page
    assert counted == [N]


def test_a_clinician_never_gets_the_sleepers_recent_analysis(sleeper, household, client, counted, clock):
    # The other way round: the sleeper's analysis (with the private episode) is recent,
    # but it is of another diary than the one shared: the clinician's is made for them.
    client.force_login(sleeper)
    assert "EPISODES-2" in client.get("/overzicht/").content.decode()
    client.force_login(household["gp"])
    page = client.get(f"/zorg/{household['share'].pk}/").content.decode()
    assert "EPISODES-1" in page and "EPISODES-2" not in page
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


def test_due_analyses_are_spread_and_worked_out_once(sleeper, as_user, counted, clock):
    """Analyses made together fall due at different moments (a factor in [0.75, 1) of the
    window each), and while one request renews a due analysis the others keep showing
    the previous one instead of starting their own (they piled up under load)."""
    from django.core.cache import caches

    from nachtwacht.web.views import dashboard

    factors = [dashboard._spread(1_800_000_000.0 + k * 0.0137) for k in range(50)]
    assert all(0.75 <= f < 1.0 for f in factors) and max(factors) - min(factors) > 0.2
    c = as_user(sleeper)
    _page(c)
    Night.objects.filter(sleeper=sleeper).update(alcohol_units=2)
    clock.now += 61
    # Another request holds the lease: this one shows the analysis of 61 s ago, with its note.
    lease = f"nw-insight:{sleeper.pk}:lease:all:nl:-"
    assert caches[dashboard.INSIGHT_CACHE].add(lease, 1, dashboard.LEASE_S)
    page = _page(c)
    assert "NACHTEN-20-ALCOHOL-19-" in page and "Bijgewerkt om" in page and counted == [20]
    # The lease ended without a result (its request failed): the next page renews it.
    caches[dashboard.INSIGHT_CACHE].delete(lease)
    page = _page(c)
    assert "NACHTEN-20-ALCOHOL-40-" in page and "Bijgewerkt om" not in page and counted == [20, 20]
    assert caches[dashboard.INSIGHT_CACHE].get(lease) is None  # released after the renewal
    # Long past the window and the lease time, a held lease no longer keeps old findings up.
    Night.objects.filter(sleeper=sleeper).update(alcohol_units=3)
    clock.now += 60 + dashboard.LEASE_S + 1
    assert caches[dashboard.INSIGHT_CACHE].add(lease, 1, dashboard.LEASE_S)
    assert "NACHTEN-20-ALCOHOL-60-" in _page(c) and counted == [20, 20, 20]


def test_forgetting_a_person_empties_the_triage_tables_of_this_worker(sleeper):
    from nachtwacht.diary.demo import demo_diary
    from nachtwacht.triage import assess, shared
    from nachtwacht.web.views.dashboard import forget_insight

    assess(demo_diary(seed=3, weeks=3), lang="nl", use_insight=False)
    assert shared._FIGURES and shared._EVIDENCE
    forget_insight(sleeper)
    assert not shared._FIGURES and not shared._EVIDENCE
