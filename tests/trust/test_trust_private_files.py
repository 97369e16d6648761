"""Data at rest is private (issue #15 item 3): what the app writes is mode 0600 (folders 0700).

As an operator runs it, in child processes with an ordinary umask (022): the database
file (and its WAL), an uploaded sleep study, the upload temp folder and a backup are
readable by the app's user only. (Export zips and the tightening of an older data
dir: tests/web/test_web_queue_jobs.py.)
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _dbenv import database_env, run  # noqa: E402


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _q(env: dict, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(HERE / "_queuetool.py"), *args], env=env,
                          capture_output=True, text=True, timeout=120, umask=0o022)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_database_uploads_and_backups_are_0600(vendor, tmp_path):
    with database_env(vendor, tmp_path) as env:
        data = Path(env["NACHTWACHT_DATA_DIR"])
        run(env, "migrate")
        edf = tmp_path / "nacht.edf"
        edf.write_bytes(b"0       " + b" " * 248 + b"a sleep study")
        _q(env, "seed", "slaper", str(edf))  # through the upload view, queued for the worker
        backup = tmp_path / "backups" / "nachtwacht.backup"
        subprocess.run([sys.executable, "-m", "nachtwacht", "backup", str(backup)], env=env,
                       check=True, capture_output=True, timeout=120, umask=0o022)
        files = [*(data / "uploads").iterdir(), backup]
        if vendor == "sqlite":
            files += list(data.glob("nachtwacht.sqlite3*"))  # the database (its WAL, if still there)
        assert len(files) >= (3 if vendor == "sqlite" else 2)
        for path in files:
            assert _mode(path) == 0o600, f"{path.name}: {oct(_mode(path))}"
        assert _mode(data / "uploads") == _mode(data / "tmp") == _mode(backup.parent) == 0o700
