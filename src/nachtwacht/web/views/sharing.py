"""Partner invites and scope, clinician shares, and 'Wie keek er mee'."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nachtwacht.web.access import clinician_required, owned_or_404, sleeper_required
from nachtwacht.web.sharing.models import (
    SHARE_PARTS,
    AccessLog,
    ClinicianShare,
    PartnerInvite,
    PartnerLink,
    PartnerScope,
)


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


@sleeper_required
def partner_settings(request):
    links = PartnerLink.objects.filter(sleeper=request.user).select_related("partner")
    invites = PartnerInvite.objects.filter(sleeper=request.user, used_at__isnull=True,
                                           expires_at__gt=timezone.now())
    rows = [(link, ScopeForm(initial={"scope": link.scope}, prefix=f"l{link.pk}")) for link in links]
    invite_urls = [(i, request.build_absolute_uri(reverse("invite_accept", args=[i.token]))) for i in invites]
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


def invite_accept(request, token: str):
    """Open to everyone with the link; accepting needs an account (made on the way)."""
    invite = PartnerInvite.objects.filter(token=token).select_related("sleeper").first()
    if invite is None or not invite.usable():
        return render(request, "nachtwacht/invite.html", {"invalid": True}, status=404)
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        if user.role != "partner" or user == invite.sleeper:
            messages.error(request, _("This account cannot become a partner. Sign up with a new "
                                      "partner account, or log out first."))
            return redirect("invite_accept", token=token)
        with transaction.atomic():
            inv = PartnerInvite.objects.select_for_update().get(pk=invite.pk)
            if not inv.usable():
                return render(request, "nachtwacht/invite.html", {"invalid": True}, status=404)
            inv.used_at = timezone.now()
            inv.save(update_fields=["used_at"])
            link, _created = PartnerLink.objects.get_or_create(sleeper=inv.sleeper, partner=user)
        messages.success(request, _("You are now linked. You can log what you see at night."))
        return redirect("partner_log", link_id=link.pk)
    return render(request, "nachtwacht/invite.html", {"invite": invite, "path": request.path})


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
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]))
            messages.success(request, _("Share made. Give the link to your clinician."))
            return redirect(f"{reverse('shares')}#share-{share.pk}")
    else:
        form = ShareForm()
    rows = []
    parts = dict(SHARE_PARTS)
    for s in ClinicianShare.objects.filter(sleeper=request.user).select_related("clinician").order_by("-created"):
        rows.append({"share": s, "url": request.build_absolute_uri(reverse("share_claim", args=[s.token])),
                     "parts": [str(parts[p]) for p in s.scope if p in parts]})
    return render(request, "nachtwacht/shares.html", {"form": form, "rows": rows})


@sleeper_required
@require_POST
def share_revoke(request, share_id: int):
    share = owned_or_404(ClinicianShare, request, pk=share_id)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    messages.success(request, _("Share revoked. The clinician can no longer see your data."))
    return redirect("shares")


@sleeper_required
def access_log(request):
    entries = AccessLog.objects.filter(sleeper=request.user).select_related("share")[:500]
    return render(request, "nachtwacht/access_log.html", {"entries": entries})


@clinician_required
def share_claim(request, token: str):
    """A clinician opening the link attaches the share to their account (once)."""
    share = ClinicianShare.objects.filter(token=token).first()
    if share is None or not share.is_live() or (share.clinician and share.clinician != request.user):
        raise Http404("not found")
    if request.method == "POST":
        if share.clinician is None:
            # Conditional update: of two clinicians opening the link at once, the first
            # keeps it and the second gets "not found" (a plain save would let the last win).
            won = ClinicianShare.objects.filter(pk=share.pk, clinician__isnull=True).update(
                clinician=request.user, claimed_at=timezone.now())
            if not won:
                raise Http404("not found")
        return redirect("clinician_view", share_id=share.pk)
    return render(request, "nachtwacht/share_claim.html", {"share": share})
