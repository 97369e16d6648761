"""Open-loop load for ``run_load.py --mode open``: arrivals on a clock, not on answers.

A closed loop (N users, each waiting for its answer before the next request) slows
down with the server it measures: when responses take longer, fewer requests are sent,
and the latency it reports hides the wait the missing requests would have had
("coordinated omission"). Here every save has a scheduled send time fixed before the
run (Poisson arrivals at ``rate``, or fixed spacing), independent of how fast the server
answers; a thread pool sized for the backlog sends it, and its latency is counted from
the *scheduled* time, so time spent waiting for a free client thread counts too.

Each sleeper save is followed by the dashboard the person is sent to (the redirect
target), timed on its own from when it is sent; each partner save by the partner's
log page. Sessions are logged in before the measured window (Argon2 makes a login
cost ~0.3 s of a core) and open their start page once (so both server workers have
loaded the analysis code before the clock starts); every task borrows a client with a
copy of that person's cookies.
"""

from __future__ import annotations

import datetime as dt
import queue
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

import requests

#: Per-request timeout: a request still open after this counts as an error.
REQUEST_TIMEOUT = 60


def arrivals(rate: float, duration: float, kind: str, rng: random.Random) -> list[float]:
    """Send times in seconds from the start: Poisson (exponential gaps) or fixed spacing."""
    if rate <= 0:
        return []
    out, t = [], 0.0
    while True:
        t += rng.expovariate(rate) if kind == "poisson" else 1.0 / rate
        if t >= duration:
            return out
        out.append(t)


class OpenLoop:
    """Sends the scheduled saves and pages; results go into ``stats`` (run_load.Stats).

    ``cookies`` maps each username to the cookie jar of its logged-in session;
    ``save_night``/``save_episode`` build the form data (shared with the closed loop).
    """

    def __init__(self, base: str, stats, cookies: dict[str, requests.cookies.RequestsCookieJar],
                 sleepers: list[str],
                 partners: list[tuple[str, int]], night_data, episode_data, first_offset: int,
                 max_inflight: int = 200) -> None:
        self.base, self.stats, self.cookies = base, stats, cookies
        self.sleepers, self.partners = sleepers, partners
        self.night_data, self.episode_data = night_data, episode_data
        self.lock = threading.Lock()
        self.next_day = {u: first_offset for u in sleepers}  # days before today, per sleeper
        self.next_ep = {u: 0 for u, _ in partners}
        self.pool: dict[str, queue.SimpleQueue] = {u: queue.SimpleQueue() for u in cookies}
        # The token as the login answer set it (Django rotates it at login, not after).
        self.csrf = {u: jar.get("csrftoken", "") for u, jar in cookies.items()}
        self.max_inflight = max_inflight
        self.inflight = 0
        self.peak_inflight = 0
        self.late_sends = 0  # sends that left more than 50 ms after their scheduled time

    # -------------------------------------------------------------- clients
    def _client(self, user: str) -> requests.Session:
        try:
            return self.pool[user].get_nowait()
        except queue.Empty:
            s = requests.Session()
            s.cookies = self.cookies[user].copy()  # keeps domain and path: no duplicate cookies
            return s

    def _call(self, http: requests.Session, route: str, method: str, path: str, since: float,
              data: dict | None = None, expect: tuple[int, ...] = (200,)) -> bool:
        """One request; its latency counts from ``since`` (the scheduled time for a save)."""
        try:
            r = http.request(method, self.base + path, data=data, allow_redirects=False,
                             timeout=REQUEST_TIMEOUT, headers={"Referer": self.base + path})
        except requests.RequestException as exc:
            self.stats.error(f"{route}: {type(exc).__name__}")
            return False
        self.stats.record(route, time.perf_counter() - since)
        if r.status_code not in expect:
            self.stats.error(f"{route}: HTTP {r.status_code}")
            return False
        return True

    def _begin(self, scheduled: float) -> None:
        with self.lock:
            self.inflight += 1
            self.peak_inflight = max(self.peak_inflight, self.inflight)
            if time.perf_counter() - scheduled > 0.05:
                self.late_sends += 1

    def _end(self) -> None:
        with self.lock:
            self.inflight -= 1

    # -------------------------------------------------------------- tasks
    def save_night(self, k: int, scheduled: float) -> None:
        self._begin(scheduled)
        user = self.sleepers[k % len(self.sleepers)]
        with self.lock:
            offset = self.next_day[user]
            self.next_day[user] += 1
        day = (dt.date.today() - dt.timedelta(days=offset)).isoformat()
        http = self._client(user)
        try:
            data = self.night_data(offset, day, self.csrf[user])
            if self._call(http, "POST /nacht/", "POST", "/nacht/", scheduled, data, expect=(302,)):
                with self.stats.lock:
                    self.stats.acked_nights.add((user, day))
                sent = time.perf_counter()
                self._call(http, "GET /overzicht/", "GET", "/overzicht/", sent)
                self.stats.record("save + dashboard (from schedule)", time.perf_counter() - scheduled)
        finally:
            self.pool[user].put(http)
            self._end()

    def save_episode(self, k: int, scheduled: float) -> None:
        self._begin(scheduled)
        user, link_id = self.partners[k % len(self.partners)]
        with self.lock:
            i = self.next_ep[user]
            self.next_ep[user] += 1
        tag = f"ep{i}-{uuid.uuid4().hex[:8]}"
        http = self._client(user)
        path = f"/bedpartner/{link_id}/"
        try:
            data = self.episode_data(i, tag, self.csrf[user])
            if self._call(http, "POST /bedpartner/<id>/", "POST", path, scheduled, data, expect=(302,)):
                with self.stats.lock:
                    self.stats.acked_episodes.add((user.replace("partner", "slaper"), tag))
                self._call(http, "GET /bedpartner/<id>/", "GET", path, time.perf_counter())
        finally:
            self.pool[user].put(http)
            self._end()

    # -------------------------------------------------------------- the clock
    def run(self, rate: float, partner_rate: float, duration: float, kind: str, seed: int,
            on_start=None) -> float:
        """Send everything scheduled in ``duration`` seconds; return when all answered.

        Returns the wall time from the first scheduled send to the last answer.
        """
        rng = random.Random(seed)
        plan = sorted([(t, "night", k) for k, t in enumerate(arrivals(rate, duration, kind, rng))]
                      + [(t, "episode", k) for k, t in enumerate(arrivals(partner_rate, duration, kind, rng))])
        self.stats.offered = {"saves": sum(1 for p in plan if p[1] == "night"),
                              "partner_saves": sum(1 for p in plan if p[1] == "episode")}
        pool = ThreadPoolExecutor(max_workers=self.max_inflight, thread_name_prefix="open")
        futures = []
        t0 = time.perf_counter() + 0.2
        if on_start is not None:
            on_start()
        for offset, what, k in plan:
            scheduled = t0 + offset
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            fn = self.save_night if what == "night" else self.save_episode
            futures.append(pool.submit(fn, k, scheduled))
        # An overloaded server never catches up in an open loop: after the last scheduled
        # send, wait at most two request timeouts; what is still queued then is an error.
        wait(futures, timeout=REQUEST_TIMEOUT * 2)
        elapsed = time.perf_counter() - t0
        pool.shutdown(wait=False, cancel_futures=True)
        for f in futures:
            if f.cancelled():
                self.stats.error("client: not sent before the end of the run (backlog)")
            elif f.done() and f.exception() is not None:
                self.stats.error(f"client: {type(f.exception()).__name__}")
        return max(elapsed, duration)
