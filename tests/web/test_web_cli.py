"""``nachtwacht demo`` works on a fresh data directory without DEBUG and is repeatable."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest


def _run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NACHTWACHT_", "DJANGO_", "DATABASE_URL"))}
    env["NACHTWACHT_DATA_DIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "-m", "nachtwacht", *args], env=env, capture_output=True,
                          text=True, timeout=180)


@pytest.mark.slow  # two fresh Django start-ups with migrations, ~10 s
def test_demo_on_a_fresh_machine(tmp_path):
    first = _run(tmp_path, "demo", "--weeks", "2")
    assert first.returncode == 0, first.stderr
    assert "demo-slaper-2026" in first.stdout and "huisarts" in first.stdout
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50 and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    second = _run(tmp_path, "demo", "--weeks", "2")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "secret_key").read_text() == key  # the key is kept, sessions survive
    db = sqlite3.connect(tmp_path / "nachtwacht.sqlite3")
    assert db.execute("select count(*) from accounts_user").fetchone()[0] == 3
    assert db.execute("select count(*) from diary_night").fetchone()[0] == 14
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
