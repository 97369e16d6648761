"""Device data in the web app (issue #17): upload, the nights beside the diary, the actogram,
and diary drafts the sleeper confirms. A thin shell over :mod:`nachtwacht.device`.

Texts come from :data:`TEXT` in both languages (not gettext), so no translation catalogue
edit is needed and no English shows on a Dutch page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from nachtwacht.web import jobs, uploadlimit
from nachtwacht.web.access import owned_or_404, sleeper_required
from nachtwacht.web.convert import core_to_row_values, diary_for
from nachtwacht.web.diary.models import Night as NightRow
from nachtwacht.web.forms import lang
from nachtwacht.web.front.models import DeviceUpload
from nachtwacht.web.jobs import messages as job_messages
from nachtwacht.web.jobs.models import DEVICE_SUBDIR, Job
from nachtwacht.web.jobs.views import state as job_state

log = logging.getLogger("nachtwacht.web")

#: The size limit is ``settings.DEVICE_MAX_BYTES`` (also enforced while the file streams
#: in, web/uploadlimit.py): Apple exports and raw accelerometer files are large.

TEXT = {
    "nl": {"title": "Gegevens van een slaaphorloge of actigraaf", "file": "Bestand",
           "intro": "Actiwatch (.AWD), ActiGraph (.agd, .gt3x), MotionWatch (.mtn), ActTrust, Axivity (.cwa), "
                    "GENEActiv (.bin), Apple Gezondheid (export.zip), Fitbit, Oura, Withings, Garmin (.fit) "
                    "of Sleep as Android. Wij bewaren alleen de slaapcijfers, niet het bestand zelf.",
           "upload": "Inlezen", "too_large": "Dit bestand is te groot (hoogstens {max}).",
           "reading": "Bestand inlezen", "back": "Terug naar apparaatgegevens",
           "reading_hint": "Ruwe versnellingsgegevens (.cwa, .bin, .gt3x) en grote bestanden leest de server "
                           "op de achtergrond. Dat duurt meestal minder dan een minuut. Deze pagina laat zien "
                           "hoe ver het is en toont daarna de nachten.",
           "not_stored": "Het bestand kon niet worden opgeslagen: de server heeft geen ruimte of kan nu geen "
                         "bestanden schrijven. Er is niets bewaard. Probeer het later opnieuw.",
           "earlier": "Eerder ingelezen", "night": "Nacht", "device": "Apparaat", "diary": "Dagboek",
           "diff": "Verschil", "tst": "Slaaptijd", "waso": "Wakker na inslapen", "se": "Efficiëntie",
           "asleep": "In slaap", "awake": "Wakker", "method": "Methode", "rhythm": "Lichaamsklok", "drafts": "Nachten zonder dagboek",
           "drafts_hint": "Het apparaat zag deze nachten, maar uw dagboek heeft ze niet. U kunt ze als concept "
                          "in uw dagboek zetten en daarna zelf aanvullen. Wat u al schreef, blijft altijd staan.",
           "add": "Zet deze nachten als concept in mijn dagboek", "added": "{n} nachten als concept toegevoegd.",
           "none": "Er zijn geen nachten gevonden in dit bestand.",
           "delete": "Verwijder deze apparaatgegevens", "deleted": "De apparaatgegevens zijn verwijderd.",
           "keys": {"mean_midpoint": "Midden van de slaap", "sri": "Regelmaat (SRI, -100 tot 100)",
                    "social_jet_lag_min": "Sociale jetlag (minuten)", "is": "Stabiliteit tussen dagen (IS, 0 tot 1)",
                    "iv": "Versnippering (IV, 0 tot 2)", "ra": "Verschil dag en nacht (RA, 0 tot 1)"}},
    "en": {"title": "Data from a sleep tracker or actigraph", "file": "File",
           "intro": "Actiwatch (.AWD), ActiGraph (.agd, .gt3x), MotionWatch (.mtn), ActTrust, Axivity (.cwa), "
                    "GENEActiv (.bin), Apple Health (export.zip), Fitbit, Oura, Withings, Garmin (.fit) or "
                    "Sleep as Android. We keep only the sleep figures, not the file itself.",
           "upload": "Read file", "too_large": "This file is too large ({max} at most).",
           "reading": "Reading the file", "back": "Back to device data",
           "reading_hint": "Raw acceleration data (.cwa, .bin, .gt3x) and large files are read by the server "
                           "in the background. That usually takes less than a minute. This page shows how far "
                           "it is, then shows the nights.",
           "not_stored": "The file could not be stored: the server has no room left or cannot write files "
                         "right now. Nothing was saved. Please try again later.",
           "earlier": "Read earlier", "night": "Night", "device": "Device", "diary": "Diary",
           "diff": "Difference", "tst": "Sleep time", "waso": "Awake after sleep onset", "se": "Efficiency",
           "asleep": "Asleep", "awake": "Awake", "method": "Method", "rhythm": "Body clock", "drafts": "Nights without a diary entry",
           "drafts_hint": "The device saw these nights, but your diary does not have them. You can put them in "
                          "your diary as drafts and complete them yourself. What you already wrote always stays.",
           "add": "Put these nights in my diary as drafts", "added": "{n} nights added as drafts.",
           "none": "No nights were found in this file.",
           "delete": "Delete this device data", "deleted": "The device data were deleted.",
           "keys": {"mean_midpoint": "Sleep midpoint", "sri": "Regularity (SRI, -100 to 100)",
                    "social_jet_lag_min": "Social jet lag (minutes)", "is": "Interdaily stability (IS, 0 to 1)",
                    "iv": "Intradaily variability (IV, 0 to 2)", "ra": "Relative amplitude (RA, 0 to 1)"}},
}


class DeviceForm(forms.Form):
    file = forms.FileField()


def _hm(m: float | None) -> str:
    if m is None:
        return "–"
    m = int(round(m))
    return f"{'-' if m < 0 else ''}{abs(m) // 60}:{abs(m) % 60:02d}"


def summarise_file(user, path: Path, name: str) -> dict:
    """The stored summary of device file ``path`` (known to the person as ``name``).

    Used by the upload page for small files and by the ``device`` job (jobs/work.py);
    texts in the active language.
    """
    from nachtwacht.device.summary import summarise
    from nachtwacht.report.actogram import activity_bins

    diary = diary_for(user, parts=("nights", "profile"))
    s = summarise([path], diary.nights, tz=diary.tz, profile=diary.profile)
    out = s.to_dict(lang())
    out["sources"] = [name + src[src.index(":"):] if ":" in src else name for src in out["sources"]]
    bins = activity_bins(s.recordings)
    out["activity"] = None if bins is None else {"first": bins[0].isoformat(), "bins": bins[1]}
    out["gap_text"] = {lg: s.gap_text(lg) for lg in ("nl", "en")}
    return out


#: Raw accelerometry (by name or by the first bytes) and any file over DIRECT_MAX_BYTES
#: is read by the worker (a ``device`` job): 14 days of .cwa take ~9 s and ~170 MB, a
#: .bin ~16 s, too much for a web request with a 30-s timeout. Everything else (1-minute
#: actigraphy, consumer exports: ~0.02 s) is still read while the person waits: a job
#: would only add the queue's delay.
RAW_SUFFIXES = (".cwa", ".bin", ".gt3x")
RAW_HEADS = (b"MD", b"Device Identity")
DIRECT_MAX_BYTES = 20 * 1024 * 1024


def needs_job(f) -> bool:
    """Whether uploaded file ``f`` is read by the worker rather than in the request."""
    if f.size > DIRECT_MAX_BYTES or Path(f.name).suffix.lower() in RAW_SUFFIXES:
        return True
    head = f.read(16)
    f.seek(0)
    return head.startswith(RAW_HEADS)


def _own_name(text: str, tmp: Path, name: str) -> str:
    """``text`` naming the file as the person knows it, not by the server's own name."""
    return text.replace(repr(tmp.name), repr(name)).replace(tmp.name, name)


def _suffix(name: str) -> str:
    """The file's suffix, kept for the reader (``.awd``, ``.cwa``), letters and digits only."""
    suffix = Path(name).suffix.lower()[:10]
    return suffix if suffix[1:].isalnum() else ""


def _read_now(request, f, name: str):
    """Read a small file in the request; the DeviceUpload, or the error text."""
    from nachtwacht.device import DeviceFormatError

    # In FILE_UPLOAD_TEMP_DIR (under the data directory, 0600 from mkstemp), not the
    # system /tmp; removed at once, and by the recovery command if this process is killed.
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=_suffix(name), prefix="nw-device-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        summary = summarise_file(request.user, Path(tmp), name[:200])
    except DeviceFormatError as exc:
        return _own_name(exc.message(lang()), Path(tmp), name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return DeviceUpload.objects.create(sleeper=request.user, original_name=name[:255], summary=summary)


def _store_for_job(f, user) -> str | None:
    """Keep uploaded ``f`` under UPLOAD_DIR/device (0600) for its job; the stored name.

    Django has already written a large upload to FILE_UPLOAD_TEMP_DIR: on the same disk
    it is moved, not copied (300 MB). A copy goes to ``<name>.part`` first, so a process
    killed half-way leaves no half file under a name a job reads. None on a disk error.
    """
    folder = Path(settings.UPLOAD_DIR) / DEVICE_SUBDIR
    stored = f"{user.pk}-{uuid.uuid4().hex}{_suffix(f.name)}"
    target = folder / stored
    tmp = folder / (stored + ".part")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if hasattr(f, "temporary_file_path"):
            with contextlib.suppress(OSError):  # another disk: copied below
                os.chmod(f.temporary_file_path(), 0o600)
                os.replace(f.temporary_file_path(), target)
                return stored
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:  # disk full, read-only volume: only the errno goes to the log
        log.error("storing a device upload failed: %s (errno %s)", type(exc).__name__, exc.errno)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return None
    return stored


def _start_job(request, f) -> Job | None:
    """Store ``f`` and queue its ``device`` job; None when it could not be stored."""
    stored = _store_for_job(f, request.user)
    if stored is None:
        return None
    try:
        return jobs.enqueue(Job.Kind.DEVICE, request.user, language=lang(),
                            params={"stored": stored, "original": Path(f.name).name[:255]})
    except BaseException:
        with contextlib.suppress(OSError):
            (Path(settings.UPLOAD_DIR) / DEVICE_SUBDIR / stored).unlink()
        raise


@sleeper_required
def device_upload(request):
    """Upload a device file; small ones are read at once, raw or large ones by a job."""
    tx = TEXT[lang()]
    form = DeviceForm(request.POST or None, request.FILES or None)
    too_large = tx["too_large"].format(max=f"{settings.DEVICE_MAX_BYTES / 1024 / 1024:.0f} MB")
    current = jobs.active(request.user, Job.Kind.DEVICE)
    if request.method == "POST" and uploadlimit.too_large(request):  # dropped while it streamed in
        form = DeviceForm(request.POST, request.FILES)  # bound, even with nothing left in it
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large)
    elif request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        name = Path(f.name).name
        if f.size > settings.DEVICE_MAX_BYTES:
            form.add_error("file", too_large)
        elif not needs_job(f):
            out = _read_now(request, f, name)
            if isinstance(out, DeviceUpload):
                return redirect("device_detail", pk=out.pk)
            form.add_error("file", out)
        elif current is not None:  # one device job per sleeper waits or runs at a time
            form.add_error(None, job_messages.text("device_one_at_a_time", lang()))
        else:
            job = _start_job(request, f)
            if job is not None:
                return redirect("device_job", pk=job.pk)
            form.add_error("file", tx["not_stored"])
    form.fields["file"].label = tx["file"]
    uploads = DeviceUpload.objects.filter(sleeper=request.user)[:20]
    shown = current or _failed_since_last_upload(request.user, uploads)
    return render(request, "nachtwacht/device_upload.html", {
        "form": form, "tx": tx, "uploads": uploads, "job": shown,
        "state": job_state(shown, lang()) if shown else None,
        "progress_label": job_messages.text("progress_label", lang())})


def _failed_since_last_upload(user, uploads) -> Job | None:
    """The last device job when it failed after the newest upload: the page that polled
    it reloads when it ends, and must then still say why nothing came of it."""
    last = Job.objects.filter(user=user, kind=Job.Kind.DEVICE).order_by("-created").first()
    newest = uploads[0].created if uploads else None
    if last is None or last.status != Job.Status.FAILED or (newest and newest > last.created):
        return None
    return last


@sleeper_required
def device_job(request, pk: int):
    """A device file the worker reads: progress while it waits or runs, then its nights."""
    from nachtwacht.web.jobs.recovery import recover_jobs

    job = get_object_or_404(Job, pk=pk, user=request.user, kind=Job.Kind.DEVICE)
    if job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
        recover_jobs(Job.objects.filter(pk=job.pk))  # a dead worker's job is queued again
        job.refresh_from_db()
    if job.status == Job.Status.DONE:
        up = DeviceUpload.objects.filter(pk=job.params.get("device_upload") or 0, sleeper=request.user).first()
        # Deleted since: back to the list.
        return redirect("device_detail", pk=up.pk) if up else redirect("device_upload")
    return render(request, "nachtwacht/device_job.html", {
        "job": job, "tx": TEXT[lang()], "state": job_state(job, lang()),
        "original": job.params.get("original", ""),
        "progress_label": job_messages.text("progress_label", lang())})


@sleeper_required
def device_detail(request, pk: int):
    """The nights of one upload beside the diary, the body clock and the actogram."""
    from nachtwacht.device.types import DeviceNight
    from nachtwacht.report.actogram import actogram_svg

    up = owned_or_404(DeviceUpload, request, pk=pk)
    lg = lang()
    tx = TEXT[lg]
    s = up.summary
    nights = [DeviceNight.from_dict(d) for d in s["nights"]]
    have = set(NightRow.objects.filter(sleeper=request.user).values_list("date", flat=True))
    rows = []
    for c in s["comparison"]:
        d = c["device"]
        if d is None:
            continue
        diary_tst = (c["diary"] or {}).get("tst_min")
        rows.append({"date": dt.date.fromisoformat(c["date"]), "method": d["method"],
                     "onset": d["onset"][11:16] if d["onset"] else "–",
                     "offset": d["offset"][11:16] if d["offset"] else "–",
                     "tst": _hm(d["tst_min"]), "waso": _hm(d["waso_min"]),
                     "se": "–" if d["se_pct"] is None else f"{d['se_pct']:.0f}%",
                     "diary": _hm(diary_tst), "diff": _hm(c["diff"].get("tst_min"))})
    drafts = [n for n in s["drafts"] if dt.date.fromisoformat(n["date"]) not in have]
    act = s.get("activity")
    activity = None if not act else (dt.date.fromisoformat(act["first"]), act["bins"])
    svg = actogram_svg(nights, (), lg, activity=activity) if nights else ""
    from nachtwacht.device.labels import method_name
    from nachtwacht.report.strings import num

    def shown(k: str, v):
        return v if isinstance(v, str) else num(v, lg, 2 if k in ("is", "iv", "ra") else 0)

    rhythm = [(label, shown(k, s["rhythm"][k])) for k, label in tx["keys"].items()
              if s["rhythm"].get(k) is not None]
    methods = ", ".join(sorted({method_name(r["method"], lg) for r in rows}))
    gap = (s.get("gap_text") or {}).get(lg)
    clock = [f["text"] for f in (s.get("body_clock") or {}).get(lg, [])]
    return render(request, "nachtwacht/device_detail.html", {
        "up": up, "tx": tx, "rows": rows, "methods": methods, "rhythm": rhythm, "gap": gap, "clock": clock, "drafts": drafts,
        "svg": mark_safe(svg),  # noqa: S308 - built by our own code, every text escaped
    })


@sleeper_required
@require_POST
def device_drafts(request, pk: int):
    """Add the upload's draft nights for dates the diary does not have (never overwrite)."""
    from nachtwacht.diary.types import Night

    up = owned_or_404(DeviceUpload, request, pk=pk)
    n = 0
    with transaction.atomic():
        have = set(NightRow.objects.select_for_update().filter(sleeper=request.user)
                   .values_list("date", flat=True))
        for d in up.summary["drafts"]:
            date = dt.date.fromisoformat(d["date"])
            if date in have:
                continue
            night = Night(date=date, **{k: _clock(d.get(k)) for k in
                                        ("bedtime", "lights_out", "final_wake", "out_of_bed")},
                          sol_min=d.get("sol_min"), waso_min=d.get("waso_min"), notes=d.get("notes", ""))
            NightRow.objects.create(sleeper=request.user, **core_to_row_values(night))
            n += 1
    messages.success(request, TEXT[lang()]["added"].format(n=n))
    return redirect("device_detail", pk=up.pk)


@sleeper_required
@require_POST
def device_delete(request, pk: int):
    """Delete one upload's figures (diary nights added from it stay: they are the person's now)."""
    owned_or_404(DeviceUpload, request, pk=pk).delete()
    messages.success(request, TEXT[lang()]["deleted"])
    return redirect("device_upload")


def summary_for(sleeper, parts) -> object | None:
    """Device data for the report of ``sleeper``: only when the nights are shared."""
    from nachtwacht.device.summary import summary_from_json

    if "nights" not in set(parts):
        return None
    return summary_from_json([u.summary for u in DeviceUpload.objects.filter(sleeper=sleeper)[:10]])


def _clock(v: str | None) -> dt.time | None:
    return None if not v else dt.time.fromisoformat(v)
