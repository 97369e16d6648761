"""Sleep-study uploads: size and format checks, stored file, background analysis status."""

from __future__ import annotations

import types

from django.core.files.uploadedfile import SimpleUploadedFile

from nachtwacht.web.front.models import PsgUpload

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


def _run_here(job, monkeypatch, analyse):
    """What the worker's child process does with ``job``, in this process."""
    from nachtwacht.web.jobs import runner, supervise, work

    monkeypatch.setattr(work, "optional", lambda name: types.SimpleNamespace(analyse=analyse)
                        if name == "nachtwacht.psg.pipeline" else None)
    job.status = "queued"
    job.save(update_fields=["status"])
    job = supervise.claim(job.pk)
    runner.execute(job)


def test_upload_is_stored_queued_and_analysed(household, as_user, settings, tmp_path, monkeypatch):
    settings.UPLOAD_DIR = tmp_path
    c = as_user(household["sleeper"])
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("nacht.edf", EDF_HEAD)})
    up = PsgUpload.objects.get()
    job = up.jobs.get()
    assert r.status_code == 302 and r["Location"] == f"/slaaponderzoek/{up.pk}/"
    assert (tmp_path / up.stored_name).read_bytes() == EDF_HEAD
    assert (job.kind, job.status, job.language, job.task_id != "") == ("analysis", "queued", "nl", True)
    page = c.get(r["Location"]).content.decode()
    assert "Wacht op analyse" in page and "Uw plaats: 1" in page and "jobs.js" in page

    class FakeResult:
        def to_json(self):
            return {"stats": {"TST": 420}, "hypnogram": []}

    _run_here(job, monkeypatch, lambda path, lang: FakeResult())
    up.refresh_from_db()
    job.refresh_from_db()
    assert up.status == "done" and up.result["stats"]["TST"] == 420
    assert (job.status, job.progress) == ("done", 100)
    assert "Totale slaaptijd" in c.get(f"/slaaponderzoek/{up.pk}/").content.decode()

    def broken(path, lang):
        raise ValueError("bad header")

    _run_here(job, monkeypatch, broken)
    up.refresh_from_db()
    # An unexpected crash is a plain sentence in the sleeper's language, not a Python message.
    assert up.status == "failed" and "bad header" not in up.error and "ValueError" not in up.error
    assert "onverwacht iets mis" in up.error and not up.interrupted

    from nachtwacht.psg.errors import TruncatedFile

    def truncated(path, lang):
        raise TruncatedFile(("nacht.edf is afgebroken.", "Kopieer het opnieuw."),
                            ("nacht.edf is truncated.", "Copy it again."))

    job.language = "en"
    job.save(update_fields=["language"])
    _run_here(job, monkeypatch, truncated)
    up.refresh_from_db()
    assert up.error == "nacht.edf is truncated. Copy it again."
    job.language = "nl"
    job.save(update_fields=["language"])
    _run_here(job, monkeypatch, truncated)
    up.refresh_from_db()
    assert up.error == "nacht.edf is afgebroken. Kopieer het opnieuw."
    assert "nacht.edf is afgebroken" in c.get(f"/slaaponderzoek/{up.pk}/").content.decode()


def test_other_people_cannot_see_an_upload(household, as_user):
    up = PsgUpload.objects.create(sleeper=household["sleeper"], original_name="a.edf", stored_name="a", size=1)
    assert as_user(household["stranger"]).get(f"/slaaponderzoek/{up.pk}/").status_code == 404
