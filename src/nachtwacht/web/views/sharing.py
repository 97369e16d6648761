"""Partner invites and scope, clinician shares, and 'Wie keek er mee'.

Tokens never travel in a request path or query string (access logs keep those): links
carry them in the URL fragment (``/zorg/link/#TOKEN``), which the browser does not send;
``static/nachtwacht/claim.js`` copies it into a form that the person submits (POST), and
without JavaScript they paste the code. Old links with the token in the path only get a
page that explains this and offers the same POST form: a GET never claims anything.

A clinician share is bound to a person (docs/threat-model.md): only a clinician whose BIG
number an administrator verified can claim it, it may name the clinician it is meant for
and carries a one-time code the sleeper reads out, and no data is shown until the sleeper
has seen who claimed it and confirmed.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nachtwacht.web.access import clinician_required, owned_or_404, sleeper_required
from nachtwacht.web.accounts.verification import clean_big_number, missing_steps
from nachtwacht.web.sharing.models import (
    MAX_CODE_FAILURES,
    SHARE_PARTS,
    AccessLog,
    ClinicianShare,
    PartnerInvite,
    PartnerLink,
    PartnerScope,
    new_claim_code,
)

#: Session key holding an invite token between "continue" and sign-up or log-in.
INVITE_SESSION_KEY = "nw_invite_token"


def token_from(text: str) -> str:
    """The token in what someone pasted: the bare code, or a whole (old or new) link."""
    text = (text or "").strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    elif "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return text if re.fullmatch(r"[A-Za-z0-9_\-]{16,64}", text) else ""


def fragment_url(request, name: str, token: str) -> str:
    """The absolute link for ``name`` with ``token`` after ``#``, never in the path."""
    return f"{request.build_absolute_uri(reverse(name))}#{token}"


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("What may your partner see?"),
                              choices=PartnerScope.choices, widget=forms.RadioSelect)


class ShareForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("For whom (e.g. the name of your GP)"), max_length=120,
                            required=False)
    scope = forms.MultipleChoiceField(label=gettext_lazy("What may they see?"), choices=SHARE_PARTS,
                                      widget=forms.CheckboxSelectMultiple,
                                      initial=["nights", "episodes", "profile"])
    days = forms.IntegerField(label=gettext_lazy("For how many days?"), min_value=1, max_value=365,
                              initial=30)
    patient_name = forms.CharField(
        label=gettext_lazy("How may the clinician see who you are?"), max_length=120, required=False,
        help_text=gettext_lazy("Your name or initials, for example J. de Vries. Leave empty and they see "
                               "\"patient (no name shared)\"; they never see your user name."))
    show_birth_year = forms.BooleanField(
        label=gettext_lazy("Show my birth year (from 'About you')"), required=False)
    intended_for = forms.CharField(
        label=gettext_lazy("User name or e-mail address of the clinician (if you know it)"),
        max_length=254, required=False,
        help_text=gettext_lazy("Then only that clinician can open the link. With their user name they "
                               "need no code. With an e-mail address, or when left empty, they also "
                               "need the code that you read out to them."))


class ClaimForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Link or link code"), max_length=400)
    code = forms.CharField(label=gettext_lazy("Code from your patient (6 digits)"), max_length=20,
                           required=False)


class BigForm(forms.Form):
    big_number = forms.CharField(
        label=gettext_lazy("BIG number"), max_length=20,
        help_text=gettext_lazy("The 11 digits of your registration in the BIG register (the Dutch register "
                               "of healthcare professionals)."))

    def clean_big_number(self) -> str:
        try:
            return clean_big_number(self.cleaned_data["big_number"])
        except ValueError:
            raise forms.ValidationError(_("A BIG number has 11 digits.")) from None


@sleeper_required
def partner_settings(request):
    links = PartnerLink.objects.filter(sleeper=request.user).select_related("partner")
    invites = PartnerInvite.objects.filter(sleeper=request.user, used_at__isnull=True,
                                           expires_at__gt=timezone.now())
    rows = [(link, ScopeForm(initial={"scope": link.scope}, prefix=f"l{link.pk}")) for link in links]
    invite_urls = [(i, fragment_url(request, "invite_accept", i.token)) for i in invites]
    return render(request, "nachtwacht/partner_settings.html", {"rows": rows, "invites": invite_urls})


@sleeper_required
@require_POST
def partner_invite(request):
    PartnerInvite.objects.create(sleeper=request.user)
    messages.success(request, _("Invitation link made. Send it to your partner; it works once, for 7 days."))
    return redirect("partner_settings")


@sleeper_required
@require_POST
def partner_scope(request, link_id: int):
    link = owned_or_404(PartnerLink, request, pk=link_id)
    if request.POST.get("remove"):
        link.delete()
        messages.success(request, _("Partner link removed."))
        return redirect("partner_settings")
    form = ScopeForm(request.POST, prefix=f"l{link.pk}")
    if form.is_valid():
        link.scope = form.cleaned_data["scope"]
        link.save(update_fields=["scope"])
        messages.success(request, _("Saved what your partner may see."))
    return redirect("partner_settings")


def _usable_invite(token: str) -> PartnerInvite | None:
    invite = PartnerInvite.objects.filter(token=token).select_related("sleeper").first() if token else None
    return invite if invite is not None and invite.usable() else None


def invite_accept(request):
    """Open to everyone: the token comes by POST (from the link's fragment, or pasted).

    Someone without an account gets the token kept in their session and signs up or logs
    in; back here (``next``), the accept button carries it again.
    """
    user = request.user
    invalid = {"invalid": True, "path": request.path}
    if request.method != "POST":
        token = request.session.get(INVITE_SESSION_KEY, "")
        invite = _usable_invite(token)
        return render(request, "nachtwacht/invite.html", {"invite": invite, "token": token if invite else "",
                                                          "path": request.path})
    token = token_from(request.POST.get("token", ""))
    invite = _usable_invite(token)
    if invite is None:
        request.session.pop(INVITE_SESSION_KEY, None)
        return render(request, "nachtwacht/invite.html", invalid, status=404)
    if not user.is_authenticated or not request.POST.get("accept"):
        request.session[INVITE_SESSION_KEY] = token
        return render(request, "nachtwacht/invite.html", {"invite": invite, "token": token, "path": request.path})
    if user.role != "partner" or user == invite.sleeper:
        messages.error(request, _("This account cannot become a partner. Sign up with a new "
                                  "partner account, or log out first."))
        request.session[INVITE_SESSION_KEY] = token
        return redirect("invite_accept")
    with transaction.atomic():
        inv = PartnerInvite.objects.select_for_update().get(pk=invite.pk)
        if not inv.usable():
            return render(request, "nachtwacht/invite.html", invalid, status=404)
        inv.used_at = timezone.now()
        inv.save(update_fields=["used_at"])
        link, _created = PartnerLink.objects.get_or_create(sleeper=inv.sleeper, partner=user)
    request.session.pop(INVITE_SESSION_KEY, None)
    messages.success(request, _("You are now linked. You can log what you see at night."))
    return redirect("partner_log", link_id=link.pk)


def invite_link_old(request, token: str):
    """An invite link of the previous release (token in the path): explain, offer the POST form."""
    return render(request, "nachtwacht/link_moved.html",
                  {"token": token_from(token), "action": reverse("invite_accept"), "kind": "invite"})


@sleeper_required
def shares(request):
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            share = ClinicianShare.objects.create(
                sleeper=request.user, label=form.cleaned_data["label"],
                scope=form.cleaned_data["scope"],
                patient_name=form.cleaned_data["patient_name"].strip(),
                show_birth_year=form.cleaned_data["show_birth_year"],
                intended_for=form.cleaned_data["intended_for"].strip(), claim_code=new_claim_code(),
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]))
            messages.success(request, _("Share made. Give the link to your clinician, and read the code "
                                        "out to them (by phone or in person; not in the same message)."))
            return redirect(f"{reverse('shares')}#share-{share.pk}")
    else:
        form = ShareForm()
    rows = []
    parts = dict(SHARE_PARTS)
    for s in ClinicianShare.objects.filter(sleeper=request.user).select_related("clinician").order_by("-created"):
        rows.append({"share": s, "url": fragment_url(request, "share_claim", s.token),
                     "code": f"{s.claim_code[:3]} {s.claim_code[3:]}" if s.claim_code else "",
                     "locked": s.code_failures >= MAX_CODE_FAILURES,
                     "parts": [str(parts[p]) for p in s.scope if p in parts]})
    return render(request, "nachtwacht/shares.html", {"form": form, "rows": rows})


@sleeper_required
@require_POST
def share_revoke(request, share_id: int):
    share = owned_or_404(ClinicianShare, request, pk=share_id)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    from nachtwacht.web.jobs.reports import forget_share_reports

    forget_share_reports([share.pk])  # report PDFs made from it go too
    messages.success(request, _("Share revoked. The clinician can no longer see your data."))
    return redirect("shares")


@sleeper_required
@require_POST
def share_confirm(request, share_id: int):
    """The sleeper confirms that the clinician who claimed the share is the right one."""
    share = owned_or_404(ClinicianShare, request, pk=share_id)
    # Conditional: only a live, claimed, unconfirmed share, and only the claim the page showed
    # (a form from before another claim cannot confirm someone the sleeper never saw).
    shown = request.POST.get("clinician", "")
    done = ClinicianShare.objects.filter(
        pk=share.pk, clinician__isnull=False, clinician_id=shown if shown.isdigit() else -1,
        confirmed_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now(),
    ).update(confirmed_at=timezone.now())
    if done:
        messages.success(request, _("Confirmed. Your clinician can now see what you shared."))
    else:
        messages.error(request, _("Nothing to confirm for this share."))
    return redirect("shares")


@sleeper_required
def access_log(request):
    entries = AccessLog.objects.filter(sleeper=request.user).select_related("share")[:500]
    return render(request, "nachtwacht/access_log.html", {"entries": entries})


def share_claim(request):
    """``/zorg/link/``: a verified clinician claims a share with its token and code (POST).

    Someone not logged in gets a page that keeps the token (claim.js, sessionStorage)
    and asks them to log in; other roles get 404 as for every clinician page.
    """
    if not request.user.is_authenticated:
        # From an old-style link's form: the token goes back into the page (claim.js keeps it).
        token = token_from(request.POST.get("token", "")) if request.method == "POST" else ""
        return render(request, "nachtwacht/share_claim.html",
                      {"anonymous": True, "next": reverse("share_claim"), "token": token})
    return _share_claim(request)


def _claim_page(request, form, status=200, **extra):
    return render(request, "nachtwacht/share_claim.html", {"form": form, **extra}, status=status)


@clinician_required
def _share_claim(request):
    user = request.user
    if not user.is_verified_clinician():
        return render(request, "nachtwacht/share_claim.html", {"missing": missing_steps(user)}, status=403)
    if request.method != "POST":
        return _claim_page(request, ClaimForm())
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, form, status=400)
    token = token_from(form.cleaned_data["token"])
    code = re.sub(r"\D", "", form.cleaned_data["code"])
    with transaction.atomic():
        share = ClinicianShare.objects.select_for_update().filter(token=token).first() if token else None
        if share is not None and share.clinician_id == user.pk and share.is_live():
            return redirect("clinician_home")  # claimed before (a second click): nothing to do
        if share is None or not share.is_live() or share.clinician_id is not None:
            return _claim_page(request, form, status=404, invalid=True)
        meant = share.meant_for(user)
        if share.intended_for and not meant:
            return _claim_page(request, form, status=403, not_for_you=True)
        # Only the user name stands in for the code: an e-mail address is typed by its
        # holder and never checked, so anyone could give themselves the GP's address.
        by_name = meant and share.intended_for.strip().casefold() == user.get_username().casefold()
        if share.claim_code and not by_name and not secrets.compare_digest(code, share.claim_code):
            ClinicianShare.objects.filter(pk=share.pk).update(code_failures=F("code_failures") + 1)
            share.refresh_from_db(fields=["code_failures"])
            if share.code_failures >= MAX_CODE_FAILURES:
                # Too many wrong codes: the share stops; the sleeper sees why and makes a new one.
                ClinicianShare.objects.filter(pk=share.pk).update(revoked_at=timezone.now())
                return _claim_page(request, form, status=404, invalid=True)
            form.add_error("code", _("This code is not right. Ask your patient to read it out again."))
            return _claim_page(request, form, status=400)
        # Conditional update: of two clinicians claiming at once, the first keeps it.
        won = ClinicianShare.objects.filter(pk=share.pk, clinician__isnull=True).update(
            clinician=user, claimed_at=timezone.now())
    if not won:
        return _claim_page(request, form, status=404, invalid=True)
    messages.success(request, _("Almost there. Your patient now sees your name and BIG number and must "
                                "confirm that it is you; then the diary opens here."))
    return redirect("clinician_home")


def share_link_old(request, token: str):
    """A share link of the previous release (token in the path): explain, offer the POST form."""
    return render(request, "nachtwacht/link_moved.html",
                  {"token": token_from(token), "action": reverse("share_claim"), "kind": "share"})


@clinician_required
def clinician_verify(request):
    """A clinician enters their BIG number; an administrator confirms it (verify_clinician)."""
    user = request.user
    form = BigForm(request.POST or None, initial={"big_number": user.big_number})
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["big_number"]
        if user.big_number and new != user.big_number:
            # A changed number has not been checked: verification starts again. (A clinician
            # verified by the migration, who had no number yet, keeps it while adding one.)
            user.big_number, user.verified_at, user.verified_by = new, None, ""
            user.save(update_fields=["big_number", "verified_at", "verified_by"])
        elif new != user.big_number:
            user.big_number = new
            user.save(update_fields=["big_number"])
        messages.success(request, _("BIG number saved. An administrator checks it in the BIG register; "
                                    "until then you cannot open shares."))
        return redirect("clinician_verify")
    return render(request, "nachtwacht/clinician_verify.html",
                  {"form": form, "missing": missing_steps(user)})
