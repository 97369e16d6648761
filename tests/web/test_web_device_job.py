"""Raw or large device files are read by the worker (issues #15, #16, #17): a ``device`` job,
its file kept 0600 under the data directory until the job ends, progress on the page,
the nights afterwards or the reader's own NL/EN message; small files stay in the request.

The worker's side runs in this process (``supervise.claim`` + ``runner.execute``), as in
tests/web/test_web_queue_jobs.py.
"""

from __future__ import annotations

import glob
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from nachtwacht.web import psgjobs
from nachtwacht.web.front.models import DeviceUpload
from nachtwacht.web.jobs import runner, supervise
from nachtwacht.web.jobs.models import DEVICE_SUBDIR, Job
from nachtwacht.web.jobs.recovery import clean_device_files, recover_jobs
from nachtwacht.web.views import device as device_views

sys.path.insert(0, str(Path(__file__).parents[1] / "device"))
from make_raw import START, wrist_motion, write_cwa  # noqa: E402

AWD = Path(__file__).parents[1] / "device" / "data" / "example_01.AWD"


@pytest.fixture(scope="module")
def tiny_cwa(tmp_path_factory) -> bytes:
    """Noon to noon at 6 Hz (2 MB), one night 23:00-07:00: read in well under a second."""
    p = tmp_path_factory.mktemp("cwa") / "pols.cwa"
    write_cwa(p, wrist_motion(6, days=1.0, nights_h=((11.0, 19.0),)), 6, START)
    return p.read_bytes()


@pytest.fixture
def dirs(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    return tmp_path


def _device_dir() -> Path:
    return Path(settings.UPLOAD_DIR) / DEVICE_SUBDIR


def _system_tmp() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "nw-device-*")))


def _run(job: Job) -> Job:
    runner.execute(supervise.claim(job.pk))
    job.refresh_from_db()
    return job


def test_raw_upload_becomes_a_job_then_its_nights(household, as_user, dirs, tiny_cwa, settings):
    # Over this, Django writes the upload to FILE_UPLOAD_TEMP_DIR: the view moves it.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    s = household["sleeper"]
    c = as_user(s)
    before = _system_tmp()
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("pols.cwa", tiny_cwa)})
    job = Job.objects.get(user=s, kind=Job.Kind.DEVICE)
    assert r.status_code == 302 and r["Location"] == f"/apparaat/taak/{job.pk}/"
    assert not DeviceUpload.objects.exists()
    # The file waits for its job under the data directory, readable by the app only.
    kept = job.input_path()
    assert kept.parent == _device_dir() and kept.is_file() and kept.suffix == ".cwa"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and job.params["original"] == "pols.cwa"
    # The page: queued, with the progress bar the other jobs have.
    page = c.get(r["Location"]).content.decode()
    assert "In de wachtrij" in page and 'class="job-progress"' in page and "pols.cwa" in page
    assert kept.name not in page
    # One device file per sleeper at a time; the upload page shows how far it is.
    r2 = c.post("/apparaat/", {"file": SimpleUploadedFile("nog een.cwa", tiny_cwa)})
    page = r2.content.decode()
    assert r2.status_code == 200 and "Er wacht of loopt al een bestand" in page
    assert 'class="job-progress"' in page and Job.objects.filter(kind="device").count() == 1
    # The worker reads it: a DeviceUpload with the night, the file gone.
    job = _run(job)
    assert (job.status, job.progress) == ("done", 100)
    up = DeviceUpload.objects.get(sleeper=s)
    assert up.original_name == "pols.cwa" and job.params["device_upload"] == up.pk
    assert [n["onset"] for n in up.summary["nights"]] == ["2026-03-02T23:00"]
    assert not kept.exists() and not list(_device_dir().iterdir())
    assert c.get(f"/taken/{job.pk}/status.json").json()["finished"]
    r = c.get(f"/apparaat/taak/{job.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/apparaat/{up.pk}/"
    assert "Van Hees" in c.get(r["Location"]).content.decode()
    # Someone else's job is not found; nothing was left in the system /tmp.
    assert as_user(household["stranger"]).get(f"/apparaat/taak/{job.pk}/").status_code == 404
    assert _system_tmp() <= before and not list(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("*"))


def test_a_broken_raw_file_fails_with_the_readers_dutch_message(household, as_user, dirs, tiny_cwa):
    s = household["sleeper"]
    c = as_user(s)
    broken = tiny_cwa[:1024] + b"\x00" * 4096  # the header, then blocks that are no blocks
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("kapot.cwa", broken)})
    job = Job.objects.get(user=s, kind=Job.Kind.DEVICE)
    stored = job.params["stored"]
    job = _run(job)
    assert job.status == "failed" and job.error_code == "file"
    assert "'kapot.cwa'" in job.error and "Axivity" in job.error and stored not in job.error
    assert "Traceback" not in job.error and "The file" not in job.error
    assert not job.input_path().exists() and not DeviceUpload.objects.exists()
    page = c.get(r["Location"]).content.decode()
    assert job.error.replace("'", "&#x27;") in page and stored not in page
    page = c.get("/apparaat/").content.decode()  # where the reloaded upload page ends
    assert job.error.replace("'", "&#x27;") in page and 'class="job-progress"' not in page
    # Ended: the next file may go.
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("pols.cwa", tiny_cwa)})
    assert r.status_code == 302 and Job.objects.filter(kind="device").count() == 2


def test_a_small_actigraph_file_is_read_in_the_request_under_the_data_directory(
        household, as_user, dirs, monkeypatch):
    seen = []
    real = device_views.summarise_file

    def spy(user, path, name):
        seen.append((path.parent, stat.S_IMODE(path.stat().st_mode)))
        return real(user, path, name)

    monkeypatch.setattr(device_views, "summarise_file", spy)
    before = _system_tmp()
    c = as_user(household["sleeper"])
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("example_01.AWD", AWD.read_bytes())})
    assert r.status_code == 302 and r["Location"].startswith("/apparaat/")
    assert not Job.objects.exists() and DeviceUpload.objects.count() == 1
    assert seen == [(Path(settings.FILE_UPLOAD_TEMP_DIR), 0o600)]
    assert not list(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("nw-device-*")) and _system_tmp() <= before
    # An unreadable small file: the reader's message names the person's file, not ours.
    page = c.post("/apparaat/", {"file": SimpleUploadedFile("notities.txt", b"hallo\n")}).content.decode()
    assert "herkennen we niet" in page and "notities.txt" in page and "nw-device-" not in page


def test_any_large_file_goes_to_the_worker(household, as_user, dirs, monkeypatch):
    monkeypatch.setattr(device_views, "DIRECT_MAX_BYTES", 1000)
    c = as_user(household["sleeper"])
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("example_01.AWD", AWD.read_bytes())})
    job = Job.objects.get(kind=Job.Kind.DEVICE)
    assert r.status_code == 302 and job.input_path().suffix == ".awd"
    assert _run(job).status == "done" and len(DeviceUpload.objects.get().summary["nights"]) == 10


def _dead_token() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return psgjobs.worker_token().replace(f"|{os.getpid()}|", f"|{proc.pid}|")


def test_a_killed_workers_device_job_runs_again_and_stale_files_go(household, as_user, dirs, tiny_cwa,
                                                                   settings):
    s = household["sleeper"]
    c = as_user(s)
    c.post("/apparaat/", {"file": SimpleUploadedFile("pols.cwa", tiny_cwa)})
    job = Job.objects.get(kind=Job.Kind.DEVICE)
    supervise.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(worker=_dead_token())
    assert recover_jobs() == 1
    job.refresh_from_db()
    assert job.status == "queued" and job.input_path().is_file()  # kept for the next try
    # An hour later its file is still kept (the job waits); leftovers nobody waits for go.
    old = time.time() - 2 * psgjobs.TEMP_MAX_AGE_S
    leftover, part = _device_dir() / "9-abc.cwa", _device_dir() / "9-def.bin.part"
    for p in (leftover, part):
        p.write_bytes(b"x")
    for p in (leftover, part, job.input_path()):
        os.utime(p, (old, old))
    call_command("psg_recover", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert job.input_path().is_file() and not leftover.exists() and not part.exists()
    # Out of tries: the job fails with the "server stopped" sentence and its file goes.
    settings.JOB_MAX_ATTEMPTS = 2
    supervise.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(worker=_dead_token())
    recover_jobs()
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "interrupted") and not job.input_path().exists()
    assert "De server is een paar keer gestopt" in job.error and clean_device_files() == 0


def test_device_jobs_have_their_own_limits(settings):
    assert supervise.limits("device") == settings.JOB_LIMITS["device"]
    assert settings.JOB_LIMITS["device"]["memory_mb"] < settings.JOB_LIMITS["analysis"]["memory_mb"]


def test_device_job_failures_speak_of_a_device_file_not_a_sleep_study():
    from nachtwacht.web.jobs import messages

    for code in ("timeout", "memory", "unexpected"):
        nl = messages.failure_text(code, "nl", "device")
        en = messages.failure_text(code, "en", "device")
        assert "slaaponderzoek" not in nl and "sleep study" not in en
        assert "horloge" in nl or "bestand" in nl
    # Other kinds keep their wording; an unknown code falls back to "unexpected".
    assert "slaaponderzoek" in messages.failure_text("timeout", "nl", "analysis")
    assert messages.failure_text("???", "en", "device") == messages.failure_text("unexpected", "en", "device")
