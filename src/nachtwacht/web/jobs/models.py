"""What a background job is for and how far it got.

The queue itself (which worker takes what, in which order) is the tasks framework's
backend (the database's ``django_tasks_db.DBTaskResult`` rows, or RQ's jobs in Redis);
a :class:`Job` adds what that does not hold, the same on either backend: whose job it is, progress for the page, the limits' outcome in
the person's language, how often it was tried, the file it produced and (device jobs)
the uploaded file it reads.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        ANALYSIS = "analysis"
        EXPORT = "export"
        REPORT = "report"
        DEVICE = "device"  # a large or raw device file read into a DeviceUpload (issue #17)

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    upload = models.ForeignKey("front.PsgUpload", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100, for the progress bar
    language = models.CharField(max_length=5, default="nl")
    task_id = models.CharField(max_length=64, blank=True, default="")  # the task backend's id for the current try
    attempts = models.PositiveSmallIntegerField(default=0)
    # ``psgjobs.worker_token`` of the worker process running it, and its last sign of life.
    worker = models.CharField(max_length=200, blank=True, default="")
    heartbeat = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # timeout / memory / file / crash / interrupted: which sentence the page shows.
    error_code = models.CharField(max_length=16, blank=True, default="")
    error = models.TextField(blank=True, default="")
    output = models.CharField(max_length=255, blank=True, default="")  # file under JOB_OUTPUT_DIR
    # What the job was asked for (a report's period, language, study and share).
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "status", "created"], name="jobs_kind_status_idx")]

    def output_path(self):
        return settings.JOB_OUTPUT_DIR / self.output if self.output else None

    def input_path(self):
        """The uploaded file a device job reads (UPLOAD_DIR/device/...), or None."""
        name = (self.params or {}).get("stored") if self.kind == self.Kind.DEVICE else None
        # Only a bare name written by the view: never a path somewhere else.
        if not name or "/" in name or name.startswith("."):
            return None
        return settings.UPLOAD_DIR / DEVICE_SUBDIR / name

    def remove_input(self) -> None:
        """Remove the job's uploaded file: once the job has ended it is not needed."""
        path = self.input_path()
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


#: Folder under UPLOAD_DIR for device files waiting for their job.
DEVICE_SUBDIR = "device"


def remove_output(sender, instance: Job, **kwargs) -> None:
    path = instance.output_path()
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    instance.remove_input()  # a device job deleted before it ran (account deleted)
