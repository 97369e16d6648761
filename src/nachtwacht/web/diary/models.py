"""Nights and episodes, one Django field per registry field."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS
from nachtwacht.web.fieldgen import abstract_model

NightFields = abstract_model("NightFields", NIGHT_FIELDS, __name__)
EpisodeFields = abstract_model("EpisodeFields", EPISODE_FIELDS, __name__)


class Night(NightFields):
    """One night of one sleeper, dated by the morning."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="nights")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["sleeper", "date"], name="one_night_per_date")]


class Episode(EpisodeFields):
    """An event in a night, reported by the sleeper or by their partner."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="episodes")
    #: Who typed it in (the partner for partner reports); kept when they unlink.
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="logged_episodes")
    #: Private episodes are never shown to a clinician or to the partner.
    private = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "time", "id"]
