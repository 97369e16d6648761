"""Operations: ``nachtwacht backup`` and ``nachtwacht restore``.

SQLite is copied with its online backup API (consistent while the app runs, WAL
included); PostgreSQL with ``pg_dump -Fc`` / ``pg_restore --clean``. Uploaded files
are not part of the database backup: copy ``NACHTWACHT_DATA_DIR/uploads`` alongside.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click


def _default_connection():  # noqa: ANN202 - Django type, imported lazily
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()
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


def backup_database(dest: Path) -> str:
    """Write a consistent copy of the configured database to ``dest``; return the vendor."""
    conn = _default_connection()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if conn.vendor == "sqlite":
        src = sqlite3.connect(str(conn.settings_dict["NAME"]))
        try:
            out = sqlite3.connect(str(dest))
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_args(conn.settings_dict)
        subprocess.run([_tool("pg_dump"), "-Fc", "-f", str(dest), *args], check=True, env=env)
    else:  # pragma: no cover - only the two supported back ends exist
        raise click.ClickException(f"backup is not supported for {conn.vendor}")
    return conn.vendor


def restore_database(src: Path) -> str:
    """Replace the configured database's contents with the backup at ``src``."""
    if not src.is_file():
        raise click.ClickException(f"backup file not found: {src}")
    conn = _default_connection()
    if conn.vendor == "sqlite":
        try:
            backup = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
            backup.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"{src} is not a SQLite backup: {exc}") from None
        conn.close()
        target = sqlite3.connect(str(conn.settings_dict["NAME"]))
        try:
            backup.backup(target)
        finally:
            target.close()
            backup.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_args(conn.settings_dict)
        conn.close()
        subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *args, str(src)],
            check=True,
            env=env,
        )
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
