"""Operations: ``nachtwacht backup`` and ``nachtwacht restore``.

SQLite is copied with its online backup API (consistent while the app runs, WAL
included); PostgreSQL with ``pg_dump -Fc`` / ``pg_restore --clean``. Uploaded files
are not part of the database backup: copy ``NACHTWACHT_DATA_DIR/uploads`` alongside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click


def _default_connection():  # noqa: ANN202 - Django type, imported lazily
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    if not os.environ.get("NACHTWACHT_SECRET_KEY"):
        # A local install (``nachtwacht serve``) keeps its key in the data dir; the
        # backup does not need it, but the settings refuse to load without one.
        from nachtwacht.cli.web import _data_dir

        key = _data_dir() / "secret_key"
        if key.is_file():
            os.environ["NACHTWACHT_SECRET_KEY"] = key.read_text().strip()
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from None
    from django.db import connections

    return connections["default"]


def _pg_args(settings: dict) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args = ["-d", str(settings["NAME"])]
    if settings.get("HOST"):
        args += ["-h", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["-U", str(settings["USER"])]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bindir / name).exists():
            return str(bindir / name)
    raise click.ClickException(f"{name} not found: install the PostgreSQL client tools")


def _run_tool(cmd: list[str], env: dict[str, str], what: str) -> None:
    """Run a PostgreSQL client tool; turn its failure into one readable message."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise click.ClickException(f"{what} failed: {' '.join(detail[-3:]) or f'exit {proc.returncode}'}")


def _disk_error(dest: Path, exc: BaseException) -> click.ClickException:
    # Full disk and read-only file systems are the usual causes: say so plainly.
    return click.ClickException(f"could not write the backup to {dest}: {exc}. "
                                "Check that the disk is not full and the folder is writable.")


def _discard(path: Path) -> None:
    # A read-only file system cannot hold a partial file anyway.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def backup_database(dest: Path) -> str:
    """Write a consistent copy of the configured database to ``dest``; return the vendor.

    The copy is written next to ``dest`` first and renamed at the end, so a full disk or
    a crash never leaves a half-written file under the backup's name.
    """
    conn = _default_connection()
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private from the first byte
        if conn.vendor == "sqlite":
            src = sqlite3.connect(str(conn.settings_dict["NAME"]))
            try:
                out = sqlite3.connect(str(tmp))
                try:
                    src.backup(out)
                finally:
                    out.close()
            finally:
                src.close()
        elif conn.vendor == "postgresql":
            args, env = _pg_args(conn.settings_dict)
            _run_tool([_tool("pg_dump"), "-Fc", "-f", str(tmp), *args], env, "pg_dump")
        else:  # pragma: no cover - only the two supported back ends exist
            raise click.ClickException(f"backup is not supported for {conn.vendor}")
        # A backup holds everyone's health data: readable by this user only, whatever
        # the umask of the shell that ran it (docs/operations.md, "Private files").
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as exc:
        _discard(tmp)
        raise _disk_error(dest, exc) from None
    except click.ClickException:
        _discard(tmp)
        raise
    return conn.vendor


def _check_sqlite_backup(src: Path) -> sqlite3.Connection:
    """Open the backup at ``src`` for reading only, also from read-only media.

    ``immutable=1``: a backup is a finished file nobody writes, so SQLite need not create
    the ``-shm``/``-wal`` files a WAL-mode database (which our backups are) otherwise
    needs next to it - on a read-only disk (DVD, ro mount) that failed with "unable to
    open database file", reported as "not a SQLite backup".
    """
    if not os.access(src, os.R_OK):
        raise click.ClickException(f"cannot read the backup {src}: permission denied")
    try:
        backup = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        tables = {r[0] for r in backup.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.OperationalError as exc:
        # Could not open or read the file: not a statement about what is in it.
        raise click.ClickException(f"cannot read the backup {src}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{src} is not a SQLite backup: {exc}") from None
    if "django_migrations" not in tables:
        backup.close()
        raise click.ClickException(f"{src} is a SQLite file but not a Nachtwacht backup")
    return backup


def restore_database(src: Path) -> str:
    """Replace the configured database's contents with the backup at ``src``.

    The backup is checked before anything is touched, and PostgreSQL restores in one
    transaction: a bad file or a failure half-way leaves the database as it was.
    """
    if not src.is_file():
        raise click.ClickException(f"backup file not found: {src}")
    conn = _default_connection()
    if conn.vendor == "sqlite":
        backup = _check_sqlite_backup(src)
        conn.close()
        try:
            target = sqlite3.connect(str(conn.settings_dict["NAME"]))
            try:
                backup.backup(target)
            finally:
                target.close()
        except sqlite3.Error as exc:
            raise click.ClickException(f"restore failed: {exc}") from None
        finally:
            backup.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_args(conn.settings_dict)
        conn.close()
        listing = subprocess.run([_tool("pg_restore"), "-l", str(src)], env=env, capture_output=True, text=True)
        if listing.returncode != 0:
            raise click.ClickException(f"{src} is not a pg_dump backup (pg_restore cannot read it)")
        _run_tool([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                   "--exit-on-error", *args, str(src)], env, "pg_restore")
    else:  # pragma: no cover
        raise click.ClickException(f"restore is not supported for {conn.vendor}")
    return conn.vendor


def register(main: click.Group) -> None:
    @main.command()
    @click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
    def backup(dest: Path) -> None:
        """Write a backup of the database to DEST (SQLite file or pg_dump archive)."""
        vendor = backup_database(dest)
        click.echo(f"{vendor} backup written to {dest}")

    @main.command()
    @click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore(src: Path, yes: bool) -> None:
        """Replace the database with the backup in SRC."""
        if not yes:
            click.confirm("This replaces all data in the database. Continue?", abort=True)
        vendor = restore_database(src)
        click.echo(f"{vendor} database restored from {src}")
