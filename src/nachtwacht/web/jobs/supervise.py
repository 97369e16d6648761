"""Run one job in a child process with limits; the worker's side of a job.

The task function (running in ``db_worker``, or RQ's worker) claims the :class:`Job`, starts
``python -m nachtwacht.web.jobs.runner`` and waits for it with a wall-clock limit,
writing a heartbeat meanwhile. The child sets its own address-space limit
(``RLIMIT_AS``) before importing anything heavy and dies with the worker
(``PR_SET_PDEATHSIG``), so a crafted file costs at most one child, never the worker.

Retry policy: a child that ends without recording an outcome (killed by a signal, an
out-of-memory kill, a database that was busy) is queued again after a pause, at most
``JOB_MAX_ATTEMPTS`` tries in all, counting tries a killed worker cut short. A file
that cannot be read, a time-out or the memory limit fail at once: the same file would
fail the same way again.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import F
from django.utils import timezone

from nachtwacht.web import psgjobs
from nachtwacht.web.jobs import messages
from nachtwacht.web.jobs.models import Job

log = logging.getLogger("nachtwacht.web.jobs")

#: Exit code of a child that could not reach the database (try again later).
EXIT_RETRY = 75
#: Seconds between heartbeats while a child runs.
HEARTBEAT_S = 10.0
#: Pause before a retry: none after the first try (the worker was killed, not the job's
#: fault), then 10 s, 40 s... so a job that crashes its process does not spin.
RETRY_DELAY_S = 10.0


def limits(kind: str) -> dict:
    return settings.JOB_LIMITS.get(kind) or settings.JOB_LIMITS["analysis"]


def child_env(kind: str) -> dict:
    env = dict(os.environ)
    lim = limits(kind)
    env["NACHTWACHT_JOB_MEMORY_MB"] = str(lim["memory_mb"])
    env["NACHTWACHT_JOB_CPU_S"] = str(int(lim["seconds"]) + 30)  # a backstop for the wall clock
    # One thread per numeric library and two malloc arenas: otherwise each thread pool
    # reserves address space (counted by RLIMIT_AS) it never uses.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def claim(job_id: int) -> Job | None:
    """Mark the job running by this process; None if it is not (or no longer) queued."""
    now = timezone.now()
    n = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, worker=psgjobs.worker_token(), started=now, heartbeat=now,
        attempts=F("attempts") + 1, progress=1)
    if not n:
        return None
    job = Job.objects.get(pk=job_id)
    if job.upload_id:
        from nachtwacht.web.front.models import PsgUpload

        PsgUpload.objects.filter(pk=job.upload_id).update(
            status=PsgUpload.Status.RUNNING, worker=job.worker, started=now, error="",
            interrupted=False)
    return job


def finish_failed(job: Job, code: str, text: str | None = None) -> None:
    """Record a failure (only while the job is still running: a finished child wins)."""
    text = text or messages.failure_text(code, job.language, job.kind)
    now = timezone.now()
    n = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, error_code=code, error=text, finished=now)
    if n:
        job.remove_input()  # a failed job is not tried again: its uploaded file can go
    if n and job.upload_id:
        from nachtwacht.web.front.models import PsgUpload

        PsgUpload.objects.filter(pk=job.upload_id).update(
            status=PsgUpload.Status.FAILED, error=text, finished=now,
            interrupted=code in ("interrupted", "crash"))


def retry_or_fail(job: Job, code: str) -> str:
    """Queue ``job`` again if tries are left, else fail it with ``code``; say which."""
    from nachtwacht.web import jobs

    job.refresh_from_db()
    if job.attempts < settings.JOB_MAX_ATTEMPTS:
        n = Job.objects.filter(pk=job.pk, status=job.status, worker=job.worker).update(
            status=Job.Status.QUEUED, worker="", progress=0, heartbeat=None)
        if n:
            if job.upload_id:
                from nachtwacht.web.front.models import PsgUpload

                PsgUpload.objects.filter(pk=job.upload_id).update(status=PsgUpload.Status.QUEUED)
            jobs.requeue(job, delay_s=RETRY_DELAY_S * (job.attempts - 1) ** 2)
            return "retry"
        return "lost"
    finish_failed(job, code)
    return "failed"


def _wait(proc: subprocess.Popen, job: Job, seconds: float) -> bool:
    """Wait for the child, beating the heart; False when the time limit passed."""
    deadline = time.monotonic() + seconds
    beat = time.monotonic()
    while proc.poll() is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
        if time.monotonic() - beat > HEARTBEAT_S:
            beat = time.monotonic()
            try:
                Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(heartbeat=timezone.now())
            except DatabaseError:  # busy for a moment: the next beat comes in 10 s
                log.info("job %s: heartbeat skipped (database busy)", job.pk)
    return True


def supervise(job_id: int) -> dict:
    """Claim job ``job_id``, run it in a limited child process and record how it ended."""
    close_old_connections()
    job = claim(job_id)
    if job is None:
        return {"job": job_id, "outcome": "not queued"}
    try:
        return _run_claimed(job)
    except Exception:
        # This worker lives on, so recovery would never see the job as lost: hand it
        # back to the queue (or fail it) here, then let the task framework log the error.
        log.exception("job %s: the worker could not run it", job.pk)
        retry_or_fail(job, "crash")
        raise


def _run_claimed(job: Job) -> dict:
    lim = limits(job.kind)
    cmd = [sys.executable, "-m", "nachtwacht.web.jobs.runner", str(job.pk), str(os.getpid())]
    log.info("job %s (%s) started, try %d", job.pk, job.kind, job.attempts)
    proc = subprocess.Popen(cmd, env=child_env(job.kind), stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        in_time = _wait(proc, job, float(lim["seconds"]))
    except BaseException:
        # The worker is told to stop (SIGTERM twice, Ctrl+C): take the child along; the
        # job is still "running" and recovery queues it again.
        proc.kill()
        proc.wait()
        raise
    if not in_time:
        proc.kill()
        proc.wait()
        finish_failed(job, "timeout")
        log.warning("job %s stopped at its time limit (%s s)", job.pk, lim["seconds"])
        return {"job": job.pk, "outcome": "timeout"}
    job.refresh_from_db()
    if job.status != Job.Status.RUNNING:  # the child recorded done/failed itself
        return {"job": job.pk, "outcome": job.status}
    rc = proc.returncode
    if rc < 0 or rc == EXIT_RETRY:  # killed by a signal (OOM killer...) or the database was busy
        outcome = retry_or_fail(job, "crash")
    else:
        # A file that was being read (study or device file): "unexpected"; export, report: theirs.
        finish_failed(job, "unexpected" if job.kind in ("analysis", "device") else "export_failed")
        outcome = "failed"
    log.warning("job %s: child ended with %s without a result: %s", job.pk, rc, outcome)
    return {"job": job.pk, "outcome": outcome, "returncode": rc}
