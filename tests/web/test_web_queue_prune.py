"""Ended background jobs are pruned after the retention (issue #15).

Finished and failed job rows older than ``JOB_RETENTION_DAYS`` go, with their files and
the task backend's rows; queued and running jobs, recent ones and the analysis results
on the study rows stay. ``nachtwacht manage prune_jobs`` and each worker (at start and
once a day) do it.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nachtwacht.web import jobs
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.jobs import worker
from nachtwacht.web.jobs.models import Job


@pytest.fixture
def out_dir(settings, tmp_path):
    settings.JOB_OUTPUT_DIR = tmp_path / "exports"
    settings.JOB_OUTPUT_DIR.mkdir()
    settings.JOB_RETENTION_DAYS = 30
    return settings.JOB_OUTPUT_DIR


def _ended(user, kind, status, days_ago: float, out_dir=None, **kw) -> Job:
    job = jobs.enqueue(kind, user, **kw)
    when = timezone.now() - dt.timedelta(days=days_ago)
    output = ""
    if out_dir is not None:
        output = f"{user.pk}-{job.pk}.zip"
        (out_dir / output).write_bytes(b"zip")
    Job.objects.filter(pk=job.pk).update(status=status, finished=when, output=output)
    DBTaskResult.objects.filter(id=job.task_id).update(
        status="SUCCESSFUL" if status == Job.Status.DONE else "FAILED", finished_at=when)
    return Job.objects.get(pk=job.pk)


def test_prune_removes_ended_jobs_past_the_retention_and_nothing_else(household, out_dir):
    s = household["sleeper"]
    up = PsgUpload.objects.create(sleeper=s, original_name="n.edf", stored_name="n.edf", size=3,
                                  status=PsgUpload.Status.DONE, result={"stats": {"TST": 400}})
    old_done = _ended(s, Job.Kind.ANALYSIS, Job.Status.DONE, 31, upload=up)
    old_failed = _ended(s, Job.Kind.REPORT, Job.Status.FAILED, 45)
    old_export = _ended(s, Job.Kind.EXPORT, Job.Status.DONE, 40, out_dir)
    recent = _ended(s, Job.Kind.ANALYSIS, Job.Status.FAILED, 29, upload=up)
    queued = jobs.enqueue(Job.Kind.ANALYSIS, household["stranger"])
    Job.objects.filter(pk=queued.pk).update(created=timezone.now() - dt.timedelta(days=90))
    running = jobs.enqueue(Job.Kind.EXPORT, household["stranger"])
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING,
                                             started=timezone.now() - dt.timedelta(days=60))
    export_file = out_dir / old_export.output
    assert export_file.is_file() and DBTaskResult.objects.count() == 6

    out = io.StringIO()
    call_command("prune_jobs", stdout=out)

    assert "ended jobs removed: 3; task rows removed: 3" in out.getvalue()
    left = set(Job.objects.values_list("pk", flat=True))
    assert left == {recent.pk, queued.pk, running.pk}
    assert not export_file.exists()  # the file went with its row
    assert not Job.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()
    # The task rows of unfinished and recent jobs stay; the study keeps its result.
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        uuid.UUID(j.task_id) for j in (recent, queued, running)}
    up.refresh_from_db()
    assert up.status == PsgUpload.Status.DONE and up.result == {"stats": {"TST": 400}}


def test_a_shorter_retention_on_the_command_line_and_the_worker_prunes_at_start(household, out_dir,
                                                                                settings, monkeypatch):
    s = household["sleeper"]
    a = _ended(s, Job.Kind.REPORT, Job.Status.DONE, 3)
    b = _ended(s, Job.Kind.REPORT, Job.Status.DONE, 1)
    out = io.StringIO()
    call_command("prune_jobs", "--days", "2", stdout=out)
    assert "ended jobs removed: 1" in out.getvalue()
    assert list(Job.objects.values_list("pk", flat=True)) == [b.pk]
    assert not Job.objects.filter(pk=a.pk).exists()
    # The worker's pruning (at its start, then every PRUNE_EVERY_S) uses the setting.
    settings.JOB_RETENTION_DAYS = 1
    # The test runs inside a transaction: close_old_connections() (right in a real
    # worker, which is never inside one) would close it on PostgreSQL.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    worker._prune()
    assert not Job.objects.exists()
    assert worker.PRUNE_EVERY_S == 24 * 3600
