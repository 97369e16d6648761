"""Second factor (two-step login) on top of django-otp: one TOTP app plus backup codes.

The cryptography, throttling (exponential back-off per device) and replay protection
(a TOTP code is only accepted for a later time step than the last one used) are
django-otp's; this module only decides which device a typed code is for and keeps
the state of a login that passed the password step but not yet the code step.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

#: Session key of a login that passed the password step.
PENDING_KEY = "nw-2fa-pending"
#: Seconds the code step stays open after the password step.
PENDING_TTL_S = 5 * 60
#: Session key of the unconfirmed app device this browser was shown.
SETUP_KEY = "nw-2fa-setup"
#: Rate-limit prefix of the code step (separate from the password step's counter).
RATE_PREFIX = "nw-2fa-fail"
BACKUP_CODES = 10
_TOTP_NAME = "app"
_BACKUP_NAME = "backup"


def totp_device(user, confirmed: bool | None = True) -> TOTPDevice | None:
    """The user's authenticator-app device (confirmed, unconfirmed, or either with None)."""
    qs = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("-id").first()


def is_enabled(user) -> bool:
    """True when ``user`` has a confirmed authenticator app (login needs a code)."""
    if not getattr(user, "pk", None):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user) -> bool:
    """The operator demands a second factor from this user and it is not set up yet."""
    return (settings.REQUIRE_2FA_CLINICIANS and getattr(user, "role", "") == "clinician"
            and not is_enabled(user))


def start_setup(user, session=None) -> TOTPDevice:
    """An unconfirmed device with a fresh secret, reused until it is confirmed.

    Reused only within the ``session`` that first showed it: a key someone else saw
    (e.g. an intruder with the password, before the owner switched it on) must never
    become the one the owner confirms.
    """
    pk = session.get(SETUP_KEY) if session is not None else None
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pk).first() if pk else None
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
        if session is not None:
            session[SETUP_KEY] = device.pk
    return device


def secret_groups(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The otpauth:// link as an inline SVG QR code (no style attribute: the CSP allows none)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, dark="#000", light="#fff", title=title, svgclass="qr")


def normalise(code: str) -> str:
    """Strip the spaces and dashes people type; backup codes are lower case."""
    return re.sub(r"[\s-]+", "", code or "").lower()


def is_totp_shaped(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code))


@dataclass(frozen=True)
class Check:
    """Outcome of checking a code: ``ok``; ``throttled`` when django-otp asks to wait."""

    ok: bool
    throttled: bool = False
    backup_used: bool = False
    backup_left: int = 0


def _check_device(device, code: str, backup: bool) -> Check:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return Check(ok=False, throttled=True)
    if not device.verify_token(code):
        return Check(ok=False)
    left = device.token_set.count() if backup else 0
    return Check(ok=True, backup_used=backup, backup_left=left)


def check_code(user, raw: str) -> Check:
    """Verify a six-digit app code or a backup code of ``user``; never logs the code.

    The shape picks the device, so a mistyped app code does not slow down backup
    codes and vice versa. Rows are locked so two requests cannot use one code twice.
    """
    code = normalise(raw)
    if not code:
        return Check(ok=False)
    with transaction.atomic():
        if is_totp_shaped(code):
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            backup = False
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            backup = True
        if device is None:
            return Check(ok=False)
        return _check_device(device, code, backup)


def confirm_setup(device: TOTPDevice, raw: str) -> Check:
    """Confirm ``device`` when ``raw`` is its current code; then make fresh backup codes."""
    code = normalise(raw)
    if not is_totp_shaped(code):
        return Check(ok=False)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        result = _check_device(device, code, backup=False)
        if result.ok:
            # "On since" is the moment of confirmation, not when the secret was drawn.
            device.confirmed = True
            device.created_at = timezone.now()
            device.save()
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return result


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes by ``BACKUP_CODES`` new ones; returned once, for display."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=_BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def disable(user) -> None:
    """Remove the app and the backup codes: login is one step again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def status(user) -> dict:
    """What the account page and the export say: on/off and since when (never the secret)."""
    device = totp_device(user)
    if device is None:
        return {"on": False, "since": None, "last_used": None}
    return {"on": True, "since": device.created_at, "last_used": device.last_used_at}


# --- the login between password and code -------------------------------------------------

def set_pending(session, user, next_url: str) -> None:
    """Remember who passed the password step; nobody is logged in yet."""
    session[PENDING_KEY] = {"uid": user.pk, "backend": user.backend, "next": next_url,
                            "until": time.time() + PENDING_TTL_S}


def get_pending(session) -> dict | None:
    """The pending login, or None when there is none or it expired (then it is dropped)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if data.get("until", 0) < time.time():
        session.pop(PENDING_KEY, None)
        return None
    return data


def clear_pending(session) -> None:
    session.pop(PENDING_KEY, None)
