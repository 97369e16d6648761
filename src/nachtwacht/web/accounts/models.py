"""People: a user with a language and a role, and the sleeper's profile."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from nachtwacht.diary.fields import PROFILE_FIELDS
from nachtwacht.web.fieldgen import abstract_model

#: Factor fields shown in the morning form until the sleeper picks their own.
DEFAULT_TRACKED = ("alcohol_units", "caffeine_mg", "caffeine_last", "stress", "tension")


class User(AbstractUser):
    """A person using Nachtwacht in one role."""

    class Role(models.TextChoices):
        SLEEPER = "sleeper", _("Sleeper")
        PARTNER = "partner", _("Bed partner")
        CLINICIAN = "clinician", _("Clinician")

    language = models.CharField(_("language"), max_length=5, default="nl",
                                choices=[("nl", "Nederlands"), ("en", "English")])
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.SLEEPER)
    tracked = models.JSONField(_("tracked factors"), default=list, blank=True)
    #: Raised when the way this person logs in changes (two-step login on or off): every
    #: other session of theirs then ends, as Django does on a password change.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    #: Clinicians only: the number in the Dutch register of healthcare professionals
    #: (BIG register, 11 digits), entered by the clinician, checked by an administrator.
    big_number = models.CharField(_("BIG number"), max_length=11, blank=True, default="")
    #: Set by an administrator (``nachtwacht manage verify_clinician``) after checking
    #: ``big_number`` in the BIG register; only a verified clinician can claim a share.
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)
    #: Who verified: "admin:<user name>", or "migration" for clinicians who already held
    #: a share before verification existed (docs/threat-model.md).
    verified_by = models.CharField(_("verified by"), max_length=160, blank=True, default="")

    def is_verified_clinician(self) -> bool:
        """True for a clinician whose BIG registration an administrator confirmed."""
        return self.role == self.Role.CLINICIAN and self.verified_at is not None

    def tracked_fields(self) -> tuple[str, ...]:
        """The night fields beyond the sleep core that this person chose to log."""
        return tuple(self.tracked) if self.tracked else DEFAULT_TRACKED

    def _get_session_auth_hash(self, secret=None) -> str:
        # Epoch 0 gives Django's own hash, so sessions from before this field stay valid.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}|epoch:{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()

    def end_other_sessions(self, request) -> None:
        """Invalidate every session of this user except the one of ``request``."""
        from django.contrib.auth import update_session_auth_hash

        User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])
        update_session_auth_hash(request, self)


ProfileFields = abstract_model("ProfileFields", PROFILE_FIELDS, __name__)


class Profile(ProfileFields):
    """Background and other-complaints checklist of one sleeper."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    updated = models.DateTimeField(auto_now=True)
