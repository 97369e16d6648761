"""Task definitions for the tasks framework (found by the worker, ``db_worker`` or RQ's, by
their import path)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> dict:
    """Run one :class:`~nachtwacht.web.jobs.models.Job` in a limited child process.

    Only the job's id goes on the queue: the task table never holds health data.
    """
    from nachtwacht.web.jobs.supervise import supervise

    return supervise(job_id)
