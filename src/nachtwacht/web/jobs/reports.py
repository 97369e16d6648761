"""The GP report PDF of a long period, built by the worker and downloaded when ready.

A report PDF takes about 5 ms a night to render (95 s for 19,000 nights), so a period
of more than :data:`DIRECT_MAX_NIGHTS` nights is not rendered inside the request:
``views.report._serve`` hands it here, the same link then shows the job's progress and
offers the file when it is ready. The report is rebuilt from the same choices (period,
language, study) by :func:`build_pdf`; a clinician's job checks their share is still
live both when it runs and when the file is downloaded.
"""

from __future__ import annotations

from django.shortcuts import render

from nachtwacht.web import jobs
from nachtwacht.web.forms import lang
from nachtwacht.web.jobs import messages
from nachtwacht.web.jobs.models import Job

#: Nights + episodes above which a report PDF is a job (~7 s of rendering here).
DIRECT_MAX_ROWS = 1500


def _rows(target, start, end) -> int:
    from nachtwacht.web.diary.models import Episode, Night

    n = 0
    if "nights" in target.parts:
        n += Night.objects.filter(sleeper=target.sleeper, date__gte=start, date__lte=end).count()
    if "episodes" in target.parts:
        n += Episode.objects.filter(sleeper=target.sleeper, date__gte=start, date__lte=end).count()
    return n


def needs_job(target, start, end) -> bool:
    """Whether this report's PDF is too long to render while the person waits."""
    return _rows(target, start, end) > DIRECT_MAX_ROWS


def params_of(target, cleaned: dict) -> dict:
    return {"share": target.share.pk if target.share is not None else None,
            "van": cleaned["van"].isoformat(), "tot": cleaned["tot"].isoformat(),
            "taal": cleaned["taal"], "onderzoek": str(cleaned["onderzoek"])}


def page(request, target, cleaned: dict):
    """The job for this report (started if there is none yet): progress, then the download."""
    params = params_of(target, cleaned)
    language = lang()
    recent = Job.objects.filter(user=request.user, kind=Job.Kind.REPORT).exclude(
        status=Job.Status.FAILED).order_by("-created")[:20]
    job = next((j for j in recent if j.params == params), None)
    if job is None and (busy := jobs.active(request.user, Job.Kind.REPORT)) is not None:
        # One waiting or running report per person: a GET needs no CSRF token, so links
        # (or image tags elsewhere) with ever new periods must not fill the worker's queue.
        from django.contrib import messages as flash

        flash.info(request, messages.text("report_one_at_a_time", language))
        job = busy
    if job is None:
        job = jobs.enqueue(Job.Kind.REPORT, request.user, language=language, params=params)
    from nachtwacht.web.jobs.views import state

    return render(request, "nachtwacht/job_report.html", {
        "job": job, "state": state(job, language), "target": target,
        "t": {k: messages.text(k, language) for k in (
            "report_title", "report_intro", "report_download", "report_back", "progress_label")}})


def _target(job: Job):
    """The report's Target as the view built it, or None when the share is no longer live."""
    from django.urls import reverse

    from nachtwacht.web.access import share_parts
    from nachtwacht.web.sharing.models import ClinicianShare
    from nachtwacht.web.views import report

    share_id = job.params.get("share")
    if share_id is None:
        return report.Target(job.user, report.SLEEPER_PARTS, True, "report_form",
                             reverse("report_form"), reverse("report"), reverse("report_pdf"))
    share = ClinicianShare.objects.select_related("sleeper").filter(pk=share_id, clinician=job.user).first()
    if share is None or not share.is_open_to(job.user):  # live, confirmed, clinician verified (#16)
        return None
    kw = {"share_id": share.pk}
    return report.Target(share.sleeper, share_parts(share), share.allows("psg"), f"report_form:{share.pk}",
                         reverse("clinician_report_form", kwargs=kw), reverse("clinician_report", kwargs=kw),
                         reverse("clinician_report_pdf", kwargs=kw), share)


def forget_share_reports(share_ids) -> int:
    """Delete the finished report jobs made from these shares, and their PDFs.

    A clinician's job row is theirs, so nothing cascades when the sleeper revokes the
    share or deletes the account; the file would otherwise wait for the clean-up in
    ``jobs.recovery`` (up to ``JOB_EXPORT_KEEP_S``). A
    job still queued or running fails by itself (:func:`_target`).
    """
    done = Job.objects.filter(kind=Job.Kind.REPORT, params__share__in=list(share_ids),
                              status__in=(Job.Status.DONE, Job.Status.FAILED))
    n = 0
    for job in done:
        job.delete()  # the post_delete signal removes the file
        n += 1
    return n


def share_live(job: Job) -> bool:
    return job.params.get("share") is None or _target(job) is not None


def build_pdf(job: Job) -> bytes:
    """Render the report the job was asked for, exactly as ``views.report._serve`` would."""
    import datetime as dt

    from nachtwacht.web.convert import diary_for
    from nachtwacht.web.core import optional
    from nachtwacht.web.views import device as device_views
    from nachtwacht.web.views import report

    target = _target(job)
    if target is None:
        raise PermissionError("the share is no longer live")
    p = job.params
    start, end = dt.date.fromisoformat(p["van"]), dt.date.fromisoformat(p["tot"])
    language = p["taal"]
    mod = optional("nachtwacht.report")
    if mod is None:
        raise ImportError("nachtwacht.report")
    studies = report._studies(target)
    diary = diary_for(target.sleeper, parts=target.parts)
    psg = report._psg_for_report(report._pick_study(studies, p["onderzoek"], start, end), start, end, language)
    data = mod.build(diary, period=(start, end), lang=language, psg=psg,
                     experiments=report._experiments(target, start, end), **report._who(target),
                     device=device_views.summary_for(target.sleeper, target.parts))
    return mod.render_pdf(data)


def file_name(job: Job) -> str:
    # The period only: a file name ends up in download folders and e-mails.
    return f"nachtwacht-rapport-{job.params.get('van')}_{job.params.get('tot')}.pdf"

