"""The sleep-study viewer: overview and signal windows as JSON, event exports, clinician pages.

Who may look: the sleeper at their own studies (``owned_or_404``, as ``psg_detail``),
and a clinician through a live share that holds the ``psg`` part
(``live_share_or_404``, as the other clinician views; anything else answers 404).
The pages and exports are logged for "Wie keek er mee"; the JSON the page fetches
while someone pages through the night is not logged again per epoch (the page view
already was), but passes the same share checks.

The page draws everything with ``static/nachtwacht/viewer.js`` (no inline script:
the CSP allows only the site's own files). The overview JSON carries the hypnogram,
the events and small min/max envelopes (``nachtwacht.web.viewer``); a signal window
carries raw samples of that window only, read from the EDF on demand.
"""

from __future__ import annotations

import math

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from nachtwacht.psg import envelope, export
from nachtwacht.web import psgtext, viewer
from nachtwacht.web.access import (
    clinician_required,
    log_access,
    owned_or_404,
    share_parts,
    sleeper_required,
)
from nachtwacht.web.forms import lang
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.sharing.models import ClinicianShare
from nachtwacht.web.viewer import text

#: Window lengths a reader can choose (s): one epoch, 2 and 5 minutes.
LENGTHS = (30, 120, 300)
#: What a sleeper sees of their own diary on their own study (all of it).
OWN_PARTS = ("nights", "episodes", "profile", "notes", "private")


# ---------------------------------------------------------------------------
# access
# ---------------------------------------------------------------------------
def _share(request, share_id: int, log_as: str | None) -> ClinicianShare:
    """The clinician's live share with the psg part, else 404; logged when ``log_as``.

    The checks are ``live_share_or_404``'s (``is_open_to``), made before anything is
    logged, so a share without the psg part leaves no "looked at the sleep study" row.
    """
    try:
        share = ClinicianShare.objects.select_related("sleeper").get(pk=share_id, clinician=request.user)
    except ClinicianShare.DoesNotExist:
        raise Http404("not found") from None
    if not share.is_open_to(request.user) or not share.allows("psg"):
        raise Http404("not found")
    if log_as is not None:
        log_access(share.sleeper, request.user, log_as, share)
    return share


def _study(request, pk: int, share_id: int | None, log_as: str | None = None):
    """(upload, its owner, the diary parts this viewer may see, share or None)."""
    if share_id is None:
        up = owned_or_404(PsgUpload, request, pk=pk)
        return up, request.user, OWN_PARTS, None
    share = _share(request, share_id, log_as)
    try:
        up = PsgUpload.objects.get(pk=pk, sleeper=share.sleeper, status=PsgUpload.Status.DONE)
    except PsgUpload.DoesNotExist:
        raise Http404("not found") from None
    return up, share.sleeper, share_parts(share), share


def _done(up) -> dict:
    if up.status != PsgUpload.Status.DONE or not isinstance(up.result, dict):
        raise Http404("not analysed")
    return up.result


def _urls(up, share) -> dict[str, str]:
    if share is None:
        kw, prefix = {"pk": up.pk}, "psg"
    else:
        kw, prefix = {"share_id": share.pk, "pk": up.pk}, "clinician_psg"
    return {k: reverse(f"{prefix}_{k}", kwargs=kw) for k in ("overview", "window", "csv", "edf")}


def viewer_context(up, language: str, share=None) -> dict:
    """What ``psg_detail.html`` needs for the viewer (empty until the analysis is done)."""
    if up.status != PsgUpload.Status.DONE or not isinstance(up.result, dict):
        return {}
    stats = up.result.get("stats") or {}
    return {"viewer": {"urls": _urls(up, share), "indices": text.indices(up.result, language),
                       "technician": stats.get("hypnogram_source") not in (None, "automatic"),
                       "has_file": viewer.edf_path(up).is_file()}}


# ---------------------------------------------------------------------------
# JSON for viewer.js
# ---------------------------------------------------------------------------
def overview_data(up, owner, parts, language: str) -> dict:
    """Hypnogram, confidence, event rows, overview envelopes and diary episodes of a study."""
    res = _done(up)
    hyp = res.get("hypnogram") or {}
    rec = res.get("recording") or {}
    events = res.get("events") or {}
    rows = []
    for det, label in text.ROWS:
        r = events.get(det)
        if not isinstance(r, dict):
            continue
        evs = [[round(float(e["onset_s"]), 2), round(float(e.get("duration_s") or 0), 2), str(e.get("kind", det)),
                str(e.get("type") or "")] for e in r.get("events") or [] if isinstance(e.get("onset_s"), int | float)]
        rows.append({"key": det, "label": text.pick(label, language), "events": evs})
    env = viewer.envelopes(up)
    traces = []
    if env is not None:
        by_name = {c["name"]: c for c in env["channels"]}
        for name, role in viewer.channels_for(res, viewer.OVERVIEW_ROLES):
            if name in by_name:
                traces.append({**by_name[name], "role": role})
    dur = float(rec.get("duration_s") or (env or {}).get("duration_s") or
                len(hyp.get("stages") or []) * float(hyp.get("epoch_s") or 30))
    return {
        "start": rec.get("start"), "duration_s": dur, "epoch_s": float(hyp.get("epoch_s") or 30),
        "stages": hyp.get("stages") or [], "confidence": res.get("confidence"),
        "technician": (res.get("stats") or {}).get("hypnogram_source") not in (None, "automatic"),
        "rows": rows, "traces": traces, "has_file": env is not None,
        "channels": [{"name": n, "role": r} for n, r in viewer.channels_for(res)],
        "episodes": viewer.diary_episodes(owner, parts, res, language),
        "kinds": {k: text.pick(v, language) for k, v in text.KINDS.items()},
        "types": {k: text.pick(v, language) for k, v in text.TYPES.items()},
        "text": text.ui(language), "lengths": LENGTHS,
    }


def _float(value: str | None, default: float) -> float:
    try:
        v = float(value) if value is not None else default
    except ValueError:
        return default
    return v if math.isfinite(v) else default


def window_data(up, start: float, length: float, language: str) -> dict:
    """Raw samples of the study's viewer channels around ``start`` plus the events in the window."""
    res = _done(up)
    path = viewer.edf_path(up)
    length = min(LENGTHS, key=lambda n: abs(n - length))
    if not path.is_file():  # removed from the server: the page says so, the overview stays
        return {"start_s": 0.0, "len_s": float(length), "channels": [], "events": [], "gone": True}
    names = [n for n, _role in viewer.channels_for(res)]
    data = envelope.window(path, start, length, names)
    a, b = data["start_s"], data["start_s"] + data["len_s"]
    data["events"] = [{**r, "label": text.kind_label(r, language)} for r in export.event_rows(res)
                      if r["onset_s"] < b and r["onset_s"] + r["duration_s"] > a]
    return data


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"separators": (",", ":"), "allow_nan": False})


@require_GET
def _overview(request, pk: int, share_id: int | None = None):
    up, owner, parts, _share_row = _study(request, pk, share_id)
    return _json(overview_data(up, owner, parts, lang()))


@require_GET
def _window(request, pk: int, share_id: int | None = None):
    up, _owner, _parts, _share_row = _study(request, pk, share_id)
    start = _float(request.GET.get("start"), 0.0)
    length = _float(request.GET.get("len"), 30.0)
    return _json(window_data(up, start, length, lang()))


def _filename(up, ext: str) -> str:
    start = viewer.recording_start(up.result or {})
    day = start.strftime("%Y-%m-%d") if start else str(up.pk)
    return f"slaaponderzoek-{day}-gebeurtenissen.{ext}"


@require_GET
def _csv(request, pk: int, share_id: int | None = None):
    up, _owner, _parts, _share_row = _study(request, pk, share_id, "psg.export")
    language = lang()
    body = export.to_csv(_done(up), labels=lambda r: text.kind_label(r, language))
    resp = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")  # BOM: Excel reads UTF-8
    resp["Content-Disposition"] = f'attachment; filename="{_filename(up, "csv")}"'
    return resp


@require_GET
def _edf(request, pk: int, share_id: int | None = None):
    up, _owner, _parts, _share_row = _study(request, pk, share_id, "psg.export")
    language = lang()
    body = export.to_edf(_done(up), labels=lambda r: text.kind_label(r, language))
    resp = HttpResponse(body, content_type="application/octet-stream")
    resp["Content-Disposition"] = f'attachment; filename="{_filename(up, "edf")}"'
    return resp


psg_overview = sleeper_required(_overview)
psg_window = sleeper_required(_window)
psg_csv = sleeper_required(_csv)
psg_edf = sleeper_required(_edf)
clinician_psg_overview = clinician_required(_overview)
clinician_psg_window = clinician_required(_window)
clinician_psg_csv = clinician_required(_csv)
clinician_psg_edf = clinician_required(_edf)


# ---------------------------------------------------------------------------
# clinician pages
# ---------------------------------------------------------------------------
def _summary(up) -> dict:
    """The figures ``psg_detail.html`` shows above the viewer (as ``uploads.psg_detail``)."""
    from nachtwacht.web.views.uploads import STAT_ROWS

    res = up.result or {}
    stats = res.get("stats") or {}
    events = []
    for name, r in (res.get("events") or {}).items():
        items = r.get("events") if isinstance(r, dict) else None
        events.append((psgtext.detector_label(name), len(items) if isinstance(items, list) else None))
    return {"up": up, "rows": [(label, stats.get(k), unit) for k, label, unit in STAT_ROWS if k in stats],
            "events": events, "skipped": psgtext.skipped(res.get("skipped") or {}),
            "warnings": [psgtext.warning(str(w)) for w in res.get("warnings") or []], "state": None}


@clinician_required
def clinician_psg_list(request, share_id: int):
    share = _share(request, share_id, "psg")
    from nachtwacht.web.views.report import recording_night

    studies = sorted(((recording_night((u.result or {}).get("recording", {}).get("start"), u.created), u.pk)
                      for u in PsgUpload.objects.filter(sleeper=share.sleeper, status=PsgUpload.Status.DONE)
                      .only("pk", "created", "result")), reverse=True)
    return render(request, "nachtwacht/psg_viewer_list.html", {"share": share, "studies": studies})


@clinician_required
def clinician_psg_detail(request, share_id: int, pk: int):
    up, _owner, _parts, share = _study(request, pk, share_id, "psg")
    ctx = _summary(up)
    from nachtwacht.web.views.report import recording_night

    night = recording_night((up.result or {}).get("recording", {}).get("start"), up.created)
    # A neutral title: the file name a sleeper gave may hold their name.
    title = _("Sleep study of the night to %(date)s") % {"date": date_format(night, "j F Y")}
    ctx.update(viewer_context(up, lang(), share), share=share, title=title)
    return render(request, "nachtwacht/psg_detail.html", ctx)


