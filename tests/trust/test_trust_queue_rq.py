"""The app's background jobs on RQ (Redis), the distributed engine (issue #15).

A real ``redis-server`` on loopback (nothing saved to disk) and a real RQ worker
(``nachtwacht worker`` with ``NACHTWACHT_TASKS_BACKEND=rq``: django-rq's ``rqworker``
with the scheduler, around it our recovery), in separate processes as on separate
machines. Through the app's normal views a sleeper uploads a sleep study and another
asks for their data export; both end in the database, the export first (RQ has no
priorities: the "quick" queue is read first). A report put on the queue for later (a
retry's path) runs through RQ's scheduler, and a job whose queue entry never reached
Redis is queued again by recovery. Skipped only when ``redis-server`` or
``django-tasks-rq`` is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import database_env, run  # noqa: E402

REDIS = shutil.which("redis-server")
pytestmark = [
    pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt-get install redis-server)"),
    pytest.mark.skipif(importlib.util.find_spec("django_tasks_rq") is None,
                       reason="django-tasks-rq is not installed (pip install -e .[rq])"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tool(env: dict, script: str, *args: str, check: bool = True) -> dict:
    proc = subprocess.run([sys.executable, str(HERE / script), *args], env=env, capture_output=True,
                          text=True, timeout=90)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def redis_url(tmp_path):
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
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def small_edf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edf") / "nacht.edf"
    # 20 minutes at 64 Hz: a real analysis, a few seconds here.
    subprocess.run([sys.executable, "-c", "import sys; from nachtwacht.psg.synthetic import write_night; "
                    "write_night(sys.argv[1], hours=1/3, sf=64, seed=5)", str(path)], check=True)
    return path


@pytest.mark.slow
def test_analysis_export_and_a_delayed_report_run_on_a_real_rq_worker(tmp_path, redis_url, small_edf):
    with database_env("sqlite", tmp_path) as env:
        env.update(NACHTWACHT_TASKS_BACKEND="rq", NACHTWACHT_REDIS_URL=redis_url)
        run(env, "migrate")
        analysis = _tool(env, "_queuetool.py", "seed", "slaper", str(small_edf))
        export = _tool(env, "_queuetool.py", "export", "exporteur", "20")
        assert analysis["status"] == export["status"] == "queued"
        before = _tool(env, "_rqtool.py", "rq")
        assert before["queued"] == {"quick": 1, "default": 1} and before["workers"] == []

        log = tmp_path / "worker.log"
        with open(log, "w") as out:
            worker = subprocess.Popen([sys.executable, "-m", "nachtwacht", "worker"], env=env,
                                      stdout=out, stderr=subprocess.STDOUT)
        try:
            later = _tool(env, "_rqtool.py", "later", "rapporteur", "3")
            done_a = _tool(env, "_queuetool.py", "wait", str(analysis["id"]), "done", "60")
            done_e = _tool(env, "_queuetool.py", "wait", str(export["id"]), "done", "10")
            done_r = _tool(env, "_queuetool.py", "wait", str(later["id"]), "done", "30")
            # A job whose queue entry never reached Redis: recovery puts it on the queue.
            lost = _tool(env, "_rqtool.py", "lose", "vergeten")
            assert _tool(env, "_rqtool.py", "recover")["lost"] == 1
            done_l = _tool(env, "_queuetool.py", "wait", str(lost["id"]), "done", "30")
            state = _tool(env, "_rqtool.py", "rq")
            started = _tool(env, "_rqtool.py", "started", str(analysis["id"]), str(export["id"]))
        finally:
            worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        text = log.read_text()
        assert "Listening on quick, default" in text, text[-3000:]

    assert done_a["progress"] == 100 and done_a["upload"]["status"] == "done"
    assert "TST" in done_a["upload"]["stats"]
    assert done_e["output"].endswith(".zip") and done_r["output"].endswith(".pdf")
    assert done_l["output"].endswith(".zip") and done_l["attempts"] == 1
    assert all(d["attempts"] == 1 for d in (done_a, done_e, done_r))
    # The export came in after the analysis but ran first.
    assert started[str(export["id"])] < started[str(analysis["id"])]
    # RQ did the work: the worker was registered in Redis and the tasks are in its registries.
    assert len(state["workers"]) == 1 and state["queued"] == {"quick": 0, "default": 0}
    assert state["finished"]["quick"] == 3 and state["finished"]["default"] == 1
