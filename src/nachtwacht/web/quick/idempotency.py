"""Idempotency keys and the owner stamp of queued entries.

A phone that was offline keeps the filled-in form and sends it later, perhaps
twice (the answer to the first try was lost), perhaps after someone else signed
in on the same phone. The key makes the second copy a no-op; the owner stamp (a
signed user id in the form) makes sure an entry is only ever stored for the
person who filled it in.
"""

from __future__ import annotations

from django.core import signing

from nachtwacht.web.quick.models import IdempotencyKey

_SALT = "nachtwacht.quick.owner"


def owner_stamp(user) -> str:
    """A signed, unforgeable token naming ``user`` (no expiry: a queue can wait days)."""
    return signing.dumps(user.pk, salt=_SALT)


def is_owner(user, stamp: str) -> bool:
    """Whether ``stamp`` was made by :func:`owner_stamp` for ``user``."""
    try:
        return signing.loads(stamp, salt=_SALT) == user.pk
    except signing.BadSignature:
        return False


def seen(user, key) -> IdempotencyKey | None:
    """The stored key row when this entry was saved before, else ``None``."""
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def remember(user, key, kind: str, object_id: int) -> None:
    """Store the key; call inside the save's transaction (IntegrityError on a race)."""
    IdempotencyKey.objects.create(user=user, key=key, kind=kind, object_id=object_id)
