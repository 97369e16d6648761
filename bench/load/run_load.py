"""Load test of the production command: many sleepers and partners at once, on loopback.

Starts ``gunicorn nachtwacht.web.wsgi:application -w 2`` on 127.0.0.1 with a throw-away
data dir and a generated secret key (and, with ``--database postgres``, a throw-away
PostgreSQL server), creates N sleepers each with a linked bed partner, then for a fixed
time lets every one of them work in their own thread:

* a sleeper logs in, saves a night (a new date each time) and opens the dashboard;
* a partner logs in, reports what they saw ("Wat zag je vannacht?") and reopens the log.

It prints throughput and p50/p95/p99 latency per route and the error count, stops the
server, counts the rows in the database and compares them with the writes the server
acknowledged (a redirect after POST), and greps the server's log for the marker strings
planted in every note and behaviour. Exit status 0 only when there were no errors, the
counts match and no marker leaked.

Usage::

    python bench/load/run_load.py --database sqlite --users 20 --duration 60
    python bench/load/run_load.py --database postgres --users 20 --duration 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests

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

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


# ----------------------------------------------------------------------------- set-up
SETUP = r"""
import os, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.hashers import make_password
from nachtwacht.web.accounts.models import User
from nachtwacht.web.sharing.models import PartnerLink
n = int(sys.argv[1]); pw = make_password(sys.argv[2])
for i in range(n):
    s = User.objects.create(username=f"slaper{i:03d}", password=pw, role="sleeper", language="nl")
    p = User.objects.create(username=f"partner{i:03d}", password=pw, role="partner", language="nl")
    link = PartnerLink.objects.create(sleeper=s, partner=p, scope="episodes")
    print(f"LINK {i} {link.pk}")
"""

COUNT = r"""
import sys, django
django.setup()
from nachtwacht.web.diary.models import Episode, Night
for n in Night.objects.filter(sleeper__username__startswith="slaper").values_list("sleeper__username", "date"):
    print("N", n[0], n[1].isoformat())
for e in Episode.objects.filter(sleeper__username__startswith="slaper").values_list("sleeper__username", "notes"):
    print("E", e[0], e[1].split()[-1])
"""


# ----------------------------------------------------------------------------- workers
class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.acked_nights: set[tuple[str, str]] = set()
        self.acked_episodes: set[tuple[str, str]] = set()
        self.deadline = 0.0
        self.started = 0.0

    def record(self, route: str, seconds: float) -> None:
        with self.lock:
            self.times[route].append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class VirtualUser(threading.Thread):
    def __init__(self, base: str, username: str, stats: Stats, start: threading.Barrier,
                 link_id: int | None):
        super().__init__(daemon=True)
        self.base, self.username, self.stats, self.start_line = base, username, stats, start
        self.link_id = link_id
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
        day = (dt.date.today() - dt.timedelta(days=1 + i)).isoformat()
        data = {"csrfmiddlewaretoken": self.csrf(), "date": day, "bedtime": "23:05", "lights_out": "23:20",
                "sol_min": str(10 + i % 30), "awakenings": str(i % 4), "waso_min": str(i % 40),
                "final_wake": "06:40", "out_of_bed": "07:00", "quality": str(1 + i % 5), "rested": "3",
                "alcohol_units": str(i % 5), "caffeine_mg": "160", "caffeine_last": "15:30",
                "stress": str(i % 10), "tension": str(i % 8),
                "notes": f"nacht {day} slecht geslapen {MARKER}"}
        r = self.call("POST /nacht/", "POST", "/nacht/", data, expect=(302,))
        if r is not None:
            with self.stats.lock:
                self.stats.acked_nights.add((self.username, day))
        self.call("GET /overzicht/", "GET", "/overzicht/")


class Partner(VirtualUser):
    def step(self, i: int) -> None:
        day = (dt.date.today() - dt.timedelta(days=1 + i % 300)).isoformat()
        tag = f"ep{i}-{uuid.uuid4().hex[:8]}"
        data = {"csrfmiddlewaretoken": self.csrf(), "date": day, "time": "02:30", "type": "sexsomnia",
                "count": "1", "duration_min": "5", "behaviours": f"aanraken; {MARKER}", "recall": "none",
                "injury": "false", "left_bedroom": "false", "partner_unsafe": "unknown",
                "notes": f"gezien {MARKER} {tag}"}
        path = f"/bedpartner/{self.link_id}/"
        r = self.call("POST /bedpartner/<id>/", "POST", path, data, expect=(302,))
        if r is not None:
            with self.stats.lock:
                self.stats.acked_episodes.add((self.sleeper, tag))
        self.call("GET /bedpartner/<id>/", "GET", path)

    @property
    def sleeper(self) -> str:
        return self.username.replace("partner", "slaper")


# ----------------------------------------------------------------------------- main
def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--users", type=int, default=20, help="sleepers (each with one partner)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (max 600)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    duration = min(max(args.duration, 1.0), 600.0)

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
    try:
        if args.database == "postgres":
            pg = Postgres()
            pg.start()
            env["DATABASE_URL"] = pg.url
        print(f"==> set-up: {args.users} sleepers + {args.users} partners on {args.database}", flush=True)
        out = subprocess.run([sys.executable, "-c", SETUP, str(args.users), PASSWORD], env=env,
                             capture_output=True, text=True, check=False)
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

        stats = Stats()

        def _go() -> None:
            stats.started = time.monotonic()
            stats.deadline = stats.started + duration

        start = threading.Barrier(2 * args.users, action=_go)
        users: list[VirtualUser] = []
        for i in range(args.users):
            users.append(Sleeper(base, f"slaper{i:03d}", stats, start, None))
            users.append(Partner(base, f"partner{i:03d}", stats, start, links[i]))
        print(f"==> load: {len(users)} virtual users log in, then {duration:.0f} s of load against "
              f"gunicorn -w {args.workers}", flush=True)
        for u in users:
            u.start()
        for u in users:
            u.join(timeout=duration + REQUEST_TIMEOUT * 8)
        elapsed = time.monotonic() - stats.started
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    try:
        total = sum(len(v) for r, v in stats.times.items() if "inloggen" not in r)
        print(f"\nrequests after login {total} in {elapsed:.1f} s = {total / elapsed:.1f} req/s; "
              f"errors {len(stats.errors)}")
        print(f"{'route':<26}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for route in sorted(stats.times):
            v = sorted(stats.times[route])
            print(f"{route:<26}{len(v):>7}{pct(v, 50) * 1e3:>9.0f}{pct(v, 95) * 1e3:>9.0f}"
                  f"{pct(v, 99) * 1e3:>9.0f}{v[-1] * 1e3:>9.0f}")
        if stats.errors:
            print("first errors:", sorted(set(stats.errors))[:10])

        out = subprocess.run([sys.executable, "-c", COUNT], env=env, capture_output=True, text=True, check=True)
        nights = {tuple(ln.split()[1:3]) for ln in out.stdout.splitlines() if ln.startswith("N ")}
        episodes = [tuple(ln.split()[1:3]) for ln in out.stdout.splitlines() if ln.startswith("E ")]
        lost_n = stats.acked_nights - nights
        lost_e = stats.acked_episodes - set(episodes)
        print(f"\nnights:   acknowledged {len(stats.acked_nights)}, stored {len(nights)}, "
              f"acknowledged but missing {len(lost_n)}")
        print(f"episodes: acknowledged {len(stats.acked_episodes)}, stored {len(episodes)}, "
              f"acknowledged but missing {len(lost_e)}")
        log_text = log_path.read_text(errors="replace")
        hits = [ln for ln in log_text.splitlines() if MARKER in ln]
        print(f"privacy:  marker {MARKER} found in {len(hits)} of {len(log_text.splitlines())} log lines")
        for ln in hits[:5]:
            print("   ", ln[:200])
        tracebacks = len(re.findall(r"Traceback", log_text))
        print(f"server log: {tracebacks} tracebacks")
        ok = (not stats.errors and not lost_n and not lost_e and len(nights) == len(stats.acked_nights)
              and len(episodes) == len(stats.acked_episodes) and not hits)
        print("RESULT", "OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
