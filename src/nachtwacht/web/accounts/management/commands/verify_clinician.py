"""``nachtwacht manage verify_clinician``: an administrator confirms a clinician's BIG number.

Check the number first in the public BIG register (https://zoeken.bigregister.nl), with
the name and profession the clinician gave you; then::

    nachtwacht manage verify_clinician --list            # who waits, who was verified how
    nachtwacht manage verify_clinician NAME              # confirm the BIG number they entered
    nachtwacht manage verify_clinician NAME --big 12345678901   # enter it for them
    nachtwacht manage verify_clinician NAME --revoke     # withdraw: shares stop opening
"""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nachtwacht.web.accounts.models import User
from nachtwacht.web.accounts.verification import clean_big_number


class Command(BaseCommand):
    help = "Confirm (or withdraw) that a clinician's BIG number was checked in the BIG register."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--big", help="the BIG number (11 digits), if the clinician did not enter it")
        parser.add_argument("--revoke", action="store_true", help="withdraw the verification")
        parser.add_argument("--list", action="store_true", help="list clinicians and their state")
        parser.add_argument("--by", default="", help="who checked (default: the operating-system user)")

    def handle(self, *args, username=None, big=None, revoke=False, list=False, by="", **opts):  # noqa: A002
        if list:
            for u in User.objects.filter(role="clinician").order_by("verified_at", "username"):
                state = f"verified {u.verified_at:%Y-%m-%d} by {u.verified_by}" if u.verified_at else "WAITING"
                self.stdout.write(f"{u.username}\t{u.email or '-'}\tBIG {u.big_number or '-'}\t{state}")
            return
        if not username:
            raise CommandError("name a clinician (user name), or use --list")
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        if user.role != "clinician":
            raise CommandError(f"{username} is not a clinician account (role: {user.role})")
        if revoke:
            user.verified_at, user.verified_by = None, ""
            user.save(update_fields=["verified_at", "verified_by"])
            self.stdout.write(f"{username}: verification withdrawn; their shares no longer open")
            return
        if big is not None:
            try:
                user.big_number = clean_big_number(big)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        if not user.big_number:
            raise CommandError(f"{username} has not entered a BIG number; give it with --big after checking it")
        who = by or os.environ.get("SUDO_USER") or getpass.getuser()
        user.verified_at, user.verified_by = timezone.now(), f"admin:{who}"[:160]
        user.save(update_fields=["big_number", "verified_at", "verified_by"])
        self.stdout.write(f"{username}: BIG {user.big_number} verified")
