"""Hostile uploads against the running production server (issue #15).

Starts what production runs, on loopback with a throw-away data dir: gunicorn (2 sync
workers, as ``bench/load/run_load.py``) and ``nachtwacht worker``, with a memory limit
of ANALYSIS_MAX_MB for each analysis. Then, over real sockets:

* a 1 GB body, produced by a generator while it is sent (never in memory), to the
  sleep-study upload and to the diary CSV import: refused with the Dutch page, the data
  dir grows by less than 50 MB, and a dashboard request at the same time answers within
  a few seconds; the same gigabyte sent chunked (no length to refuse) stores nothing;
  a file just past the limit (32 MB here) under an allowed length is read and dropped
  at the limit while it streams in;
* crafted EDF files (a header claiming 99,999,999 samples a second, 9,999 channels,
  a 200 KB file that declares a 24-hour night at 10 kHz, a file cut off in its header):
  each analysis job ends with a plain Dutch message, the worker and its job processes
  stay under the memory limit (resident memory sampled with psutil), the worker lives
  on and the site keeps answering meanwhile.
"""

from __future__ import annotations

import contextlib
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import database_env, pg_url, run  # noqa: E402

#: SQLite in the suite's SQLite pass, PostgreSQL (what several machines share) in its
#: PostgreSQL pass: once per pass, not the same run twice.
VENDOR = "postgres" if pg_url() else "sqlite"
from _edfmutate import n_signals, set_field, signal_field  # noqa: E402

GB = 1024**3
MB = 1024**2
ANALYSIS_MAX_MB = 2048
EDF_MAX_MB = 32  # the server's sleep-study limit here (default 200): a file past it streams in
PASSWORD = "live-upload-pw-1"
SLEEPERS = ["slaper0", "slaper1", "slaper2", "slaper3", "slaper4"]
BOUNDARY = "nwlive7"

pytestmark = [
    # Once, in the SQLite pass (the default deployment): the limits act before any
    # database is reached, and the suite stays within its time budget.
    pytest.mark.skipif(VENDOR != "sqlite", reason="runs once, in the SQLite pass"),
    pytest.mark.skipif(
        shutil.which("gunicorn") is None and not Path(sys.executable).with_name("gunicorn").exists(),
        reason="gunicorn is not installed (pip install -e .[serve])"),
]

USERS = r"""
import sys, django
django.setup()
from nachtwacht.web.accounts.models import User
for name in sys.argv[2:]:
    User.objects.create_user(name, password=sys.argv[1], role="sleeper", language="nl")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _disk_use(folder: Path) -> int:
    total = 0
    for p in folder.rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:  # a temporary file that went meanwhile
            pass
    return total


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    with database_env(VENDOR, tmp) as env:
        port = _free_port()
        env.update(NACHTWACHT_SECURE_COOKIES="0", NACHTWACHT_ALLOWED_HOSTS="127.0.0.1",
                   NACHTWACHT_DEBUG="0", NACHTWACHT_ANALYSIS_MAX_MB=str(ANALYSIS_MAX_MB),
                   NACHTWACHT_ANALYSIS_MAX_S="60", NACHTWACHT_EDF_MAX_BYTES=str(EDF_MAX_MB * MB))
        run(env, "migrate")
        subprocess.run([sys.executable, "-c", USERS, PASSWORD, *SLEEPERS], env=env, check=True,
                       timeout=60)
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
        log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed below
        web = subprocess.Popen([gunicorn, "nachtwacht.web.wsgi:application", "-w", "2",
                                "-b", f"127.0.0.1:{port}", "--timeout", "60"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        worker = subprocess.Popen([sys.executable, "-m", "nachtwacht", "worker", "--interval", "0.2"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(base + "/inloggen/", timeout=2)
                    break
                except requests.RequestException:
                    assert time.monotonic() < deadline and web.poll() is None, \
                        (tmp / "server.log").read_text()[-3000:]
                    time.sleep(0.2)
            yield {"base": base, "port": port, "data": Path(env["NACHTWACHT_DATA_DIR"]),
                   "worker": worker, "log": tmp / "server.log"}
        finally:
            _stop(worker)
            _stop(web)
            log.close()


def _login(base: str, username: str) -> requests.Session:
    http = requests.Session()
    http.get(base + "/inloggen/", timeout=10).raise_for_status()
    r = http.post(base + "/inloggen/", data={"csrfmiddlewaretoken": http.cookies.get("csrftoken", ""),
                                             "username": username, "password": PASSWORD},
                  headers={"Referer": base + "/inloggen/"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.status_code
    return http


def _body(field: str, size: int, csrf: str, fields: dict[str, str]):
    """The multipart body, made while it is sent: one 1 MB block is reused, so a
    gigabyte never exists in memory."""
    head = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in {"csrfmiddlewaretoken": csrf, **fields}.items())
    head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="groot.edf"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n")
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    first = b"0       " + b" " * 248  # passes the EDF sniff, in case anything got that far
    block = b"a" * MB
    left = size - len(first)
    length = len(head.encode()) + size + len(tail)

    def gen():
        yield head.encode() + first
        nonlocal left
        while left > 0:
            n = min(left, MB)
            yield block if n == MB else block[:n]
            left -= n
        yield tail

    return length, gen()


def _stream_post(port: int, path: str, http: requests.Session, field: str, size: int,
                 fields: dict[str, str], chunked: bool = False) -> dict:
    """POST ``size`` bytes of file over a raw socket, stopping as soon as the server answers."""
    csrf = http.cookies.get("csrftoken", "")
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    length, gen = _body(field, size, csrf, fields)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}"
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            f"Referer: http://127.0.0.1:{port}{path}\r\nAccept-Language: nl\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{framing}\r\n"
            "Connection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.monotonic()
    sent = 0
    try:
        sock.sendall(head)
        sock.setblocking(False)
        pending = memoryview(b"")
        finished = False
        while True:
            readable, writable, _ = select.select([sock], [] if finished else [sock], [], 30)
            if readable:
                break  # the answer (or the close) came: stop sending
            assert writable, "the server neither read nor answered for 30 s"
            if not pending:
                piece = next(gen, None)
                if piece is None:
                    finished = True
                    if chunked:
                        sock.setblocking(True)
                        sock.sendall(b"0\r\n\r\n")
                        sock.setblocking(False)
                    continue
                pending = memoryview(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            try:
                n = sock.send(pending)
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            pending, sent = pending[n:], sent + n
        sock.setblocking(True)
        sock.settimeout(10)
        raw = b""
        try:
            while chunk := sock.recv(65536):
                raw += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
    return {"status": status, "text": raw.decode("utf-8", "replace"), "sent": sent,
            "seconds": time.monotonic() - t0}


def _timed_get(http: requests.Session, url: str) -> tuple[int, float]:
    t0 = time.monotonic()
    r = http.get(url, timeout=30)
    return r.status_code, time.monotonic() - t0


@pytest.mark.slow
def test_a_1_gb_body_is_refused_while_the_site_keeps_answering(server):
    base, port, data = server["base"], server["port"], server["data"]
    sender, reader = _login(base, SLEEPERS[0]), _login(base, SLEEPERS[1])
    before = _disk_use(data)
    peak = [before]
    dashboard: list[tuple[int, float]] = []
    stop = threading.Event()

    def watch() -> None:  # the site, and the disk, while the gigabyte is on its way
        while not stop.is_set():
            peak[0] = max(peak[0], _disk_use(data))
            dashboard.append(_timed_get(reader, base + "/overzicht/"))
            stop.wait(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        edf = _stream_post(port, "/slaaponderzoek/", sender, "file", GB, {})
        csv = _stream_post(port, "/upload/", sender, "file", GB, {"kind": "nights"})
        chunked = _stream_post(port, "/slaaponderzoek/", sender, "file", GB, {}, chunked=True)
        # A length the endpoint allows (limit + room for the form) with a file past the
        # limit: read to the end, the file dropped at the limit while it streams in.
        past = _stream_post(port, "/slaaponderzoek/", sender, "file", EDF_MAX_MB * MB + 200 * 1024, {})
        time.sleep(0.5)  # at least one more dashboard look after the last one
    finally:
        stop.set()
        watcher.join(30)
    for answer in (edf, csv):
        assert answer["status"] == 413, answer["text"][:500]
        assert "Dit bestand is te groot" in answer["text"] and "Er is niets opgeslagen" in answer["text"]
        assert answer["sent"] < 64 * MB and answer["seconds"] < 10  # refused, not read
    assert f"hoogstens {EDF_MAX_MB} MB" in edf["text"] and "hoogstens 2 MB" in csv["text"]
    assert past["status"] == 200 and f"groter dan {EDF_MAX_MB} MB" in past["text"], past["text"][:500]
    assert "Er is niets opgeslagen" in past["text"] and past["sent"] > EDF_MAX_MB * MB
    # Chunked, there is no length to refuse; Django reads no body without one, so the form
    # (and its CSRF token) never arrives: refused (403, Django's CSRF page in Dutch).
    assert 400 <= chunked["status"] < 500 and "Content-Language: nl" in chunked["text"], \
        chunked["text"][:500]
    assert peak[0] - before < 50 * MB and _disk_use(data) - before < 50 * MB
    assert not list((data / "uploads").glob("*.edf")) if (data / "uploads").is_dir() else True
    assert dashboard and all(code == 200 for code, _ in dashboard), dashboard
    assert max(s for _, s in dashboard) < 5.0, dashboard
    print(f"\n1 GB refused: EDF {edf['seconds']:.2f} s after {edf['sent'] / MB:.1f} MB sent, "
          f"CSV {csv['seconds']:.2f} s after {csv['sent'] / MB:.1f} MB; chunked answered "
          f"{chunked['status']} in {chunked['seconds']:.2f} s after {chunked['sent'] / MB:.1f} MB; "
          f"{past['sent'] / MB:.1f} MB past the limit read in {past['seconds']:.2f} s; "
          f"data dir +{(peak[0] - before) / MB:.2f} MB at most; {len(dashboard)} dashboard "
          f"answers, slowest {max(s for _, s in dashboard):.2f} s")


def _crafted(tmp: Path) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-c", "import sys; from nachtwacht.psg.synthetic import write_night; "
                    "write_night(sys.argv[1], hours=0.25, sf=64, seed=2)", str(tmp / "base.edf")],
                   check=True, timeout=120)
    base = (tmp / "base.edf").read_bytes()
    ns = n_signals(base)

    def every_signal(data: bytes, value: str) -> bytes:
        for i in range(ns):
            off, width = signal_field(data, "samples", i)
            data = set_field(data, off, width, value)
        return data

    # 24 h at 10 kHz: 86,400 one-second records of 10,000 samples per signal (GBs),
    # in a file of 200 KB.
    day = every_signal(set_field(set_field(base[:256 * (1 + ns)], 236, 8, "86400"), 244, 8, "1"),
                       "10000")
    day += base[len(day):200 * 1024]
    return {"huge_samples": every_signal(base, "99999999"),
            "many_channels": set_field(base, 252, 4, "9999"),
            "day_at_10khz": day,
            "truncated": base[:256 + 100 * ns]}  # cut off inside the signal headers


@pytest.mark.slow
def test_crafted_sleep_studies_end_with_a_message_within_the_limits(server, tmp_path):
    base, worker = server["base"], server["worker"]
    files = _crafted(tmp_path)
    assert len(files["day_at_10khz"]) == 200 * 1024
    watcher_http = _login(base, SLEEPERS[0])
    statuses: dict[str, tuple[requests.Session, str]] = {}
    for name, who in zip(files, SLEEPERS[1:], strict=True):
        http = _login(base, who)
        r = http.post(base + "/slaaponderzoek/", files={"file": (f"{name}.edf", files[name])},
                      data={"csrfmiddlewaretoken": http.cookies["csrftoken"]},
                      headers={"Referer": base + "/slaaponderzoek/"}, timeout=30)
        assert r.status_code == 200, (name, r.status_code)
        m = re.search(r'data-status-url="(/taken/\d+/status\.json)"', r.text)
        assert m, (name, r.url, r.text[:300])
        statuses[name] = (http, m.group(1))

    proc = psutil.Process(worker.pid)
    peak_worker = peak_child = peak_tree = 0
    dashboard: list[tuple[int, float]] = []
    outcome: dict[str, dict] = {}
    deadline = time.monotonic() + 60
    last_look = 0.0
    while len(outcome) < len(statuses) and time.monotonic() < deadline:
        rss = [proc.memory_info().rss]
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):  # ended meanwhile
                rss.append(child.memory_info().rss)
        peak_worker, peak_child = max(peak_worker, rss[0]), max([peak_child, *rss[1:]])
        peak_tree = max(peak_tree, sum(rss))
        if time.monotonic() - last_look > 1.0:
            last_look = time.monotonic()
            dashboard.append(_timed_get(watcher_http, base + "/overzicht/"))
            for name, (http, url) in statuses.items():
                if name not in outcome:
                    state = http.get(base + url, timeout=10).json()
                    if state["finished"]:
                        outcome[name] = state
        time.sleep(0.1)
    assert set(outcome) == set(statuses), f"unfinished after 60 s: {set(statuses) - set(outcome)}"
    assert worker.poll() is None  # the worker lives on
    limit = ANALYSIS_MAX_MB * MB
    assert peak_child < limit and peak_worker < limit and peak_tree < limit
    for name, state in outcome.items():
        assert state["status"] == "failed", (name, state)
        text = state["text"]
        # A plain Dutch sentence (what to do), never a code or a traceback.
        assert len(text) > 40 and "Traceback" not in text and "_file" not in text, (name, text)
        # Named as the person uploaded it, not by the server's own file name.
        assert f"'{name}.edf'" in text and not re.search(r"\d+-[0-9a-f]{32}", text), (name, text)
        assert re.search(r"\b(bestand|kop|exporteer|kopieer|opnieuw)\b", text), (name, text)
    assert dashboard and all(code == 200 for code, _ in dashboard), dashboard
    assert max(s for _, s in dashboard) < 5.0, dashboard
    print("\ncrafted EDF outcomes: " + "; ".join(f"{k}: {v['text'][:90]}" for k, v in outcome.items()))
    print(f"peak RSS: worker {peak_worker / MB:.0f} MB, largest job process {peak_child / MB:.0f} MB, "
          f"worker tree {peak_tree / MB:.0f} MB (limit {ANALYSIS_MAX_MB} MB); slowest dashboard "
          f"{max(s for _, s in dashboard):.2f} s over {len(dashboard)} looks")
