"""An analysis whose server process died is shown as interrupted and can be started again."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

from django.utils import timezone

from nachtwacht.web import psgjobs
from nachtwacht.web.front.models import PsgUpload
from nachtwacht.web.views import uploads


def _dead_token() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return psgjobs.worker_token().replace(f"|{os.getpid()}|", f"|{proc.pid}|")


def test_worker_token_tells_a_live_process_from_a_dead_or_unknown_one():
    assert psgjobs.worker_alive(psgjobs.worker_token()) is True
    assert psgjobs.worker_alive(_dead_token()) is False
    host, boot, pid, start = psgjobs.worker_token().split("|")
    # Same pid, other start time: the pid was reused by another process.
    assert psgjobs.worker_alive(f"{host}|{boot}|{pid}|1") is False
    assert psgjobs.worker_alive(f"{host}|other-boot|{pid}|{start}") is False  # rebooted since
    assert psgjobs.worker_alive(f"not-{socket.gethostname()}|{boot}|{pid}|{start}") is None
    assert psgjobs.worker_alive("garbage") is None


def _upload(sleeper, **kw) -> PsgUpload:
    return PsgUpload.objects.create(sleeper=sleeper, original_name="nacht.edf", stored_name="s.edf", size=3, **kw)


def test_only_dead_or_overdue_analyses_are_marked(household, settings):
    s = household["sleeper"]
    dead = _upload(s, status="running", worker=_dead_token(), started=timezone.now())
    alive = _upload(s, status="running", worker=psgjobs.worker_token(), started=timezone.now())
    elsewhere = _upload(s, status="queued", worker="other-host|b|1|2")
    overdue = _upload(s, status="running", worker="other-host|b|1|2",
                      started=timezone.now() - dt.timedelta(hours=3))
    done = _upload(s, status="done", worker=_dead_token())
    assert psgjobs.recover_interrupted() == 2
    states = {u.pk: (u.status, u.interrupted) for u in PsgUpload.objects.all()}
    assert states[dead.pk] == states[overdue.pk] == ("failed", True)
    assert states[alive.pk] == ("running", False) and states[elsewhere.pk] == ("queued", False)
    assert states[done.pk] == ("done", False)


def test_detail_page_offers_a_retry_that_starts_once(household, as_user, settings, tmp_path, monkeypatch):
    settings.UPLOAD_DIR = tmp_path
    (tmp_path / "s.edf").write_bytes(b"EDF")
    up = _upload(household["sleeper"], status="running", worker=_dead_token(), started=timezone.now())
    started = []
    monkeypatch.setattr(uploads, "_start_analysis", lambda up, language: started.append((up.pk, language)))
    c = as_user(household["sleeper"])
    page = c.get(f"/slaaponderzoek/{up.pk}/").content.decode()
    assert "De analyse is onderbroken" in page and "Start de analyse opnieuw" in page
    assert 'http-equiv="refresh"' not in page  # no endless refreshing any more
    # Another sleeper cannot restart it.
    assert as_user(household["stranger"]).post(f"/slaaponderzoek/{up.pk}/opnieuw/").status_code == 404
    # A double click starts one analysis.
    for _ in range(2):
        assert c.post(f"/slaaponderzoek/{up.pk}/opnieuw/").status_code == 302
    assert started == [(up.pk, "nl")]
    up.refresh_from_db()
    assert (up.status, up.interrupted, up.error, up.worker) == ("queued", False, "", "")


def test_retry_without_the_stored_file_asks_for_a_new_upload(household, as_user, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path
    up = _upload(household["sleeper"], status="failed", interrupted=True)
    r = as_user(household["sleeper"]).post(f"/slaaponderzoek/{up.pk}/opnieuw/", follow=True)
    assert "staat niet meer op de server" in r.content.decode()
    up.refresh_from_db()
    assert up.status == "failed"


def test_stale_partial_uploads_are_removed_fresh_ones_kept(tmp_path):
    old, fresh, final = tmp_path / "a.edf.part", tmp_path / "b.edf.part", tmp_path / "c.edf"
    for p in (old, fresh, final):
        p.write_bytes(b"x")
    os.utime(old, (0, 0))
    assert psgjobs.clean_temp_files(upload_dir=tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.edf.part", "c.edf"]
