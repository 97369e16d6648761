"""Uploads: diary CSV files (all-or-nothing) and sleep-study EDF files."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from nachtwacht.diary.errors import DiaryImportError, RowError
from nachtwacht.web import diaryio, jobs, psgjobs, psgtext, uploadlimit
from nachtwacht.web.access import owned_or_404, sleeper_required
from nachtwacht.web.alerts.advice import check_after_save
from nachtwacht.web.convert import core_to_row_values
from nachtwacht.web.core import optional
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.forms import lang
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.jobs import messages as job_messages
from nachtwacht.web.jobs.models import Job
from nachtwacht.web.jobs.recovery import recover_jobs
from nachtwacht.web.jobs.views import state as job_state
from nachtwacht.web.views import viewer

log = logging.getLogger("nachtwacht.web")


class CsvForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What is in the file?"), widget=forms.RadioSelect,
                             choices=[("nights", gettext_lazy("Nights (one row per night)")),
                                      ("episodes", gettext_lazy("Episodes (one row per episode)"))],
                             initial="nights")
    file = forms.FileField(label=gettext_lazy("CSV file"))
    replace = forms.BooleanField(required=False, label=gettext_lazy(
        "Replace nights I already filled in for the same dates"))


class EdfForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("EDF file of the sleep study"))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


#: Rows per INSERT/UPDATE statement: well below PostgreSQL's 65,535 parameters per
#: query and SQLite's variable limit with ~40 columns per night.
BULK_BATCH = 500


def import_csv(user, kind: str, text: str, language: str, replace: bool = False) -> int:
    """Store every row of ``text`` or nothing; raise DiaryImportError with all problems.

    Rows go in with ``bulk_create`` (a few statements per 500 rows instead of a
    query and an insert per row), so a 2 MB file stays well inside the server's
    request timeout; the transaction keeps it all-or-nothing.
    """
    rows = diaryio.read_nights(text, lang=language) if kind == "nights" else diaryio.read_episodes(text, lang=language)
    with transaction.atomic():
        if kind == "nights":
            _store_nights(user, rows, language, replace)
        else:
            Episode.objects.bulk_create(
                [Episode(sleeper=user, logged_by=user, **core_to_row_values(e)) for e in rows],
                batch_size=BULK_BATCH)
    return len(rows)


def _store_nights(user, rows, language: str, replace: bool) -> None:
    """Insert new nights and (with ``replace``) overwrite stored ones, or raise for all problems."""
    if not rows:
        return
    dates = [n.date for n in rows]
    # One query for the stored nights in the file's date range (an IN list of
    # 48,000 dates would exceed the database's parameter limit).
    existing = set(Night.objects.filter(sleeper=user, date__gte=min(dates), date__lte=max(dates))
                   .values_list("date", flat=True))
    errors: list[RowError] = []
    seen: set = set()
    new: list[Night] = []
    for i, n in enumerate(rows, start=2):  # row 1 is the header
        if n.date in seen:
            errors.append(RowError(i, "date", "duplicate_date", {"value": n.date.isoformat()}))
        seen.add(n.date)
        if n.date in existing and not replace:
            errors.append(RowError(i, "date", "already_stored", {"value": n.date.isoformat()}))
            continue
        if not errors:  # once something is wrong nothing is stored; keep collecting problems
            new.append(Night(sleeper=user, **core_to_row_values(n)))
    if errors:
        raise DiaryImportError(errors, lang=language)
    if replace and existing:
        # Upsert: a row overwrites every field of the stored night (as saving the form
        # would) and keeps its id and creation time. Django's bulk_update instead
        # writes a CASE per field and row, which took minutes for 10,000 nights.
        fields = [*core_to_row_values(rows[0]), "updated"]
        Night.objects.bulk_create(new, batch_size=BULK_BATCH, update_conflicts=True,
                                  unique_fields=["sleeper", "date"], update_fields=fields)
    else:
        Night.objects.bulk_create(new, batch_size=BULK_BATCH)


def _error_rows(exc: DiaryImportError, language: str) -> list[dict]:
    out = []
    for e in exc.errors:
        try:
            text = e.text(language)
        except Exception:  # a code the message table does not know yet
            text = f"{e.code} {e.params}"
        if e.code == "already_stored":
            text = _("Row %(row)s: a night for %(date)s is already stored. Tick “replace” to overwrite it, "
                     "or leave the row out.") % {"row": e.row, "date": e.params.get("value")}
        elif e.code == "duplicate_date":
            text = _("Row %(row)s: the date %(date)s occurs twice in the file.") % {
                "row": e.row, "date": e.params.get("value")}
        out.append({"row": e.row, "field": e.field, "text": text})
    return out


@sleeper_required
def upload_csv(request):
    language = lang()
    errors: list[dict] = []
    if request.method == "POST":
        form = CsvForm(request.POST, request.FILES)
        if uploadlimit.too_large(request):  # dropped while it streamed in
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", job_messages.text("csv_too_large", language,
                                                     max=_mb(settings.CSV_MAX_BYTES)))
        elif form.is_valid():
            f = form.cleaned_data["file"]
            if f.size > settings.CSV_MAX_BYTES:
                form.add_error("file", _("This file is %(size)s; the limit for a diary CSV is %(max)s.")
                               % {"size": _mb(f.size), "max": _mb(settings.CSV_MAX_BYTES)})
            else:
                raw = f.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252", errors="replace")  # Excel on Windows
                try:
                    n = import_csv(request.user, form.cleaned_data["kind"], text, language,
                                   form.cleaned_data["replace"])
                except DiaryImportError as exc:
                    errors = _error_rows(exc, language)
                else:
                    messages.success(request, ngettext("%(n)d row imported.", "%(n)d rows imported.", n)
                                     % {"n": n})
                    check_after_save(request, request.user)
                    return redirect("night_list")
    else:
        form = CsvForm()
    return render(request, "nachtwacht/upload_csv.html", {"form": form, "errors": errors})


def _private_opener(path, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _store_upload(f, stored: str) -> bool:
    """Write an uploaded file to UPLOAD_DIR; False (and no partial file) on a disk error.

    The bytes go to ``<name>.part`` and are renamed once complete and on disk, so a
    process killed half-way never leaves a half file under the final name (the
    ``.part`` file is removed later by ``psgjobs.clean_temp_files``).
    """
    target = settings.UPLOAD_DIR / stored
    tmp = target.with_name(target.name + psgjobs.TEMP_SUFFIX)
    try:
        settings.UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        # 0600 whatever the umask: a sleep study is health data (docs/operations.md).
        with open(tmp, "wb", opener=_private_opener) as out:
            for chunk in f.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:  # disk full, read-only volume, permissions
        # Only the errno goes to the log: the file name may say what the study was for.
        log.error("storing a sleep-study upload failed: %s (errno %s)", type(exc).__name__, exc.errno)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True


def _start_analysis(up: PsgUpload, language: str) -> Job:
    """Put the analysis of ``up`` on the task queue (the worker runs it)."""
    return jobs.enqueue(Job.Kind.ANALYSIS, up.sleeper, upload=up, language=language)


def _busy(user) -> bool:
    """At most one analysis per sleeper waits or runs at a time."""
    return jobs.active(user, Job.Kind.ANALYSIS) is not None


def _recover(user) -> None:
    """Queue again the analyses a killed worker left; mark pre-queue rows as interrupted."""
    recover_jobs(Job.objects.filter(user=user, kind=Job.Kind.ANALYSIS))
    psgjobs.recover_interrupted(PsgUpload.objects.filter(sleeper=user), lang())
    psgjobs.clean_temp_files()  # cheap: one directory listing


@sleeper_required
def upload_edf(request):
    if request.method == "POST":
        form = EdfForm(request.POST, request.FILES)
        if uploadlimit.too_large(request):  # dropped while it streamed in
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", job_messages.text("edf_too_large", lang(),
                                                     max=_mb(settings.EDF_MAX_BYTES)))
        elif _busy(request.user):
            form.is_valid()
            form.add_error(None, job_messages.text("one_at_a_time", lang()))
        elif form.is_valid():
            f = form.cleaned_data["file"]
            head = f.read(8)
            f.seek(0)
            if f.size > settings.EDF_MAX_BYTES:
                form.add_error("file", _("This file is %(size)s; the limit for a sleep study is %(max)s.")
                               % {"size": _mb(f.size), "max": _mb(settings.EDF_MAX_BYTES)})
            elif not (head.startswith(b"0       ") or head[:1] == b"\xff"):
                form.add_error("file", _("This does not look like an EDF or BDF file."))
            else:
                stored = f"{request.user.pk}-{uuid.uuid4().hex}.edf"
                if _store_upload(f, stored):
                    with transaction.atomic():
                        up = PsgUpload.objects.create(sleeper=request.user, original_name=f.name[:255],
                                                      stored_name=stored, size=f.size)
                        _start_analysis(up, lang())
                    return redirect("psg_detail", pk=up.pk)
                form.add_error("file", _(
                    "The file could not be stored: the server has no room left or cannot write "
                    "files right now. Nothing was saved. Please try again later; if it keeps "
                    "happening, tell whoever runs this Nachtwacht."))
    else:
        form = EdfForm()
    _recover(request.user)
    uploads = list(PsgUpload.objects.filter(sleeper=request.user).order_by("-created"))
    for u in uploads:  # the status in the reader's language, not the model's English code
        u.status_label = str(psgtext.STATUS.get(u.status, u.status))
    return render(request, "nachtwacht/upload_edf.html", {
        "form": form, "uploads": uploads, "psg_available": optional("nachtwacht.psg.pipeline") is not None})


@sleeper_required
def psg_detail(request, pk: int):
    up = owned_or_404(PsgUpload, request, pk=pk)
    if up.status in (PsgUpload.Status.QUEUED, PsgUpload.Status.RUNNING):
        _recover(request.user)
        up.refresh_from_db()
    res = up.result or {}
    stats = res.get("stats") or {}
    rows = [(label, stats.get(key), unit) for key, label, unit in STAT_ROWS if key in stats]
    events = []
    for name, r in (res.get("events") or {}).items():
        items = r.get("events") if isinstance(r, dict) else None
        events.append((psgtext.detector_label(name), len(items) if isinstance(items, list) else None))
    job = up.jobs.order_by("-created").first()
    return render(request, "nachtwacht/psg_detail.html", {
        "up": up, "rows": rows, "events": events, "skipped": psgtext.skipped(res.get("skipped") or {}),
        "warnings": [psgtext.warning(str(w)) for w in res.get("warnings") or []],
        # Progress and queue place while it waits or runs (static/nachtwacht/jobs.js).
        "state": job_state(job, lang()) if job is not None and up.status in ("queued", "running") else None,
        "progress_label": job_messages.text("progress_label", lang()),
        **viewer.viewer_context(up, lang())})  # the night at a glance (views/viewer.py)


@sleeper_required
@require_POST
def psg_retry(request, pk: int):
    """Start an interrupted analysis again on the file that is already stored."""
    up = owned_or_404(PsgUpload, request, pk=pk)
    if not (settings.UPLOAD_DIR / up.stored_name).is_file():
        messages.error(request, _("The file of this sleep study is no longer on the server. "
                                  "Please upload it again."))
        return redirect("upload_edf")
    if _busy(request.user):
        messages.error(request, job_messages.text("one_at_a_time", lang()))
        return redirect("psg_detail", pk=up.pk)
    # Conditional update: a double click starts one analysis, not two.
    with transaction.atomic():
        if PsgUpload.objects.filter(pk=up.pk, status=PsgUpload.Status.FAILED, interrupted=True).update(
                status=PsgUpload.Status.QUEUED, interrupted=False, error="", result=None, finished=None,
                started=None, worker=""):
            _start_analysis(up, lang())
            messages.success(request, _("The analysis has started again."))
    return redirect("psg_detail", pk=up.pk)


#: Architecture figures shown to the sleeper (AASM names, from the pipeline's stats).
STAT_ROWS = (
    ("TIB", gettext_lazy("Time in bed"), "min"), ("TST", gettext_lazy("Total sleep time"), "min"),
    ("SE", gettext_lazy("Sleep efficiency"), "%"), ("SOL", gettext_lazy("Minutes to fall asleep"), "min"),
    ("WASO", gettext_lazy("Minutes awake after falling asleep"), "min"), ("%N1", "N1", "%"),
    ("%N2", "N2", "%"), ("%N3", gettext_lazy("N3 (deep sleep)"), "%"), ("%REM", gettext_lazy("REM (dream sleep)"), "%"),
    ("Lat_REM", gettext_lazy("Minutes until the first REM sleep"), "min"),
    ("awakenings", gettext_lazy("Awakenings"), ""),
)
