"""Login rate limit that slows guessing down without letting a stranger lock anyone out.

Two counters, both in the ``"ratelimit"`` database cache so every server process sees
the same numbers:

* **per account and client address** — a fixed window: after ``LOGIN_MAX_FAILURES``
  failures from one address the account refuses that address until the window that
  began with the *first* failure ends (``LOGIN_WINDOW_S``, 15 minutes). The window's
  end is stored inside the value: Django's cache ``incr`` rewrites an entry with the
  cache's default timeout (24 h), which once turned a 15-minute block into a day that
  renewed itself with every attempt.
* **per address, any account** — the same fixed window with ``LOGIN_MAX_PER_ADDRESS``
  (100) failures over all user names together, so one address cannot fill the table
  with fresh counters for endless names; only that address gets the 429.
* **per account, any address** — exponential back-off instead of a lock: after
  ``LOGIN_ACCOUNT_SOFT`` failures from anywhere, each next attempt must wait
  ``2 ** k`` seconds (capped at ``LOGIN_BACKOFF_MAX_S``). Guessing from many addresses
  becomes slow, but the owner is never locked out for long, and a browser the owner
  logged in from before (a *known device*, a signed cookie) skips the back-off.

The client address is the peer (``REMOTE_ADDR``) unless the peer is one of the
configured trusted proxies (``NACHTWACHT_TRUSTED_PROXIES``); only then is
``X-Forwarded-For`` read, right to left, skipping trusted hops. Behind the documented
proxy every peer is 127.0.0.1, so without this rule five anonymous wrong passwords
locked any account for everyone.

``prefix`` keeps separate counters for separate steps (password, second-factor code).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.cache import caches

LOGIN = "nw-login-fail"
ACCOUNT = "nw-login-acct"
KNOWN_DEVICE_COOKIE = "nw_known_device"
_DEVICE_SALT = "nachtwacht.known-device"

#: Cache alias every server process shares (settings.CACHES, a database table of its own
#: by default), so N gunicorn workers do not each allow LOGIN_MAX_FAILURES attempts, and
#: cached analyses filling the "shared" table can never cull a failure counter.
CACHE_ALIAS = "ratelimit"


def _now() -> float:
    # One place to read the clock, so tests can move it without moving the cache's own.
    return time.time()


def _cache():
    return caches[CACHE_ALIAS]


def _norm(username: str) -> str:
    # The login form strips and NFKC-normalises the name before the lookup: key on that
    # same name, or " alice" and "ａｌｉｃｅ" would each get a fresh set of guesses at alice.
    return unicodedata.normalize("NFKC", username.strip()).lower()


def _key(username: str, ip: str, prefix: str = LOGIN) -> str:
    # Hash so usernames never appear in cache keys (or in a shared cache's logs).
    digest = hashlib.sha256(f"{_norm(username)}|{ip}".encode()).hexdigest()
    return f"{prefix}:{digest}"


def _account_key(username: str, prefix: str) -> str:
    digest = hashlib.sha256(_norm(username).encode()).hexdigest()
    return f"{ACCOUNT}:{prefix}:{digest}"


# --- the client's address -------------------------------------------------------------

@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def _trusted(addr: str) -> bool:
    nets = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    # A dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d: the same proxy.
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return any(ip in net for net in nets)


def client_ip(request) -> str:
    """The client's address: the peer, or the first untrusted hop behind trusted proxies.

    ``X-Forwarded-For`` is read only when the peer itself is a trusted proxy, so a
    client cannot choose its own address by sending the header directly.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _trusted(peer):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header from the proxy: fall back to the peer
    return hops[0] if hops else peer


# --- fixed-window counter per account and address ----------------------------------

def _get(key: str) -> dict:
    value = _cache().get(key)
    if isinstance(value, dict) and value.get("until", 0) > _now():
        return value
    return {}


def _addr_key(ip: str, prefix: str) -> str:
    return f"{prefix}-addr:{hashlib.sha256(ip.encode()).hexdigest()}"


def _addr_max() -> int:
    # Across all user names: otherwise one address tries endless names, each with a
    # fresh counter, and fills the table. High enough for a shared office address.
    return getattr(settings, "LOGIN_MAX_PER_ADDRESS", 100)


def _addr_blocked(ip: str, prefix: str) -> bool:
    return _get(_addr_key(ip, prefix)).get("n", 0) >= _addr_max()


def is_blocked(username: str, ip: str, prefix: str = LOGIN) -> bool:
    """Whether this address has used up its failures for this account (or for all
    accounts together) in this window."""
    return (_get(_key(username, ip, prefix)).get("n", 0) >= settings.LOGIN_MAX_FAILURES
            or _addr_blocked(ip, prefix))


def wait_minutes(username: str, ip: str, prefix: str = LOGIN) -> int:
    """Whole minutes (at least 1) until this address may try this account again."""
    until = _get(_key(username, ip, prefix)).get("until", _now())
    if _addr_blocked(ip, prefix):
        until = max(until, _get(_addr_key(ip, prefix))["until"])
    return max(1, math.ceil((until - _now()) / 60))


def _count(key: str, now: float) -> None:
    entry = _get(key) or {"n": 0, "until": now + settings.LOGIN_WINDOW_S}
    entry["n"] += 1
    # The entry expires with its own window; a later failure never pushes the end out.
    _cache().set(key, entry, timeout=max(1, math.ceil(entry["until"] - now)))


def record_failure(username: str, ip: str, prefix: str = LOGIN) -> None:
    """Count one failure, for this address and for the account as a whole.

    The database cache reads then writes, so two workers failing at the same instant may
    count once: the limit is approximate (at most one extra attempt per concurrent
    request), never lower than configured.
    """
    now = _now()
    _count(_key(username, ip, prefix), now)
    _count(_addr_key(ip, prefix), now)  # not cleared by a success: any name counts
    akey = _account_key(username, prefix)
    acct = _cache().get(akey)
    acct = acct if isinstance(acct, dict) else {"n": 0, "last": now}
    acct = {"n": acct["n"] + 1, "last": now}
    _cache().set(akey, acct, timeout=settings.LOGIN_ACCOUNT_MEMORY_S)


def reset(username: str, ip: str, prefix: str = LOGIN) -> None:
    """Forget the failures after a successful login (both counters)."""
    _cache().delete_many([_key(username, ip, prefix), _account_key(username, prefix)])


# --- the password asked again inside a session --------------------------------------

#: Counter prefix for the password a signed-in person types again (delete the account,
#: change the password): a stolen session must not become a free password oracle.
REAUTH = "nw-reauth"


def reauth_wait(request) -> int:
    """Minutes until this session's user may type their password again here (0: go ahead)."""
    who, ip = f"uid:{request.user.pk}", client_ip(request)
    return wait_minutes(who, ip, REAUTH) if is_blocked(who, ip, REAUTH) else 0


def reauth_result(request, ok: bool) -> None:
    """Count a wrong password typed again, or forget the failures after a right one."""
    who, ip = f"uid:{request.user.pk}", client_ip(request)
    (reset if ok else record_failure)(who, ip, REAUTH)


# --- back-off per account (any address) ---------------------------------------------

def backoff_seconds(username: str, prefix: str = LOGIN) -> int:
    """Seconds this account must still wait before its next attempt (0: go ahead)."""
    acct = _cache().get(_account_key(username, prefix))
    if not isinstance(acct, dict) or acct["n"] < settings.LOGIN_ACCOUNT_SOFT:
        return 0
    step = acct["n"] - settings.LOGIN_ACCOUNT_SOFT
    delay = min(2 ** min(step, 30), settings.LOGIN_BACKOFF_MAX_S)
    return max(0, math.ceil(acct["last"] + delay - _now()))


# --- known devices ---------------------------------------------------------------------

def device_token(user) -> str:
    """A signed cookie value naming the user this browser logged in as.

    ``h`` binds it to the current password (Django's session auth hash, itself an HMAC
    of the password hash): a browser known before a password change is a stranger after
    it, so a cookie copied from a lost device stops skipping the back-off.
    """
    return signing.dumps({"u": user.pk, "h": user.get_session_auth_hash()[:32]}, salt=_DEVICE_SALT,
                         compress=True)


def is_known_device(request, username: str) -> bool:
    """Whether this browser has logged in as ``username`` before (signed cookie)."""
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return False
    try:
        data = signing.loads(raw, salt=_DEVICE_SALT, max_age=settings.LOGIN_KNOWN_DEVICE_S)
    except signing.BadSignature:
        return False
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    field = user_model.USERNAME_FIELD
    # Two accounts may differ only by case (createsuperuser allows it): the exact name
    # wins; two case-blind matches and no exact one is simply "not known", never a 500.
    typed = unicodedata.normalize("NFKC", username.strip())
    found = list(user_model._default_manager.filter(**{f"{field}__iexact": typed})[:10])
    exact = [u for u in found if u.get_username() in (typed, _norm(username))]
    user = exact[0] if exact else (found[0] if len(found) == 1 else None)
    if user is None:
        return False
    return data.get("u") == user.pk and data.get("h") == user.get_session_auth_hash()[:32]


def remember_device(response, user) -> None:
    """Mark this browser as known for ``user`` (HttpOnly, same-site, secure when HTTPS)."""
    response.set_cookie(KNOWN_DEVICE_COOKIE, device_token(user), max_age=settings.LOGIN_KNOWN_DEVICE_S,
                        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
