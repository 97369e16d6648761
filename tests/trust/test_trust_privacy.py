"""Nothing sensitive in logs or error pages, also when things go wrong.

A sleeper saves nights, uploads a broken CSV and a partner reports a sexsomnia
episode, each carrying a planted marker string in notes and behaviours; then the
database "fills up" in the middle of a save. Every log record (all loggers, DEBUG
level) and every response body is searched for the marker. Runs against whichever
database DATABASE_URL selects (pytest-django's ``db``).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

MARKER = "ZZ-PRIVACY-MARKER-7f3a9c"


@pytest.fixture
def people(db):
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.sharing.models import PartnerLink

    sleeper = User.objects.create_user("slaper", password="x-wachtwoord-123", role="sleeper")
    partner = User.objects.create_user("bedpartner", password="x-wachtwoord-123", role="partner")
    link = PartnerLink.objects.create(sleeper=sleeper, partner=partner, scope="episodes")
    return sleeper, partner, link


def _client(user) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def _night(day: dt.date, notes: str) -> dict:
    return {"date": day.isoformat(), "bedtime": "23:00", "lights_out": "23:10", "sol_min": "20",
            "awakenings": "1", "waso_min": "10", "final_wake": "06:30", "out_of_bed": "06:45",
            "quality": "3", "rested": "3", "notes": notes}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # includes the traceback of exc_info


@pytest.fixture
def all_logs():
    """Every record of every logger, also those that do not propagate (django.request)."""
    cap = _Capture()
    names = ["", "django", "django.request", "django.server", "django.security", "nachtwacht",
             "nachtwacht.web", *logging.root.manager.loggerDict]
    loggers = {logging.getLogger(n) for n in names}
    for lg in loggers:
        lg.addHandler(cap)
    root_level = logging.root.level
    logging.root.setLevel(logging.DEBUG)
    yield cap
    logging.root.setLevel(root_level)
    for lg in loggers:
        lg.removeHandler(cap)


def test_marker_never_in_logs_or_pages(people, all_logs, monkeypatch):
    sleeper, partner, link = people
    s, p = _client(sleeper), _client(partner)
    day = dt.date.today() - dt.timedelta(days=3)
    bodies = []

    r = s.post("/nacht/", _night(day, f"drank 6 glazen {MARKER}"))
    assert r.status_code == 302
    # A refused form shows the person's own text back (that is fine), but logs nothing of it.
    r = s.post("/nacht/", {**_night(day, f"dubbel {MARKER}"), "sol_min": "9999"})
    assert r.status_code == 200
    csv = f"date,notes,sol_min\n{day.isoformat()},{MARKER},abc\n"
    r = s.post("/upload/", {"kind": "nights", "file": SimpleUploadedFile("n.csv", csv.encode())})
    assert r.status_code == 200
    r = p.post(f"/bedpartner/{link.pk}/", {"date": day.isoformat(), "time": "02:30", "type": "sexsomnia",
                                           "count": "1", "behaviours": f"aanraken; {MARKER}",
                                           "notes": f"gezien {MARKER}"})
    assert r.status_code == 302

    # The disk fills up during a save: a plain "disk full" page (503), logged with a traceback.
    from nachtwacht.web.diary.models import Night

    def _full(self, *args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(Night, "save", _full)
    r = s.post("/nacht/", _night(day - dt.timedelta(days=1), f"bijna vol {MARKER}"))
    assert r.status_code == 503
    bodies.append(r.content.decode())

    for body in bodies:
        assert MARKER not in body
        assert "Traceback" not in body and "OperationalError" not in body
    logged = "\n".join(all_logs.lines)
    assert "disk full" in logged and "Traceback" in logged  # the failure itself is logged ...
    assert MARKER not in logged  # ... but none of what the person wrote
