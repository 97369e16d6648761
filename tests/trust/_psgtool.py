"""Sleep-study upload steps run in a child process by the fault tests.

Every step goes through the web app's own views (Django's test client against the
database in ``NACHTWACHT_DATA_DIR`` / ``DATABASE_URL``), so a SIGKILL hits exactly
the code a gunicorn worker runs. Usage::

    python _psgtool.py edf OUT.edf                        # a short synthetic night
    python _psgtool.py upload USER EDF [--hang-write]      # then a worker runs the queue
    python _psgtool.py page USER                          # view the uploads page, print rows
    python _psgtool.py retry USER                         # press "start again", run the queue
    python _psgtool.py integrity                          # database consistency check
"""

from __future__ import annotations

import json
import os
import sys
import time

HANG_S = 120


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()


def client(username: str):
    from django.test import Client

    from nachtwacht.web.accounts.models import User

    c = Client(HTTP_HOST="localhost")
    c.force_login(User.objects.get(username=username))
    return c


def rows() -> list[dict]:
    from nachtwacht.web.front.models import PsgUpload

    return [{"pk": u.pk, "status": u.status, "interrupted": u.interrupted, "stored": u.stored_name,
             "error": u.error} for u in PsgUpload.objects.order_by("pk")]


def _hang(signal_line: str) -> None:
    print(signal_line, flush=True)
    time.sleep(HANG_S)


def upload(username: str, path: str, mode: str | None) -> None:
    from django.core.files import uploadedfile


    if mode == "--hang-analysis":
        # The web process no longer analyses (issue #15: the task queue does); a worker
        # killed mid-analysis is tests/trust/test_trust_queue_worker.py.
        raise SystemExit("--hang-analysis: analyses run on the task queue now")
    if mode == "--hang-write":
        cls = uploadedfile.InMemoryUploadedFile
        real_chunks = cls.chunks

        def chunks(self, chunk_size=None):
            data = b"".join(real_chunks(self, chunk_size))
            yield data[: len(data) // 2]
            _hang("WRITING")  # half the file is on disk
            yield data[len(data) // 2:]

        cls.chunks = chunks
    c = client(username)
    with open(path, "rb") as f:
        r = c.post("/slaaponderzoek/", {"file": f})
    assert r.status_code == 302, r.status_code
    _run_queue()
    print(json.dumps(rows()), flush=True)


def _run_queue() -> None:
    """What ``nachtwacht worker --batch`` does: run the queued analyses, then return."""
    from nachtwacht.web.jobs.worker import run

    run(batch=True, verbosity=0)


def page(username: str) -> None:
    r = client(username).get("/slaaponderzoek/")
    assert r.status_code == 200, r.status_code
    print(json.dumps({"rows": rows(), "html": r.content.decode()}), flush=True)


def retry(username: str) -> None:
    from nachtwacht.web.front.models import PsgUpload

    c = client(username)
    up = PsgUpload.objects.get(sleeper__username=username)
    detail = c.get(f"/slaaponderzoek/{up.pk}/").content.decode()
    assert f'action="/slaaponderzoek/{up.pk}/opnieuw/"' in detail, "no retry button"
    r = c.post(f"/slaaponderzoek/{up.pk}/opnieuw/")
    assert r.status_code == 302, r.status_code
    _run_queue()
    print(json.dumps(rows()), flush=True)


def integrity() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA integrity_check")
            print(cur.fetchone()[0], flush=True)
        else:
            # PostgreSQL is crash-safe by design; check the rows are readable and the
            # foreign keys point somewhere.
            cur.execute("SELECT count(*) FROM front_psgupload p LEFT JOIN accounts_user u "
                        "ON u.id = p.sleeper_id WHERE u.id IS NULL")
            print("ok" if cur.fetchone()[0] == 0 else "dangling", flush=True)


def main(argv: list[str]) -> None:
    step = argv[0]
    if step == "edf":
        from nachtwacht.psg.synthetic import write_night

        write_night(argv[1], hours=0.25, sf=64, seed=1)  # 15 minutes: a few seconds to analyse
        return
    setup()
    if step == "upload":
        upload(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    elif step == "page":
        page(argv[1])
    elif step == "retry":
        retry(argv[1])
    elif step == "integrity":
        integrity()
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1:])
