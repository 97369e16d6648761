"""The GP report: the period form and the report as HTML or PDF, for the sleeper and a clinician.

Which sleep study goes in (see docs/web.md, "The GP report"): the one the sleeper
chose, else the most recent finished study recorded in the period, else the most
recent finished study at all, labelled with its night so nobody mistakes it for
one from the period. A clinician sees sleep studies only when the share includes
the "psg" part, and experiments only when it includes the nights they are
compared on.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from nachtwacht.diary.clock import morning_of
from nachtwacht.web.access import (
    clinician_required,
    live_share_or_404,
    share_parts,
    sleeper_required,
)
from nachtwacht.web.convert import diary_for
from nachtwacht.web.core import optional
from nachtwacht.web.forms import lang
from nachtwacht.web.forms_report import AUTO, NONE, ReportForm, default_period, quick_periods
from nachtwacht.web.front.models import Experiment, PsgUpload
from nachtwacht.web.security import csp_with_style_hashes
from nachtwacht.web.views import device as device_views

log = logging.getLogger("nachtwacht.web")

#: Everything of their own a sleeper's report shows (private episodes stay out).
SLEEPER_PARTS = ("nights", "episodes", "profile", "notes")
FIELDS = ("van", "tot", "taal", "onderzoek")


@dataclass
class Target:
    """Whose report, what of it may be shown, and where its pages are."""

    sleeper: Any
    parts: tuple[str, ...]
    psg: bool
    session_key: str
    form_url: str
    html_url: str
    pdf_url: str
    share: Any = None


def _sleeper_target(request) -> Target:
    return Target(request.user, SLEEPER_PARTS, True, "report_form",
                  reverse("report_form"), reverse("report"), reverse("report_pdf"))


def _clinician_target(request, share_id: int, what: str) -> Target:
    share = live_share_or_404(request, share_id, what)  # logs the look for 'Wie keek er mee'
    kw = {"share_id": share.pk}
    return Target(share.sleeper, share_parts(share), share.allows("psg"), f"report_form:{share.pk}",
                  reverse("clinician_report_form", kwargs=kw), reverse("clinician_report", kwargs=kw),
                  reverse("clinician_report_pdf", kwargs=kw), share)


# ---------------------------------------------------------------------------
# what the form offers
# ---------------------------------------------------------------------------
def _diary_span(target: Target) -> tuple[dt.date | None, dt.date | None]:
    """First and last date in the part of the diary this report may show."""
    from nachtwacht.web.diary.models import Episode, Night

    spans = []
    if "nights" in target.parts:
        spans.append(Night.objects.filter(sleeper=target.sleeper).aggregate(a=Min("date"), b=Max("date")))
    if "episodes" in target.parts:
        spans.append(Episode.objects.filter(sleeper=target.sleeper, private=False)
                     .aggregate(a=Min("date"), b=Max("date")))
    firsts = [s["a"] for s in spans if s["a"]]
    lasts = [s["b"] for s in spans if s["b"]]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def recording_night(start: Any, created: dt.datetime) -> dt.date:
    """The morning after the recorded night (diary nights are dated by the morning).

    Taken from the recording's ``start`` (ISO text); a recording starting before noon
    belongs to the night that ends that morning. Without a start: the upload's date.
    """
    if isinstance(start, str):
        try:
            t = dt.datetime.fromisoformat(start)
        except ValueError:
            pass
        else:
            return morning_of(t)
    return timezone.localdate(created)


def _studies(target: Target) -> list[tuple[int, dt.date]]:
    """(upload id, night) of the finished sleep studies this report may show, newest first.

    Only the start time is read from the database: a stored analysis holds every
    event of the night, and only the chosen one is loaded (``_psg_for_report``).
    """
    if not target.psg:
        return []
    rows = (PsgUpload.objects.filter(sleeper=target.sleeper, status=PsgUpload.Status.DONE,
                                     result__isnull=False)
            .values_list("pk", "created", "result__recording__start"))
    nights = sorted(((recording_night(start, created), created, pk) for pk, created, start in rows),
                    reverse=True)
    return [(pk, night) for night, _created, pk in nights]


def _study_label(night: dt.date) -> str:
    return _("Sleep study of the night to %(date)s") % {"date": date_format(night, "j F Y")}


def _form(target: Target, data: QueryDict | dict | None, studies, initial: dict | None = None) -> ReportForm:
    choices = [(str(pk), _study_label(night)) for pk, night in studies]
    return ReportForm(data, studies=choices, initial=initial)


def _remembered(request, target: Target) -> dict:
    """The last period used (this session), else the default period, as form data."""
    saved = request.session.get(target.session_key)
    if isinstance(saved, dict):
        return {k: str(saved[k]) for k in FIELDS if k in saved}
    first, last = _diary_span(target)
    start, end = default_period(first, last, timezone.localdate())
    return {"van": start.isoformat(), "tot": end.isoformat(), "taal": lang(), "onderzoek": AUTO}


def _render_form(request, target: Target, form: ReportForm, studies, status: int = 200):
    first, last = _diary_span(target)
    quick = [(label, a.isoformat(), b.isoformat())
             for label, a, b in quick_periods(first, last, timezone.localdate())]
    return render(request, "nachtwacht/report_form.html", {
        "form": form, "target": target, "quick": quick, "first": first, "last": last,
        "n_studies": len(studies)}, status=status)


# ---------------------------------------------------------------------------
# what goes into the report
# ---------------------------------------------------------------------------
def _pick_study(studies, choice: str, start: dt.date, end: dt.date) -> tuple[int, dt.date] | None:
    if choice == NONE or not studies:
        return None
    if choice != AUTO:
        return next((s for s in studies if str(s[0]) == choice), None)
    in_period = [s for s in studies if start <= s[1] <= end]
    return (in_period or studies)[0]


def _psg_for_report(study: tuple[int, dt.date] | None, start: dt.date, end: dt.date,
                    language: str) -> dict | None:
    """The analysis JSON with a neutral source label (night, and whether it lies outside the period).

    The stored file name is replaced: it is server-internal, and the original name
    a sleeper gave the file may hold their name.
    """
    if study is None:
        return None
    pk, night = study
    result = dict(PsgUpload.objects.values_list("result", flat=True).get(pk=pk) or {})
    with translation.override(language):
        label = _study_label(night)
        if not start <= night <= end:
            label += " " + _("(outside the chosen period)")
    result["recording"] = {**(result.get("recording") or {}), "source": label}
    return result


def _experiments(target: Target, start: dt.date, end: dt.date) -> list:
    """The sleeper's experiments that overlap the period, as the insight core's objects.

    A clinician gets them only with the nights (they are compared on the nights).
    """
    mod = optional("nachtwacht.insight.experiments")
    if mod is None or "nights" not in target.parts:
        return []
    library = getattr(mod, "LIBRARY", {})
    rows = (Experiment.objects.filter(sleeper=target.sleeper, started__lte=end)
            .filter(Q(ended__isnull=True) | Q(ended__gte=start)).order_by("started"))
    out = []
    for e in rows:
        if e.code not in library:  # an experiment the core no longer knows: nothing to compare
            continue
        try:
            out.append(mod.make(e.code, e.started, e.ended))
        except ValueError:
            continue
    return out


def _for_screen(html: str, target: Target, query: str) -> str:
    """The report page as a web page: fits a phone and has a way back.

    The report's own HTML is made for A4 (the same template as the PDF), so the web
    adds a viewport, a small screen stylesheet (``static/nachtwacht/report-screen.css``)
    and a bar with "back" and "PDF" links, without touching the report's content.
    """
    from django.templatetags.static import static
    from django.utils.html import escape

    head = ('<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="{escape(static("nachtwacht/report-screen.css"))}">')
    bar = (f'<nav class="nw-back" aria-label="{escape(_("Report"))}">'
           f'<a href="{escape(target.form_url)}">← {escape(_("Back to the report choices"))}</a>'
           f'<a href="{escape(target.pdf_url)}?{escape(query)}">{escape(_("Download as PDF"))}</a></nav>')
    html = html.replace("</head>", head + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bar, html, count=1)


def _who(target: Target) -> dict[str, Any]:
    """What a clinician's report says about the person, as the sleeper chose to share.

    The name or initials and birth year the sleeper gave with the share (never the user
    name), and the free-text notes only when the share holds "notes": the diary passed
    to the report then carries them (and never private episodes: ``diary_for`` leaves
    those out), so ``include_private`` adds just the notes.
    """
    share = target.share
    if share is None:
        return {}
    return {"subject_label": share.patient_display_name(), "include_birth_year": share.show_birth_year,
            "include_private": "notes" in target.parts}


def _serve(request, target: Target, pdf: bool):
    studies = _studies(target)
    given = any(k in request.GET for k in FIELDS)
    data = request.GET if given else _remembered(request, target)
    form = _form(target, data, studies)
    if not given and not form.is_valid():
        # A remembered choice that no longer fits (e.g. a deleted study): start afresh.
        request.session.pop(target.session_key, None)
        form = _form(target, _remembered(request, target), studies)
    if not form.is_valid():
        return _render_form(request, target, form, studies, status=400)
    c = form.cleaned_data
    start, end, language = c["van"], c["tot"], c["taal"]
    request.session[target.session_key] = {
        "van": start.isoformat(), "tot": end.isoformat(), "taal": language, "onderzoek": c["onderzoek"]}

    mod = optional("nachtwacht.report")
    if mod is None or not hasattr(mod, "build"):
        return render(request, "nachtwacht/report_missing.html", status=503)
    if pdf:
        # A long period's PDF is made by the worker (#15): this link shows its progress.
        from nachtwacht.web.jobs import reports as report_jobs

        if report_jobs.needs_job(target, start, end):
            return report_jobs.page(request, target, c)
    try:
        diary = diary_for(target.sleeper, parts=target.parts)
        psg = _psg_for_report(_pick_study(studies, c["onderzoek"], start, end), start, end, language)
        data = mod.build(diary, period=(start, end), lang=language, psg=psg,
                         experiments=_experiments(target, start, end), **_who(target),
                         device=device_views.summary_for(target.sleeper, target.parts))
        if not pdf:
            # No file:// font paths on a web page; the inline stylesheet allowed by its hash.
            html = _for_screen(mod.render_html(data, embed_fonts=False), target, request.GET.urlencode())
            resp = HttpResponse(html)
            resp["Content-Security-Policy"] = csp_with_style_hashes(html)
            return resp
        pdf_bytes = mod.render_pdf(data)
    except ImportError:
        return render(request, "nachtwacht/report_missing.html", status=503)
    except Exception as exc:  # a report bug must not show a stack trace to a patient
        log.warning("report failed: %s", type(exc).__name__)
        return render(request, "nachtwacht/report_missing.html", {"failed": True}, status=503)
    resp = HttpResponse(pdf_bytes, content_type="application/pdf")
    # The period only: a file name ends up in download folders and e-mails.
    name = f"nachtwacht-rapport-{start.isoformat()}_{end.isoformat()}.pdf"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _show_form(request, target: Target):
    studies = _studies(target)
    initial = _remembered(request, target)
    # Quick choices are links back here with the dates filled in.
    for k in ("van", "tot"):
        if k in request.GET:
            initial[k] = request.GET[k][:20]
    return _render_form(request, target, _form(target, None, studies, initial=initial), studies)


# ---------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------
@sleeper_required
def report_form(request):
    return _show_form(request, _sleeper_target(request))


@sleeper_required
def report_view(request):
    return _serve(request, _sleeper_target(request), pdf=False)


@sleeper_required
def report_pdf(request):
    return _serve(request, _sleeper_target(request), pdf=True)


@clinician_required
def clinician_report_form(request, share_id: int):
    return _show_form(request, _clinician_target(request, share_id, "report.form"))


@clinician_required
def clinician_report(request, share_id: int):
    return _serve(request, _clinician_target(request, share_id, "report"), pdf=False)


@clinician_required
def clinician_report_pdf(request, share_id: int):
    return _serve(request, _clinician_target(request, share_id, "report.pdf"), pdf=True)
