"""Child-process steps of the release-migration test (see ``test_trust_migrate_release.py``).

Usage::

    python _releasetool.py load OLD.sqlite3    # PostgreSQL: the release's schema, then its rows
    python _releasetool.py keys OLD.sqlite3    # JSON: per old table, the primary keys now missing
    python _releasetool.py login MANIFEST      # JSON: user -> does the release's password still work
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()


def _old_tables(old: sqlite3.Connection) -> dict[str, list[tuple[str, str, bool]]]:
    """Every table of the old database: its columns as (name, declared type, is primary key)."""
    names = [r[0] for r in old.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: [(c[1], c[2].lower(), c[5] > 0) for c in old.execute(f'PRAGMA table_info("{t}")')] for t in names}


def load(old_path: str) -> None:
    """Put the release's database into an empty PostgreSQL database, as that release had it.

    The schema comes from the current code's migrations run only up to the release's leaf
    migrations (from the old ``django_migrations``); the rows are copied with plain SQL.
    """
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.migrations.recorder import MigrationRecorder

    old = sqlite3.connect(old_path)
    leaves: dict[str, str] = {}
    for app, name in old.execute("SELECT app, name FROM django_migrations ORDER BY id"):
        leaves[app] = name
    for app, name in leaves.items():
        call_command("migrate", app, name, interactive=False, verbosity=0)
    tables = _old_tables(old)
    with connection.cursor() as cur:
        cur.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public'")
        pg_types = {(t, c): d for t, c, d in cur.fetchall()}
    with transaction.atomic(), connection.cursor() as cur:
        # post_migrate already wrote content types and permissions (also for models added
        # after the release): start from the release's rows only. Django's foreign keys are
        # deferred, so table order does not matter inside the transaction.
        cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        for table, cols in tables.items():
            names = [c for c, _, _ in cols]
            kinds = [pg_types[(table, c)] for c in names]
            marks = ", ".join("%s::jsonb" if k == "jsonb" else "%s" for k in kinds)
            quoted = ", ".join(f'"{c}"' for c in names)
            sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
            # SQLite keeps booleans as 0/1, which PostgreSQL will not put into a boolean column.
            batch = [[bool(v) if k == "boolean" and v is not None else v for v, k in zip(row, kinds, strict=True)]
                     for row in old.execute(f'SELECT {quoted} FROM "{table}"')]
            if batch:
                cur.executemany(sql, batch)
        # Identity sequences still start at 1: move them past the copied ids (the same SQL
        # as ``sqlsequencereset``, limited to the release's tables).
        models = [m for m in [*apps.get_models(include_auto_created=True), MigrationRecorder(connection).Migration]
                  if m._meta.db_table in tables]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cur.execute(statement)


def missing_keys(old_path: str) -> dict:
    """Per old table: row counts then and now, and primary keys the current database lost."""
    from django.db import connection

    old = sqlite3.connect(old_path)
    current = set(connection.introspection.table_names())
    report = {}
    for table, cols in _old_tables(old).items():
        pk = [c for c, _, is_pk in cols if is_pk]
        select = ", ".join(f'"{c}"' for c in pk)
        before = {tuple(str(v) for v in r) for r in old.execute(f'SELECT {select} FROM "{table}"')}
        if table not in current:
            report[table] = {"old": len(before), "new": None, "lost": sorted(before)[:5]}
            continue
        with connection.cursor() as cur:
            cur.execute(f'SELECT {select} FROM "{table}"')
            now = {tuple(str(v) for v in r) for r in cur.fetchall()}
        report[table] = {"old": len(before), "new": len(now), "lost": sorted(before - now)[:5]}
    return report


def logins(manifest_path: str) -> dict[str, bool]:
    from django.contrib.auth import authenticate

    with open(manifest_path, encoding="utf-8") as f:
        passwords = json.load(f)["passwords"]
    return {u: authenticate(username=u, password=pw) is not None for u, pw in passwords.items()}


def main(argv: list[str]) -> None:
    setup()
    step, arg = argv
    if step == "load":
        load(arg)
    elif step == "keys":
        print(json.dumps(missing_keys(arg)))
    elif step == "login":
        print(json.dumps(logins(arg)))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1:])
