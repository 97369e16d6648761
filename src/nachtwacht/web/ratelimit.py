"""Login rate limit: a few failures per username and IP address per window.

``prefix`` keeps separate counters for separate steps (password, second-factor code).
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.core.cache import caches

LOGIN = "nw-login-fail"

#: Cache alias every server process shares (settings.CACHES, a database table of its own
#: by default), so N gunicorn workers do not each allow LOGIN_MAX_FAILURES attempts, and
#: cached analyses filling the "shared" table can never cull a failure counter.
CACHE_ALIAS = "ratelimit"


def _cache():
    return caches[CACHE_ALIAS]


def _key(username: str, ip: str, prefix: str = LOGIN) -> str:
    # The login form strips and NFKC-normalises the name before the lookup: key on that
    # same name, or " alice" and "ａｌｉｃｅ" would each get a fresh set of guesses at alice.
    name = unicodedata.normalize("NFKC", username.strip()).lower()
    # Hash so usernames never appear in cache keys (or in a shared cache's logs).
    digest = hashlib.sha256(f"{name}|{ip}".encode()).hexdigest()
    return f"{prefix}:{digest}"


def client_ip(request) -> str:
    """The peer address (behind a proxy, configure the proxy to set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_blocked(username: str, ip: str, prefix: str = LOGIN) -> bool:
    return _cache().get(_key(username, ip, prefix), 0) >= settings.LOGIN_MAX_FAILURES


def record_failure(username: str, ip: str, prefix: str = LOGIN) -> None:
    """Count one failure. The database cache's ``incr`` is a read then a write, so two
    workers failing at the same instant may count once: the limit is approximate (at
    most one extra attempt per concurrent request), never lower than configured."""
    key = _key(username, ip, prefix)
    if _cache().add(key, 1, timeout=settings.LOGIN_WINDOW_S):
        return
    try:
        _cache().incr(key)
    except ValueError:  # expired between add and incr
        _cache().set(key, 1, timeout=settings.LOGIN_WINDOW_S)


def reset(username: str, ip: str, prefix: str = LOGIN) -> None:
    _cache().delete(_key(username, ip, prefix))
