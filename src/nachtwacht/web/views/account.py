"""Account settings, export of all own data, and deleting the account."""

from __future__ import annotations

import io
import json
import logging
import re
import tempfile
import zipfile
from typing import IO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nachtwacht.diary import csvio
from nachtwacht.web import twofactor
from nachtwacht.web.convert import diary_for
from nachtwacht.web.core import optional
from nachtwacht.web.front.models import Experiment, PsgUpload
from nachtwacht.web.sharing.models import ClinicianShare
from nachtwacht.web.views.dashboard import forget_insight

log = logging.getLogger("nachtwacht.web")


def _csv(write, records) -> str:
    buf = io.StringIO()
    write(records, buf)
    return buf.getvalue()


def _safe_name(name: str) -> str:
    """A file name that cannot leave its folder in the zip (the rest of the name is theirs)."""
    return re.sub(r"[^\w.-]+", "_", name).strip("._")[:120] or "study"


def _reports(diary, language: str) -> dict[str, bytes]:
    """The GP report of the whole diary, private entries included (it is their own copy)."""
    mod = optional("nachtwacht.report")
    if mod is None or not (diary.nights or diary.episodes):
        return {}
    try:
        data = mod.build(diary, lang=language, include_private=True)
        html = mod.render_html(data)
        return {"report.html": html.encode("utf-8"), "report.pdf": mod.render_pdf(data, html=html)}
    except Exception as exc:  # a report bug must not cost the person their data export
        log.warning("report for an export failed: %s", type(exc).__name__)
        return {}


def write_export(user, out: IO[bytes]) -> None:
    """Write a zip of everything stored about ``user`` (and nothing about anyone else) to ``out``.

    Diary as CSV, everything else as JSON, the GP report as HTML and PDF, and the
    uploaded sleep-study files as they were sent.
    """
    diary = diary_for(user)
    uploads = list(PsgUpload.objects.filter(sleeper=user).order_by("pk"))
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
                          for u in uploads],
        "experiments": [{"code": e.code, "title": e.title, "started": e.started.isoformat(),
                         "ended": e.ended.isoformat() if e.ended else None}
                        for e in Experiment.objects.filter(sleeper=user).order_by("started", "pk")],
    }
    # Whether the second factor is on and since when; never its secret or backup codes.
    tf = twofactor.status(user)
    data["two_step_login"] = {"on": tf["on"], "since": tf["since"].isoformat() if tf["since"] else None}
    # Private flags live on the rows, not on the core episode: add them to the JSON.
    data["private_episodes"] = [e.pk for e in user.episodes.filter(private=True)]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nights.csv", _csv(csvio.write_nights, diary.nights))
        z.writestr("episodes.csv", _csv(csvio.write_episodes, diary.episodes))
        z.writestr("profile.json", json.dumps(diary.profile.to_dict(), indent=2, ensure_ascii=False))
        z.writestr("nachtwacht.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, content in _reports(diary, user.language).items():
            z.writestr(name, content)
        for i, up in enumerate(uploads, 1):
            path = settings.UPLOAD_DIR / up.stored_name
            if path.is_file():  # copied in chunks by zipfile: a 200 MB study is not held in memory
                z.write(path, f"sleep_studies/{i:02d}-{_safe_name(up.original_name)}")


def export_bytes(user) -> bytes:
    """The export zip in memory (for small exports and tests; the view streams from a temp file)."""
    buf = io.BytesIO()
    write_export(user, buf)
    return buf.getvalue()


@login_required
def export(request):
    # A long diary or large sleep studies: built by the worker, downloaded when ready.
    from nachtwacht.web.jobs import views as job_views

    if request.method == "POST" or job_views.export_needs_job(request.user):
        return job_views.export_page(request)
    # Spooled: in memory while small, on disk once sleep studies make it large.
    # FileResponse closes it once sent (a context manager would close it too early).
    tmp = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    write_export(request.user, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, content_type="application/zip",
                        filename=f"nachtwacht-{timezone.localdate().isoformat()}.zip")


@login_required
def settings_view(request):
    return render(request, "nachtwacht/settings.html", {"tf": twofactor.status(request.user)})


class DeleteForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput)
    sure = forms.BooleanField(label=gettext_lazy("Yes, delete my account and all my data for good"))


@login_required
def delete_account(request):
    if request.method == "POST":
        from nachtwacht.web import ratelimit
        from nachtwacht.web.views.password import too_many_message

        form = DeleteForm(request.POST)
        if wait := ratelimit.reauth_wait(request):
            # Counted like the login: a stolen session must not guess the password here.
            form.is_valid()
            form.add_error(None, too_many_message(wait))
            return render(request, "nachtwacht/delete_account.html",
                          {"form": form, "backup_days": settings.BACKUP_RETENTION_DAYS}, status=429)
        if form.is_valid():
            if not request.user.check_password(form.cleaned_data["password"]):
                ratelimit.reauth_result(request, ok=False)
                form.add_error("password", _("That password is not right."))
            else:
                user = request.user
                for up in PsgUpload.objects.filter(sleeper=user):
                    (settings.UPLOAD_DIR / up.stored_name).unlink(missing_ok=True)
                ClinicianShare.objects.filter(clinician=user, revoked_at__isnull=True).update(
                    revoked_at=timezone.now())
                # Cached findings are health data too; keyed by the id, which goes with the row.
                forget_insight(user)
                from nachtwacht.web.jobs.reports import forget_share_reports

                # A clinician's report PDF of this diary is their job row: no cascade.
                forget_share_reports(ClinicianShare.objects.filter(sleeper=user).values_list("pk", flat=True))
                logout(request)
                # Cascades remove nights, episodes, profile, partner links (both
                # directions), invites, shares, the access log and the 2FA devices.
                uid = user.pk
                user.delete()
                end_sessions_of(uid)
                checkpoint_sqlite()
                messages.success(request, _("Your account and all your data have been deleted."))
                resp = redirect("home")
                # Quick pages and queued entries kept by the service worker go too (Chromium
                # honours this; the service worker also forgets them at the next login page).
                resp["Clear-Site-Data"] = '"cache", "storage"'
                return resp
    else:
        form = DeleteForm()
    return render(request, "nachtwacht/delete_account.html",
                  {"form": form, "backup_days": settings.BACKUP_RETENTION_DAYS})


def end_sessions_of(uid: int) -> int:
    """Delete every stored session of user ``uid`` (other browsers, other devices).

    Django keeps no index from user to session, so this reads each live session once:
    fine for a rare action such as deleting an account. Returns how many were deleted.
    """
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    doomed = [s.pk for s in Session.objects.iterator(chunk_size=500)
              if s.get_decoded().get("_auth_user_id") == str(uid)]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def checkpoint_sqlite() -> None:
    """Fold SQLite's write-ahead log into the database file and empty it.

    With ``secure_delete`` the deleted rows are zeroed in the main file; the WAL would
    otherwise keep copies of the changed pages until the next automatic checkpoint.
    """
    from django.db import OperationalError, connection, transaction

    def run() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError:  # another writer holds the log: SQLite's own checkpoint follows
            log.info("wal checkpoint after account deletion postponed (database busy)")

    if connection.vendor == "sqlite":
        # Not inside a transaction (SQLite refuses): right after the commit.
        transaction.on_commit(run)
