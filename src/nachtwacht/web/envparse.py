"""Strict parsing of settings from environment variables.

Every helper raises :class:`django.core.exceptions.ImproperlyConfigured` with a
message naming the variable, so a typo in a deployment fails at start-up instead
of silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, env: Mapping[str, str] | None = None) -> bool:
    """Read a yes/no variable; anything other than 1/0, true/false, yes/no, on/off is an error."""
    env = os.environ if env is None else env
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {env[name]!r}")


def env_list(name: str, default: list[str], env: Mapping[str, str] | None = None) -> list[str]:
    """Read a comma-separated list; empty items are an error (they usually mean a typo)."""
    env = os.environ if env is None else env
    if name not in env:
        return list(default)
    items = [s.strip() for s in env[name].split(",")]
    if not items or any(not s for s in items):
        raise ImproperlyConfigured(f"{name} must be a comma-separated list without empty items; got {env[name]!r}")
    return items


def env_int(name: str, default: int, lo: int, hi: int, env: Mapping[str, str] | None = None) -> int:
    """Read an integer within ``[lo, hi]``."""
    env = os.environ if env is None else env
    if name not in env:
        return default
    try:
        value = int(env[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {env[name]!r}") from None
    if not lo <= value <= hi:
        raise ImproperlyConfigured(f"{name} must be between {lo} and {hi}; got {value}")
    return value


def insecure_key_reason(key: str) -> str | None:
    """Return why ``key`` is unsafe for production, or None when it is fine.

    Mirrors Django's own ``security.W009`` check: at least 50 characters, at
    least 5 distinct characters and not the ``django-insecure`` prefix that
    ``startproject`` generates.
    """
    if not key:
        return "it is not set"
    if key.startswith("django-insecure"):
        return "it starts with 'django-insecure' (a development key)"
    if len(key) < 50:
        return f"it is only {len(key)} characters long (at least 50 needed)"
    if len(set(key)) < 5:
        return "it uses fewer than 5 different characters"
    return None


def secret_key(debug: bool, env: Mapping[str, str] | None = None) -> str:
    """Return ``NACHTWACHT_SECRET_KEY``; refuse an unsafe key when DEBUG is off."""
    env = os.environ if env is None else env
    key = env.get("NACHTWACHT_SECRET_KEY", "")
    if debug:
        return key or "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
    reason = insecure_key_reason(key)
    if reason:
        raise ImproperlyConfigured(
            f"NACHTWACHT_SECRET_KEY is unsafe: {reason}. Set a random key of 50+ characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or run "
            "`nachtwacht serve`, which creates one in the data directory, or set NACHTWACHT_DEBUG=1 "
            "for local development."
        )
    return key
