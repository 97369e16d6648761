"""The worker process: ``nachtwacht worker`` (also started by ``nachtwacht serve``).

django-tasks-db's ``db_worker`` takes tasks from the database queue; around it this
module makes files private, recovers what a killed worker left (at start and every
minute, for workers on other machines too), and dies with its parent when one is
named in ``NACHTWACHT_WORKER_PARENT`` (``nachtwacht serve``).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from django.core.management import call_command
from django.db import close_old_connections

log = logging.getLogger("nachtwacht.web.jobs")

#: Seconds between recovery rounds inside a running worker.
RECOVER_EVERY_S = 60.0


def _recover_loop(stop: threading.Event) -> None:
    from nachtwacht.web.jobs.recovery import recover_all

    while not stop.wait(RECOVER_EVERY_S):
        try:
            recover_all()
        except Exception as exc:  # noqa: BLE001 - a busy database must not end the worker
            log.warning("recovery round failed: %s", type(exc).__name__)
        finally:
            close_old_connections()


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
    stop = threading.Event()
    if not batch:
        threading.Thread(target=_recover_loop, args=(stop,), daemon=True, name="recovery").start()
    try:
        call_command("db_worker", queue_name="default", interval=interval, batch=batch,
                     reload=False, startup_delay=False, max_tasks=max_tasks,
                     worker_id=worker_id(), verbosity=verbosity)
    finally:
        stop.set()
