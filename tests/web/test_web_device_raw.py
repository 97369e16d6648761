"""Device upload of raw wrist accelerometry (issue #17) and the device upload limit."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from nachtwacht.web.front.models import DeviceUpload
from nachtwacht.web.jobs import runner, supervise
from nachtwacht.web.jobs.models import Job
from nachtwacht.web.uploadlimit import limit_for

sys.path.insert(0, str(Path(__file__).parents[1] / "device"))
from make_raw import START, wrist_motion, write_cwa  # noqa: E402


def test_raw_cwa_upload_shows_van_hees_nights(household, as_user, tmp_path):
    p = tmp_path / "pols.cwa"
    # Noon to 18:00 the next day at 25 Hz: one whole night, 23:00-07:00.
    write_cwa(p, wrist_motion(25, days=30 / 24, nights_h=((11.0, 19.0),)), 25, START)
    c = as_user(household["sleeper"])
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("pols.cwa", p.read_bytes())})
    assert r.status_code == 302  # raw data: read by the worker (tests/web/test_web_device_job.py)
    job = Job.objects.get(user=household["sleeper"], kind="device")
    runner.execute(supervise.claim(job.pk))  # the worker's side, in this process
    r = c.get(r["Location"])
    up = DeviceUpload.objects.get(sleeper=household["sleeper"])
    assert [n["onset"] for n in up.summary["nights"]] == ["2026-03-02T23:00"]
    page = c.get(r["Location"]).content.decode()
    assert "Van Hees (stand van de pols, versnellingsmeter)" in page and "wrist angle" not in page


def test_device_upload_limit_is_its_own(settings, household, as_user):
    assert limit_for("/apparaat/") == settings.DEVICE_MAX_BYTES >= 300 * 1024 * 1024
    settings.DEVICE_MAX_BYTES = settings.UPLOAD_LIMITS["device_upload"] = 1024 * 1024
    c = as_user(household["sleeper"])
    # Far over the limit: refused unread (413); just over: dropped while it streams in.
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("big.cwa", b"MD" + b"\0" * (2 * 1024 * 1024))})
    assert r.status_code == 413 and "1 MB" in r.content.decode()
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("big.cwa", b"MD" + b"\0" * (1024 * 1024 + 50_000))})
    assert r.status_code == 200 and "hoogstens 1 MB" in r.content.decode()
    assert not DeviceUpload.objects.exists()
