"""Load test of the production command: many sleepers and partners at once, on loopback.

Starts ``gunicorn nachtwacht.web.wsgi:application -w 2`` on 127.0.0.1 with a throw-away
data dir and a generated secret key (and, with ``--database postgres``, a throw-away
PostgreSQL server), creates N sleepers each with a linked bed partner (optionally with
``--history`` nights of a realistic diary already in place), logs everyone in, then
loads the server in one of two ways:

* ``--mode closed`` (default): every person works in their own thread, each request
  waiting for the answer to the last. A sleeper saves a night (a new date each time) and
  opens the dashboard; a partner reports what they saw ("Wat zag u vannacht?") and
  reopens the log. Measures the throughput the server reaches when it is never idle.
* ``--mode open``: saves arrive on a clock (``--rate`` nights/s and ``--partner-rate``
  partner reports/s, Poisson or fixed spacing), whatever the server does; each is
  followed by the page the person lands on. A save's latency counts from its
  *scheduled* time (no coordinated omission; see ``openloop.py``). Measures the latency
  at a given offered load: capacity, not just speed.

Both print the same report: offered and achieved rate, p50/p95/p99 per route, errors,
requests per second per CPU core (gunicorn's own CPU seconds over the window, via
psutil; with PostgreSQL also including the database server's), then stop the server,
count the rows in the database against the writes the server acknowledged (a redirect
after POST: "lost writes"), and grep the server log for the marker planted in every
note and behaviour. ``--json FILE`` (``-`` for stdout) writes the report as JSON.
Exit status 0 only when there were no errors, no lost writes and no marker leaked.

Usage::

    python bench/load/run_load.py --database sqlite --users 20 --duration 60
    python bench/load/run_load.py --database postgres --users 20 --duration 60
    python bench/load/run_load.py --mode open --rate 20 --duration 60 --history 60 --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from openloop import OpenLoop  # noqa: E402
from report import print_report, summarise  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MARKER = f"ZZ-PRIVACY-MARKER-{uuid.uuid4().hex[:12]}"
PASSWORD = "load-test-wachtwoord-2026"
REQUEST_TIMEOUT = 60
#: Hard cap on requests per virtual user, whatever the duration: the run always ends.
MAX_REQUESTS_PER_USER = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- PostgreSQL
# ----------------------------------------------------------------------------- PostgreSQL
class Postgres:
    """A throw-away server on loopback (as scripts/postgres.sh), fsync left on."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = bins[-1]
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="nw-load-pg-"))
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.data, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/nachtwacht"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bin / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-o",
                 f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=100", "start")
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "nachtwacht")

    def processes(self) -> list[psutil.Process]:
        """The postmaster and its children (one backend per connection), for their CPU time."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            master = psutil.Process(pid)
            return [master, *master.children(recursive=True)]
        except (OSError, ValueError, psutil.Error):
            return []

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


# ----------------------------------------------------------------------------- set-up
SETUP = r"""
import datetime as dt, os, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.hashers import make_password
from nachtwacht.diary.demo import demo_diary
from nachtwacht.web.accounts.models import Profile, User
from nachtwacht.web.convert import core_to_row_values
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.sharing.models import PartnerLink
n = int(sys.argv[1]); pw = make_password(sys.argv[2]); history = int(sys.argv[3])
end = dt.date.today() - dt.timedelta(days=1)
for i in range(n):
    s = User.objects.create(username=f"slaper{i:03d}", password=pw, role="sleeper", language="nl")
    p = User.objects.create(username=f"partner{i:03d}", password=pw, role="partner", language="nl")
    link = PartnerLink.objects.create(sleeper=s, partner=p, scope="episodes")
    if history:
        # The demo diary (planted patterns, partner reports) for the nights before today.
        d = demo_diary(seed=100 + i, weeks=(history + 6) // 7, end=end)
        first = end - dt.timedelta(days=history - 1)
        Night.objects.bulk_create([Night(sleeper=s, **core_to_row_values(x)) for x in d.nights if x.date >= first])
        Episode.objects.bulk_create([Episode(sleeper=s, logged_by=p if e.reporter == "partner" else s,
                                             **core_to_row_values(e)) for e in d.episodes if e.date >= first])
        Profile.objects.create(user=s, **core_to_row_values(d.profile))
    print(f"LINK {i} {link.pk}")
"""

COUNT = r"""
import sys, django
django.setup()
from nachtwacht.web.diary.models import Episode, Night
marker = sys.argv[1]
for n in Night.objects.filter(sleeper__username__startswith="slaper", notes__contains=marker).values_list(
        "sleeper__username", "date"):
    print("N", n[0], n[1].isoformat())
for e in Episode.objects.filter(sleeper__username__startswith="slaper", notes__contains=marker).values_list(
        "sleeper__username", "notes"):
    print("E", e[0], e[1].split()[-1])
"""


def night_data(i: int, day: str, csrf: str) -> dict[str, str]:
    """The morning form of a sleeper's ``i``-th save (varied values, marked note)."""
    return {"csrfmiddlewaretoken": csrf, "date": day, "bedtime": "23:05", "lights_out": "23:20",
            "sol_min": str(10 + i % 30), "awakenings": str(i % 4), "waso_min": str(i % 40),
            "final_wake": "06:40", "out_of_bed": "07:00", "quality": str(1 + i % 5), "rested": "3",
            "alcohol_units": str(i % 5), "caffeine_mg": "160", "caffeine_last": "15:30",
            "stress": str(i % 10), "tension": str(i % 8), "notes": f"nacht {day} slecht geslapen {MARKER}"}


def episode_data(i: int, tag: str, csrf: str) -> dict[str, str]:
    """A partner's report ("Wat zag u vannacht?"), marked and tagged to be found again."""
    day = (dt.date.today() - dt.timedelta(days=1 + i % 300)).isoformat()
    return {"csrfmiddlewaretoken": csrf, "date": day, "time": "02:30", "type": "sexsomnia",
            "count": "1", "duration_min": "5", "behaviours": f"aanraken; {MARKER}", "recall": "none",
            "injury": "false", "left_bedroom": "false", "partner_unsafe": "unknown",
            "notes": f"gezien {MARKER} {tag}"}


# ----------------------------------------------------------------------------- closed loop
class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        #: (perf_counter at the end, seconds) per route: the report's timeline.
        self.ends: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.errors: list[str] = []
        self.acked_nights: set[tuple[str, str]] = set()
        self.acked_episodes: set[tuple[str, str]] = set()
        self.deadline = 0.0
        self.started = 0.0
        self.offered: dict[str, int] = {}
        self.cpu_start: dict[str, float] = {}

    def record(self, route: str, seconds: float) -> None:
        with self.lock:
            self.times[route].append(seconds)
            self.ends[route].append((time.perf_counter(), seconds))

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class VirtualUser(threading.Thread):
    def __init__(self, base: str, username: str, stats: Stats, start: threading.Barrier,
                 link_id: int | None, first_offset: int = 1):
        super().__init__(daemon=True)
        self.base, self.username, self.stats, self.start_line = base, username, stats, start
        self.link_id = link_id
        self.first_offset = first_offset
        self.http = requests.Session()

    def call(self, route: str, method: str, path: str, data: dict | None = None,
             expect: tuple[int, ...] = (200,)) -> requests.Response | None:
        t0 = time.perf_counter()
        try:
            headers = {"Referer": self.base + path}
            r = self.http.request(method, self.base + path, data=data, allow_redirects=False,
                                  timeout=REQUEST_TIMEOUT, headers=headers)
        except requests.RequestException as exc:
            self.stats.error(f"{route}: {type(exc).__name__}")
            return None
        self.stats.record(route, time.perf_counter() - t0)
        if r.status_code not in expect:
            self.stats.error(f"{route}: HTTP {r.status_code}")
            return None
        return r

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def login(self) -> bool:
        if self.call("GET /inloggen/", "GET", "/inloggen/") is None:
            return False
        r = self.call("POST /inloggen/", "POST", "/inloggen/", {
            "csrfmiddlewaretoken": self.csrf(), "username": self.username, "password": PASSWORD},
            expect=(302,))
        return r is not None

    def run(self) -> None:
        logged_in = self.login()
        try:
            # Everyone starts the timed phase together, after the (Argon2-slow) logins.
            self.start_line.wait(timeout=REQUEST_TIMEOUT * 5)
        except threading.BrokenBarrierError:
            self.stats.error("start: barrier broken")
            return
        if not logged_in:
            return
        for i in range(MAX_REQUESTS_PER_USER):
            if time.monotonic() >= self.stats.deadline:
                break
            self.step(i)


class Sleeper(VirtualUser):
    def step(self, i: int) -> None:
        offset = self.first_offset + i
        day = (dt.date.today() - dt.timedelta(days=offset)).isoformat()
        r = self.call("POST /nacht/", "POST", "/nacht/", night_data(i, day, self.csrf()), expect=(302,))
        if r is not None:
            with self.stats.lock:
                self.stats.acked_nights.add((self.username, day))
        self.call("GET /overzicht/", "GET", "/overzicht/")


class Partner(VirtualUser):
    def step(self, i: int) -> None:
        tag = f"ep{i}-{uuid.uuid4().hex[:8]}"
        path = f"/bedpartner/{self.link_id}/"
        r = self.call("POST /bedpartner/<id>/", "POST", path, episode_data(i, tag, self.csrf()), expect=(302,))
        if r is not None:
            with self.stats.lock:
                self.stats.acked_episodes.add((self.sleeper, tag))
        self.call("GET /bedpartner/<id>/", "GET", path)

    @property
    def sleeper(self) -> str:
        return self.username.replace("partner", "slaper")


def run_closed(base: str, args, links: dict[int, int], stats: Stats, cpu_mark) -> float:
    """Every person in a thread, each request after the last answer; return the wall time."""
    def _go() -> None:
        cpu_mark()
        stats.started = time.monotonic()
        stats.deadline = stats.started + args.duration

    start = threading.Barrier(2 * args.users, action=_go)
    users: list[VirtualUser] = []
    for i in range(args.users):
        users.append(Sleeper(base, f"slaper{i:03d}", stats, start, None, first_offset=args.history + 1))
        users.append(Partner(base, f"partner{i:03d}", stats, start, links[i]))
    print(f"==> load (closed loop): {len(users)} virtual users log in, then {args.duration:.0f} s of load "
          f"against gunicorn -w {args.workers}", flush=True)
    for u in users:
        u.start()
    for u in users:
        u.join(timeout=args.duration + REQUEST_TIMEOUT * 8)
    return time.monotonic() - stats.started


def login_cookies(base: str, username: str, start_page: str) -> requests.cookies.RequestsCookieJar:
    """Log ``username`` in once and open ``start_page`` (warms the server's code paths);
    return the session's cookie jar (raises on failure)."""
    http = requests.Session()
    http.get(base + "/inloggen/", timeout=REQUEST_TIMEOUT).raise_for_status()
    r = http.post(base + "/inloggen/", data={"csrfmiddlewaretoken": http.cookies.get("csrftoken", ""),
                                             "username": username, "password": PASSWORD},
                  headers={"Referer": base + "/inloggen/"}, allow_redirects=False, timeout=REQUEST_TIMEOUT)
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} answered HTTP {r.status_code}")
    http.get(base + start_page, timeout=REQUEST_TIMEOUT).raise_for_status()
    return http.cookies


def run_open(base: str, args, links: dict[int, int], stats: Stats, cpu_mark) -> float:
    """Saves on a clock from pre-logged-in sessions (openloop.py); return the wall time."""
    sleepers = [f"slaper{i:03d}" for i in range(args.users)]
    partners = [(f"partner{i:03d}", links[i]) for i in range(args.users)]
    print(f"==> open loop: logging in {2 * args.users} people before the window", flush=True)
    start_pages = {u: "/overzicht/" for u in sleepers} | {p: f"/bedpartner/{k}/" for p, k in partners}
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        names = list(start_pages)
        cookies = dict(zip(names, pool.map(lambda u: login_cookies(base, u, start_pages[u]), names),
                           strict=True))
    loop = OpenLoop(base, stats, cookies, sleepers, partners, night_data, episode_data,
                    first_offset=args.history + 1, max_inflight=args.max_inflight)
    print(f"==> load (open loop): {args.rate:g} nights/s + {args.partner_rate:g} partner reports/s "
          f"({args.arrivals}) for {args.duration:.0f} s against gunicorn -w {args.workers}", flush=True)
    elapsed = loop.run(args.rate, args.partner_rate, args.duration, args.arrivals, args.seed, on_start=cpu_mark)
    stats.peak_inflight = loop.peak_inflight
    stats.late_sends = loop.late_sends
    return elapsed


# ----------------------------------------------------------------------------- report
def reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python workload (the fastest of 5).

    Measured before and after the window, with the server idle: the machine's speed
    varies with what else its host runs (the same code measured 25 and 35 ms of CPU
    per request an hour apart), so a report states it and runs compare through it.
    """
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        acc: dict[int, int] = {}
        for i in range(200_000):
            acc[i % 1009] = acc.get(i % 1009, 0) + i * i
        best = min(best, time.process_time() - t0)
    return round(best * 1e3, 1)


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """User + system CPU seconds of these processes themselves (not of reaped children)."""
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["closed", "open"], default="closed")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--users", type=int, default=20, help="sleepers (each with one partner)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (max 600)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--history", type=int, default=0,
                    help="nights of demo diary each sleeper has before the run (default 0: empty diaries)")
    ap.add_argument("--rate", type=float, default=20.0, help="open loop: night saves per second")
    ap.add_argument("--partner-rate", type=float, default=2.0, help="open loop: partner reports per second")
    ap.add_argument("--arrivals", choices=["poisson", "fixed"], default="poisson")
    ap.add_argument("--seed", type=int, default=1, help="open loop: seed of the arrival times")
    ap.add_argument("--max-inflight", type=int, default=200, help="open loop: client threads at most")
    ap.add_argument("--json", metavar="FILE", help="write the report as JSON ('-': stdout)")
    args = ap.parse_args()
    args.duration = min(max(args.duration, 1.0), 600.0)
    args.history = min(max(args.history, 0), 3 * 365)
    # With --json - the JSON goes to stdout alone; everything else to stderr.
    json_stream = sys.stdout
    if args.json == "-":
        sys.stdout = sys.stderr
    out_stream = sys.stdout

    def say(*a) -> None:
        print(*a, file=out_stream, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="nw-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", NACHTWACHT_DATA_DIR=str(tmp / "data"),
               NACHTWACHT_SECRET_KEY=secrets.token_urlsafe(64), NACHTWACHT_SECURE_COOKIES="0",
               NACHTWACHT_ALLOWED_HOSTS="127.0.0.1", NACHTWACHT_DEBUG="0",
               # Every virtual user logs in from 127.0.0.1: keep the login rate limit out of the way.
               NACHTWACHT_LOGIN_MAX_FAILURES="1000")
    pg = None
    server = None
    log_path = tmp / "gunicorn.log"
    stats = Stats()
    cpu: dict[str, float] = {}
    load_before = os.getloadavg()
    try:
        if args.database == "postgres":
            pg = Postgres()
            pg.start()
            env["DATABASE_URL"] = pg.url
        say(f"==> set-up: {args.users} sleepers + {args.users} partners on {args.database}, "
            f"{args.history} nights of history each")
        out = subprocess.run([sys.executable, "-c", SETUP, str(args.users), PASSWORD, str(args.history)],
                             env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 2
        links = {int(i): int(pk) for _, i, pk in (ln.split() for ln in out.stdout.splitlines()
                                                   if ln.startswith("LINK"))}
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [gunicorn, "nachtwacht.web.wsgi:application", "-w", str(args.workers),
                 "-b", f"127.0.0.1:{port}", "--timeout", "120", "--access-logfile", "-",
                 "--error-logfile", "-"], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(base + "/inloggen/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            print("gunicorn did not start; log:\n" + log_path.read_text(), file=sys.stderr)
            return 2

        master = psutil.Process(server.pid)

        def procs() -> dict[str, list[psutil.Process]]:
            return {"server": [master, *master.children(recursive=True)],
                    "db": pg.processes() if pg is not None else []}

        def cpu_mark() -> None:
            # Start of the measured window (after the logins).
            stats.cpu_start = {k: cpu_seconds(v) for k, v in procs().items()}
            stats.cpu_start["client"] = time.process_time()
            stats.cpu_start["wall"] = time.perf_counter()

        runner = run_open if args.mode == "open" else run_closed
        stats.reference_ms = [reference_ms()]
        elapsed = runner(base, args, links, stats, cpu_mark)
        stats.reference_ms.append(reference_ms())
        if stats.cpu_start:
            wall = time.perf_counter() - stats.cpu_start["wall"]
            now = {k: cpu_seconds(v) for k, v in procs().items()}
            cpu = {"wall_s": wall, "server_s": now["server"] - stats.cpu_start["server"],
                   "db_s": now["db"] - stats.cpu_start["db"],
                   "client_s": time.process_time() - stats.cpu_start["client"]}
    finally:
        load_after = os.getloadavg()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    try:
        out = subprocess.run([sys.executable, "-c", COUNT, MARKER], env=env, capture_output=True, text=True,
                             check=True)
        report = summarise(args, stats, elapsed, cpu, out.stdout, log_path.read_text(errors="replace"), MARKER,
                           load_before, load_after)
        print_report(report, say, MARKER)
        if args.json == "-":
            print(json.dumps(report, indent=2), file=json_stream, flush=True)
        elif args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        return 0 if report["ok"] else 1
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
