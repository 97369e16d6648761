"""Sleep-study uploads: size and format checks, stored file, background analysis status."""

from __future__ import annotations

import types

from django.core.files.uploadedfile import SimpleUploadedFile

from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.views import uploads

EDF_HEAD = b"0       " + b" " * 248


def test_non_edf_is_refused(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("x.edf", b"hello world")})
    assert r.status_code == 200 and "Dit lijkt geen EDF" in r.content.decode()
    assert not PsgUpload.objects.exists()


def test_too_large_edf_is_refused(household, as_user, settings):
    settings.EDF_MAX_BYTES = 100
    c = as_user(household["sleeper"])
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("x.edf", EDF_HEAD)})
    assert "slaaponderzoek mag hoogstens" in r.content.decode()
    assert not PsgUpload.objects.exists()


def test_upload_is_stored_and_analysed(household, as_user, settings, tmp_path, monkeypatch):
    settings.UPLOAD_DIR = tmp_path
    started = []
    monkeypatch.setattr(uploads.threading, "Thread",
                        lambda target, args, daemon: types.SimpleNamespace(start=lambda: started.append(args)))
    c = as_user(household["sleeper"])
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("nacht.edf", EDF_HEAD)})
    up = PsgUpload.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/slaaponderzoek/{up.pk}/"
    assert (tmp_path / up.stored_name).read_bytes() == EDF_HEAD and started == [(up.pk, "nl")]
    assert "Wacht op analyse" in c.get(r["Location"]).content.decode()

    class FakeResult:
        def to_json(self):
            return {"stats": {"TST": 420}, "hypnogram": []}

    fake = types.SimpleNamespace(analyse=lambda path, lang: FakeResult())
    monkeypatch.setattr(uploads, "optional", lambda name: fake)
    monkeypatch.setattr(uploads, "close_old_connections", lambda: None)
    uploads._analyse(up.pk)
    up.refresh_from_db()
    assert up.status == "done" and up.result["stats"]["TST"] == 420
    assert "Totale slaaptijd" in c.get(f"/slaaponderzoek/{up.pk}/").content.decode()

    def broken(path, lang):
        raise ValueError("bad header")

    monkeypatch.setattr(uploads, "optional", lambda name: types.SimpleNamespace(analyse=broken))
    uploads._analyse(up.pk)
    up.refresh_from_db()
    # An unexpected crash is a plain sentence in the sleeper's language, not a Python message.
    assert up.status == "failed" and "bad header" not in up.error and "ValueError" not in up.error
    assert "onverwacht iets mis" in up.error

    from nachtwacht.psg.errors import TruncatedFile

    def truncated(path, lang):
        raise TruncatedFile(("nacht.edf is afgebroken.", "Kopieer het opnieuw."),
                            ("nacht.edf is truncated.", "Copy it again."))

    monkeypatch.setattr(uploads, "optional", lambda name: types.SimpleNamespace(analyse=truncated))
    uploads._analyse(up.pk, "en")
    up.refresh_from_db()
    assert up.error == "nacht.edf is truncated. Copy it again."
    uploads._analyse(up.pk, "nl")
    up.refresh_from_db()
    assert up.error == "nacht.edf is afgebroken. Kopieer het opnieuw."
    assert "nacht.edf is afgebroken" in c.get(f"/slaaponderzoek/{up.pk}/").content.decode()


def test_other_people_cannot_see_an_upload(household, as_user):
    up = PsgUpload.objects.create(sleeper=household["sleeper"], original_name="a.edf", stored_name="a", size=1)
    assert as_user(household["stranger"]).get(f"/slaaponderzoek/{up.pk}/").status_code == 404
