"""Recovery: jobs whose worker died are queued again, never left "running".

Run at every worker start, every minute inside each worker, by ``nachtwacht manage
psg_recover`` and when a page asks for a job's status. A running job is lost when its
worker process is gone (checked through /proc on the same host: pid *and* start time,
so a reused pid is not mistaken for it) or, for a worker on another host, when its
heartbeat is older than ``JOB_HEARTBEAT_STALE_S``. Lost jobs go back on the queue until
``JOB_MAX_ATTEMPTS`` tries are used up; then they fail with a message saying the server
stopped, and an analysis gets its "start again" button. :func:`prune_finished` removes
ended jobs after ``JOB_RETENTION_DAYS`` (each worker once a day; ``prune_jobs``).
Stale partial uploads, upload temp files (device files read in the request use
``FILE_UPLOAD_TEMP_DIR`` too) and device files no job waits for are removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from nachtwacht.web import psgjobs
from nachtwacht.web.jobs import backend
from nachtwacht.web.jobs.models import Job

log = logging.getLogger("nachtwacht.web.jobs")

#: A queued job whose task was taken by a worker that never started it (killed in
#: between) is given this long before it is queued again.
CLAIM_GRACE_S = 60


def _lost(job: Job, now: dt.datetime) -> bool:
    alive = psgjobs.worker_alive(job.worker) if job.worker else None
    if alive is not None:
        return not alive
    beat = job.heartbeat or job.started or job.created
    return (now - beat).total_seconds() > settings.JOB_HEARTBEAT_STALE_S


def recover_jobs(queryset=None) -> int:
    """Queue lost jobs again (or fail them when out of tries); return how many were lost."""
    from nachtwacht.web import jobs
    from nachtwacht.web.jobs.supervise import retry_or_fail

    qs = Job.objects.all() if queryset is None else queryset
    now = timezone.now()
    n = 0
    for job in qs.filter(status=Job.Status.RUNNING):
        if _lost(job, now):
            backend.close_task(job.task_id, now)
            outcome = retry_or_fail(job, "interrupted")
            n += outcome != "lost"
            log.warning("job %s lost its worker: %s", job.pk, outcome)
    grace = now - dt.timedelta(seconds=CLAIM_GRACE_S)
    for job in qs.filter(status=Job.Status.QUEUED, created__lt=grace):
        try:
            task = backend.task_state(job.task_id)
        except Exception as exc:  # noqa: BLE001 - the queue cannot be asked: leave the job be
            log.warning("job %s: its task cannot be looked up (%s)", job.pk, type(exc).__name__)
            continue
        if task is not None and (task.status == "READY" or (task.started_at or now) > grace):
            continue
        backend.close_task(job.task_id, now)
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, task_id=job.task_id).exists():
            jobs.requeue(job)
            n += 1
            log.warning("job %s had lost its queue entry: queued again", job.pk)
    return n


def expire_exports() -> int:
    """Remove finished exports and report PDFs older than ``JOB_EXPORT_KEEP_S`` (rows and files)."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.JOB_EXPORT_KEEP_S)
    n = 0
    for job in Job.objects.filter(kind__in=(Job.Kind.EXPORT, Job.Kind.REPORT), finished__lt=cutoff):
        job.delete()  # the post_delete signal removes the file
        n += 1
    return n


def prune_finished(days: int | None = None) -> dict[str, int]:
    """Remove finished and failed jobs older than ``days`` (``JOB_RETENTION_DAYS``).

    Our job rows (with their files, through the post_delete signal) and the task
    backend's rows both go. The analysis itself stays on its PsgUpload row: once a job
    has ended, the study page reads only that. Returns how many of each were removed.
    """
    days = settings.JOB_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - dt.timedelta(days=days)
    n = 0
    for job in Job.objects.filter(status__in=(Job.Status.DONE, Job.Status.FAILED),
                                  finished__lt=cutoff).iterator():
        job.delete()  # one by one, so the signal removes each file
        n += 1
    return {"jobs": n, "tasks": backend.prune_tasks(cutoff)}


def clean_stale_files(max_age_s: float = psgjobs.TEMP_MAX_AGE_S) -> int:
    """Partial exports and abandoned upload temp files older than ``max_age_s``."""
    cutoff = time.time() - max_age_s
    n = 0
    for folder, pattern in ((Path(settings.JOB_OUTPUT_DIR), "*.part"),
                            (Path(settings.FILE_UPLOAD_TEMP_DIR), "*")):
        if not folder.is_dir():
            continue
        for p in folder.glob(pattern):
            with contextlib.suppress(OSError):  # gone already, or still being written
                if p.is_file() and p.stat().st_mtime <= cutoff:
                    p.unlink()
                    n += 1
    return n


def clean_device_files(max_age_s: float = psgjobs.TEMP_MAX_AGE_S) -> int:
    """Device files (UPLOAD_DIR/device) no waiting or running job reads, older than ``max_age_s``.

    A job removes its file when it ends; this catches what a killed web process left
    half-written (``.part``) or a job that ended without getting there.
    """
    from nachtwacht.web.jobs.models import DEVICE_SUBDIR

    folder = Path(settings.UPLOAD_DIR) / DEVICE_SUBDIR
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_s
    old = []
    for p in folder.iterdir():
        with contextlib.suppress(OSError):
            if p.is_file() and p.stat().st_mtime <= cutoff:
                old.append(p)
    if not old:
        return 0
    # Read after the listing: a job queued meanwhile is seen here (its file is new anyway).
    waiting = {(j.params or {}).get("stored") for j in Job.objects.filter(
        kind=Job.Kind.DEVICE, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).only("params")}
    n = 0
    for p in old:
        if p.name not in waiting:
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
    return n


def recover_all(max_age_s: float = psgjobs.TEMP_MAX_AGE_S) -> dict[str, int]:
    """Everything recovery does, for the worker and ``psg_recover``."""
    return {"jobs": recover_jobs(), "legacy": psgjobs.recover_interrupted(),
            "exports": expire_exports(),
            "files": psgjobs.clean_temp_files(max_age_s) + clean_stale_files(max_age_s)
            + clean_device_files(max_age_s)}
