"""In-process cost of a night save and of the dashboard, against references (issue 16 item 5).

Sets Django up on a throw-away SQLite data dir, builds the demo household with
``--weeks`` of diary (52: a year of nights; its planted episodes raise a "see your GP
soon" flag) or, with ``--diary plain``, the same sleeper with as many ordinary nights and
no episodes (no flag: the common case), and drives the app through Django's test
client (all middleware, templates and context processors; no network, no server).
Each round is what a sleeper does in the morning:

* ``POST /nacht/`` a new night (the save, incl. the advice check after it);
* ``GET /overzicht/`` right after it (the redirect target; the diary changed, so
  the page shows the analysis of a few seconds ago with a note, web/views/dashboard.py
  ``insight_for``);
* ``GET /overzicht/`` once more (nothing changed: served from the analysis cache).

Then the same rounds once more with ``NACHTWACHT_INSIGHT_REFRESH_S=0``: the dashboard
after each save runs the trigger analysis afresh (what every dashboard after a save
cost before, and what one in every window still costs).

References measured in the same run, so figures compare across loaded and quiet
machines as ratios: a bare ORM insert + delete of one night, and the anonymous landing
page (the fixed cost of one request through all middleware and a template). Reported
as medians over ``--rounds`` (wall and CPU time of this process) and the fastest
round's CPU time (the steadiest figure when other jobs share the machine: they can only
add time), plus the number of SQL queries per request. ``--profile`` prints the top functions (cProfile, cumulative)
of one save and one dashboard.

    python bench/bench_web.py [--weeks 52] [--diary demo|plain] [--rounds 15] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def _setup(tmp: str) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", NACHTWACHT_DATA_DIR=tmp,
                      NACHTWACHT_SECRET_KEY=secrets.token_urlsafe(64), NACHTWACHT_DEBUG="0",
                      NACHTWACHT_ALLOWED_HOSTS="testserver")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _measure(fn: Callable[[], object], rounds: int) -> tuple[float, float, float, float]:
    """Return (median wall s, median CPU s, median queries, least CPU s) of ``rounds`` calls."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu, queries = [], [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        queries.append(len(ctx.captured_queries))
    return statistics.median(wall), statistics.median(cpu), statistics.median(queries), min(cpu)


def _profile(fn: Callable[[], object], title: str, top: int, sort: str = "cumulative") -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats(sort).print_stats(top)
    print(f"\n===== profile: {title} =====")
    print("\n".join(ln for ln in buf.getvalue().splitlines() if ln.strip())[:8000])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weeks", type=int, default=52, help="weeks of demo diary (52 = a year)")
    ap.add_argument("--diary", choices=["demo", "plain"], default="demo",
                    help="demo: planted patterns and a GP flag; plain: ordinary nights only")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--profile", action="store_true", help="cProfile one save and one dashboard")
    ap.add_argument("--top", type=int, default=30, help="functions per profile")
    ap.add_argument("--sort", default="cumulative", help="profile order: cumulative or tottime")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="nw-benchweb-")
    try:
        _setup(tmp)
        from django.test import Client

        from nachtwacht.web.demo import build_demo
        from nachtwacht.web.diary.models import Night

        build_demo(weeks=args.weeks)
        from nachtwacht.web.accounts.models import User

        user = User.objects.get(username="demo")
        if args.diary == "plain":
            # Same dates, ordinary nights: no episodes, nothing for the triage to flag.
            from nachtwacht.web.diary.models import Episode

            Episode.objects.filter(sleeper=user).delete()
            Night.objects.filter(sleeper=user).update(notes="", alcohol_units=0, stress=2, tension=1)
        first = Night.objects.filter(sleeper=user).order_by("date").first().date
        n_nights = Night.objects.filter(sleeper=user).count()
        client, anon = Client(), Client()
        client.force_login(user)
        days = iter(first - dt.timedelta(days=1 + i) for i in range(10_000))

        def save() -> None:
            day = next(days).isoformat()
            r = client.post("/nacht/", {
                "date": day, "bedtime": "23:05", "lights_out": "23:20", "sol_min": "20", "awakenings": "1",
                "waso_min": "15", "final_wake": "06:40", "out_of_bed": "07:00", "quality": "3", "rested": "3",
                "alcohol_units": "2", "caffeine_mg": "160", "caffeine_last": "15:30", "stress": "4",
                "tension": "2", "notes": f"nacht {day}"})
            assert r.status_code == 302, r.status_code

        def dashboard() -> None:
            r = client.get("/overzicht/")
            assert r.status_code == 200, r.status_code

        def save_then_dashboard() -> None:
            save()
            dashboard()

        def orm_insert() -> None:
            Night.objects.create(sleeper=user, date=dt.date(1900, 1, 1)).delete()

        def landing() -> None:
            assert anon.get("/").status_code == 200

        # Warm up imports, template loading and connections.
        for fn in (landing, orm_insert, save_then_dashboard, dashboard):
            fn()
        if args.profile:
            _profile(save, "POST /nacht/ (save)", args.top, args.sort)
            save()
            _profile(dashboard, "GET /overzicht/ after a save (recent analysis shown)", args.top, args.sort)
            _profile(dashboard, "GET /overzicht/ again (analysis cache hit)", args.top, args.sort)

        r = args.rounds
        ref_orm = _measure(orm_insert, r)
        ref_land = _measure(landing, r)
        saves, recent, hits, misses = [], [], [], []
        for _ in range(r):
            saves.append(_measure(save, 1))
            recent.append(_measure(dashboard, 1))
            hits.append(_measure(dashboard, 1))
        os.environ["NACHTWACHT_INSIGHT_REFRESH_S"] = "0"
        for _ in range(r):
            save()
            misses.append(_measure(dashboard, 1))
        os.environ.pop("NACHTWACHT_INSIGHT_REFRESH_S")

        def med(rows: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
            return (statistics.median(x[0] for x in rows), statistics.median(x[1] for x in rows),
                    statistics.median(x[2] for x in rows), min(x[3] for x in rows))

        rows = [("reference: ORM insert+delete of a night", ref_orm),
                ("reference: landing page (anonymous GET /)", ref_land),
                ("POST /nacht/ (save + advice check)", med(saves)),
                ("GET /overzicht/ after save (recent analysis)", med(recent)),
                ("GET /overzicht/ after save (window 0: analysed)", med(misses)),
                ("GET /overzicht/ again (analysis hit)", med(hits))]
        print(f"\n{args.diary} diary, {n_nights} nights at start (+{2 * r + 2} saved), {r} rounds, medians; "
              f"Python {sys.version.split()[0]}")
        print(f"{'':<46}{'wall ms':>9}{'CPU ms':>9}{'min CPU':>9}{'queries':>9}{'x landing':>11}{'x ORM':>8}")
        for name, (w, c, q, lo) in rows:
            print(f"{name:<46}{w * 1e3:>9.1f}{c * 1e3:>9.1f}{lo * 1e3:>9.1f}{q:>9.0f}{lo / ref_land[3]:>11.1f}"
                  f"{lo / ref_orm[3]:>8.1f}")
        print("(ratios use the least CPU time: others sharing the machine can only add to it)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
