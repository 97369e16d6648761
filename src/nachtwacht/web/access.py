"""Who may see what: every role check of the web app lives here.

Views never compare roles themselves; they use these decorators and lookups.
Someone asking for another person's object gets a 404, never a 403, so the
existence of other people's data is not revealed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse

from nachtwacht.web import twofactor
from nachtwacht.web.sharing.models import AccessLog, ClinicianShare, PartnerLink

SLEEPER, PARTNER, CLINICIAN = "sleeper", "partner", "clinician"


def role_required(*roles: str) -> Callable:
    """Let only signed-in users with one of ``roles`` in; others get login or 404."""

    def deco(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise Http404("not available for this role")
            if user.role == CLINICIAN and twofactor.required_for(user):
                # NACHTWACHT_REQUIRE_2FA_CLINICIANS: set up the second factor first, then come back.
                return HttpResponseRedirect(
                    f"{reverse('twofactor_setup')}?next={quote(request.get_full_path())}")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # read by the route-by-role test
        return wrapper

    return deco


sleeper_required = role_required(SLEEPER)
partner_required = role_required(PARTNER)
clinician_required = role_required(CLINICIAN)


def owned_or_404(model, request: HttpRequest, **lookup):
    """Return ``model`` row ``lookup`` that belongs to the signed-in sleeper, else 404."""
    try:
        return model.objects.get(sleeper=request.user, **lookup)
    except (model.DoesNotExist, ValueError):
        raise Http404("not found") from None


def partner_link_or_404(request: HttpRequest, link_id: int) -> PartnerLink:
    """The partner link ``link_id`` of the signed-in partner, else 404."""
    try:
        return PartnerLink.objects.select_related("sleeper").get(pk=link_id, partner=request.user)
    except PartnerLink.DoesNotExist:
        raise Http404("not found") from None


def log_access(sleeper, viewer, what: str, share: ClinicianShare | None = None) -> None:
    """Record that ``viewer`` looked at ``what`` of ``sleeper`` (shown on 'Wie keek er mee')."""
    AccessLog.objects.create(sleeper=sleeper, viewer=viewer, viewer_name=viewer.get_username(),
                             share=share, what=what)


def live_share_or_404(request: HttpRequest, share_id: int, what: str) -> ClinicianShare:
    """The live share ``share_id`` of the signed-in clinician, logging the access; else 404.

    Revoked and expired shares answer exactly like shares that never existed, and so do
    shares the sleeper has not yet confirmed and any share of a clinician whose
    verification was withdrawn (issue #16, docs/threat-model.md).
    """
    try:
        share = ClinicianShare.objects.select_related("sleeper").get(pk=share_id, clinician=request.user)
    except ClinicianShare.DoesNotExist:
        raise Http404("not found") from None
    if not share.is_open_to(request.user):
        raise Http404("not found")
    log_access(share.sleeper, request.user, what, share)
    return share


def share_parts(share: ClinicianShare) -> tuple[str, ...]:
    """The diary parts a clinician share opens (never private episodes)."""
    return tuple(p for p in share.scope if p in ("nights", "episodes", "profile", "notes"))


def partner_parts(link: PartnerLink) -> tuple[str, ...]:
    """The diary parts a partner link opens (never notes or private episodes)."""
    return {"none": (), "episodes": ("episodes",), "episodes_nights": ("episodes", "nights")}.get(
        link.scope, ())
