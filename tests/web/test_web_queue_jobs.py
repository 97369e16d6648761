"""Background jobs in the web app (issue #15): queue place, one analysis at a time,
progress JSON, export as a job, recovery of a dead worker's job, limits' messages.

The worker's side runs in this process here (``supervise.claim`` + ``runner.execute``);
tests/trust/test_trust_queue_worker.py runs a real worker process.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nachtwacht.web import jobs, psgjobs
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.jobs import privacy, runner, supervise, views, work
from nachtwacht.web.jobs.models import Job
from nachtwacht.web.jobs.recovery import recover_jobs

EDF_HEAD = b"0       " + b" " * 248


def _dead_token() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return psgjobs.worker_token().replace(f"|{os.getpid()}|", f"|{proc.pid}|")


def _upload(user, **kw) -> PsgUpload:
    return PsgUpload.objects.create(sleeper=user, original_name="nacht.edf", stored_name="x.edf", size=3, **kw)


@pytest.fixture
def up_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.JOB_OUTPUT_DIR = tmp_path / "exports"
    return tmp_path


def test_one_analysis_at_a_time_per_sleeper_and_the_queue_place(household, as_user, up_dir):
    s, other = household["sleeper"], household["stranger"]
    c = as_user(s)
    assert c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("a.edf", EDF_HEAD)}).status_code == 302
    r = c.post("/slaaponderzoek/", {"file": SimpleUploadedFile("b.edf", EDF_HEAD)})
    assert r.status_code == 200 and "Er wacht of loopt al een analyse" in r.content.decode()
    assert PsgUpload.objects.filter(sleeper=s).count() == 1
    as_user(other).post("/slaaponderzoek/", {"file": SimpleUploadedFile("c.edf", EDF_HEAD)})
    mine, theirs = Job.objects.get(user=s), Job.objects.get(user=other)
    assert (jobs.position(mine), jobs.position(theirs)) == (1, 2)
    # An export is quick and someone waits for it: it goes before the analyses.
    export = jobs.enqueue(Job.Kind.EXPORT, other)
    assert (jobs.position(export), jobs.position(theirs)) == (1, 3)
    # The status JSON is the owner's only, and says the place in the queue.
    data = as_user(other).get(f"/taken/{theirs.pk}/status.json").json()
    assert data["status"] == "queued" and data["position"] == 3 and "Uw plaats: 3" in data["text"]
    assert as_user(s).get(f"/taken/{theirs.pk}/status.json").status_code == 404
    # Running: no place, a percentage.
    supervise.claim(mine.pk)
    Job.objects.filter(pk=mine.pk).update(progress=42)
    data = c.get(f"/taken/{mine.pk}/status.json").json()
    assert (data["status"], data["position"], data["progress"]) == ("running", 0, 42)
    assert "42% klaar" in data["text"] and not data["finished"]
    assert (jobs.position(theirs)) == 2


def test_a_dead_workers_job_is_queued_again_then_fails_when_out_of_tries(household, up_dir, settings):
    s = household["sleeper"]
    up = _upload(s)
    job = jobs.enqueue(Job.Kind.ANALYSIS, s, upload=up)
    first_task = job.task_id
    supervise.claim(job.pk)
    DBTaskResult.objects.filter(id=first_task).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(worker=_dead_token())
    assert recover_jobs() == 1
    job.refresh_from_db()
    up.refresh_from_db()
    assert (job.status, job.attempts, up.status) == ("queued", 1, "queued")
    assert job.task_id != first_task and DBTaskResult.objects.get(id=first_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    # A live worker's job is left alone; another host's only once its heartbeat is stale.
    supervise.claim(job.pk)
    assert recover_jobs() == 0
    Job.objects.filter(pk=job.pk).update(worker="other-host|b|1|2", heartbeat=timezone.now())
    assert recover_jobs() == 0
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(minutes=10))
    assert recover_jobs() == 1
    # The last try: the job fails, and the sleeper gets the "start again" button.
    settings.JOB_MAX_ATTEMPTS = 2
    supervise.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(worker=_dead_token())
    recover_jobs()
    job.refresh_from_db()
    up.refresh_from_db()
    assert (job.status, job.error_code, up.status, up.interrupted) == ("failed", "interrupted", "failed", True)
    assert "De server is een paar keer gestopt" in up.error


def test_memory_and_unexpected_failures_are_plain_sentences(household, up_dir, monkeypatch):
    s = household["sleeper"]
    up = _upload(s)
    job = jobs.enqueue(Job.Kind.ANALYSIS, s, upload=up, language="en")

    def oom(job):
        raise MemoryError

    monkeypatch.setattr(work, "run", oom)
    runner.execute(supervise.claim(job.pk))
    job.refresh_from_db()
    up.refresh_from_db()
    assert job.error_code == "memory" and up.error.startswith("This needed more working memory")
    assert not up.interrupted  # the same file would fail again: no "start again"


def test_the_child_limits_its_own_address_space():
    code = ("import os; from nachtwacht.web.jobs.runner import limit_self; "
            "limit_self(os.getppid()); small = bytearray(64 * 2**20); print('small ok', flush=True); "
            "big = bytearray(1024 * 2**20)")
    env = dict(os.environ, NACHTWACHT_JOB_MEMORY_MB="512")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "small ok" in proc.stdout and proc.returncode != 0 and "MemoryError" in proc.stderr


def test_a_long_diary_exports_as_a_job_and_downloads_when_ready(household, as_user, up_dir, monkeypatch):
    s = household["sleeper"]
    c = as_user(s)
    monkeypatch.setattr(views, "EXPORT_DIRECT_MAX_ROWS", 1)  # the household's 3 rows are "long"
    page = c.get("/export/").content.decode()
    assert "Zet mijn gegevens klaar" in page and "export/klaarzetten" in page
    assert c.post("/export/klaarzetten/").status_code == 302
    c.post("/export/klaarzetten/")  # a double click queues one export
    job = Job.objects.get(user=s, kind="export")
    page = c.get("/export/").content.decode()
    assert "Uw plaats: 1" in page and "jobs.js" in page and "<progress" in page
    monkeypatch.setattr("nachtwacht.web.views.account._reports", lambda diary, language: {"report.pdf": b"%PDF"})
    runner.execute(supervise.claim(job.pk))
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    path = job.output_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    page = c.get("/export/").content.decode()
    assert "Uw gegevens staan klaar" in page and f"/export/{job.pk}/download/" in page
    r = c.get(f"/export/{job.pk}/download/")
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert "GEHEIM-PRIVE" in z.read("nachtwacht.json").decode() and z.read("report.pdf") == b"%PDF"
    assert as_user(household["stranger"]).get(f"/export/{job.pk}/download/").status_code == 404
    # A new export replaces the old one; deleting the account removes the file.
    s.delete()
    assert not path.exists()


def test_tighten_makes_an_older_data_dir_private_but_leaves_static_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "uploads").mkdir(mode=0o755)
    (tmp_path / "static").mkdir(mode=0o755)
    for p in (tmp_path / "nachtwacht.sqlite3", tmp_path / "uploads" / "a.edf", tmp_path / "static" / "x.css"):
        p.write_bytes(b"x")
        p.chmod(0o644)
    tmp_path.chmod(0o755)
    privacy.tighten(tmp_path)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "nachtwacht.sqlite3") == mode(tmp_path / "uploads" / "a.edf") == 0o600
    assert mode(tmp_path / "uploads") == 0o700 and mode(tmp_path) == 0o711  # static inside: passable
    assert mode(tmp_path / "static" / "x.css") == 0o644


def test_the_demo_household_gets_a_queued_sleep_study(db, settings, tmp_path, monkeypatch):
    from nachtwacht.web import demo

    settings.UPLOAD_DIR = tmp_path / "uploads"
    night = tmp_path / "night.edf"
    night.write_bytes(EDF_HEAD)
    monkeypatch.setattr(demo, "demo_night_file", lambda: night)
    demo.build_demo(weeks=1, sleep_study=True)
    up = PsgUpload.objects.get(sleeper__username="demo")
    first = settings.UPLOAD_DIR / up.stored_name
    assert first.read_bytes() == EDF_HEAD and up.jobs.get().status == "queued"
    demo.build_demo(weeks=1, sleep_study=True)  # again: the old study and its file go
    assert not first.exists() and PsgUpload.objects.filter(sleeper__username="demo").count() == 1


def test_collected_static_files_stay_readable_for_the_web_server(settings, tmp_path):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    js = tmp_path / "static" / "nachtwacht" / "jobs.js"
    assert stat.S_IMODE(js.stat().st_mode) == 0o644
    assert stat.S_IMODE(js.parent.stat().st_mode) == 0o755


def test_a_job_the_worker_cannot_start_goes_back_on_the_queue(household, up_dir, monkeypatch):
    job = jobs.enqueue(Job.Kind.EXPORT, household["sleeper"])

    def no_fork(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(supervise.subprocess, "Popen", no_fork)
    # The test runs inside a transaction: Django's close_old_connections() would close
    # that connection on PostgreSQL (autocommit differs from the settings); a real worker
    # is never inside one.
    monkeypatch.setattr(supervise, "close_old_connections", lambda: None)
    with pytest.raises(OSError):
        supervise.supervise(job.pk)
    job.refresh_from_db()
    # Not left "running" under a live worker (recovery would never pick it up).
    assert (job.status, job.attempts) == ("queued", 1)
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
