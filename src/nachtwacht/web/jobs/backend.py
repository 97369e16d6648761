"""What differs between the two task backends: the database (default) and RQ (Redis).

Everything a person sees about a job (whose it is, progress, queue place, outcome, the
one-analysis-per-sleeper rule, retries) lives on our own :class:`~.models.Job` row, so
it works the same on both. Only these touch a backend's own bookkeeping:

* which queue a kind goes to (RQ has no priorities: a worker reads the "quick" queue
  before "default", which gives exports, reports and device files the same head start);
* when a task goes on the queue (RQ: after the job row is committed, else a fast
  worker could look for the row before it exists);
* what recovery asks about a task (through the framework's ``get_result``) and closes;
* pruning the backend's finished rows, and the worker command itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os

from django.conf import settings

log = logging.getLogger("nachtwacht.web.jobs")

#: RQ queues in the order a worker reads them.
RQ_QUEUES = ("quick", "default")


def is_rq() -> bool:
    return getattr(settings, "TASKS_BACKEND", "database") == "rq"


def queue_for(kind: str) -> str:
    from nachtwacht.web.jobs import QUICK_KINDS

    return "quick" if is_rq() and kind in QUICK_KINDS else "default"


def task_state(task_id: str):
    """The backend's TaskResult for ``task_id``; None when it does not exist (any more).

    Raises when the backend cannot be asked (Redis down): then nobody can tell whether
    the task is lost, and recovery must leave the job alone.
    """
    from django_tasks.exceptions import TaskResultDoesNotExist

    from nachtwacht.web.jobs.tasks import run_job

    if not task_id:
        return None
    try:
        return run_job.get_backend().get_result(task_id)
    except TaskResultDoesNotExist:
        return None


def close_task(task_id: str, now: dt.datetime) -> None:
    """Mark a lost try's task row failed (database backend: it would say RUNNING for ever).

    RQ moves the jobs of a dead worker to its failed registry by itself.
    """
    from django_tasks_db.models import DBTaskResult

    if is_rq() or not task_id:
        return
    with contextlib.suppress(Exception):  # not a uuid, or the table was pruned
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=now)


def prune_tasks(cutoff: dt.datetime) -> int:
    """Remove the backend's rows of tasks that ended before ``cutoff``; return how many."""
    from django_tasks_db.models import DBTaskResult

    # The table exists on both backends (rows from before a switch to RQ are pruned too).
    n, _ = DBTaskResult.objects.filter(status__in=("SUCCESSFUL", "FAILED"),
                                       finished_at__lt=cutoff).delete()
    if is_rq():
        n += _prune_rq_failed(cutoff)
    return n


def _prune_rq_failed(cutoff: dt.datetime) -> int:
    """RQ forgets finished jobs itself (result TTL) but keeps failed ones for a year."""
    import django_rq
    from django_tasks_rq.backend import Job as RQJob
    from rq.registry import FailedJobRegistry

    n = 0
    for name in RQ_QUEUES:
        queue = django_rq.get_queue(name, job_class=RQJob)
        registry = FailedJobRegistry(queue=queue)
        for job_id in registry.get_job_ids():
            job = queue.fetch_job(job_id)
            ended = getattr(job, "ended_at", None)
            if ended is not None and ended.tzinfo is None:  # RQ writes UTC, with or without tz
                ended = ended.replace(tzinfo=dt.UTC)
            if job is None or (ended is not None and ended < cutoff):
                registry.remove(job_id, delete_job=True)
                n += 1
    return n


def _die_with_worker(worker_pid: int):
    def after_fork() -> None:
        if os.getppid() == worker_pid:  # a direct child (RQ's scheduler), not a grandchild
            from nachtwacht.web.jobs.runner import die_with_parent

            die_with_parent(worker_pid)

    return after_fork


def run_worker(*, interval: float, batch: bool, max_tasks: int | None, worker_id: str,
               verbosity: int) -> None:
    """Run the backend's worker in this process until it is stopped."""
    from django.core.management import call_command

    if not is_rq():
        call_command("db_worker", queue_name="default", interval=interval, batch=batch,
                     reload=False, startup_delay=False, max_tasks=max_tasks,
                     worker_id=worker_id, verbosity=verbosity)
        return
    # SimpleWorker runs each task in this process, as ``db_worker`` does: the task already
    # starts its own limited child (supervise.py), so RQ's extra fork per job would only
    # hide the worker's pid from recovery. The scheduler runs retries that must wait; it is
    # a forked process, which would outlive a killed worker (OOM killer, ``nachtwacht
    # serve`` killed) and hold RQ's scheduler lock: it dies with the worker instead.
    os.register_at_fork(after_in_child=_die_with_worker(os.getpid()))
    call_command("rqworker", *RQ_QUEUES, worker_class="rq.worker.SimpleWorker",
                 job_class="django_tasks_rq.backend.Job", with_scheduler=True, burst=batch,
                 max_jobs=max_tasks, name=worker_id, verbosity=verbosity)
