"""``diary_for`` runs its three queries from SQL compiled once per connection
(``web/convert.py prepared_rows``, issue #16 item 5): the same diary as the ORM query
of each call, for every viewer's parts, on SQLite and on PostgreSQL (the CI's second
pass), and never anyone else's rows."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.web.convert import diary_for

PARTS = [("nights", "episodes", "profile", "notes", "private"), ("nights", "episodes"),
         ("nights", "notes"), ("episodes", "private"), ("profile",), ()]


def _reference(user, parts):
    # A date range sends diary_for down the plain ORM path; this one holds every row.
    return diary_for(user, parts=parts, since=dt.date(1, 1, 1), until=dt.date(9999, 12, 31))


@pytest.mark.django_db
def test_the_prepared_queries_give_the_orm_diary_for_every_viewer(household):
    from nachtwacht.web.accounts.models import Profile
    from nachtwacht.web.demo import build_demo

    build_demo(weeks=3)
    from nachtwacht.web.accounts.models import User

    demo = User.objects.get(username="demo")
    sleeper, stranger = household["sleeper"], household["stranger"]
    Profile.objects.update_or_create(user=sleeper, defaults={"birth_year": 1980, "regular_medication": ["melatonine"]})
    for user in (demo, sleeper, stranger, household["partner"]):
        for parts in PARTS:
            for _ in range(2):  # the second call runs the kept SQL
                got = diary_for(user, parts=parts)
                assert got == _reference(user, parts), (user.username, parts)
    full = diary_for(sleeper)
    assert {e.notes for e in full.episodes} == {"NOTITIE-OPEN", "GEHEIM-PRIVE"}
    assert {e.notes for e in diary_for(sleeper, parts=("episodes", "notes")).episodes} == {"NOTITIE-OPEN"}
    assert [n.notes for n in diary_for(stranger).nights] == ["VREEMDE-NACHT"]
    assert full.profile.birth_year == 1980 and full.profile.regular_medication == ("melatonine",)
    assert diary_for(stranger).profile == diary_for(stranger, parts=()).profile
    assert len(diary_for(demo).nights) >= 21 and diary_for(demo).episodes
    # A user id passed as a number reads the same rows as the user.
    assert diary_for(demo.pk) == diary_for(demo)


@pytest.mark.django_db
def test_rows_become_the_same_frozen_values_as_through_the_constructor():
    import dataclasses

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.convert import episode_to_core, night_to_core
    from nachtwacht.web.demo import build_demo
    from nachtwacht.web.diary.models import Episode, Night

    build_demo(weeks=3)
    demo = User.objects.get(username="demo")
    got = diary_for(demo)
    want_n = tuple(night_to_core(r) for r in Night.objects.filter(sleeper=demo).order_by("date"))
    want_e = tuple(episode_to_core(r) for r in Episode.objects.filter(sleeper=demo))
    assert got.nights == want_n and sorted(map(repr, got.episodes)) == sorted(map(repr, want_e))
    assert [hash(n) for n in got.nights] == [hash(n) for n in want_n]
    night = got.nights[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        night.notes = "x"  # type: ignore[misc]
    assert dataclasses.replace(night, notes="y").notes == "y" and repr(night) == repr(want_n[0])
