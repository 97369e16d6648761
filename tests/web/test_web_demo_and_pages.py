"""The demo household and the pages a sleeper and clinician open with real data."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.web.accounts.models import User
from nachtwacht.web.diary.models import Episode, Night


@pytest.fixture
def demo(db):
    from nachtwacht.web.demo import build_demo

    return build_demo(seed=7, weeks=4, end=dt.date(2026, 11, 22))


def test_demo_is_idempotent_and_leaves_others_alone(demo, household):
    from nachtwacht.web.demo import build_demo

    n1 = Night.objects.filter(sleeper__username="demo").count()
    e1 = Episode.objects.filter(sleeper__username="demo").count()
    assert n1 >= 20 and e1 > 0
    build_demo(seed=7, weeks=4, end=dt.date(2026, 11, 22))
    assert Night.objects.filter(sleeper__username="demo").count() == n1
    assert Episode.objects.filter(sleeper__username="demo").count() == e1
    assert User.objects.filter(username="slaper").exists()
    assert Episode.objects.filter(sleeper__username="demo", reporter="partner",
                                  logged_by__username="partner").exists()


def test_dashboard_with_data_shows_chart_table_and_calendar(demo, client):
    client.force_login(User.objects.get(username="demo"))
    body = client.get("/overzicht/").content.decode()
    assert '<svg class="diary-chart wide"' in body and "<title id=\"dc-title\">" in body
    assert "<table class=\"cal\">" in body
    assert "Toon als tabel" in body


def test_empty_dashboard_says_what_is_needed(household, as_user):
    body = as_user(household["stranger"]).get("/overzicht/").content.decode()
    assert "Nog 2 nachten nodig voor het verloop" in body
    assert "Nog 13 nachten nodig" in body


def test_clinician_dashboard_and_report_respect_scope(demo, client):
    from nachtwacht.web.sharing.models import ClinicianShare

    demo_user = User.objects.get(username="demo")
    Episode.objects.create(sleeper=demo_user, date=dt.date(2026, 11, 21), type="urge", private=True,
                           notes="ALLEEN-VOOR-MIJ")
    share = ClinicianShare.objects.get(sleeper=demo_user)
    client.force_login(User.objects.get(username="huisarts"))
    for url in (f"/zorg/{share.pk}/", f"/zorg/{share.pk}/rapport/"):
        r = client.get(url)
        assert r.status_code in (200, 503)
        assert "ALLEEN-VOOR-MIJ" not in r.content.decode()
        assert "dwangmatig" not in r.content.decode()


def test_sleeper_pages_render(demo, client):
    client.force_login(User.objects.get(username="demo"))
    for url in ("/advies/", "/plan/", "/kennis/", "/kennis/?q=slaap", "/nachten/", "/profiel/", "/delen/",
                "/partner/", "/upload/", "/slaaponderzoek/", "/instellingen/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "Traceback" not in r.content.decode()


def test_partner_home_lists_link(demo, client):
    client.force_login(User.objects.get(username="partner"))
    r = client.get("/", follow=True)
    assert "Noteren voor demo" in r.content.decode()


def test_experiment_start_and_stop(demo, client):
    from nachtwacht.web.front.models import Experiment

    client.force_login(User.objects.get(username="demo"))
    assert client.post("/plan/experiment/", {"code": "bogus"}).status_code == 404
    r = client.post("/plan/experiment/", {"code": "no_caffeine_after_14"})
    assert r.status_code == 302
    e = Experiment.objects.get(sleeper__username="demo")
    assert e.title == "Geen cafeïne na 14:00"
    body = client.get("/plan/").content.decode()
    assert "Geen cafeïne na 14:00" in body
    assert client.post(f"/plan/experiment/{e.pk}/stop/").status_code == 302
    e.refresh_from_db()
    assert e.ended is not None


def test_report_html_for_sleeper_and_clinician(demo, client):
    from nachtwacht.web.sharing.models import ClinicianShare

    demo_user = User.objects.get(username="demo")
    client.force_login(demo_user)
    r = client.get("/rapport/")
    assert r.status_code == 200 and "<html" in r.content.decode().lower()
    share = ClinicianShare.objects.get(sleeper=demo_user)
    client.force_login(User.objects.get(username="huisarts"))
    assert client.get(f"/zorg/{share.pk}/rapport/").status_code == 200


@pytest.mark.slow  # WeasyPrint lays out the whole report, ~5 s
def test_report_pdf(demo, client):
    client.force_login(User.objects.get(username="demo"))
    r = client.get("/rapport.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_knowledge_pages_are_open_to_anonymous_visitors(client):
    from nachtwacht import knowledge

    slug = knowledge.pages("nl")[0].slug
    nl = client.get(f"/kennis/{slug}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert nl.status_code == 200 and knowledge.page(slug, "nl").title in nl.content.decode()
    en = client.get(f"/kennis/{slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert knowledge.page(slug, "en").title in en.content.decode()
    assert client.get("/kennis/bestaat-niet/").status_code == 404
    hits = client.get("/kennis/?q=slaapwandelen").content.decode()
    assert "/kennis/" in hits and "Niets gevonden" not in hits
