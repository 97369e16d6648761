"""Upgrading from a previous release loses nothing (issue #7 item 1).

Each folder in ``tests/trust/data/`` is a database made by a past release's own code
(``scripts/make_release_fixture.py``): the demo household plus shares, access-log rows,
experiments, sleep studies and edited/deleted nights. The current code migrates it
forward - on SQLite directly, on PostgreSQL after loading the release's schema and rows -
and then every old row is still there, every user's export still holds everything the
release exported, every password still works and no model change lacks its migration.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import database_env, run  # noqa: E402

TOOL = HERE / "_releasetool.py"
RELEASES = sorted(p for p in (HERE / "data").iterdir() if (p / "manifest.json").is_file())


def _step(env: dict, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(TOOL), *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{args[0]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _contains(old, new, where: str = "") -> list[str]:
    """Where ``new`` lacks something ``old`` had; new keys, columns and extra rows are allowed."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{where}: was an object"]
        return [p for k, v in old.items()
                for p in (_contains(v, new[k], f"{where}/{k}") if k in new else [f"{where}/{k}: gone"])]
    if isinstance(old, list):
        if not isinstance(new, list):
            return [f"{where}: was a list"]
        # Match every old item to a distinct new item (row order is not part of the contract).
        free, problems = list(new), []
        for i, item in enumerate(old):
            hit = next((j for j, cand in enumerate(free) if not _contains(item, cand)), None)
            if hit is None:
                # Name what differs in the closest remaining item, not just "gone".
                diffs = min((_contains(item, cand, f"{where}[{i}]") for cand in free), key=len, default=None)
                problems += diffs or [f"{where}[{i}]: no longer present: {json.dumps(item)[:200]}"]
            else:
                free.pop(hit)
        return problems
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


def _export_gaps(old: dict, new: dict) -> list[str]:
    problems = []
    for user, files in old.items():
        if user not in new:
            problems.append(f"{user}: no export")
            continue
        for name, content in files.items():
            if name not in new[user]:
                problems.append(f"{user}/{name}: gone")
            elif name.endswith(".csv"):
                problems += _contains(_csv_rows(content), _csv_rows(new[user][name]), f"{user}/{name}")
            elif name.endswith(".json") and isinstance(content, str):
                problems += _contains(json.loads(content), json.loads(new[user][name]), f"{user}/{name}")
            else:
                problems += _contains(content, new[user][name], f"{user}/{name}")
    return problems


def test_export_comparison_notices_a_lost_value():
    # The checker itself must fail on loss, or the migration test proves nothing.
    old = {"u": {"nights.csv": "date,notes\n2026-01-01,x\n", "nachtwacht.json": {"shares": [{"a": 1}]}}}
    same = {"u": {"nights.csv": "date,notes,new\n2026-01-01,x,1\n",
                  "nachtwacht.json": {"shares": [{"a": 1, "b": 2}], "added": []}}}
    assert _export_gaps(old, same) == []
    lost_row = {"u": {"nights.csv": "date,notes\n", "nachtwacht.json": {"shares": [{"a": 1}]}}}
    changed = {"u": {"nights.csv": "date,notes\n2026-01-01,x\n", "nachtwacht.json": {"shares": [{"a": 2}]}}}
    assert _export_gaps(old, lost_row) and _export_gaps(old, changed)


@pytest.mark.slow
@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.name)
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_release_database_migrates_forward_without_loss(vendor, release, tmp_path):
    manifest = release / "manifest.json"
    old_db = tmp_path / "release.sqlite3"
    with gzip.open(release / "nachtwacht.sqlite3.gz", "rb") as src, open(old_db, "wb") as dst:
        shutil.copyfileobj(src, dst)
    with database_env(vendor, tmp_path) as env:
        if vendor == "sqlite":
            data = Path(env["NACHTWACHT_DATA_DIR"])
            data.mkdir(parents=True)
            shutil.copy(old_db, data / "nachtwacht.sqlite3")
        else:
            _step(env, "load", str(old_db))
            # The load really is the release's state: the rows are there, the new migrations not yet.
            keys = json.loads(_step(env, "keys", str(old_db)))
            assert all(not k["lost"] for k in keys.values()), keys

        run(env, "migrate", timeout=300)

        keys = json.loads(_step(env, "keys", str(old_db)))
        expected = json.loads(manifest.read_text())["row_counts"]
        assert {t: k["old"] for t, k in keys.items()} == expected  # the copy is the fixture
        lost = {t: k for t, k in keys.items() if k["new"] is None or k["lost"] or k["new"] < k["old"]}
        assert not lost, f"rows lost by the migrations: {lost}"

        check = run(env, "cli", "manage", "makemigrations", "--check", "--dry-run", check=False)
        assert check.returncode == 0, f"model changes without a migration:\n{check.stdout}{check.stderr}"

        run(env, "export", str(tmp_path / "now.json"))
        now = json.loads((tmp_path / "now.json").read_text(encoding="utf-8"))
        before = json.loads((release / "export.json").read_text(encoding="utf-8"))
        gaps = _export_gaps(before, now)
        assert not gaps, "exports lost data:\n" + "\n".join(gaps[:20])

        logins = json.loads(_step(env, "login", str(manifest)))
        assert logins and all(logins.values()), logins
