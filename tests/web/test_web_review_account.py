"""Review findings on deleting an account: nothing of the person stays in the shared cache."""

from __future__ import annotations

import datetime as dt
import types

from django.db import connection

from nachtwacht import insight
from nachtwacht.web.diary.models import Night


def _cached_insight_rows(pk: int) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM nachtwacht_cache WHERE cache_key LIKE %s", [f"%nw-insight:{pk}:%"])
        return cur.fetchone()[0]


def test_deleting_the_account_drops_its_cached_trigger_analysis(household, as_user, monkeypatch):
    def analyse(diary, lang="nl"):
        return types.SimpleNamespace(findings=[types.SimpleNamespace(
            effect={}, ci_low=None, ci_high=None, significant=False, text_nl="BEVINDING", text_en="FINDING")])

    monkeypatch.setattr(insight, "analyse", analyse)
    s, stranger = household["sleeper"], household["stranger"]
    for who in (s, stranger):
        Night.objects.bulk_create([Night(sleeper=who, date=dt.date(2026, 10, 1) + dt.timedelta(days=i),
                                         bedtime=dt.time(23, 0), final_wake=dt.time(7, 0)) for i in range(20)])
    c = as_user(s)
    assert "BEVINDING" in c.get("/overzicht/").content.decode()
    assert "BEVINDING" in as_user(stranger).get("/overzicht/").content.decode()
    assert _cached_insight_rows(s.pk) >= 1
    r = c.post("/account/verwijderen/", {"password": "slaper-wachtwoord-1", "sure": "on"})
    assert r.status_code == 302
    # The findings are health data of a person who asked for everything to be deleted.
    assert _cached_insight_rows(s.pk) == 0
    assert _cached_insight_rows(stranger.pk) >= 1  # someone else's stays
