"""Shares bound to a person (issue #16 item 2) and tokens out of URLs (item 3).

A share link alone no longer opens a diary: the clinician must be verified (BIG number
confirmed by an administrator), must be the one named on the share or give the code the
sleeper read out, and the sleeper must confirm who claimed it before anything shows.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from nachtwacht.web.accounts.models import User
from nachtwacht.web.sharing.models import (
    MAX_CODE_FAILURES,
    AccessLog,
    ClinicianShare,
    PartnerInvite,
)


@pytest.fixture
def fresh_share(household):
    return ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights", "episodes"],
                                         claim_code="123456", expires_at=timezone.now() + timedelta(days=7))


def _claim(c, share, code="123456"):
    return c.post("/zorg/link/", {"token": share.token, "code": code})


def test_self_registered_clinician_cannot_claim(fresh_share, as_user):
    rookie = User.objects.create_user("zelfbenoemd", password="x" * 12, role="clinician")
    c = as_user(rookie)
    r = _claim(c, fresh_share)
    assert r.status_code == 403
    body = r.content.decode()
    assert "Uw account is nog niet gecontroleerd" in body and "BIG-nummer" in body
    fresh_share.refresh_from_db()
    assert fresh_share.clinician is None
    # English, same content.
    rookie.language = "en"
    rookie.save()
    body = as_user(rookie).get("/zorg/link/").content.decode()
    assert "Your account is not verified yet" in body and "BIG number" in body


def test_clinician_enters_big_number_then_admin_verifies(fresh_share, as_user):
    rookie = User.objects.create_user("nieuwearts", password="x" * 12, role="clinician")
    c = as_user(rookie)
    assert c.post("/zorg/verificatie/", {"big_number": "1234"}).status_code == 200  # 11 digits needed
    assert c.post("/zorg/verificatie/", {"big_number": "123 456 789 01"}).status_code == 302
    rookie.refresh_from_db()
    assert rookie.big_number == "12345678901" and rookie.verified_at is None
    assert _claim(c, fresh_share).status_code == 403  # still waiting for the administrator
    out = StringIO()
    call_command("verify_clinician", "--list", stdout=out)
    assert "nieuwearts" in out.getvalue() and "WAITING" in out.getvalue()
    call_command("verify_clinician", "nieuwearts", "--by", "beheerder", stdout=StringIO())
    rookie.refresh_from_db()
    assert rookie.is_verified_clinician() and rookie.verified_by == "admin:beheerder"
    assert _claim(c, fresh_share).status_code == 302
    # A changed number is checked again.
    c.post("/zorg/verificatie/", {"big_number": "99999999999"})
    rookie.refresh_from_db()
    assert rookie.verified_at is None


def test_wrong_code_refused_and_too_many_stop_the_share(fresh_share, household, as_user):
    c = as_user(household["gp"])
    r = _claim(c, fresh_share, code="000000")
    assert r.status_code == 400 and "niet goed" in r.content.decode()
    for _ in range(MAX_CODE_FAILURES - 1):
        _claim(c, fresh_share, code="000001")
    fresh_share.refresh_from_db()
    assert fresh_share.clinician is None and fresh_share.revoked_at is not None
    assert _claim(c, fresh_share).status_code == 404  # even the right code is too late now
    page = as_user(household["sleeper"]).get("/delen/").content.decode()
    assert "te vaak" in page


def test_nothing_shows_until_the_sleeper_confirms(fresh_share, household, as_user):
    gp, sleeper = as_user(household["gp"]), as_user(household["sleeper"])
    assert _claim(gp, fresh_share, code="123 456").status_code == 302
    fresh_share.refresh_from_db()
    assert fresh_share.clinician == household["gp"] and fresh_share.confirmed_at is None
    for url in (f"/zorg/{fresh_share.pk}/", f"/zorg/{fresh_share.pk}/rapport/"):
        assert gp.get(url).status_code == 404
    assert not AccessLog.objects.filter(share=fresh_share).exists()
    assert "wacht tot uw patiënt bevestigt" in gp.get("/zorg/").content.decode()
    # The sleeper sees who claimed it (user name and BIG number) and confirms.
    page = sleeper.get("/delen/").content.decode()
    assert "dokter" in page and "12345678901" in page and "Is dit uw zorgverlener?" in page
    # A confirm form naming someone else (an older page) confirms nothing.
    sleeper.post(f"/delen/{fresh_share.pk}/bevestigen/", {"clinician": household["other_gp"].pk})
    fresh_share.refresh_from_db()
    assert fresh_share.confirmed_at is None
    assert sleeper.post(f"/delen/{fresh_share.pk}/bevestigen/",
                        {"clinician": household["gp"].pk}).status_code == 302
    assert gp.get(f"/zorg/{fresh_share.pk}/").status_code == 200
    # A stranger cannot confirm someone else's share.
    r = as_user(household["stranger"]).post(f"/delen/{household['share'].pk}/bevestigen/",
                                            {"clinician": household["gp"].pk})
    assert r.status_code == 404


def test_sleeper_revokes_a_claim_they_do_not_recognise(fresh_share, household, as_user):
    impostor = household["other_gp"]
    assert _claim(as_user(impostor), fresh_share).status_code == 302
    assert as_user(household["sleeper"]).post(f"/delen/{fresh_share.pk}/intrekken/").status_code == 302
    assert as_user(impostor).get(f"/zorg/{fresh_share.pk}/").status_code == 404


def test_share_meant_for_one_clinician(household, as_user):
    household["gp"].email = "Dokter@Praktijk.nl"
    household["gp"].save()
    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"], claim_code="654321",
                                          intended_for="dokter@praktijk.NL",
                                          expires_at=timezone.now() + timedelta(days=7))
    # Another (verified) clinician with the link and even the code is refused.
    r = _claim(as_user(household["other_gp"]), share, code="654321")
    assert r.status_code == 403 and "voor een andere zorgverlener" in r.content.decode()
    # The named one gets in (e-mail compared without case); an e-mail is self-typed, so the
    # code is still needed (review wave 2, tests/web/test_web_review_wave2.py).
    assert as_user(household["gp"]).post("/zorg/link/", {"token": share.token,
                                                         "code": "654321"}).status_code == 302
    share.refresh_from_db()
    assert share.clinician == household["gp"]


def test_verification_withdrawn_closes_confirmed_shares(household, as_user):
    gp = as_user(household["gp"])
    assert gp.get(f"/zorg/{household['share'].pk}/").status_code == 200
    call_command("verify_clinician", "dokter", "--revoke", stdout=StringIO())
    assert gp.get(f"/zorg/{household['share'].pk}/").status_code == 404


def test_new_share_gets_code_and_fragment_link(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/delen/", {"label": "Huisarts", "scope": ["nights"], "days": "7", "intended_for": ""})
    assert r.status_code == 302
    share = ClinicianShare.objects.filter(sleeper=household["sleeper"]).latest("created")
    assert re.fullmatch(r"\d{6}", share.claim_code)
    page = c.get("/delen/").content.decode()
    assert f"/zorg/link/#{share.token}" in page
    assert f"/zorg/link/{share.token}" not in page  # never in a path
    assert f"{share.claim_code[:3]} {share.claim_code[3:]}" in page


def test_tokens_stay_out_of_paths_and_query_strings(household, as_user, client):
    """Old links answer with an explanation and a POST form; a GET claims or uses nothing."""
    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"],
                                          expires_at=timezone.now() + timedelta(days=7))
    gp = as_user(household["gp"])
    r = gp.get(f"/zorg/link/{share.token}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'method="post"' in body and 'action="/zorg/link/"' in body
    share.refresh_from_db()
    assert share.clinician is None
    inv = PartnerInvite.objects.create(sleeper=household["sleeper"])
    body = client.get(f"/uitnodiging/{inv.token}/").content.decode()
    assert 'action="/uitnodiging/"' in body
    inv.refresh_from_db()
    assert inv.used_at is None
    # Partner invitations: the link the sleeper copies has the token after '#'.
    s = as_user(household["sleeper"])
    s.post("/partner/uitnodigen/")
    page = s.get("/partner/").content.decode()
    links = re.findall(r'value="(https?://[^"]*uitnodiging[^"]*)"', page)
    assert links and all(re.search(r"/uitnodiging/#[\w-]{20,}$", u) for u in links)
    # The pages that read the fragment load claim.js (allowed by the CSP: own origin).
    for page in (gp.get("/zorg/link/"), client.get("/uitnodiging/")):
        html = page.content.decode()
        assert "nachtwacht/claim.js" in html and "<script>" not in html


def test_old_unclaimed_share_without_code_still_claimable_but_confirmed(household, as_user):
    # Shares from the previous release have no code and name nobody: the sleeper's
    # confirmation is what binds them.
    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"],
                                          expires_at=timezone.now() + timedelta(days=7))
    gp = as_user(household["gp"])
    assert gp.post("/zorg/link/", {"token": f"https://example.org/zorg/link/{share.token}/"}).status_code == 302
    assert gp.get(f"/zorg/{share.pk}/").status_code == 404
    share.refresh_from_db()
    assert share.clinician == household["gp"] and share.confirmed_at is None


def test_anonymous_claim_page_asks_to_log_in(client):
    r = client.get("/zorg/link/")
    assert r.status_code == 200
    assert "/inloggen/?next=/zorg/link/" in r.content.decode()


def test_verify_command_refuses_what_it_cannot_check(household):
    from django.core.management.base import CommandError

    rookie = User.objects.create_user("zonderbig", password="x" * 12, role="clinician")
    with pytest.raises(CommandError, match="BIG"):
        call_command("verify_clinician", "zonderbig", stdout=StringIO())
    with pytest.raises(CommandError, match="11 digits"):
        call_command("verify_clinician", "zonderbig", "--big", "123", stdout=StringIO())
    with pytest.raises(CommandError, match="not a clinician"):
        call_command("verify_clinician", "slaper", "--big", "12345678901", stdout=StringIO())
    call_command("verify_clinician", "zonderbig", "--big", "1234567890-1", stdout=StringIO())
    rookie.refresh_from_db()
    assert rookie.big_number == "12345678901" and rookie.is_verified_clinician()
