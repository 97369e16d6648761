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
