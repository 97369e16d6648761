"""Steps of the RQ test run in a child process (same database and Redis as the worker).

    python _rqtool.py later USER SECONDS   # a report job put on the queue SECONDS from now
    python _rqtool.py lose USER            # an export asked 2 min ago never reached the queue
    python _rqtool.py started JOB...       # when each job started (epoch seconds)
    python _rqtool.py age JOB              # the job was created 2 min ago
    python _rqtool.py rqfail               # a task RQ recorded as failed 40 days ago
    python _rqtool.py prune DAYS           # prune ended jobs older than DAYS; what is left
    python _rqtool.py recover              # one recovery round; prints how many were lost
    python _rqtool.py rq                   # what RQ itself knows: workers, queues, registries
    python _rqtool.py seed USER EDF | export USER NIGHTS | wait JOB STATUS S [P] | show JOB
                                           # as in _queuetool.py
    python _rqtool.py STEP... -- STEP...   # several steps in one process; $N = id of step N
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys


def later(username: str, seconds: float) -> None:
    from nachtwacht.web import jobs
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.jobs.models import Job

    user = User.objects.create_user(username, password="queue-test-pw-1", role="sleeper")
    from nachtwacht.web.views.report import NONE

    # The choices the report form would send for an empty October, no sleep study.
    job = Job.objects.create(kind=Job.Kind.REPORT, user=user, language="nl", params={
        "share": None, "van": "2026-10-01", "tot": "2026-10-31", "taal": "nl", "onderzoek": NONE})
    jobs.requeue(job, delay_s=seconds)  # the path of a retry after a pause
    job.refresh_from_db()
    print(json.dumps({"id": job.pk, "task_id": job.task_id}), flush=True)


def lose(username: str) -> None:
    from django.utils import timezone

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.jobs.models import Job

    # As if Redis had been away when the export was asked for (2 min ago): no task at all.
    user = User.objects.create_user(username, password="queue-test-pw-1", role="sleeper")
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=user, language="nl")
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - dt.timedelta(minutes=2))
    print(json.dumps({"id": job.pk}), flush=True)


def age(job_id: int) -> None:
    from django.utils import timezone

    from nachtwacht.web.jobs.models import Job

    Job.objects.filter(pk=job_id).update(created=timezone.now() - dt.timedelta(minutes=2))
    print(json.dumps({"id": job_id}), flush=True)


def rq_failed_long_ago() -> None:
    """A task RQ recorded as failed 40 days ago (RQ keeps failed ones for a year)."""
    import django_rq
    from django.utils import timezone
    from django_tasks_rq.backend import Job as RQJob
    from rq.registry import FailedJobRegistry

    queue = django_rq.get_queue("default", job_class=RQJob)
    job = queue.create_job("nachtwacht.web.jobs.tasks.run_job", args=[0])
    job.ended_at = timezone.now() - dt.timedelta(days=40)
    job.save()
    FailedJobRegistry(queue=queue).add(job, ttl=365 * 24 * 3600)
    print(json.dumps({"id": job.id, "failed": FailedJobRegistry(queue=queue).count}), flush=True)


def prune(days: int) -> None:
    import django_rq
    from rq.registry import FailedJobRegistry

    from nachtwacht.web.jobs.models import Job
    from nachtwacht.web.jobs.recovery import prune_finished

    found = prune_finished(days)
    left = FailedJobRegistry(queue=django_rq.get_queue("default")).count
    print(json.dumps({**found, "rq_failed_left": left, "jobs_left": Job.objects.count()}), flush=True)


def started(ids: list[str]) -> None:
    from nachtwacht.web.jobs.models import Job

    print(json.dumps({str(j.pk): j.started.timestamp() if j.started else None
                      for j in Job.objects.filter(pk__in=[int(i) for i in ids])}), flush=True)


def recover() -> None:
    from nachtwacht.web.jobs.recovery import recover_jobs

    print(json.dumps({"lost": recover_jobs()}), flush=True)


def rq_state() -> None:
    import django_rq
    from rq import Worker

    conn = django_rq.get_connection("default")
    print(json.dumps({
        "workers": [w.name for w in Worker.all(connection=conn)],
        "queued": {q: django_rq.get_queue(q).count for q in ("quick", "default")},
        "finished": {q: django_rq.get_queue(q).finished_job_registry.count for q in ("quick", "default")},
    }), flush=True)


def _step(argv: list[str]) -> None:
    import _queuetool as q

    step = argv[0]
    if step == "later":
        later(argv[1], float(argv[2]))
    elif step == "lose":
        lose(argv[1])
    elif step == "rqfail":
        rq_failed_long_ago()
    elif step == "prune":
        prune(int(argv[1]))
    elif step == "age":
        age(int(argv[1]))
    elif step == "started":
        started(argv[1:])
    elif step == "recover":
        recover()
    elif step == "rq":
        rq_state()
    elif step == "seed":
        q.seed(argv[1], argv[2])
    elif step == "export":
        q.export(argv[1], int(argv[2]))
    elif step == "wait":
        q.wait(int(argv[1]), argv[2], float(argv[3]), int(argv[4]) if len(argv) > 4 else 0)
    elif step == "show":
        print(json.dumps(q.describe(int(argv[1]))), flush=True)
    else:
        raise SystemExit(f"unknown step {step}")


def main(argv: list[str]) -> None:
    """Steps separated by ``--`` run one after another in this one process (Django starts
    once: each start costs seconds on a loaded machine); ``$N`` is the id printed by step N."""
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from _queuetool import setup

    setup()
    steps: list[list[str]] = [[]]
    for a in argv:
        if a == "--":
            steps.append([])
        else:
            steps[-1].append(a)
    ids: list[str] = []
    for step in steps:
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                _step([ids[int(a[1:])] if a.startswith("$") else a for a in step])
        finally:  # also when a wait gives up (exit 1): show where it stood
            line = (buf.getvalue().strip().splitlines() or ["{}"])[-1]
            print(line, flush=True)
        ids.append(str(json.loads(line).get("id", "")))


if __name__ == "__main__":
    main(sys.argv[1:])
