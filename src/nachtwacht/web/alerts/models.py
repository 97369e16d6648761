"""One stored alert per person and advice (level + flag codes), read or not."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AdviceAlert(models.Model):
    """Advice at ``gp_soon``/``urgent`` (or addressed to a partner) that a person must see.

    ``key`` is the level plus the sorted flag codes: the same advice is announced once;
    a new flag or a higher level gives a new key, so it comes to the top again.
    ``data`` keeps the flag texts and the phone routes, so showing the alert on every
    page costs one query and no new triage. The English texts are filled the first time
    the alert is read in English (``advice.shown``), then kept.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advice_alerts")
    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=400)
    level = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sleeper", "key"], name="alert_once_per_advice")]
        indexes = [models.Index(fields=["user", "read_at"], name="alert_unread")]
        ordering = ["-created"]

    def __str__(self) -> str:  # pragma: no cover - admin/debug only
        return f"{self.user_id}:{self.key}"
