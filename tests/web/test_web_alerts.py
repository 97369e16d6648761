"""Issue #14 item 4: advice at gp_soon/urgent comes to the person after a save."""

from __future__ import annotations

import datetime as dt

from nachtwacht.web.alerts import advice
from nachtwacht.web.alerts.models import AdviceAlert


def test_suicidal_thoughts_in_the_profile_put_the_call_first_on_the_next_page(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/profiel/", {"suicidal_thoughts": "true"}, follow=True)
    body = r.content.decode()
    assert r.status_code == 200
    top = body.index('class="advice-alert level-urgent"')
    assert top < body.index("<h1")  # above the page itself, not below a self-help button
    assert 'href="tel:08000113"' in body and 'href="tel:112"' in body
    assert "Zoek vandaag nog hulp" in body
    # The dashboard keeps it on top until it is read ...
    body = c.get("/overzicht/").content.decode()
    assert "advice-alert" in body and body.index("advice-alert") < body.index("<h1")
    # ... an ordinary page after that does not repeat it ...
    assert "advice-alert" not in c.get("/nachten/").content.decode()
    alert = AdviceAlert.objects.get(user=household["sleeper"])
    r = c.post(f"/advies/melding/{alert.pk}/gelezen/", {"next": "/overzicht/"})
    assert r.status_code == 302 and r["Location"] == "/overzicht/"
    assert "advice-alert" not in c.get("/overzicht/").content.decode()
    # ... and the same advice saved again is not announced a second time.
    c.post("/profiel/", {"suicidal_thoughts": "true"})
    assert "advice-alert" not in c.get("/overzicht/").content.decode()
    assert AdviceAlert.objects.filter(user=household["sleeper"]).count() == 1


def test_an_episode_that_raises_the_level_to_gp_soon_is_announced(household, as_user):
    c = as_user(household["sleeper"])
    data = {"date": "2026-11-21", "time": "", "type": "sleepwalking", "count": "1", "duration_min": "",
            "behaviours": "", "recall": "", "injury": "unknown", "left_bedroom": "true",
            "partner_unsafe": "unknown", "notes": ""}
    r = c.post("/episode/", data, follow=True)
    body = r.content.decode()
    assert 'class="advice-alert level-gp_soon"' in body
    assert "afspraak met uw huisarts" in body


def test_someone_else_cannot_mark_an_alert_read(household, as_user):
    alert = AdviceAlert.objects.create(user=household["sleeper"], sleeper=household["sleeper"],
                                       key="urgent:x", level="urgent", data={})
    as_user(household["stranger"]).post(f"/advies/melding/{alert.pk}/gelezen/")
    alert.refresh_from_db()
    assert alert.read_at is None


def test_a_flag_addressed_to_the_partner_goes_to_the_partners_own_pages(household, as_user, monkeypatch):
    flags = [{"code": "partner_non_consent", "level": "urgent", "audience": "partner",
              "text_nl": "U schreef dat het tegen uw wil gebeurde.", "text_en": "You wrote it happened against your will.",
              "routes": [advice.normalise_route({"label": {"nl": "Centrum Seksueel Geweld", "en": "Sexual Violence Centre"},
                                                 "phone": "0800-0188", "href": "tel:08000188"})]}]
    monkeypatch.setattr(advice, "current_flags", lambda sleeper: flags)
    link = household["link"]
    c = as_user(household["partner"])
    data = {"date": "2026-11-21", "time": "", "type": "sexsomnia", "count": "1", "duration_min": "",
            "behaviours": "", "recall": "", "injury": "unknown", "left_bedroom": "unknown",
            "partner_unsafe": "true", "notes": "het gebeurde tegen mijn wil"}
    body = c.post(f"/bedpartner/{link.pk}/", data, follow=True).content.decode()
    assert "Advies voor u als partner" in body and 'href="tel:08000188"' in body
    assert "Centrum Seksueel Geweld" in body
    # The sleeper does not get the partner's alert.
    assert not AdviceAlert.objects.filter(user=household["sleeper"]).exists()
    assert "tel:08000188" in c.get("/bedpartner/").content.decode()


def test_advice_going_down_again_removes_the_unread_alert(household, as_user):
    c = as_user(household["sleeper"])
    c.post("/profiel/", {"suicidal_thoughts": "true"})
    assert AdviceAlert.objects.filter(user=household["sleeper"], read_at__isnull=True).exists()
    c.post("/profiel/", {"suicidal_thoughts": "false"})
    assert not AdviceAlert.objects.filter(user=household["sleeper"], read_at__isnull=True).exists()


def test_routes_are_read_in_every_shape_and_get_a_tel_link():
    assert advice.normalise_route({"label_nl": "113", "label_en": "113", "number": "0800-0113"})["href"] == "tel:08000113"
    assert advice.normalise_route({"label": "x", "tel": "tel:112"})["phone"] == "112"
    assert advice.normalise_route({"label": "no number"}) is None


def test_an_urgent_alert_survives_a_triage_failure_without_breaking_the_save(household, as_user, monkeypatch):
    def boom(sleeper):
        raise RuntimeError("triage broke")

    monkeypatch.setattr(advice, "current_flags", boom)
    c = as_user(household["sleeper"])
    r = c.post("/profiel/", {"suicidal_thoughts": "true"})
    assert r.status_code == 302
    assert dt.date.today()  # the save went through; no alert, no error page


def test_partner_help_stays_on_the_partner_page_after_the_alert_is_read(household, as_user, monkeypatch):
    route = advice.normalise_route({"label": {"nl": "Centrum Seksueel Geweld", "en": "Sexual Violence Centre"},
                                    "phone": "0800-0188"})
    flags = [{"code": "partner_non_consent", "level": "gp_soon", "audience": "partner",
              "text_nl": "Er is hulp voor u.", "text_en": "There is help for you.", "routes": [route]}]
    monkeypatch.setattr(advice, "current_flags", lambda sleeper: flags)
    monkeypatch.setattr("nachtwacht.web.views.diary.current_flags", lambda sleeper: flags)
    body = as_user(household["partner"]).get(f"/bedpartner/{household['link'].pk}/").content.decode()
    assert "Hulp voor u" in body and 'href="tel:08000188"' in body
