"""``nachtwacht restore`` reads a SQLite backup from read-only media, and says plainly why not.

Our backups are WAL-mode files. Opened read-only on a read-only file system, SQLite
wanted to create ``-shm`` next to the file and failed with "unable to open database
file", which the command reported as "not a SQLite backup".
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
import pytest

from nachtwacht.cli.ops import _check_sqlite_backup


def _wal_backup(path: Path) -> None:
    src = sqlite3.connect(str(path.with_name("live.sqlite3")))
    src.execute("PRAGMA journal_mode=WAL")
    src.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT)")
    src.execute("INSERT INTO django_migrations (app) VALUES ('diary')")
    src.commit()
    out = sqlite3.connect(str(path))
    src.backup(out)  # as ``nachtwacht backup`` writes it: WAL mode kept in the header
    out.close()
    src.close()
    assert path.read_bytes()[18:20] == b"\x02\x02"


@pytest.fixture
def readonly_mount(tmp_path):
    """A folder on a real read-only file system (a tmpfs remounted ro); root only."""
    mnt = tmp_path / "dvd"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a read-only file system")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_backup_on_read_only_file_system_can_be_read(readonly_mount):
    backup = readonly_mount / "nachtwacht backup #1.sqlite3"  # spaces and '#' in the name too
    _wal_backup(backup)
    for extra in ("-wal", "-shm"):
        Path(f"{backup}{extra}").unlink(missing_ok=True)
    (readonly_mount / "live.sqlite3").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(readonly_mount)], check=True)
    conn = _check_sqlite_backup(backup)
    try:
        assert conn.execute("SELECT app FROM django_migrations").fetchall() == [("diary",)]
        target = sqlite3.connect(":memory:")
        conn.backup(target)  # what restore_database does next
        assert target.execute("SELECT count(*) FROM django_migrations").fetchone() == (1,)
    finally:
        conn.close()


def test_messages_name_the_real_problem(tmp_path):
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("not a database\n" * 100)
    with pytest.raises(click.ClickException, match="is not a SQLite backup"):
        _check_sqlite_backup(junk)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(str(other)).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(click.ClickException, match="not a Nachtwacht backup"):
        _check_sqlite_backup(other)
    if os.geteuid() != 0:  # root reads any file
        locked = tmp_path / "locked.sqlite3"
        _wal_backup(locked)
        locked.chmod(0)
        with pytest.raises(click.ClickException, match="cannot read the backup"):
            _check_sqlite_backup(locked)
