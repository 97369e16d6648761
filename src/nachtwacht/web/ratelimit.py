"""Login rate limit: a few failures per username and IP address per window."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str) -> str:
    # Hash so usernames never appear in cache keys (or in a shared cache's logs).
    digest = hashlib.sha256(f"{username.lower()}|{ip}".encode()).hexdigest()
    return f"nw-login-fail:{digest}"


def client_ip(request) -> str:
    """The peer address (behind a proxy, configure the proxy to set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_blocked(username: str, ip: str) -> bool:
    return cache.get(_key(username, ip), 0) >= settings.LOGIN_MAX_FAILURES


def record_failure(username: str, ip: str) -> None:
    key = _key(username, ip)
    if cache.add(key, 1, timeout=settings.LOGIN_WINDOW_S):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_WINDOW_S)


def reset(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))
