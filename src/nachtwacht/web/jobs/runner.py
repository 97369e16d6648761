"""The child process that does one job: ``python -m nachtwacht.web.jobs.runner JOB PARENT``.

It limits itself first (address space, CPU time, death with its parent), then sets
Django up, runs the work of the job's kind (:mod:`~nachtwacht.web.jobs.work`) and
records the outcome on the Job row. Exit code 75 asks the worker to try again later.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1


def limit_self(parent: int) -> None:
    """Bound this process before it allocates anything (Linux; other systems skip parts)."""
    mem_mb = int(os.environ.get("NACHTWACHT_JOB_MEMORY_MB", "0") or 0)
    if mem_mb > 0:
        size = mem_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    cpu = int(os.environ.get("NACHTWACHT_JOB_CPU_S", "0") or 0)
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Be killed when process ``parent`` ends (Linux ``PR_SET_PDEATHSIG``), so a killed
    worker (or ``nachtwacht serve``) leaves no orphan behind holding a job."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def execute(job) -> int:
    """Run ``job`` here and record its outcome; the exit code for the worker."""
    import logging

    from django.db import OperationalError

    from nachtwacht.web.jobs import messages, work
    from nachtwacht.web.jobs.supervise import EXIT_RETRY, finish_failed

    try:
        work.run(job)
    except MemoryError:
        finish_failed(job, "memory")
    except OperationalError:
        return EXIT_RETRY  # database busy or gone: the worker queues the job again
    except Exception as exc:  # noqa: BLE001 - every failure must end as a visible message
        logging.getLogger("nachtwacht.web.jobs").warning("job %s failed: %s", job.pk, type(exc).__name__)
        if job.kind == "analysis":
            up = job.upload
            finish_failed(job, "file", messages.exception_text(
                exc, job.language, (up.stored_name, up.original_name) if up else None))
        elif job.kind == "device":
            p = job.params or {}
            finish_failed(job, "file", messages.exception_text(
                exc, job.language, (p.get("stored", ""), p.get("original", ""))))
        else:
            finish_failed(job, "export_failed")
    return 0


def main(argv: list[str]) -> int:
    job_id, parent = int(argv[0]), int(argv[1])
    limit_self(parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()
    from django.db import OperationalError

    from nachtwacht.web.jobs.models import Job
    from nachtwacht.web.jobs.supervise import EXIT_RETRY

    try:
        job = Job.objects.get(pk=job_id)
    except OperationalError:
        return EXIT_RETRY
    return execute(job)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
