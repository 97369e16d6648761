"""Job pages: a small JSON status for the progress bar, and the export page/download."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nachtwacht.web import jobs
from nachtwacht.web.access import CLINICIAN, PARTNER, SLEEPER, role_required
from nachtwacht.web.forms import lang
from nachtwacht.web.jobs import messages
from nachtwacht.web.jobs.models import Job

#: Exports up to this many diary rows, with sleep studies up to EXPORT_DIRECT_MAX_BYTES,
#: are built while the person waits (the GP report PDF takes ~5 ms a night, so this
#: stays within a few seconds); larger ones are built by the worker.
EXPORT_DIRECT_MAX_ROWS = 500
EXPORT_DIRECT_MAX_BYTES = 20 * 1024 * 1024


def state(job: Job, language: str) -> dict:
    """What the page shows about ``job`` (also the JSON of :func:`status`)."""
    pos = jobs.position(job)
    if job.status == Job.Status.QUEUED:
        text = messages.text("queued", language, position=pos)
    elif job.status == Job.Status.RUNNING:
        text = messages.text("running", language, progress=job.progress)
    elif job.status == Job.Status.DONE:
        text = messages.text("done", language)
    else:
        text = job.error or messages.failure_text(job.error_code, language, job.kind)
    return {"id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
            "position": pos, "text": text,
            "finished": job.status in (Job.Status.DONE, Job.Status.FAILED)}


#: Every role may have jobs, but through the same check as every other page, so a clinician
#: who must set up two-step login (NACHTWACHT_REQUIRE_2FA_CLINICIANS) is sent there first.
any_role = role_required(SLEEPER, PARTNER, CLINICIAN)


def _own_job(request, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, user=request.user)


@any_role
def status(request, pk: int):
    """``{"status", "progress", "position", "text", "finished"}`` of one of the user's jobs."""
    job = _own_job(request, pk)
    if job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
        from nachtwacht.web.jobs.recovery import recover_jobs

        recover_jobs(Job.objects.filter(pk=job.pk))  # a dead worker's job is queued again
        job.refresh_from_db()
    return JsonResponse(state(job, lang()))


def export_needs_job(user) -> bool:
    """Whether ``user``'s export is too large to build while they wait."""
    from nachtwacht.web.front.models import PsgUpload

    rows = user.nights.count() + user.episodes.count() if user.role == "sleeper" else 0
    studies = PsgUpload.objects.filter(sleeper=user).aggregate(s=Sum("size"))["s"] or 0
    return rows > EXPORT_DIRECT_MAX_ROWS or studies > EXPORT_DIRECT_MAX_BYTES


def export_page(request):
    """GET: the state of the person's export; POST: build it (again) on the queue."""
    language = lang()
    if request.method == "POST":
        current = jobs.active(request.user, Job.Kind.EXPORT)
        if current is None:
            jobs.enqueue(Job.Kind.EXPORT, request.user, language=language)
        return redirect("export")
    job = Job.objects.filter(user=request.user, kind=Job.Kind.EXPORT).order_by("-created").first()
    keep_h = settings.JOB_EXPORT_KEEP_S // 3600
    t = {k: messages.text(k, language) for k in (
        "export_title", "export_intro", "export_start", "export_download", "export_again",
        "progress_label")}
    ready = None
    if job is not None and job.status == Job.Status.DONE:
        when = timezone.localtime(job.finished).strftime("%d-%m-%Y %H:%M")
        ready = messages.text("export_ready", language, when=when, hours=max(1, keep_h))
    return render(request, "nachtwacht/job_export.html", {
        "job": job, "state": state(job, language) if job else None, "t": t, "ready": ready})


@any_role
def export_download(request, pk: int):
    job = _own_job(request, pk)
    path = job.output_path()
    if job.kind != Job.Kind.EXPORT or job.status != Job.Status.DONE or path is None or not path.is_file():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, content_type="application/zip",  # noqa: SIM115
                        filename=f"nachtwacht-{timezone.localtime(job.finished).date().isoformat()}.zip")


@any_role
def report_download(request, pk: int):
    """A report PDF the worker made; a clinician's only while their share is live."""
    from nachtwacht.web.jobs import reports

    job = _own_job(request, pk)
    path = job.output_path()
    if (job.kind != Job.Kind.REPORT or job.status != Job.Status.DONE or path is None
            or not path.is_file() or not reports.share_live(job)):
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, content_type="application/pdf",  # noqa: SIM115
                        filename=reports.file_name(job))


@any_role
@require_POST
def export_start(request):
    return export_page(request)
