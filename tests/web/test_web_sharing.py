"""Partner and clinician see only what the sleeper shared; strangers see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nachtwacht.web.diary.models import Episode
from nachtwacht.web.sharing.models import AccessLog, PartnerInvite, PartnerLink


def test_partner_can_log_but_sees_nothing_unshared(household, as_user):
    c = as_user(household["partner"])
    url = f"/bedpartner/{household['link'].pk}/"
    r = c.post(url, {"date": "2026-11-21", "type": "sleepwalking", "count": "1", "time": "02:30"})
    assert r.status_code == 302
    e = Episode.objects.get(sleeper=household["sleeper"], type="sleepwalking")
    assert e.reporter == "partner" and e.logged_by == household["partner"]
    body = c.get(url).content.decode().split('id="logged"')[1]
    assert "slaapwandelen" in body  # their own report
    assert "schok bij inslapen" not in body  # the sleeper's own episode: scope is "none"
    # Nights and the sleeper's pages stay closed.
    assert c.get("/overzicht/").status_code == 404
    assert c.get("/nachten/").status_code == 404


def test_partner_scope_episodes_never_shows_private(household, as_user):
    link = household["link"]
    link.scope = "episodes"
    link.save()
    body = as_user(household["partner"]).get(f"/bedpartner/{link.pk}/").content.decode()
    assert "GEHEIM" not in body
    body = body.split('id="logged"')[1]
    assert "schok bij inslapen" in body
    assert "sexsomnie" not in body and "GEHEIM" not in body


def test_partner_invite_is_one_time(household, as_user, client):
    inv = PartnerInvite.objects.create(sleeper=household["sleeper"])
    from nachtwacht.web.accounts.models import User

    p2 = User.objects.create_user("p2", password="x" * 12, role="partner")
    c = as_user(p2)
    # The token comes by POST (from the link's #fragment), never in the path (#16).
    assert c.post("/uitnodiging/", {"token": inv.token, "accept": "1"}).status_code == 302
    assert PartnerLink.objects.filter(sleeper=household["sleeper"], partner=p2).exists()
    p3 = User.objects.create_user("p3", password="x" * 12, role="partner")
    assert as_user(p3).post("/uitnodiging/", {"token": inv.token, "accept": "1"}).status_code == 404
    assert not PartnerLink.objects.filter(partner=p3).exists()


def test_partner_signup_through_invite(household, client):
    inv = PartnerInvite.objects.create(sleeper=household["sleeper"])
    nxt = "/uitnodiging/"
    assert client.post(nxt, {"token": inv.token}).status_code == 200  # kept in the session
    r = client.post(f"/aanmelden/?next={nxt}", {"username": "nieuwepartner", "password1": "Zeer-Geheim-42!",
                                                "password2": "Zeer-Geheim-42!", "language": "nl", "next": nxt})
    assert r.status_code == 302 and r["Location"] == nxt
    page = client.get(nxt).content.decode()
    assert inv.token in page  # the accept button carries the token again
    assert client.post(nxt, {"token": inv.token, "accept": "1"}).status_code == 302
    link = PartnerLink.objects.get(partner__username="nieuwepartner")
    assert link.partner.role == "partner" and link.scope == "none"


def test_clinician_with_live_share_sees_and_is_logged(household, as_user):
    share = household["share"]
    c = as_user(household["gp"])
    r = c.get(f"/zorg/{share.pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "schok bij inslapen" in body and "sexsomnie" not in body and "GEHEIM" not in body
    assert AccessLog.objects.filter(sleeper=household["sleeper"], viewer=household["gp"], what="dashboard").count() == 1
    log_page = as_user(household["sleeper"]).get("/wie-keek-er-mee/").content.decode()
    assert "dokter" in log_page


@pytest.mark.parametrize("how", ["revoked", "expired", "other_clinician", "no_share"])
def test_clinician_gets_404_without_live_share(household, as_user, how):
    share = household["share"]
    user = household["gp"]
    if how == "revoked":
        share.revoked_at = timezone.now()
        share.save()
    elif how == "expired":
        share.expires_at = timezone.now() - timedelta(minutes=1)
        share.save()
    elif how == "other_clinician":
        user = household["other_gp"]
    pk = share.pk if how != "no_share" else share.pk + 999
    c = as_user(user)
    for url in (f"/zorg/{pk}/", f"/zorg/{pk}/rapport/", f"/zorg/{pk}/rapport.pdf"):
        assert c.get(url).status_code == 404
    assert not AccessLog.objects.filter(viewer=user).exists()


def test_revoke_by_sleeper_locks_clinician_out(household, as_user):
    share = household["share"]
    gp = as_user(household["gp"])
    assert gp.get(f"/zorg/{share.pk}/").status_code == 200
    assert as_user(household["sleeper"]).post(f"/delen/{share.pk}/intrekken/").status_code == 302
    assert gp.get(f"/zorg/{share.pk}/").status_code == 404


def test_stranger_gets_404_for_other_peoples_objects(household, as_user):
    c = as_user(household["stranger"])
    h = household
    assert c.get(f"/nacht/{h['day'].isoformat()}/").status_code == 200  # their own night
    assert c.get(f"/episode/{h['ep_open'].pk}/").status_code == 404
    assert c.post(f"/episode/{h['ep_open'].pk}/verwijderen/").status_code == 404
    assert c.post(f"/partner/{h['link'].pk}/", {"remove": "1"}).status_code == 404
    assert c.post(f"/delen/{h['share'].pk}/intrekken/").status_code == 404
    assert c.get(f"/bedpartner/{h['link'].pk}/").status_code == 404
    assert c.get(f"/zorg/{h['share'].pk}/").status_code == 404
    assert Episode.objects.filter(pk=h["ep_open"].pk).exists()
    body = c.get("/nachten/").content.decode()
    assert "schok bij inslapen" not in body


def test_partner_scope_with_nights_shows_nights_but_never_notes(household, as_user):
    link = household["link"]
    link.scope = "episodes_nights"
    link.save()
    body = as_user(household["partner"]).get(f"/bedpartner/{link.pk}/").content.decode()
    assert "23:00" in body  # the sleeper's bedtime
    assert "NOTITIE" not in body and "GEHEIM" not in body


def test_sleeper_changes_partner_scope(household, as_user):
    link = household["link"]
    r = as_user(household["sleeper"]).post(f"/partner/{link.pk}/", {f"l{link.pk}-scope": "episodes"})
    assert r.status_code == 302
    link.refresh_from_db()
    assert link.scope == "episodes"


def test_clinician_share_scope_limits_what_is_seen(household, as_user):
    share = household["share"]
    share.scope = ["nights"]
    share.save()
    body = as_user(household["gp"]).get(f"/zorg/{share.pk}/").content.decode()
    assert "schok bij inslapen" not in body  # episodes not shared
    assert "23:00" in body


def test_share_link_is_claimed_once(household, as_user):
    from django.utils import timezone

    from nachtwacht.web.sharing.models import ClinicianShare

    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"],
                                          expires_at=timezone.now() + timedelta(days=1))
    gp = as_user(household["gp"])
    assert gp.get("/zorg/link/").status_code == 200
    assert gp.post("/zorg/link/", {"token": share.token}).status_code == 302
    share.refresh_from_db()
    assert share.clinician == household["gp"]
    # A second clinician with the same link gets nothing.
    assert as_user(household["other_gp"]).post("/zorg/link/", {"token": share.token}).status_code == 404


def test_two_clinicians_claiming_at_once_the_first_keeps_the_share(household, as_user, monkeypatch):
    from django.utils import timezone

    from nachtwacht.web.sharing.models import ClinicianShare

    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"],
                                          expires_at=timezone.now() + timedelta(days=1))
    real_is_live = ClinicianShare.is_live

    def other_claims_meanwhile(self):
        # The other clinician's claim lands after this request read the share, before it writes.
        ClinicianShare.objects.filter(pk=self.pk).update(clinician=household["other_gp"],
                                                         claimed_at=timezone.now())
        return real_is_live(self)

    monkeypatch.setattr(ClinicianShare, "is_live", other_claims_meanwhile)
    r = as_user(household["gp"]).post("/zorg/link/", {"token": share.token})
    assert r.status_code == 404
    share.refresh_from_db()
    assert share.clinician == household["other_gp"]
