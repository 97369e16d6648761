"""Queue steps run in a child process by the worker tests (same database as the worker).

    python _queuetool.py seed USER EDF          # a sleeper uploads EDF through the view; prints the job
    python _queuetool.py wait JOB STATUS SECONDS [MIN_PROGRESS]   # poll; prints the job
    python _queuetool.py show JOB               # prints the job, its upload and its task rows
    python _queuetool.py export USER NIGHTS     # a sleeper with NIGHTS nights asks for the export
"""

from __future__ import annotations

import json
import os
import sys
import time


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()


def _client(user):
    from django.test import Client

    c = Client(HTTP_HOST="localhost")
    c.force_login(user)
    return c


def describe(job_id: int) -> dict:
    from django_tasks_db.models import DBTaskResult

    from nachtwacht.web.jobs.models import Job

    job = Job.objects.get(pk=job_id)
    out = {"id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
           "attempts": job.attempts, "worker": job.worker, "error": job.error,
           "error_code": job.error_code, "output": job.output,
           "tasks": sorted(t.status for t in DBTaskResult.objects.all())}
    if job.upload_id:
        up = job.upload
        out["upload"] = {"status": up.status, "interrupted": up.interrupted,
                         "stats": sorted((up.result or {}).get("stats") or {})}
    return out


def seed(username: str, path: str) -> None:
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.jobs.models import Job

    user = User.objects.create_user(username, password="queue-test-pw-1", role="sleeper")
    with open(path, "rb") as f:
        r = _client(user).post("/slaaponderzoek/", {"file": f})
    assert r.status_code == 302, r.status_code
    print(json.dumps(describe(Job.objects.get(user=user).pk)), flush=True)


def export(username: str, nights: int) -> None:
    import datetime as dt

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.diary.models import Night
    from nachtwacht.web.jobs.models import Job

    user = User.objects.create_user(username, password="queue-test-pw-1", role="sleeper")
    start = dt.date(1975, 1, 1)
    Night.objects.bulk_create(
        [Night(sleeper=user, date=start + dt.timedelta(days=i), bedtime=dt.time(23, 0),
               final_wake=dt.time(7, 0), notes=f"nacht {i}") for i in range(nights)], batch_size=500)
    c = _client(user)
    from nachtwacht.web.jobs.views import EXPORT_DIRECT_MAX_ROWS

    if nights > EXPORT_DIRECT_MAX_ROWS:  # a long diary gets the page, not a zip at once
        page = c.get("/export/")
        assert page.status_code == 200 and b"export/klaarzetten" in page.content, page.status_code
    assert c.post("/export/klaarzetten/").status_code == 302
    print(json.dumps(describe(Job.objects.get(user=user).pk)), flush=True)


def wait(job_id: int, status: str, seconds: float, min_progress: int = 0) -> None:
    from nachtwacht.web.jobs.models import Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status == status and job.progress >= min_progress:
            print(json.dumps(describe(job_id)), flush=True)
            return
        if job.status in ("done", "failed") and job.status != status:
            break
        time.sleep(0.1)
    print(json.dumps(describe(job_id)), flush=True)
    sys.exit(1)


def main(argv: list[str]) -> None:
    setup()
    step = argv[0]
    if step == "seed":
        seed(argv[1], argv[2])
    elif step == "wait":
        wait(int(argv[1]), argv[2], float(argv[3]), int(argv[4]) if len(argv) > 4 else 0)
    elif step == "show":
        print(json.dumps(describe(int(argv[1]))), flush=True)
    elif step == "export":
        export(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1:])
