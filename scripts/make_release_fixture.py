#!/usr/bin/env python3
"""Build the database a user of a past release would have, for the migration test.

Usage (from the repository root, with the project's venv)::

    python scripts/make_release_fixture.py 79b8f87 release-2026-11-23 [--weeks 8]

It checks the release out in a separate git worktree (the working tree is untouched),
runs that release's own code in child processes (``PYTHONPATH=<worktree>/src``) against
a fresh SQLite data dir, and writes ``tests/trust/data/<name>/``:

* ``nachtwacht.sqlite3.gz`` - the demo household (``nachtwacht demo``) plus a second
  sleeper with an edited and a deleted night, a partner invite, clinician shares
  (claimed, revoked, unclaimed) with access-log rows, experiments and sleep studies,
  all made through that release's views and functions;
* ``export.json`` - every user's export as that release's ``tests/trust/_dbtool.py``
  makes it;
* ``manifest.json`` - commit, users' passwords, ``django_migrations``, row counts;
* ``README.md`` - how it was made and the row counts.

``tests/trust/test_trust_migrate_release.py`` migrates every fixture folder forward
with the current code. The ``--extras`` step drives the release's own API; when a
later release changes that API, adapt :func:`extras` for the new fixture only (old
fixtures stay as they were made).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "release-fixture-" + "Vb7#qP2x" * 7
SLEEPER2 = ("slaper2", "slaper2-wachtwoord-2026")


def extras() -> None:
    """Run inside the release's code: realistic data beyond the demo household."""
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from nachtwacht.diary import csvio
    from nachtwacht.diary.demo import demo_diary
    from nachtwacht.insight.experiments import LIBRARY
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.diary.models import Episode, Night
    from nachtwacht.web.front.models import PsgUpload
    from nachtwacht.web.sharing.models import ClinicianShare, PartnerInvite
    from nachtwacht.web.views.uploads import import_csv

    demo, gp = User.objects.get(username="demo"), User.objects.get(username="huisarts")
    codes = list(LIBRARY)

    # The GP opens the shared diary and report: the release writes the access log itself.
    share = ClinicianShare.objects.get(sleeper=demo, clinician=gp)
    c = Client(SERVER_NAME="localhost")
    c.force_login(gp)
    for name in ("clinician_view", "clinician_report", "clinician_view"):
        assert c.get(reverse(name, args=[share.pk])).status_code == 200, name

    # The demo sleeper runs two experiments (one stopped), hides one episode, edits a night.
    c = Client(SERVER_NAME="localhost")
    c.force_login(demo)
    for code in codes[:2]:
        assert c.post(reverse("experiment_start"), {"code": code}).status_code == 302
    first = demo.experiments.order_by("pk").first()
    assert c.post(reverse("experiment_stop", args=[first.pk])).status_code == 302
    ep = Episode.objects.filter(sleeper=demo).order_by("pk").last()
    ep.private = True
    ep.save(update_fields=["private"])
    night = Night.objects.filter(sleeper=demo).order_by("date").last()
    night.notes = "Bijgewerkt: toch om 3 uur wakker geworden."
    night.save()
    PsgUpload.objects.create(
        sleeper=demo, original_name="thuismeting.edf", stored_name="0000-thuismeting.edf", size=1_234_567,
        status=PsgUpload.Status.DONE, finished=timezone.now(),
        result={"stats": {"TIB": 480.0, "TST": 402.5, "SE": 83.9, "SOL": 14.0, "WASO": 63.5, "%N1": 8.1,
                          "%N2": 51.2, "%N3": 17.9, "%REM": 22.8, "Lat_REM": 96.0, "awakenings": 11},
                "events": {"plm": {"events": [{"onset": 1820.5, "duration": 1.5}], "index": 0.15}},
                "skipped": {"spo2": "no SpO2 channel"}, "warnings": ["EEG C4 flat for 12 min"]})
    PsgUpload.objects.create(sleeper=demo, original_name="kapot.edf", stored_name="0001-kapot.edf", size=4096,
                             status=PsgUpload.Status.FAILED, error="Dit bestand is geen geldig EDF-bestand.",
                             finished=timezone.now())

    # A second sleeper (English) imports two weeks by CSV, then edits and deletes a night.
    s2 = User.objects.get(username=SLEEPER2[0])
    s2.language = "en"
    s2.save(update_fields=["language"])
    diary = demo_diary(seed=11, weeks=2, end=timezone.localdate())
    import io

    buf = io.StringIO()
    csvio.write_nights(diary.nights, buf)
    assert import_csv(s2, "nights", buf.getvalue(), "en") == len(diary.nights)
    c = Client(SERVER_NAME="localhost")
    c.force_login(s2)
    nights = list(Night.objects.filter(sleeper=s2).order_by("date"))
    assert c.post(reverse("night_delete", args=[nights[3].date.isoformat()])).status_code == 302
    nights[5].notes = "edited: woke up twice"
    nights[5].save()
    PartnerInvite.objects.create(sleeper=s2)
    now = timezone.now()
    ClinicianShare.objects.create(sleeper=s2, clinician=gp, label="Old GP", scope=["nights"], claimed_at=now,
                                  expires_at=now + dt.timedelta(days=10), revoked_at=now)
    ClinicianShare.objects.create(sleeper=s2, label="Sleep clinic", scope=["nights", "episodes"],
                                  expires_at=now + dt.timedelta(days=14))
    c.post(reverse("experiment_start"), {"code": codes[-1]})


def _run(cmd: list[str], env: dict) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _finalise(db: Path) -> tuple[dict[str, int], list[list[str]]]:
    """Fold the WAL into one standalone file; return row counts and django_migrations."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("VACUUM")
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    migrations = [list(r) for r in con.execute("SELECT app, name FROM django_migrations ORDER BY id")]
    con.close()
    return counts, migrations


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("commit")
    ap.add_argument("name", help="folder under tests/trust/data, e.g. release-2026-11-23")
    ap.add_argument("--weeks", type=int, default=8)
    args = ap.parse_args()
    out = ROOT / "tests" / "trust" / "data" / args.name
    commit = _run(["git", "-C", str(ROOT), "rev-parse", args.commit], os.environ.copy()).strip()
    with tempfile.TemporaryDirectory(prefix="nw-release-") as tmp:
        wt, data = Path(tmp) / "release", Path(tmp) / "data"
        _run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(wt), commit], os.environ.copy())
        try:
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NACHTWACHT_SECRET_KEY")}
            env.update(PYTHONPATH=str(wt / "src"), NACHTWACHT_DATA_DIR=str(data), NACHTWACHT_SECRET_KEY=KEY,
                       DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", NACHTWACHT_SECURE_COOKIES="0")
            where = _run([sys.executable, "-c", "import nachtwacht; print(nachtwacht.__file__)"], env).strip()
            if not where.startswith(str(wt)):
                sys.exit(f"nachtwacht imports from {where}, not from the release worktree")
            demo_out = _run([sys.executable, "-m", "nachtwacht", "demo", "--weeks", str(args.weeks)], env)
            _run([sys.executable, "-m", "nachtwacht", "create-user", SLEEPER2[0], "--password", SLEEPER2[1]], env)
            _run([sys.executable, __file__, "--extras"], env)
            out.mkdir(parents=True, exist_ok=True)
            _run([sys.executable, str(wt / "tests" / "trust" / "_dbtool.py"), "export", str(out / "export.json")],
                 env)
        finally:
            _run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(wt)], os.environ.copy())
        db = data / "nachtwacht.sqlite3"
        counts, migrations = _finalise(db)
        with open(db, "rb") as src, gzip.GzipFile(out / "nachtwacht.sqlite3.gz", "wb", mtime=0) as dst:
            shutil.copyfileobj(src, dst)
    passwords = dict(line.split()[:2] for line in demo_out.splitlines()[1:])
    passwords[SLEEPER2[0]] = SLEEPER2[1]
    manifest = {"commit": commit, "made": dt.date.today().isoformat(), "weeks": args.weeks,
                "passwords": passwords, "django_migrations": migrations, "row_counts": counts}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    rows = "\n".join(f"| `{t}` | {n} |" for t, n in counts.items())
    (out / "README.md").write_text(f"""# Database of {args.name} (commit `{commit[:7]}`)

Made on {manifest['made']} with

    python scripts/make_release_fixture.py {commit[:7]} {args.name} --weeks {args.weeks}

which ran that release's own code (a git worktree, `PYTHONPATH=<worktree>/src`, a fresh SQLite
data dir): `nachtwacht demo --weeks {args.weeks}`, `nachtwacht create-user {SLEEPER2[0]}`, then the
script's `extras()` (GP views of the share -> access log, experiments started/stopped through the
views, a private episode, edited nights, a night deleted through the view, a CSV import, a partner
invite, revoked and unclaimed clinician shares, one finished and one failed sleep study) and finally
that release's `tests/trust/_dbtool.py export export.json`. The demo diary ends on the day it was made.

`manifest.json` holds the commit, the users' passwords (demo data only), the release's
`django_migrations` and these row counts. `tests/trust/test_trust_migrate_release.py` migrates a
copy forward with the current code (SQLite and PostgreSQL) and checks that no row, export field or
password is lost. Never edit these files: make a new folder for a new release.

| table | rows |
|---|---|
{rows}
""")
    print(f"wrote {out} ({(out / 'nachtwacht.sqlite3.gz').stat().st_size} bytes gzipped)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--extras"]:
        extras()
    else:
        main()
