"""The login rate limit holds across server processes (gunicorn workers).

Each gunicorn worker is a separate process; with a per-process cache every worker
would allow LOGIN_MAX_FAILURES guesses. The limit lives in the "ratelimit" database
cache, so failures in two processes add up. The processes here are plain child
processes running the real login view against one database.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trust"))
from _dbenv import database_env, run  # noqa: E402

PASSWORD = "importeur-wachtwoord-1"  # what ``_dbtool.py user`` sets


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_failures_in_two_processes_add_up_to_the_block(vendor, tmp_path):
    with database_env(vendor, tmp_path) as env:
        env["NACHTWACHT_LOGIN_MAX_FAILURES"] = "4"
        run(env, "migrate")
        run(env, "user", "importeur")
        # Two "workers" each see two wrong passwords: each alone is under the limit.
        assert run(env, "login", "importeur", "fout-wachtwoord", "2").stdout.split() == ["200", "200"]
        assert run(env, "login", "importeur", "fout-wachtwoord", "2").stdout.split() == ["200", "200"]
        # A third process refuses even the right password: the four failures add up.
        assert run(env, "login", "importeur", PASSWORD, "1").stdout.split() == ["429"]
        # Another user (or address) is not affected.
        run(env, "user", "ander")
        assert run(env, "login", "ander", PASSWORD, "1").stdout.split() == ["302"]


@pytest.mark.django_db
def test_a_full_shared_cache_cannot_wipe_the_failure_counters(settings):
    # The "shared" table culls in key order when full; the counters live elsewhere.
    from django.core.cache import caches

    from nachtwacht.web import ratelimit

    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        ratelimit.record_failure("slaper", "10.0.0.1")
    assert ratelimit.is_blocked("slaper", "10.0.0.1")
    caches["shared"].clear()  # what a cull of the whole "shared" table would do
    assert ratelimit.is_blocked("slaper", "10.0.0.1")
