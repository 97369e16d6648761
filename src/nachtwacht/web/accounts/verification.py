"""Clinician verification: the BIG number a clinician enters and an administrator confirms.

The BIG register (Beroepen in de Individuele Gezondheidszorg) lists Dutch healthcare
professionals; a BIG number has 11 digits. There is no public check digit, so the only
real check is an administrator looking it up (``verify_clinician`` command).
"""

from __future__ import annotations

import re


def clean_big_number(value: str) -> str:
    """``value`` as 11 digits (spaces, dots and dashes dropped), else ValueError."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"\d{11}", digits):
        raise ValueError("a BIG number has 11 digits")
    return digits


def missing_steps(user) -> list[str]:
    """What a clinician still lacks before claiming a share: "big_number", "admin_check"."""
    if user.verified_at is not None:
        return []
    return ["admin_check"] if user.big_number else ["big_number", "admin_check"]
