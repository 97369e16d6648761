"""Export, delete account, login rate limit, language preference."""

from __future__ import annotations

import io
import json
import zipfile

from nachtwacht.web.accounts.models import User
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.sharing.models import ClinicianShare, PartnerLink


def test_export_contains_all_own_data_and_nothing_else(household, as_user):
    r = as_user(household["sleeper"]).get("/export/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert {"nights.csv", "episodes.csv", "profile.json", "nachtwacht.json"} <= set(z.namelist())
    everything = "".join(z.read(n).decode() for n in z.namelist())
    assert "NOTITIE-NACHT" in everything and "GEHEIM-PRIVE" in everything and "NOTITIE-OPEN" in everything
    assert "VREEMDE" not in everything
    data = json.loads(z.read("nachtwacht.json"))
    assert len(data["episodes"]) == 2 and data["partner_links"][0]["partner"] == "bedpartner"
    assert z.read("nights.csv").decode().splitlines()[0].startswith("date,bedtime,")


def test_delete_account_removes_data_and_partner_link(household, as_user):
    s = household["sleeper"]
    c = as_user(s)
    r = c.post("/account/verwijderen/", {"password": "fout-wachtwoord", "sure": "on"})
    assert r.status_code == 200 and User.objects.filter(pk=s.pk).exists()
    r = c.post("/account/verwijderen/", {"password": "slaper-wachtwoord-1", "sure": "on"})
    assert r.status_code == 302
    assert not User.objects.filter(pk=s.pk).exists()
    assert not Night.objects.filter(notes="NOTITIE-NACHT").exists()
    assert not Episode.objects.filter(notes__in=["NOTITIE-OPEN", "GEHEIM-PRIVE"]).exists()
    assert not PartnerLink.objects.exists() and not ClinicianShare.objects.exists()
    assert User.objects.filter(pk=household["partner"].pk).exists()  # the partner keeps their account
    assert Night.objects.filter(notes="VREEMDE-NACHT").exists()


def test_login_rate_limit(household, client):
    for _ in range(5):
        r = client.post("/inloggen/", {"username": "slaper", "password": "fout"})
        assert r.status_code == 200
    r = client.post("/inloggen/", {"username": "slaper", "password": "slaper-wachtwoord-1"})
    assert r.status_code == 429
    assert "Te veel mislukte pogingen" in r.content.decode()
    # Another username from the same address is not blocked.
    r = client.post("/inloggen/", {"username": "vreemde", "password": "vreemde-wachtwoord-1"})
    assert r.status_code == 302


def test_successful_login_works(household, client):
    r = client.post("/inloggen/", {"username": "slaper", "password": "slaper-wachtwoord-1"})
    assert r.status_code == 302


def test_saved_language_wins_over_browser(household, as_user):
    s = household["sleeper"]
    c = as_user(s)
    assert "Overzicht" in c.get("/overzicht/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    c.post("/taal/", {"language": "en", "next": "/overzicht/"})
    s.refresh_from_db()
    assert s.language == "en"
    assert "Overview" in c.get("/overzicht/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def test_signup_creates_sleeper_with_argon2(db, client, settings):
    from nachtwacht.web import settings as real

    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    r = client.post("/aanmelden/", {"username": "nieuw", "password1": "Zeer-Geheim-42!",
                                    "password2": "Zeer-Geheim-42!", "language": "en", "role": "sleeper"})
    assert r.status_code == 302
    u = User.objects.get(username="nieuw")
    assert u.password.startswith("argon2") and u.language == "en" and u.role == "sleeper"


def test_clinician_deleting_account_keeps_sleepers_history(household, as_user):
    gp = household["gp"]
    gp.set_password("dokter-wachtwoord-1")  # hashed with the fast test hasher
    gp.save()
    c = as_user(gp)
    c.get(f"/zorg/{household['share'].pk}/")
    assert c.post("/account/verwijderen/", {"password": "dokter-wachtwoord-1", "sure": "on"}).status_code == 302
    share = ClinicianShare.objects.get(pk=household["share"].pk)
    assert share.clinician is None and share.revoked_at is not None and not share.is_live()
    assert household["sleeper"].access_log.count() == 1
