"""Partner links, clinician shares and the log of who looked."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVITE_DAYS = 7


def new_token() -> str:
    """A URL-safe token that cannot be guessed (256 bits)."""
    return secrets.token_urlsafe(32)


#: Wrong one-time codes a share tolerates; then it is revoked (the sleeper makes a new one).
MAX_CODE_FAILURES = 5


def new_claim_code() -> str:
    """A 6-digit code the sleeper reads out to the clinician (a second channel to the link).

    Six digits are easy to read over the phone; guessing is bounded by the token itself
    (256 bits) and by ``MAX_CODE_FAILURES`` wrong tries per share.
    """
    return f"{secrets.randbelow(10**6):06d}"


def _invite_expiry():
    return timezone.now() + timedelta(days=INVITE_DAYS)


class PartnerScope(models.TextChoices):
    NONE = "none", _("Nothing: they can only log what they saw")
    EPISODES = "episodes", _("Episodes")
    EPISODES_NIGHTS = "episodes_nights", _("Episodes and nights")


class PartnerInvite(models.Model):
    """A one-time link a sleeper sends to their bed partner."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="partner_invites")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invite_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class PartnerLink(models.Model):
    """A bed partner allowed to log episodes for a sleeper, seeing only ``scope``."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="partner_links")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="partner_of")
    scope = models.CharField(max_length=20, choices=PartnerScope.choices, default=PartnerScope.NONE)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sleeper", "partner"], name="one_link_per_pair")]


#: Parts of a diary a clinician share can include.
SHARE_PARTS = (
    ("nights", _("Nights and sleep times")),
    ("episodes", _("Episodes")),
    ("profile", _("Profile and checklist")),
    ("notes", _("Free-text notes")),
    # Not a diary part (share_parts leaves it out): it opens finished sleep-study
    # analyses in the report. Older shares do not hold it, so they stay without.
    ("psg", _("Sleep studies")),
)


class ClinicianShare(models.Model):
    """Read access for one clinician, limited in scope and time, revocable."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="clinician_shares")
    #: SET_NULL keeps the sleeper's history when a clinician deletes their account
    #: (their shares are revoked first, so the token cannot be claimed again).
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="shares_received")
    label = models.CharField(_("for whom"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    scope = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: How the clinician sees the patient (name or initials), as the sleeper chose;
    #: empty on older shares: then a neutral "patient (no name shared)", never a user name.
    patient_name = models.CharField(_("name or initials"), max_length=120, blank=True, default="")
    show_birth_year = models.BooleanField(_("show birth year"), default=False)
    #: The clinician it is meant for: their user name or e-mail address (empty: anyone
    #: verified who also has ``claim_code``). Compared without regard to case.
    intended_for = models.CharField(_("clinician's user name or e-mail"), max_length=254, blank=True,
                                    default="")
    #: One-time code read out by the sleeper; empty on shares from before it existed
    #: (those are still bound by the sleeper's confirmation below).
    claim_code = models.CharField(max_length=12, blank=True, default="")
    code_failures = models.PositiveSmallIntegerField(default=0)
    #: When the sleeper confirmed that the clinician who claimed it is the right one;
    #: no data is shown before. Migration 0005 sets it for shares claimed before.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def birth_year(self) -> int | None:
        """The sleeper's birth year from their profile, if they chose to show it."""
        if not self.show_birth_year:
            return None
        profile = getattr(self.sleeper, "profile", None) if hasattr(self.sleeper, "profile") else None
        return getattr(profile, "birth_year", None)

    def patient_display_name(self) -> str:
        """The name or initials the sleeper gave, or a neutral phrase (never the user name)."""
        return self.patient_name.strip() or str(_("Patient (no name shared)"))

    def patient_label(self) -> str:
        """Who the patient is, for the clinician: name or initials, plus birth year if shared."""
        name = self.patient_display_name()
        year = self.birth_year()
        return f"{name} ({_('born')} {year})" if year else name

    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def is_open_to(self, user) -> bool:
        """Live, claimed by ``user``, confirmed by the sleeper, and ``user`` still verified."""
        return (self.is_live() and self.clinician_id == user.pk and self.confirmed_at is not None
                and user.is_verified_clinician())

    def meant_for(self, user) -> bool:
        """Whether ``intended_for`` names ``user`` (user name or e-mail, any case)."""
        want = self.intended_for.strip().casefold()
        return bool(want) and want in {user.get_username().casefold(), (user.email or "").strip().casefold()}

    def allows(self, part: str) -> bool:
        return part in self.scope


class AccessLog(models.Model):
    """One look by a clinician or partner at a sleeper's data."""

    sleeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="access_log")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    viewer_name = models.CharField(max_length=150)
    share = models.ForeignKey(ClinicianShare, on_delete=models.SET_NULL, null=True, blank=True)
    what = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
