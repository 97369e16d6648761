"""A GP report PDF over a long period is made by the worker (issue #15).

Below the threshold the PDF comes in the response as before; above it the same link
shows the job (one per choice of period, language and study), then the download.
A clinician's job is theirs only and dies with the share.
"""

from __future__ import annotations

import stat

import pytest
from django.utils import timezone

from nachtwacht.web.jobs import reports, runner, supervise
from nachtwacht.web.jobs.models import Job

QUERY = "?van=2026-10-01&tot=2026-11-30&taal=nl&onderzoek=auto"


@pytest.fixture
def long_period(monkeypatch, settings, tmp_path):
    settings.JOB_OUTPUT_DIR = tmp_path / "exports"
    monkeypatch.setattr(reports, "DIRECT_MAX_ROWS", 1)  # the household's rows count as "long"


def _run(job):
    runner.execute(supervise.claim(job.pk))
    job.refresh_from_db()
    return job


def test_a_long_report_pdf_is_a_job_then_a_download(household, as_user, long_period):
    c = as_user(household["sleeper"])
    r = c.get("/rapport.pdf" + QUERY)
    page = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert "Rapport als PDF" in page and "Uw plaats: 1" in page and "<progress" in page
    c.get("/rapport.pdf" + QUERY)  # the same link again: the same job, not a second one
    job = Job.objects.get(kind="report")
    assert job.params == {"share": None, "van": "2026-10-01", "tot": "2026-11-30", "taal": "nl",
                          "onderzoek": "auto"}
    job = _run(job)
    assert job.status == "done", job.error
    path = job.output_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_bytes().startswith(b"%PDF")
    page = c.get("/rapport.pdf" + QUERY).content.decode()
    assert f"/rapport/{job.pk}/download/" in page
    r = c.get(f"/rapport/{job.pk}/download/")
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert 'filename="nachtwacht-rapport-2026-10-01_2026-11-30.pdf"' in r["Content-Disposition"]
    assert as_user(household["stranger"]).get(f"/rapport/{job.pk}/download/").status_code == 404


def test_a_clinicians_report_job_ends_with_the_share(household, as_user, long_period, monkeypatch):
    def build_pdf(job):  # the share check of the real one, without rendering a PDF
        if reports._target(job) is None:
            raise PermissionError("the share is no longer live")
        return b"%PDF-x"

    monkeypatch.setattr(reports, "build_pdf", build_pdf)
    share = household["share"]
    c = as_user(household["gp"])
    assert c.get(f"/zorg/{share.pk}/rapport.pdf" + QUERY).status_code == 200
    job = Job.objects.get(kind="report", user=household["gp"])
    assert job.params["share"] == share.pk
    job = _run(job)
    assert job.status == "done"
    assert c.get(f"/rapport/{job.pk}/download/").status_code == 200
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    assert c.get(f"/rapport/{job.pk}/download/").status_code == 404
    # A job that runs after the share was revoked makes nothing.
    Job.objects.filter(pk=job.pk).update(status="queued", output="")
    job = _run(job)
    assert job.status == "failed" and job.output == ""


def test_only_long_periods_become_jobs(household):
    from nachtwacht.web.views.report import SLEEPER_PARTS, Target

    t = Target(household["sleeper"], SLEEPER_PARTS, True, "k", "/f", "/h", "/p")
    day = household["day"]
    assert not reports.needs_job(t, day, day)  # 1 night, 2 episodes: rendered at once
    assert reports._rows(t, day, day) == 3
