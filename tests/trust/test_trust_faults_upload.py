"""Faults: a sleep-study upload killed with SIGKILL.

The web process stores the EDF file and creates the row; the analysis runs on the task
queue (issue #15). A child process (``_psgtool.py``) does that through the real views
and hangs at a chosen point; the test kills it and then checks what a sleeper would
find: a consistent database, no half file under a final name. A worker killed in the
middle of an analysis: tests/trust/test_trust_queue_worker.py (the job is queued again
and finished by the next worker); a row left by the thread-based analysis of earlier
versions: tests/web/test_web_psg_recover.py.
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
        # Uploading again simply works (and a worker analyses it).
        (row,) = json.loads(psg(env, "upload", "importeur", str(edf)).stdout)
        assert row["status"] == "done"
        assert [p.name for p in _uploads(env).iterdir()] == [row["stored"]]
