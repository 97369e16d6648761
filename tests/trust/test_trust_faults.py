"""Faults: a killed import, a full disk, a read-only disk.

A CSV upload is all-or-nothing (``nachtwacht.web.views.uploads.import_csv`` writes every
row in one transaction). These tests kill that import with SIGKILL half-way, in a
child process, and check the database holds none of the rows and a retry stores them
all. Disk faults use a tiny tmpfs when the tests run as root (CI containers do) and
fall back to a simulated ENOSPC otherwise.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _csvsamples import END  # noqa: E402
from _dbenv import TOOL, database_env, run  # noqa: E402
from _kill import kill_at  # noqa: E402

N_NIGHTS = 700


@pytest.fixture(scope="module")
def nights_csv(tmp_path_factory) -> Path:
    from nachtwacht.diary import csvio
    from nachtwacht.diary.demo import demo_diary

    diary = demo_diary(seed=11, weeks=N_NIGHTS // 7, end=END)
    buf = io.StringIO()
    csvio.write_nights(diary.nights, buf)
    path = tmp_path_factory.mktemp("csv") / "nights.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert len(diary.nights) == N_NIGHTS
    return path


def _count(env: dict, user: str = "importeur") -> int:
    return int(run(env, "count", user).stdout.strip())


def _assert_count(env: dict, n: int) -> None:
    assert _count(env) == n


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_sigkill_mid_import_leaves_all_or_nothing(vendor, tmp_path, nights_csv):
    with database_env(vendor, tmp_path) as env:
        run(env, "migrate")
        run(env, "user", "importeur")
        # Half the rows are written inside the open transaction when the child says so;
        # another process must not see them (and must not be blocked from reading).
        kill_at([sys.executable, str(TOOL), "import", "importeur", str(nights_csv),
                 "--hang-after", str(N_NIGHTS // 2)], "IN-TRANSACTION", env=env,
                before=lambda: _assert_count(env, 0))
        assert _count(env) == 0
        # The person simply uploads the file again: everything arrives, once.
        out = run(env, "import", "importeur", str(nights_csv))
        assert f"IMPORTED {N_NIGHTS}" in out.stdout
        assert _count(env) == N_NIGHTS
        # And a third upload is refused as a whole (already stored), not half-applied.
        again = run(env, "import", "importeur", str(nights_csv), check=False)
        assert again.returncode != 0 and "DiaryImportError" in again.stderr
        assert _count(env) == N_NIGHTS


@contextmanager
def tiny_disk(path: Path, size: str, readonly: bool = False):
    """Mount a small tmpfs at ``path`` (root only); skip the test when that is not possible."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, f"nwtrust{uuid.uuid4().hex[:6]}", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _fill(disk: Path) -> None:
    """Fill the file system at ``disk`` to the last byte."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_backup_to_full_disk_is_a_clear_error(tmp_path):
    with database_env("sqlite", tmp_path) as env:
        run(env, "cli", "demo", "--weeks", "2")
        with tiny_disk(tmp_path / "full", "64k") as disk:
            _fill(disk)
            out = run(env, "cli", "backup", str(disk / "nachtwacht.bak"), check=False)
            assert out.returncode != 0
            assert "Traceback" not in out.stderr
            assert "disk is not full" in out.stderr
            # No half-written file under the backup's name or beside it.
            assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_backup_to_read_only_disk_is_a_clear_error(tmp_path):
    with database_env("sqlite", tmp_path) as env:
        run(env, "migrate")
        with tiny_disk(tmp_path / "ro", "1m", readonly=True) as disk:
            out = run(env, "cli", "backup", str(disk / "nachtwacht.bak"), check=False)
            assert out.returncode != 0 and "Traceback" not in out.stderr
            assert "writable" in out.stderr and "Read-only" in out.stderr


def test_backup_enospc_simulated(tmp_path, monkeypatch):
    # Same guarantee without root: the final rename fails with ENOSPC.
    import click

    from nachtwacht.cli import ops

    def _full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ops.os, "replace", _full)
    dest = tmp_path / "b.sqlite3"
    with pytest.raises(click.ClickException) as info:
        ops.backup_database(dest)
    assert "No space left" in info.value.message and "disk is not full" in info.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_import_on_full_disk_keeps_database_consistent(tmp_path, nights_csv):
    """A full disk mid-import stores nothing; after space is freed the retry stores all."""
    with tiny_disk(tmp_path / "disk", "3m") as disk, database_env("sqlite", disk) as env:
        run(env, "migrate")
        run(env, "user", "importeur")
        _fill(disk)
        out = run(env, "import", "importeur", str(nights_csv), check=False)
        assert out.returncode != 0
        # SQLite says "database or disk is full" or, when even its journal cannot be
        # created, "disk I/O error"; either way nothing of the file was stored.
        assert "OperationalError" in out.stderr
        (disk / "filler").unlink()
        assert _count(env) == 0
        out = run(env, "import", "importeur", str(nights_csv))
        assert _count(env) == N_NIGHTS
