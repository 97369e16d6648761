"""Faults: a sleep-study upload or its analysis killed with SIGKILL.

The web process stores the EDF file, creates the row and analyses the file in a
thread. A child process (``_psgtool.py``) does that through the real views and hangs
at a chosen point; the test kills it and then checks what a sleeper would find: a
consistent database, no half file under a final name, an analysis shown as
interrupted with a button that runs it again to the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dbenv import database_env, run  # noqa: E402
from _kill import kill_at  # noqa: E402

PSGTOOL = Path(__file__).resolve().parent / "_psgtool.py"


def psg(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(PSGTOOL), *args], env=env, capture_output=True,
                          text=True, timeout=180)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edf") / "nacht.edf"
    subprocess.run([sys.executable, str(PSGTOOL), "edf", str(path)], check=True, timeout=120)
    return path


def _kill_at(env: dict, edf: Path, mode: str, signal_line: str) -> None:
    kill_at([sys.executable, str(PSGTOOL), "upload", "importeur", str(edf), mode], signal_line, env=env)


def _uploads(env: dict) -> Path:
    return Path(env["NACHTWACHT_DATA_DIR"]) / "uploads"


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_sigkill_mid_analysis_is_shown_as_interrupted_and_retry_finishes(vendor, tmp_path, edf):
    with database_env(vendor, tmp_path) as env:
        run(env, "migrate")
        run(env, "user", "importeur")
        _kill_at(env, edf, "--hang-analysis", "RUNNING")
        assert psg(env, "integrity").stdout.strip() == "ok"
        # The stored file is complete and under its final name; nothing temporary is left.
        files = sorted(p.name for p in _uploads(env).iterdir())
        assert len(files) == 1 and files[0].endswith(".edf")
        assert (_uploads(env) / files[0]).read_bytes() == edf.read_bytes()

        # The sleeper opens the page: the dead worker is noticed, no endless "running".
        out = json.loads(psg(env, "page", "importeur").stdout)
        (row,) = out["rows"]
        assert row["status"] == "failed" and row["interrupted"] and row["stored"] == files[0]
        assert "onderbroken" in row["error"]
        assert "kan opnieuw worden gestart" in out["html"]

        # "Start the analysis again" runs it on the stored file, to the end.
        (row,) = json.loads(psg(env, "retry", "importeur").stdout)
        assert row["status"] == "done" and not row["interrupted"] and row["error"] == ""
        assert sorted(p.name for p in _uploads(env).iterdir()) == files
        assert psg(env, "integrity").stdout.strip() == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_sigkill_mid_write_leaves_no_file_and_no_row(vendor, tmp_path, edf):
    with database_env(vendor, tmp_path) as env:
        run(env, "migrate")
        run(env, "user", "importeur")
        _kill_at(env, edf, "--hang-write", "WRITING")
        assert psg(env, "integrity").stdout.strip() == "ok"
        # Only a temporary file: nothing under a final name, no row pointing anywhere.
        left = [p.name for p in _uploads(env).iterdir()]
        assert len(left) == 1 and left[0].endswith(".edf.part"), left
        assert json.loads(psg(env, "page", "importeur").stdout)["rows"] == []
        # The page view leaves a fresh partial upload alone (it may still be arriving) ...
        assert [p.name for p in _uploads(env).iterdir()] == left
        # ... and the operator's clean-up removes a stale one.
        out = run(env, "cli", "manage", "psg_recover", "--max-age", "0")
        assert "partial uploads removed: 1" in out.stdout
        assert list(_uploads(env).iterdir()) == []
        # Uploading again simply works.
        (row,) = json.loads(psg(env, "upload", "importeur", str(edf)).stdout)
        assert row["status"] == "done"
        assert [p.name for p in _uploads(env).iterdir()] == [row["stored"]]
