"""Deleting an account leaves nothing behind: other sessions end, SQLite overwrites the
rows and empties its write-ahead log, and the page says what backups keep."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_deleting_an_account_ends_its_sessions_on_other_devices(household):
    from django.contrib.sessions.models import Session

    user = household["sleeper"]
    phone, laptop, other = _login(user), _login(user), _login(household["stranger"])
    assert phone.get("/overzicht/").status_code == 200
    before = Session.objects.count()
    r = laptop.post("/account/verwijderen/", {"password": "slaper-wachtwoord-1", "sure": "on"})
    assert r.status_code == 302
    # The phone's session row is gone, not just useless; the stranger's stays.
    assert Session.objects.count() <= before - 2
    assert phone.get("/overzicht/").status_code == 302
    assert other.get("/overzicht/").status_code == 200


def test_the_page_says_what_backups_keep(household, as_user):
    body = as_user(household["sleeper"]).get("/account/verwijderen/").content.decode()
    assert "back-ups" in body and "30 dagen" in body and "overal uitgelogd" in body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_overwrites_deleted_rows(db):
    with connection.cursor() as cur:
        cur.execute("PRAGMA secure_delete")
        assert cur.fetchone()[0] == 1

