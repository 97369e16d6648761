"""Account settings, export of all own data, and deleting the account."""

from __future__ import annotations

import io
import json
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nachtwacht.diary import csvio
from nachtwacht.web import twofactor
from nachtwacht.web.convert import diary_for
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.sharing.models import ClinicianShare


def _csv(write, records) -> str:
    buf = io.StringIO()
    write(records, buf)
    return buf.getvalue()


def export_bytes(user) -> bytes:
    """A zip of everything stored about ``user`` (and nothing about anyone else)."""
    diary = diary_for(user)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {"username": user.username, "language": user.language, "role": user.role,
                    "date_joined": user.date_joined.isoformat(), "tracked": list(user.tracked_fields())},
        "nights": [n.to_dict() for n in diary.nights],
        "episodes": [e.to_dict() for e in diary.episodes],
        "profile": diary.profile.to_dict(),
        "partner_links": [{"partner": link.partner.username, "scope": link.scope,
                           "created": link.created.isoformat()} for link in user.partner_links.select_related("partner")],
        "partner_of": [{"created": link.created.isoformat(), "scope": link.scope} for link in user.partner_of.all()],
        "clinician_shares": [{"label": s.label, "scope": s.scope, "created": s.created.isoformat(),
                              "expires_at": s.expires_at.isoformat(),
                              "revoked_at": s.revoked_at.isoformat() if s.revoked_at else None,
                              "clinician": s.clinician.username if s.clinician else None}
                             for s in user.clinician_shares.select_related("clinician")],
        "access_log": [{"viewer": a.viewer_name, "what": a.what, "at": a.at.isoformat()}
                       for a in user.access_log.all()],
        "sleep_studies": [{"file": u.original_name, "status": u.status, "result": u.result}
                          for u in PsgUpload.objects.filter(sleeper=user)],
    }
    # Whether the second factor is on and since when; never its secret or backup codes.
    tf = twofactor.status(user)
    data["two_step_login"] = {"on": tf["on"], "since": tf["since"].isoformat() if tf["since"] else None}
    # Private flags live on the rows, not on the core episode: add them to the JSON.
    data["private_episodes"] = [e.pk for e in user.episodes.filter(private=True)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nights.csv", _csv(csvio.write_nights, diary.nights))
        z.writestr("episodes.csv", _csv(csvio.write_episodes, diary.episodes))
        z.writestr("profile.json", json.dumps(diary.profile.to_dict(), indent=2, ensure_ascii=False))
        z.writestr("nachtwacht.json", json.dumps(data, indent=2, ensure_ascii=False))
    return buf.getvalue()


@login_required
def settings_view(request):
    return render(request, "nachtwacht/settings.html", {"tf": twofactor.status(request.user)})


@login_required
def export(request):
    resp = HttpResponse(export_bytes(request.user), content_type="application/zip")
    resp["Content-Disposition"] = f'attachment; filename="nachtwacht-{timezone.localdate().isoformat()}.zip"'
    return resp


class DeleteForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput)
    sure = forms.BooleanField(label=gettext_lazy("Yes, delete my account and all my data for good"))


@login_required
def delete_account(request):
    if request.method == "POST":
        form = DeleteForm(request.POST)
        if form.is_valid():
            if not request.user.check_password(form.cleaned_data["password"]):
                form.add_error("password", _("That password is not right."))
            else:
                user = request.user
                for up in PsgUpload.objects.filter(sleeper=user):
                    (settings.UPLOAD_DIR / up.stored_name).unlink(missing_ok=True)
                ClinicianShare.objects.filter(clinician=user, revoked_at__isnull=True).update(
                    revoked_at=timezone.now())
                logout(request)
                # Cascades remove nights, episodes, profile, partner links (both
                # directions), invites, shares, the access log and the 2FA devices.
                user.delete()
                messages.success(request, _("Your account and all your data have been deleted."))
                return redirect("home")
    else:
        form = DeleteForm()
    return render(request, "nachtwacht/delete_account.html", {"form": form})
