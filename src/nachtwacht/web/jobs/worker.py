"""The worker process: ``nachtwacht worker`` (also started by ``nachtwacht serve``).

django-tasks-db's ``db_worker`` takes tasks from the database queue (or, with
``NACHTWACHT_TASKS_BACKEND=rq``, django-rq's ``rqworker`` from Redis: :mod:`backend`);
around it this module makes files private, recovers what a killed worker left (at start
and every minute, for workers on other machines too), prunes ended jobs (at start and
once a day) and dies with its parent when one is named in ``NACHTWACHT_WORKER_PARENT``
(``nachtwacht serve``).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time

from django.db import close_old_connections

from nachtwacht.web.jobs import backend

log = logging.getLogger("nachtwacht.web.jobs")

#: Seconds between recovery rounds inside a running worker.
RECOVER_EVERY_S = 60.0
#: Seconds between prunings of ended jobs (JOB_RETENTION_DAYS) inside a running worker.
PRUNE_EVERY_S = 24 * 3600.0


def _prune() -> None:
    from nachtwacht.web.jobs.recovery import prune_finished

    try:
        found = prune_finished()
        if any(found.values()):
            log.info("pruned ended jobs: %s", found)
    except Exception as exc:  # noqa: BLE001 - pruning can wait for the next day
        log.warning("pruning ended jobs failed: %s", type(exc).__name__)
    finally:
        close_old_connections()


def _recover_loop(stop: threading.Event) -> None:
    from nachtwacht.web.jobs.recovery import recover_all

    last_prune = time.monotonic()  # pruned at start already
    while not stop.wait(RECOVER_EVERY_S):
        try:
            recover_all()
        except Exception as exc:  # noqa: BLE001 - a busy database must not end the worker
            log.warning("recovery round failed: %s", type(exc).__name__)
        finally:
            close_old_connections()
        if time.monotonic() - last_prune >= PRUNE_EVERY_S:
            last_prune = time.monotonic()
            _prune()


def worker_id() -> str:
    """Unique across the pool and at most 64 characters (django-tasks-db's limit)."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{secrets.token_hex(6)}"


def run(interval: float = 1.0, batch: bool = False, max_tasks: int | None = None,
        verbosity: int = 1) -> None:
    """Recover, then take jobs from the queue until stopped (SIGTERM/Ctrl+C)."""
    parent = os.environ.get("NACHTWACHT_WORKER_PARENT")
    if parent:
        from nachtwacht.web.jobs.runner import die_with_parent

        die_with_parent(int(parent))
    from nachtwacht.web.jobs import privacy
    from nachtwacht.web.jobs.recovery import recover_all

    privacy.tighten()
    found = recover_all()
    if any(found.values()):
        log.warning("worker start: recovered %s", found)
    close_old_connections()
    _prune()
    stop = threading.Event()
    if not batch:
        threading.Thread(target=_recover_loop, args=(stop,), daemon=True, name="recovery").start()
    try:
        backend.run_worker(interval=interval, batch=batch, max_tasks=max_tasks,
                           worker_id=worker_id(), verbosity=verbosity)
    finally:
        stop.set()
