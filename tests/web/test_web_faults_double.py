"""A new night sent twice at once (double click, two tabs) gives a form error, never a 500.

The race: both requests find no night for the date; the second's model validation then
sees the first's committed row (PostgreSQL, READ COMMITTED) and raised ValidationError,
which nothing caught. The unique constraint in the database is what decides; its
IntegrityError already had a friendly answer.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from nachtwacht.web.accounts.models import User
from nachtwacht.web.diary.models import Night

DAY = "2026-11-20"
POST = {"date": DAY, "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15", "awakenings": "1",
        "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00", "quality": "4", "rested": "3",
        "alcohol_units": "", "caffeine_mg": "", "caffeine_last": "", "stress": "", "tension": "", "notes": ""}


def _client(user) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def _other_request_commits_before_validation(monkeypatch, insert) -> None:
    real = Night.full_clean
    done = []

    def full_clean(self, *args, **kwargs):
        if not done:
            done.append(1)
            insert(self.sleeper)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Night, "full_clean", full_clean)


def _answered_politely(r, user, rows: int) -> None:
    assert r.status_code == 200, r.status_code  # the form again, with the message; not a 500
    assert "Voor deze datum is al een nacht ingevuld" in r.content.decode()
    assert Night.objects.filter(sleeper=user, date=DAY).count() == rows


def test_double_submit_same_transaction_gives_form_error(db, monkeypatch):
    # Both back ends: the row appears between the "is there a night?" check and validation.
    user = User.objects.create_user("dubbel", password="x" * 12, role="sleeper")
    _other_request_commits_before_validation(
        monkeypatch, lambda sleeper: Night.objects.create(sleeper=sleeper, date=DAY, notes="eerste"))
    # The injected row shared this request's transaction, so it is rolled back with it.
    _answered_politely(_client(user).post("/nacht/", POST), user, rows=0)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's IMMEDIATE transactions serialise writers: this race needs PostgreSQL")
def test_double_submit_two_connections_on_postgresql(transactional_db, monkeypatch):
    user = User.objects.create_user("dubbel2", password="x" * 12, role="sleeper")

    def other_request(sleeper):
        # A second connection in its own thread commits the same night, as the other click does.
        def run():
            try:
                Night.objects.create(sleeper=sleeper, date=DAY, notes="eerste")
            finally:
                connection.close()

        t = threading.Thread(target=run)
        t.start()
        t.join(30)

    _other_request_commits_before_validation(monkeypatch, other_request)
    _answered_politely(_client(user).post("/nacht/", POST), user, rows=1)
    assert Night.objects.get(sleeper=user, date=DAY).notes == "eerste"
