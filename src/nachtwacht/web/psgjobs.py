"""Sleep-study analyses that outlive their process: worker tokens, and recovery.

Analyses run on the task queue (:mod:`nachtwacht.web.jobs`): a job whose worker
died is queued again by :mod:`nachtwacht.web.jobs.recovery`. A *worker token* (host,
boot id, pid and the pid's start time, so a reused pid is not mistaken for the old
process) tells whether a worker is still there. Rows from before the queue (analysed
in a thread of the web process, no job) are still handled here:
:func:`recover_interrupted` marks those whose process is gone, or that run longer than
``PSG_ANALYSIS_MAX_S``, as interrupted so the sleeper can start them again.
Uploads are written to a temporary name first (:data:`TEMP_SUFFIX`);
:func:`clean_temp_files` removes the ones a killed process left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

log = logging.getLogger("nachtwacht.web")

#: Suffix of an upload that is still being written; renamed when complete.
TEMP_SUFFIX = ".part"
#: A temporary upload untouched this long belongs to a dead process (an upload that is
#: still arriving touches its file with every chunk).
TEMP_MAX_AGE_S = 3600
#: Longer than any real analysis (a full night takes minutes): a row still running
#: after this is treated as interrupted even when its worker cannot be checked
#: (another host, or a thread that died without a trace).
DEFAULT_ANALYSIS_MAX_S = 2 * 3600

_token: tuple[int, str] | None = None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def _boot_id() -> str:
    return _read("/proc/sys/kernel/random/boot_id") or "-"


def _start_time(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (Linux), None if it is gone."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its ")".
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def worker_token() -> str:
    """Identify this process uniquely on this machine and across reboots."""
    global _token
    pid = os.getpid()
    if _token is None or _token[0] != pid:  # a forked gunicorn worker gets its own
        _token = (pid, f"{socket.gethostname()}|{_boot_id()}|{pid}|{_start_time(pid) or '-'}")
    return _token[1]


def worker_alive(token: str) -> bool | None:
    """True/False when it can be checked here; None for another host or no /proc."""
    try:
        host, boot, pid_s, start = token.split("|")
        pid = int(pid_s)
    except ValueError:
        return None
    if host != socket.gethostname() or boot == "-" or start == "-":
        return None
    if boot != _boot_id():
        return False  # the machine restarted since
    return _start_time(pid) == start


def _max_age() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "PSG_ANALYSIS_MAX_S", DEFAULT_ANALYSIS_MAX_S))


def interrupted_text(language: str) -> str:
    with translation.override(language):
        return _("The analysis was interrupted because the server stopped. Nothing is wrong with "
                 "your file: start the analysis again.")


def recover_interrupted(queryset=None, language: str = "nl") -> int:
    """Mark unfinished analyses whose process is gone as interrupted; return how many."""
    from nachtwacht.web.front.models import PsgUpload

    qs = PsgUpload.objects.all() if queryset is None else queryset
    qs = qs.filter(jobs__isnull=True)  # rows with a job are the queue's (jobs.recovery)
    now = timezone.now()
    n = 0
    for up in qs.filter(status__in=(PsgUpload.Status.QUEUED, PsgUpload.Status.RUNNING)).only(
            "pk", "worker", "started", "created", "status"):
        alive = worker_alive(up.worker) if up.worker else None
        since = up.started or up.created
        if alive is False or now - since > _max_age():
            # Conditional on the status seen: a worker that finishes meanwhile wins.
            n += PsgUpload.objects.filter(pk=up.pk, status=up.status, worker=up.worker).update(
                status=PsgUpload.Status.FAILED, interrupted=True, error=interrupted_text(language),
                finished=now)
    if n:
        log.warning("%d sleep-study analyses were interrupted and can be started again", n)
    return n


def clean_temp_files(max_age_s: float = TEMP_MAX_AGE_S, upload_dir: Path | None = None) -> int:
    """Remove partial uploads older than ``max_age_s`` seconds; return how many."""
    folder = Path(upload_dir or settings.UPLOAD_DIR)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_s
    n = 0
    for p in folder.glob(f"*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):  # gone already, or another process removes it
            if p.stat().st_mtime <= cutoff:
                p.unlink()
                n += 1
    return n
