"""One row per entry a browser sent with an idempotency key."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The key a browser made (a UUID) for one night or episode, and what it saved.

    A phone that was offline sends its queued entry when it is back online, and may
    send it again when the answer was lost: the second request finds the key and
    saves nothing. The unique constraint decides when two copies arrive at once.
    """

    KINDS = (("night", "night"), ("episode", "episode"))

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="idempotency_keys")
    key = models.UUIDField()
    kind = models.CharField(max_length=10, choices=KINDS)
    #: The saved row; not a foreign key so deleting the night later keeps the key
    #: (a late duplicate must not bring a deleted night back).
    object_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_entry_per_key")]


class ReminderSetting(models.Model):
    """When and how one person wants to be reminded (issue #14 item 3).

    Times are the person's own wall-clock times in ``timezone`` (an IANA name), so a
    reminder at 08:00 stays at 08:00 across daylight saving time and travel.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    morning_on = models.BooleanField(default=False)
    morning_time = models.TimeField(default="08:00")
    evening_on = models.BooleanField(default=False)
    evening_time = models.TimeField(default="21:30")
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    by_email = models.BooleanField(default=True)
    by_push = models.BooleanField(default=False)
    #: Weekdays without reminders, ISO numbers 1 (Monday) - 7 (Sunday), e.g. "67".
    quiet_days = models.CharField(max_length=7, blank=True, default="")
    #: Local dates of the last reminder sent, so a runner that fires twice sends once.
    morning_sent = models.DateField(null=True, blank=True)
    evening_sent = models.DateField(null=True, blank=True)


class PushSubscription(models.Model):
    """One browser's Web Push subscription (endpoint and its encryption keys)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
