"""A refused form (expired or missing CSRF token) gets a plain NL/EN page, not Django's."""

from __future__ import annotations

import datetime as dt

from django.test import Client


def test_a_form_without_a_valid_token_gets_the_plain_page(household):
    from nachtwacht.web.diary.models import Night

    c = Client(enforce_csrf_checks=True)
    c.force_login(household["sleeper"])
    before = Night.objects.count()
    r = c.post("/nacht/", {"date": dt.date(2026, 11, 30).isoformat(), "quality": "3",
                                "notes": "ZZ-secret-note"})
    page = r.content.decode()
    assert r.status_code == 403
    assert "Uw formulier kon niet worden verstuurd" in page and "niet opgeslagen" in page
    assert "Your form could not be sent" in page
    # Nothing technical, nothing of what was typed, nothing stored.
    assert "CSRF" not in page and "ZZ-secret-note" not in page
    assert Night.objects.count() == before
