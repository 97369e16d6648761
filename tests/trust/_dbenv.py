"""Throw-away databases for child processes: a SQLite data dir or a fresh PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent / "_dbtool.py"
KEY = "trust-child-" + "Rk8#mW2q" * 7


def pg_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def database_env(vendor: str, tmp_path: Path):
    """Yield the environment of a child process bound to a new, empty database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(NACHTWACHT_DATA_DIR=str(tmp_path / "data"), NACHTWACHT_SECRET_KEY=KEY,
               DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", PYTHONUNBUFFERED="1")
    if vendor == "sqlite":
        yield env
        return
    url = pg_url()
    if url is None:
        pytest.skip("PostgreSQL pass only (DATABASE_URL is not a postgres:// URL)")
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"nw_trust_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run a ``_dbtool`` step (``args[0]`` a step name) or ``nachtwacht`` (``args[0] == "cli"``)."""
    if args[0] == "cli":
        cmd = [sys.executable, "-m", "nachtwacht", *args[1:]]
    else:
        cmd = [sys.executable, str(TOOL), *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
