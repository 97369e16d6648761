"""Uploaded sleep studies and started experiments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PsgUpload(models.Model):
    """An EDF file of a sleep study and the state of its analysis."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        UNAVAILABLE = "unavailable"

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="psg_uploads")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Which server process runs the analysis (``web.psgjobs.worker_token``) and since
    # when: a killed process leaves a row queued/running; these tell that it is gone.
    worker = models.CharField(max_length=200, blank=True, default="")
    started = models.DateTimeField(null=True, blank=True)
    # Failed because its process died (not because of the file): can be started again.
    interrupted = models.BooleanField(default=False)


class Experiment(models.Model):
    """A change the sleeper tries for a while (e.g. no caffeine after 14:00)."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="experiments")
    code = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    started = models.DateField()
    ended = models.DateField(null=True, blank=True)


class DeviceUpload(models.Model):
    """Device data (actigraph or wearable) a sleeper uploaded (issue #17).

    Only the derived figures are kept (``summary``: device nights, body-clock figures,
    activity per 10 minutes for the actogram), not the raw file: an Apple Health export
    holds far more about a person than sleep.
    """

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="device_uploads")
    original_name = models.CharField(max_length=255)
    summary = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
