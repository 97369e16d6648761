"""The app's background jobs on RQ (Redis), the distributed engine (issue #15).

A real ``redis-server`` on loopback (nothing saved to disk) and a real RQ worker
(``nachtwacht worker`` with ``NACHTWACHT_TASKS_BACKEND=rq``: django-rq's ``rqworker``
with the scheduler, around it our recovery), in separate processes as on separate
machines. Through the app's normal views a sleeper uploads a sleep study and another
asks for their data export; the export runs first (RQ has no priorities: the "quick"
queue is read first). The worker is killed (SIGKILL, as by the OOM killer) in the
middle of the analysis, RQ's scheduler process and the job's child die with it; a second worker queues it again at its start and finishes it,
and runs a report that was put on the queue for later (a retry's path, through RQ's
scheduler). A job whose queue entry never reached Redis is queued again by recovery;
with Redis gone, asking for an export still works (the job waits) and recovery, unable
to ask Redis, leaves it alone. Skipped only when ``redis-server`` or
``django-tasks-rq`` is not installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import database_env, pg_url, run  # noqa: E402

#: SQLite in the suite's SQLite pass, PostgreSQL (what several machines share) in its
#: PostgreSQL pass: once per pass, not the same run twice.
VENDOR = "postgres" if pg_url() else "sqlite"

REDIS = shutil.which("redis-server")
pytestmark = [
    # Once, in the PostgreSQL pass: workers on several machines share a PostgreSQL
    # database (docs/operations.md), and the suite stays within its time budget.
    pytest.mark.skipif(VENDOR != "postgres", reason="runs once, in the PostgreSQL pass"),
    pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt-get install redis-server)"),
    pytest.mark.skipif(importlib.util.find_spec("django_tasks_rq") is None,
                       reason="django-tasks-rq is not installed (pip install -e .[rq])"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _steps(env: dict, *steps: list[str]) -> list[dict]:
    """Run ``_rqtool.py`` steps in one child process (Django starts once); their JSON."""
    argv = [a for step in steps for a in ("--", *step)][1:]
    proc = subprocess.run([sys.executable, str(HERE / "_rqtool.py"), *argv], env=env,
                          capture_output=True, text=True, timeout=150)
    if proc.returncode != 0:
        raise AssertionError(f"{steps} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return [json.loads(line) for line in proc.stdout.strip().splitlines()[-len(steps):]]


@pytest.fixture
def redis(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@pytest.fixture(scope="module")
def small_edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edf") / "nacht.edf"
    # 20 minutes at 64 Hz: a real analysis, a few seconds here.
    subprocess.run([sys.executable, "-c", "import sys; from nachtwacht.psg.synthetic import write_night; "
                    "write_night(sys.argv[1], hours=1/3, sf=64, seed=5)", str(path)], check=True)
    return path


def _worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "a") as out:
        # Its own session, so whatever it leaves can be found and ended.
        return subprocess.Popen([sys.executable, "-m", "nachtwacht", "worker"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # RQ's warm shutdown, its scheduler too
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_jobs_on_real_rq_workers_and_a_worker_killed_mid_analysis(tmp_path, redis, small_edf):
    log = tmp_path / "worker.log"
    redis_url, redis_proc = redis
    with database_env(VENDOR, tmp_path) as env:
        env.update(NACHTWACHT_TASKS_BACKEND="rq", NACHTWACHT_REDIS_URL=redis_url)
        run(env, "migrate")
        analysis, export, later, before = _steps(
            env, ["seed", "slaper", str(small_edf)], ["export", "exporteur", "20"],
            ["later", "rapporteur", "1"], ["rq"])  # later: a retry's path (run_after)
        assert analysis["status"] == export["status"] == "queued"
        assert before["queued"] == {"quick": 1, "default": 1} and before["workers"] == []

        first = _worker(env, log)
        try:
            done_e, _ = _steps(env, ["wait", str(export["id"]), "done", "30"],
                               ["wait", str(analysis["id"]), "running", "30", "3"])
            children = psutil.Process(first.pid).children(recursive=True)
            assert len(children) >= 2  # RQ's scheduler and the job's child
            first.send_signal(signal.SIGKILL)  # the worker alone (as the OOM killer would)
            first.wait(10)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
                first.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive  # RQ's scheduler and the job's child die with the worker
        with contextlib.suppress(ProcessLookupError):  # in case they did not: no orphans
            os.killpg(first.pid, signal.SIGKILL)

        second = _worker(env, log)  # recovers the analysis at its start
        try:
            # A job whose queue entry never reached Redis (lose) is queued again by recovery.
            done_r, done_a, lost, recovered, done_l, state = _steps(
                env, ["wait", str(later["id"]), "done", "30"],
                ["wait", str(analysis["id"]), "done", "60"], ["lose", "vergeten"], ["recover"],
                ["wait", "$2", "done", "30"], ["rq"])
            # Pruning: RQ's failed tasks past the retention go; with 0 days every ended job.
            failed, pruned_30, pruned_0 = _steps(env, ["rqfail"], ["prune", "30"], ["prune", "0"])
        finally:
            _stop(second)
        # Redis goes away: asking for an export still works (the job waits, queued), and
        # recovery, unable to ask Redis, leaves it be instead of guessing.
        redis_proc.terminate()
        redis_proc.wait(10)
        away, _, waiting = _steps(env, ["export", "zonder-redis", "5"], ["age", "$0"],
                                  ["recover"])
        still = _steps(env, ["show", str(away["id"])])[0]
    text = log.read_text()
    assert "Listening on quick, default" in text, text[-3000:]

    assert done_a["progress"] == 100 and done_a["upload"]["status"] == "done"
    assert "TST" in done_a["upload"]["stats"] and not done_a["upload"]["interrupted"]
    assert done_a["attempts"] == 2  # once killed, once finished
    assert done_e["output"].endswith(".zip") and done_r["output"].endswith(".pdf")
    assert recovered["lost"] == 1 and done_l["output"].endswith(".zip")
    assert done_e["attempts"] == done_r["attempts"] == done_l["attempts"] == 1
    # RQ did the work: the workers registered in Redis, the tasks ended in its registries.
    assert state["workers"] and state["queued"] == {"quick": 0, "default": 0}
    assert failed["failed"] == 1 and pruned_30["tasks"] >= 1 and pruned_30["rq_failed_left"] == 0
    assert pruned_30["jobs"] == 0 and pruned_0["jobs"] == 4 and pruned_0["jobs_left"] == 0
    assert away["status"] == "queued" and still["status"] == "queued" and still["attempts"] == 0
    assert "lost" in waiting
    # (The last job's RQ entry may still be on its way to the registry: our row is written
    # by the job itself, RQ's bookkeeping just after.)
    assert state["finished"]["quick"] in (2, 3) and state["finished"]["default"] == 1
