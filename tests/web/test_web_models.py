"""Models follow the field registry; converters round-trip to the core types."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, models, transaction

from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, PROFILE_FIELDS
from nachtwacht.diary.types import Episode as CoreEpisode
from nachtwacht.diary.types import Night as CoreNight
from nachtwacht.web.accounts.models import Profile
from nachtwacht.web.convert import core_to_row_values, diary_for, episode_to_core, night_to_core
from nachtwacht.web.diary.models import Episode, Night

KIND = {"date": models.DateField, "clock": models.TimeField, "minutes": models.FloatField,
        "float": models.FloatField, "int": models.IntegerField, "bool": models.BooleanField,
        "choice": models.CharField, "list": models.JSONField, "multichoice": models.JSONField,
        "text": models.TextField}


def test_every_registry_field_is_a_model_field_of_the_right_kind():
    for model, specs in ((Night, NIGHT_FIELDS), (Episode, EPISODE_FIELDS), (Profile, PROFILE_FIELDS)):
        for spec in specs:
            field = model._meta.get_field(spec.name)
            assert isinstance(field, KIND[spec.kind]), (model.__name__, spec.name)


def test_round_trip_core_row_core(db, household):
    night = CoreNight(date=dt.date(2026, 11, 1), bedtime=dt.time(23, 15), sol_min=20, awakenings=2,
                      alcohol_units=3.5, nicotine=True, substances=("ketamine",), shift="night", notes="x")
    row = Night.objects.create(sleeper=household["sleeper"], **core_to_row_values(night))
    row.refresh_from_db()
    assert night_to_core(row) == night
    ep = CoreEpisode(date=dt.date(2026, 11, 1), type="sleepwalking", reporter="partner", time=dt.time(2, 0),
                     behaviours=("liep naar de keuken",), injury=False)
    erow = Episode.objects.create(sleeper=household["sleeper"], **core_to_row_values(ep))
    erow.refresh_from_db()
    assert episode_to_core(erow) == ep


def test_one_night_per_date(household):
    with transaction.atomic(), __import__("pytest").raises(IntegrityError):
        Night.objects.create(sleeper=household["sleeper"], date=household["day"])


def test_diary_for_hides_private_and_notes_when_asked(household):
    full = diary_for(household["sleeper"])
    assert {e.type for e in full.episodes} == {"hypnic_jerk", "sexsomnia"}
    shared = diary_for(household["sleeper"], parts=("nights", "episodes"))
    assert [e.type for e in shared.episodes] == ["hypnic_jerk"]
    assert all(n.notes == "" for n in shared.nights) and all(e.notes == "" for e in shared.episodes)
