"""Faults: the GP report killed with SIGKILL while its PDF is being written.

Two places make a PDF: ``nachtwacht report --out`` (a file the person keeps) and the
web app (a clinician's or sleeper's download). A child process renders the report
and, half-way through the PDF bytes, tells the parent and hangs; the parent kills it.
Afterwards there is no half PDF under the destination's name (an earlier report
there is still whole), the database holds what it held (plus, for a clinician, the
one access-log row written before rendering), and doing it again gives a valid PDF.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _csvsamples import END  # noqa: E402
from _dbenv import database_env, run  # noqa: E402
from _kill import kill_at  # noqa: E402

#: Makes WeasyPrint write the first half of the PDF to its target, then hang.
HANG = r'''
import sys, time
import weasyprint.document as wd

real = wd.Document.write_pdf

def write_pdf(self, target=None, **kwargs):
    data = real(self, None, **kwargs)
    if target is not None:
        if hasattr(target, "write"):
            target.write(data[: len(data) // 2]); target.flush()
        else:
            with open(target, "wb") as f:
                f.write(data[: len(data) // 2])
    print("WRITING", flush=True)
    time.sleep(120)
    return data

wd.Document.write_pdf = write_pdf
'''

CLI = HANG + r'''
from nachtwacht.cli import main
main(sys.argv[1:], prog_name="nachtwacht")
'''

#: One GET of a report URL through the web app's views, as USER; prints status and size.
WEB = r'''
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
import django
django.setup()
from django.test import Client
from django.urls import reverse
from nachtwacht.web.accounts.models import User
from nachtwacht.web.sharing.models import AccessLog, ClinicianShare

if sys.argv[1] == "count":
    print(AccessLog.objects.count(), flush=True)
    raise SystemExit
if sys.argv[1] == "hang":
    exec(sys.argv[2])
c = Client(HTTP_HOST="localhost")
c.force_login(User.objects.get(username="huisarts"))
share = ClinicianShare.objects.get(clinician__username="huisarts")
r = c.get(reverse("clinician_report_pdf", kwargs={"share_id": share.pk}))
body = b"".join(r.streaming_content) if r.streaming else r.content
sys.stdout.buffer.write(body if sys.argv[1] == "pdf" else f"{r.status_code}".encode())
'''


def _valid_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def _kill_when_writing(cmd: list[str], env: dict | None = None) -> None:
    kill_at(cmd, "WRITING", env=env)


@pytest.fixture(scope="module")
def diary_csv(tmp_path_factory) -> tuple[Path, Path]:
    from nachtwacht.diary import csvio
    from nachtwacht.diary.demo import demo_diary

    diary = demo_diary(seed=5, weeks=4, end=END)
    folder = tmp_path_factory.mktemp("diary")
    nights, episodes = folder / "nights.csv", folder / "episodes.csv"
    for path, write, rows in ((nights, csvio.write_nights, diary.nights),
                              (episodes, csvio.write_episodes, diary.episodes)):
        buf = io.StringIO()
        write(rows, buf)
        path.write_text(buf.getvalue(), encoding="utf-8")
    return nights, episodes


@pytest.mark.slow
def test_cli_killed_mid_pdf_leaves_the_old_report_whole(tmp_path, diary_csv):
    nights, episodes = diary_csv
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "rapport.pdf"
    args = ["report", str(nights), str(episodes), "--out", str(dest)]
    subprocess.run([sys.executable, "-m", "nachtwacht", *args], check=True, capture_output=True, timeout=300)
    first = dest.read_bytes()
    assert _valid_pdf(first)

    # Make it again, and kill it when half of the new PDF is written.
    _kill_when_writing([sys.executable, "-c", CLI, *args])
    assert dest.read_bytes() == first  # the earlier report, untouched
    # The half-written bytes went to a hidden temporary file, never to a *.pdf name.
    assert sorted(p.name for p in out.glob("*.pdf")) == ["rapport.pdf"]
    (part,) = [p for p in out.iterdir() if p.name != "rapport.pdf"]
    assert part.name.startswith(".nw-") and part.name.endswith(".pdf.part")

    # Into a fresh folder: no file at all under the destination's name.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    _kill_when_writing([sys.executable, "-c", CLI, "report", str(nights), "--out", str(fresh / "r.pdf")])
    assert not (fresh / "r.pdf").exists() and not list(fresh.glob("*.pdf"))

    # Doing it again gives a whole, valid PDF.
    subprocess.run([sys.executable, "-m", "nachtwacht", "report", str(nights), "--out", str(fresh / "r.pdf")],
                   check=True, capture_output=True, timeout=300)
    assert _valid_pdf((fresh / "r.pdf").read_bytes())


def _web(env: dict, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-c", WEB, *args], env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_web_worker_killed_mid_pdf_changes_nothing_but_the_access_log(vendor, tmp_path):
    with database_env(vendor, tmp_path) as env:
        env["TMPDIR"] = str(tmp_path / "tmp")  # where a web worker would put scratch files
        Path(env["TMPDIR"]).mkdir()
        run(env, "cli", "demo", "--weeks", "4")
        run(env, "export", str(tmp_path / "before.json"))
        logged = int(_web(env, "count").stdout)

        _kill_when_writing([sys.executable, "-c", WEB, "hang", HANG], env=env)
        # Every user's data is exactly as before; the clinician's look is logged at most
        # once (it is written, in its own transaction, before the report is made).
        run(env, "export", str(tmp_path / "after.json"))
        before = json.loads((tmp_path / "before.json").read_text(encoding="utf-8"))
        after = json.loads((tmp_path / "after.json").read_text(encoding="utf-8"))
        looks = after["demo"]["nachtwacht.json"].pop("access_log")
        assert before["demo"]["nachtwacht.json"].pop("access_log") == []
        assert after == before
        assert [x["what"] for x in looks] in ([], ["report.pdf"])
        assert int(_web(env, "count").stdout) == logged + len(looks)
        # No half PDF left anywhere the worker writes: the report is made in memory.
        # (WeasyPrint's own scratch folder of web fonts may stay in TMPDIR: fonts only.)
        for folder in (Path(env["TMPDIR"]), Path(env["NACHTWACHT_DATA_DIR"])):
            files = [p for p in folder.rglob("*") if p.is_file()]
            assert not [p for p in files if p.read_bytes()[:5] == b"%PDF-" or p.suffix in (".pdf", ".part")]
            assert all(p.parent.name.startswith("weasyprint-") for p in files if folder.name == "tmp")

        # The clinician asks again: a whole report, and one more access-log row.
        n = int(_web(env, "count").stdout)
        assert _valid_pdf(_web(env, "pdf").stdout)
        assert int(_web(env, "count").stdout) == n + 1
