"""``nachtwacht backup`` / ``nachtwacht restore``: a restore brings back exactly what was backed up.

Every step runs in a child process against a throw-away database, as an operator
would run it: demo household, every user's own export, backup, changes (an edit, a
deleted episode, a new and a deleted account), restore, export again -> identical.
SQLite always; PostgreSQL (pg_dump/pg_restore) in the pass where DATABASE_URL is one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dbenv import database_env, run  # noqa: E402


def _export(env: dict, path: Path) -> dict:
    run(env, "export", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_round_trip_gives_identical_exports(vendor, tmp_path):
    with database_env(vendor, tmp_path) as env:
        out = run(env, "cli", "demo", "--weeks", "4")
        assert "demo" in out.stdout
        before = _export(env, tmp_path / "before.json")
        assert {"demo", "partner", "huisarts"} <= set(before)
        assert before["demo"]["nights.csv"].count("\n") > 20  # the diary really is in it

        backup = tmp_path / "backups" / "nachtwacht.bak"
        out = run(env, "cli", "backup", str(backup))
        assert backup.is_file() and backup.stat().st_size > 0
        assert vendor[:6] in out.stdout.lower()

        run(env, "mutate")
        changed = _export(env, tmp_path / "changed.json")
        assert changed != before and "nieuw" in changed and "huisarts" not in changed

        out = run(env, "cli", "restore", "--yes", str(backup))
        after = _export(env, tmp_path / "after.json")
        assert after == before


@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_restore_refuses_a_file_that_is_no_backup(vendor, tmp_path):
    with database_env(vendor, tmp_path) as env:
        run(env, "migrate")
        bogus = tmp_path / "notes.txt"
        bogus.write_text("this is not a database\n" * 50)
        out = run(env, "cli", "restore", "--yes", str(bogus), check=False)
        assert out.returncode != 0
        assert "Traceback" not in out.stderr
        assert "backup" in (out.stdout + out.stderr).lower()
        # The database is untouched and still works.
        run(env, "export", str(tmp_path / "still.json"))


def test_restore_missing_file_is_a_clear_error(tmp_path):
    with database_env("sqlite", tmp_path) as env:
        out = run(env, "cli", "restore", "--yes", str(tmp_path / "nope.bak"), check=False)
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert "not found" in out.stderr or "does not exist" in out.stderr


def test_restore_asks_before_overwriting(tmp_path):
    import subprocess

    with database_env("sqlite", tmp_path) as env:
        run(env, "migrate")
        backup = tmp_path / "b.sqlite3"
        run(env, "cli", "backup", str(backup))
        run(env, "user", "na-de-backup")
        proc = subprocess.run([sys.executable, "-m", "nachtwacht", "restore", str(backup)], env=env,
                              input="n\n", capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0
        # Answering "no" keeps the account made after the backup.
        assert "na-de-backup" in _export(env, tmp_path / "after.json")


def test_backup_without_configuration_is_a_clear_error(tmp_path):
    with database_env("sqlite", tmp_path) as env:
        env.pop("NACHTWACHT_SECRET_KEY")
        out = run(env, "cli", "backup", str(tmp_path / "b.bak"), check=False)
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert "NACHTWACHT_SECRET_KEY" in out.stderr
