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
    assert r["Content-Disposition"].startswith('attachment; filename="nachtwacht-')
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert {"nights.csv", "episodes.csv", "profile.json", "nachtwacht.json",
            "report.html", "report.pdf"} <= set(z.namelist())
    assert z.read("report.pdf").startswith(b"%PDF")
    # Their own copy of the GP report holds their private entries too.
    assert "GEHEIM-PRIVE" in z.read("report.html").decode()
    everything = "".join(z.read(n).decode() for n in z.namelist() if not n.endswith(".pdf"))
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


def test_export_holds_the_uploaded_sleep_studies_and_experiments(household, as_user, settings, tmp_path):
    from nachtwacht.web.front.models import Experiment, PsgUpload

    s = household["sleeper"]
    settings.UPLOAD_DIR = tmp_path
    (tmp_path / "stored-1.edf").write_bytes(b"0       EDF-INHOUD")
    PsgUpload.objects.create(sleeper=s, original_name="../nacht van 3 okt.edf", stored_name="stored-1.edf",
                             size=18, status="done")
    Experiment.objects.create(sleeper=s, code="no_caffeine_after_14", title="Geen cafeïne na 14:00",
                              started="2026-10-01")
    r = as_user(s).get("/export/")
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    studies = [n for n in z.namelist() if n.startswith("sleep_studies/")]
    # The file as sent, under a name that cannot leave its folder.
    assert studies == ["sleep_studies/01-nacht_van_3_okt.edf"]
    assert z.read(studies[0]) == b"0       EDF-INHOUD"
    data = json.loads(z.read("nachtwacht.json"))
    assert data["experiments"][0]["code"] == "no_caffeine_after_14"
    # Someone else's export holds none of it.
    other = as_user(household["partner"]).get("/export/")
    names = zipfile.ZipFile(io.BytesIO(b"".join(other.streaming_content))).namelist()
    assert not [n for n in names if n.startswith("sleep_studies/")]
