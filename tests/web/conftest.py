"""Django test setup for the web app (only this folder and tests/browser load Django)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from datetime import timedelta

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
os.environ.setdefault("NACHTWACHT_DATA_DIR", tempfile.mkdtemp(prefix="nw-webtest-"))
# Run the tests like production (DEBUG off) with a strong throwaway key.
os.environ.setdefault("NACHTWACHT_SECRET_KEY", "test-" + "k3y!Zq9" * 10)

# pytest-django reads DJANGO_SETTINGS_MODULE before this file is loaded (it is set
# here, not in pyproject.toml, so core tests never load Django); set Django up now
# so test modules can import models at collection time.
django.setup()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 with Django's defaults uses 100 MB and ~0.3 s per hash: keep it for the
    # tests that check it (they override this), use a fast hasher elsewhere.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def household(db):
    """A sleeper with a partner and a clinician share, plus a stranger and their data."""
    from django.utils import timezone

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.diary.models import Episode, Night
    from nachtwacht.web.sharing.models import ClinicianShare, PartnerLink

    mk = User.objects.create_user
    sleeper = mk("slaper", password="slaper-wachtwoord-1", role="sleeper")
    partner = mk("bedpartner", password="partner-wachtwoord-1", role="partner")
    # Clinicians verified by an administrator, and the share confirmed by the sleeper (#16).
    gp = mk("dokter", password="dokter-wachtwoord-1", role="clinician", big_number="12345678901",
            verified_at=timezone.now(), verified_by="admin:test")
    stranger = mk("vreemde", password="vreemde-wachtwoord-1", role="sleeper")
    other_gp = mk("anderearts", password="andere-wachtwoord-1", role="clinician", big_number="10987654321",
                  verified_at=timezone.now(), verified_by="admin:test")
    day = dt.date(2026, 11, 20)
    night = Night.objects.create(sleeper=sleeper, date=day, bedtime=dt.time(23, 0), final_wake=dt.time(6, 30),
                                 out_of_bed=dt.time(7, 0), notes="NOTITIE-NACHT")
    ep_open = Episode.objects.create(sleeper=sleeper, logged_by=sleeper, date=day, type="hypnic_jerk",
                                     reporter="self", notes="NOTITIE-OPEN")
    ep_private = Episode.objects.create(sleeper=sleeper, logged_by=sleeper, date=day, type="sexsomnia",
                                        reporter="self", private=True, notes="GEHEIM-PRIVE")
    Night.objects.create(sleeper=stranger, date=day, notes="VREEMDE-NACHT")
    ep_stranger = Episode.objects.create(sleeper=stranger, logged_by=stranger, date=day, type="bruxism",
                                         reporter="self", notes="VREEMDE-EPISODE")
    link = PartnerLink.objects.create(sleeper=sleeper, partner=partner, scope="none")
    share = ClinicianShare.objects.create(sleeper=sleeper, clinician=gp, scope=["nights", "episodes", "notes"],
                                          claimed_at=timezone.now(), confirmed_at=timezone.now(),
                                          expires_at=timezone.now() + timedelta(days=30))
    return {"sleeper": sleeper, "partner": partner, "gp": gp, "stranger": stranger, "other_gp": other_gp,
            "night": night, "ep_open": ep_open, "ep_private": ep_private, "ep_stranger": ep_stranger,
            "link": link, "share": share, "day": day}


@pytest.fixture
def as_user(client):
    """Return a client logged in as the given user (no password hashing: fast)."""

    def _login(user):
        from django.test import Client

        c = Client()
        c.force_login(user)
        return c

    return _login
