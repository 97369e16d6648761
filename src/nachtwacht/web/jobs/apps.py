"""The background-job app: one row per job the worker runs (analysis, export, report)."""

from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "nachtwacht.web.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from nachtwacht.web.jobs import models

        # A deleted job (or account: the rows cascade) takes its export file with it.
        post_delete.connect(models.remove_output, sender=models.Job,
                            dispatch_uid="nachtwacht-job-output")
