"""The task queue with a real worker process, on SQLite and on PostgreSQL.

A sleeper's upload is analysed by ``nachtwacht worker`` (a separate process, as in
production); SIGKILL of that worker in the middle of the analysis kills the job's
child too, and the next worker queues the job again and finishes it. The time limit
stops a job that runs too long with a plain message. Children run with umask 022, as an
operator's shell would, to show the app's own files are private regardless.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import TOOL, database_env, run  # noqa: E402

VENDORS = ["sqlite", "postgres"]  # postgres: only in the pass where DATABASE_URL is one


def _q(env: dict, *args: str, check: bool = True, timeout: float = 180) -> dict:
    proc = subprocess.run([sys.executable, str(HERE / "_queuetool.py"), *args], env=env,
                          capture_output=True, text=True, timeout=timeout, umask=0o022)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nachtwacht", "worker", "--interval", "0.2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            umask=0o022)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def night_edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edf") / "nacht.edf"
    # Half an hour at 64 Hz: ~8 s to analyse here, long enough to be killed in the middle.
    subprocess.run([sys.executable, "-c", "import sys; from nachtwacht.psg.synthetic import write_night; "
                    "write_night(sys.argv[1], hours=0.5, sf=64, seed=3)", str(path)], check=True)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("vendor", VENDORS)
def test_sigkill_of_the_worker_mid_analysis_then_a_new_worker_finishes_it(vendor, tmp_path, night_edf):
    with database_env(vendor, tmp_path) as env:
        run(env, "migrate")
        job = _q(env, "seed", "slaper", str(night_edf))
        assert (job["status"], job["upload"]["status"]) == ("queued", "queued")
        first = _worker(env)
        try:
            # Progress 3 is set when the pipeline starts reading the file.
            running = _q(env, "wait", str(job["id"]), "running", "90", "3")
            assert running["attempts"] == 1 and running["upload"]["status"] == "running"
            children = psutil.Process(first.pid).children(recursive=True)
            assert children, "the job runs in a child process of the worker"
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        # The job's child dies with its worker (PR_SET_PDEATHSIG), leaving no orphan.
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
        left = _q(env, "show", str(job["id"]))
        assert left["status"] == "running"  # what a dead worker leaves: recovery's work
        second = _worker(env)
        try:
            done = _q(env, "wait", str(job["id"]), "done", "150")
        finally:
            _stop(second)  # SIGTERM: the worker ends its current task first
        assert done["attempts"] == 2 and done["progress"] == 100
        assert done["upload"]["status"] == "done" and not done["upload"]["interrupted"]
        assert "TST" in done["upload"]["stats"]
        # The task row of the killed try is closed, not left RUNNING.
        assert _q(env, "show", str(job["id"]))["tasks"] == ["FAILED", "SUCCESSFUL"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("vendor", VENDORS)
def test_time_limit_and_private_files(vendor, tmp_path, night_edf):
    """A job over its time limit is stopped with a plain message; and data at rest is
    private (issue #15 item 3): under an ordinary umask (022) the database (and its WAL),
    the uploaded study, the upload temp folder and a backup are 0600/0700. (Export zips,
    report PDFs and older data dirs: tests/web/test_web_queue_jobs.py.)"""
    with database_env(vendor, tmp_path) as env:
        env["NACHTWACHT_ANALYSIS_MAX_S"] = "1"
        # This test process runs with the app's umask 077 already: start from 022.
        subprocess.run([sys.executable, str(TOOL), "migrate"], env=env, check=True, timeout=120,
                       umask=0o022)
        job = _q(env, "seed", "slaper", str(night_edf))
        worker = _worker(env)
        try:
            failed = _q(env, "wait", str(job["id"]), "failed", "60")
            assert worker.poll() is None  # the worker itself keeps going
        finally:
            _stop(worker)
        assert failed["error_code"] == "timeout" and "duurde te lang" in failed["error"]
        assert failed["upload"]["status"] == "failed" and not failed["upload"]["interrupted"]

        data = Path(env["NACHTWACHT_DATA_DIR"])
        backup = tmp_path / "backups" / "nachtwacht.backup"
        subprocess.run([sys.executable, "-m", "nachtwacht", "backup", str(backup)], env=env,
                       check=True, capture_output=True, timeout=120, umask=0o022)
        files = [*(data / "uploads").iterdir(), backup]
        if vendor == "sqlite":
            files += list(data.glob("nachtwacht.sqlite3*"))  # the database (its WAL, if still there)
        assert len(files) >= (3 if vendor == "sqlite" else 2)
        for path in files:
            assert _mode(path) == 0o600, f"{path.name}: {oct(_mode(path))}"
        assert _mode(data / "uploads") == _mode(data / "tmp") == _mode(backup.parent) == 0o700
        assert _mode(data) in (0o700, 0o711)  # tightened by the worker at its start
