"""The work of each job kind, run inside the limited child process (:mod:`runner`).

Progress: the work announces phases (``Progress.phase(lo, hi)``) and a small thread
moves the bar inside the current phase as time passes (it slows down as it nears the
phase's end), so the page shows movement without the core knowing about a web page.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from nachtwacht.web.core import optional
from nachtwacht.web.jobs.models import Job


class Progress:
    """Write a job's progress (0-100) to its row every couple of seconds."""

    def __init__(self, job: Job, every_s: float = 2.0, tau_s: float = 20.0) -> None:
        self.job, self.every_s, self.tau_s = job, every_s, tau_s
        self.lo, self.hi, self.since = 1, 5, time.monotonic()
        self.written = -1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def phase(self, lo: int, hi: int) -> None:
        self.lo, self.hi, self.since = lo, hi, time.monotonic()
        self._write(lo)

    def value(self) -> int:
        t = time.monotonic() - self.since
        return int(self.lo + (self.hi - self.lo) * (1 - math.exp(-t / self.tau_s)))

    def _write(self, value: int) -> None:
        value = max(0, min(99, value))
        if value != self.written:
            try:
                Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(progress=value)
            except DatabaseError:  # busy: a missed step of the bar is harmless, the next one comes
                return
            self.written = value

    def _tick(self) -> None:
        try:
            while not self._stop.wait(self.every_s):
                self._write(self.value())
        finally:
            close_old_connections()


@contextlib.contextmanager
def _announce(module, name: str, before):
    """While inside, calling ``module.name`` first calls ``before()`` (restored after)."""
    real = getattr(module, name, None)
    if real is None:
        yield
        return

    def wrapped(*args, **kwargs):
        before()
        return real(*args, **kwargs)

    setattr(module, name, wrapped)
    try:
        yield
    finally:
        setattr(module, name, real)


def analysis(job: Job, progress: Progress) -> None:
    """Analyse the job's stored sleep study and keep the result on its PsgUpload row."""
    from nachtwacht.web.front.models import PsgUpload

    up = job.upload
    pipeline = optional("nachtwacht.psg.pipeline")
    if pipeline is None or not hasattr(pipeline, "analyse"):
        up.status = PsgUpload.Status.UNAVAILABLE
        up.save(update_fields=["status"])
        return
    # Phases of the pipeline, for the progress bar.
    with contextlib.ExitStack() as phases:
        phases.enter_context(_announce(optional("nachtwacht.psg.read"), "read_recording",
                                       lambda: progress.phase(3, 20)))
        phases.enter_context(_announce(optional("nachtwacht.psg.staging"), "stage",
                                       lambda: progress.phase(20, 50)))
        phases.enter_context(_announce(pipeline, "_run_detectors", lambda: progress.phase(50, 95)))
        result = pipeline.analyse(str(settings.UPLOAD_DIR / up.stored_name), lang=job.language)
    # ``dumps`` turns NumPy numbers into plain JSON, which the JSONField needs.
    if hasattr(result, "dumps"):
        up.result = json.loads(result.dumps())
    else:
        up.result = result.to_json() if hasattr(result, "to_json") else None
    up.status, up.error, up.finished, up.interrupted = PsgUpload.Status.DONE, "", timezone.now(), False
    up.save(update_fields=["status", "result", "error", "finished", "interrupted"])
    # The viewer's overview envelopes now, so the first look at the study is fast
    # (web/viewer; computed lazily there if this fails: never a reason to fail the job).
    with contextlib.suppress(Exception):
        from nachtwacht.web import viewer

        viewer.envelopes(up)


def export(job: Job, progress: Progress) -> None:
    """Write the person's full export zip under JOB_OUTPUT_DIR (0600, renamed when complete)."""
    from nachtwacht.web.views import account

    progress.phase(5, 30)
    folder = settings.JOB_OUTPUT_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{job.user_id}-{uuid.uuid4().hex}.zip"
    tmp = folder / (name + ".part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, _announce(account, "_reports", lambda: progress.phase(30, 85)):
            account.write_export(job.user, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    job.output = name
    job.save(update_fields=["output"])
    # One export per person is enough: older ones are removed with their files.
    for old in Job.objects.filter(user_id=job.user_id, kind=Job.Kind.EXPORT).exclude(pk=job.pk):
        if old.status in (Job.Status.DONE, Job.Status.FAILED):
            old.delete()


def _write_private(name: str, write) -> None:
    """``write(out)`` into JOB_OUTPUT_DIR/name, 0600, renamed into place when complete."""
    folder = settings.JOB_OUTPUT_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = folder / (name + ".part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def report(job: Job, progress: Progress) -> None:
    """Render a long GP report's PDF under JOB_OUTPUT_DIR (0600)."""
    from nachtwacht.web.jobs import reports

    progress.phase(5, 95)
    pdf = reports.build_pdf(job)
    name = f"{job.user_id}-{uuid.uuid4().hex}.pdf"
    _write_private(name, lambda out: out.write(pdf))
    job.output = name
    job.save(update_fields=["output"])


def device(job: Job, progress: Progress) -> None:
    """Read the job's uploaded device file into a DeviceUpload (its id goes in ``params``).

    The file stays until the job has ended (a killed try reads it again); :func:`run`
    and ``supervise.finish_failed`` remove it.
    """
    from django.db import transaction
    from django.utils import translation

    from nachtwacht.web.front.models import DeviceUpload
    from nachtwacht.web.views.device import summarise_file

    params = dict(job.params)
    # A try killed after the row was stored must not store it twice.
    if DeviceUpload.objects.filter(pk=params.get("device_upload") or 0, sleeper_id=job.user_id).exists():
        return
    path = job.input_path()
    if path is None or not path.is_file():
        from nachtwacht.device import DeviceFormatError

        raise DeviceFormatError("Het bestand is niet meer op de server. Stuur het opnieuw.",
                                "The file is no longer on the server. Please upload it again.")
    progress.phase(5, 95)
    with translation.override(job.language):
        summary = summarise_file(job.user, path, params.get("original", ""))
    with transaction.atomic():
        up = DeviceUpload.objects.create(sleeper=job.user, original_name=params.get("original", "")[:255],
                                         summary=summary)
        params["device_upload"] = up.pk
        Job.objects.filter(pk=job.pk).update(params=params)
    job.params = params


KINDS = {Job.Kind.ANALYSIS: analysis, Job.Kind.EXPORT: export, Job.Kind.REPORT: report,
         Job.Kind.DEVICE: device}


def run(job: Job) -> None:
    """Run ``job``'s work and mark it done (failures are the caller's to record)."""
    with Progress(job) as progress:
        KINDS[job.kind](job, progress)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE, progress=100, finished=timezone.now(), error="", error_code="")
    job.remove_input()  # done: the uploaded file is not kept (only the figures are)
