"""Lockouts nobody can abuse (issue #13 of wave 2, item 1).

Each test failed before the limiter was rewritten: the counter lived 24 h because the
cache's ``incr`` rewrote it with the default timeout, every client behind the proxy was
127.0.0.1, and five anonymous wrong passwords locked the owner out.
"""

from __future__ import annotations

import time

import pytest

from nachtwacht.web import ratelimit

LOGIN = "/inloggen/"
RIGHT = {"username": "slaper", "password": "slaper-wachtwoord-1"}
WRONG = {"username": "slaper", "password": "fout"}


@pytest.fixture
def proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    ratelimit._networks.cache_clear()
    yield
    ratelimit._networks.cache_clear()


def _post(client, data, xff=None, peer="127.0.0.1"):
    extra = {"REMOTE_ADDR": peer}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(LOGIN, data, **extra)


@pytest.mark.django_db
def test_the_block_ends_with_its_window_and_further_attempts_do_not_extend_it(settings, monkeypatch):
    settings.LOGIN_WINDOW_S = 900
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    for _ in range(settings.LOGIN_MAX_FAILURES):
        ratelimit.record_failure("slaper", "10.1.1.1")
    assert ratelimit.is_blocked("slaper", "10.1.1.1")
    assert ratelimit.wait_minutes("slaper", "10.1.1.1") == 15
    now[0] += 600
    ratelimit.record_failure("slaper", "10.1.1.1")  # trying again while blocked
    assert ratelimit.wait_minutes("slaper", "10.1.1.1") == 5  # the end did not move
    now[0] += 301
    assert not ratelimit.is_blocked("slaper", "10.1.1.1")
    # The stored entry expires with its window too, not after the cache's 24 h default.
    key = ratelimit._key("slaper", "10.1.1.1")
    from django.core.cache import caches

    from nachtwacht.web.settings import CACHES

    assert CACHES["ratelimit"]["TIMEOUT"] == 24 * 3600
    assert caches["ratelimit"].get(key)["until"] <= 1_000_000 + 900


def test_forwarded_for_is_read_only_from_trusted_proxies(rf, proxy):
    req = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert ratelimit.client_ip(req) == "203.0.113.9"
    # A client that talks to us directly cannot choose its address by sending the header.
    req = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert ratelimit.client_ip(req) == "198.51.100.7"
    # A spoofed first hop is ignored: the proxy appends the real peer at the end.
    req = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert ratelimit.client_ip(req) == "203.0.113.9"


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = []
    ratelimit._networks.cache_clear()
    req = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert ratelimit.client_ip(req) == "127.0.0.1"


def test_strangers_behind_the_proxy_do_not_lock_the_owner_out(household, client, proxy, settings):
    for i in range(settings.LOGIN_MAX_FAILURES):
        assert _post(client, WRONG, xff=f"198.51.100.{i % 2}").status_code == 200
    # The owner, from their own address behind the same proxy, gets in.
    r = _post(client, RIGHT, xff="203.0.113.50")
    assert r.status_code == 302


def test_one_address_is_still_blocked_after_its_failures(household, client, proxy, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _post(client, WRONG, xff="198.51.100.1")
    r = _post(client, RIGHT, xff="198.51.100.1")
    assert r.status_code == 429
    assert "Wacht 15 minuten" in r.content.decode()


def test_guessing_from_many_addresses_slows_the_account_down_but_never_locks(household, client, proxy,
                                                                          settings, monkeypatch):
    settings.LOGIN_ACCOUNT_SOFT = 4
    now = [2_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    for i in range(settings.LOGIN_ACCOUNT_SOFT):
        assert _post(client, WRONG, xff=f"198.51.100.{i}").status_code == 200
    # The next attempt, from anywhere without the known-device cookie, must wait a little.
    r = _post(client, RIGHT, xff="203.0.113.50")
    assert r.status_code == 429 and "seconde" in r.content.decode()
    waits = []
    for i in range(6):
        now[0] += 3600  # far past any wait: each further failure doubles the next wait
        _post(client, WRONG, xff=f"198.51.100.{10 + i}")
        waits.append(ratelimit.backoff_seconds("slaper"))
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert max(waits) <= settings.LOGIN_BACKOFF_MAX_S
    now[0] += settings.LOGIN_BACKOFF_MAX_S + 1
    assert _post(client, RIGHT, xff="203.0.113.50").status_code == 302


def test_a_known_device_skips_the_account_back_off(household, client, proxy, settings):
    settings.LOGIN_ACCOUNT_SOFT = 3
    assert _post(client, RIGHT, xff="203.0.113.50").status_code == 302
    assert client.cookies.get(ratelimit.KNOWN_DEVICE_COOKIE)
    client.post("/uitloggen/")
    from django.test import Client

    stranger = Client()
    for i in range(5):
        _post(stranger, WRONG, xff=f"198.51.100.{i}")
    assert ratelimit.backoff_seconds("slaper") > 0
    assert _post(stranger, RIGHT, xff="198.51.100.99").status_code == 429
    # The owner's browser still has the signed cookie: no wait.
    assert _post(client, RIGHT, xff="203.0.113.50").status_code == 302


def test_a_forged_or_foreign_device_cookie_does_not_help(household, client, proxy, settings):
    settings.LOGIN_ACCOUNT_SOFT = 2
    for i in range(3):
        _post(client, WRONG, xff=f"198.51.100.{i}")
    client.cookies[ratelimit.KNOWN_DEVICE_COOKIE] = "nep"
    assert _post(client, RIGHT, xff="203.0.113.50").status_code == 429
    client.cookies[ratelimit.KNOWN_DEVICE_COOKIE] = ratelimit.device_token(household["stranger"])
    assert _post(client, RIGHT, xff="203.0.113.50").status_code == 429


def test_clock_is_real_time_by_default():
    assert abs(ratelimit._now() - time.time()) < 5
