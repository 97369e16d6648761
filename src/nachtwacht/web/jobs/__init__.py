"""Background jobs on Django's tasks framework (the ``django-tasks`` backport).

Sleep-study analyses, full exports, long report PDFs and large or raw device files
(``device``: read into a DeviceUpload) run outside the web process: the view stores a
:class:`~nachtwacht.web.jobs.models.Job` and enqueues the task :func:`tasks.run_job`
on the database backend (``django_tasks_db``), in the same transaction (on RQ: right
after it, :mod:`backend`). A worker
(``nachtwacht worker``, also started by ``nachtwacht serve``) takes it and runs the
work in a child process with a wall-clock and an address-space limit
(:mod:`~nachtwacht.web.jobs.supervise`), so a crafted file cannot take the worker or
the site down. A job whose worker died is queued again (:mod:`recovery`).

Why this library: it is the backport of ``django.tasks`` (Django 6.0), so the same
task definitions run on Django's own framework later, and its database backend needs
no broker. Where one machine is not enough, the same tasks run on RQ (Redis) through
``django-tasks-rq`` (``NACHTWACHT_TASKS_BACKEND=rq``; :mod:`backend` holds what differs),
and ``psg batch`` runs research batches on Dask (docs/operations.md, "Background jobs").
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

log = logging.getLogger("nachtwacht.web.jobs")

#: Priorities on the queue (django-tasks: higher runs first): exports, reports and device
#: files are quick (seconds to a minute) and someone waits for them; analyses take minutes.
PRIORITY = {"export": 10, "report": 10, "device": 10, "analysis": 0}
#: Kinds that go on RQ's "quick" queue (RQ has no priorities: :mod:`backend`).
QUICK_KINDS = tuple(k for k, p in PRIORITY.items() if p > 0)


def enqueue(kind: str, user, *, upload=None, language: str = "nl", params: dict | None = None):
    """Store a job and put it on the queue (one transaction); return the Job."""
    from nachtwacht.web.jobs.models import Job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, user=user, upload=upload, language=language,
                                 params=params or {})
        requeue(job)
    return job


def requeue(job, delay_s: float = 0) -> None:
    """Put ``job`` (again) on the queue, after ``delay_s`` seconds."""
    from nachtwacht.web.jobs import backend

    if not backend.is_rq():
        _put(job, delay_s)  # a table in the same database: part of the caller's transaction
        return

    def put() -> None:
        try:
            _put(job, delay_s)
        except Exception as exc:  # noqa: BLE001 - Redis away: recovery queues it again later
            log.warning("job %s could not be queued (%s); recovery will retry",
                        job.pk, type(exc).__name__)

    # Redis is outside the transaction: queue the task only once the job row is visible.
    transaction.on_commit(put)


def _put(job, delay_s: float) -> None:
    import datetime as dt

    from django.utils import timezone

    from nachtwacht.web.jobs.backend import is_rq, queue_for
    from nachtwacht.web.jobs.tasks import run_job

    # RQ has no priorities (the backend refuses one): there the queue gives the order.
    task = run_job.using(queue_name=queue_for(job.kind)) if is_rq() else run_job.using(
        priority=PRIORITY.get(job.kind, 0))
    if delay_s:
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay_s))
    result = task.enqueue(job.pk)
    type(job).objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def active(user, kind: str = "analysis"):
    """The user's queued or running job of ``kind``, or None."""
    from nachtwacht.web.jobs.models import Job

    return (Job.objects.filter(user=user, kind=kind, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
            .order_by("created").first())


def position(job) -> int:
    """1 for the next job to run, 2 for the one after...; 0 when it runs or has finished."""
    from nachtwacht.web.jobs.models import Job

    if job.status != Job.Status.QUEUED:
        return 0
    mine = PRIORITY.get(job.kind, 0)
    queued = Job.objects.filter(status=Job.Status.QUEUED)
    # Higher-priority kinds overtake, whenever they came; the same priority runs in order.
    higher = queued.filter(kind__in=[k for k, p in PRIORITY.items() if p > mine]).count()
    earlier = queued.filter(kind__in=[k for k, p in PRIORITY.items() if p == mine]).filter(
        Q(created__lt=job.created) | Q(created=job.created, pk__lt=job.pk)).count()
    return higher + earlier + 1
