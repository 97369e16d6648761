"""Small database steps run in a child process by the trust tests.

Each step sets Django up against the environment it is given (``NACHTWACHT_DATA_DIR``,
``DATABASE_URL``), so a test can kill it, or back up and restore the database
between steps, exactly as an operator would. Usage::

    python _dbtool.py migrate
    python _dbtool.py export OUT.json          # every user's export, comparable
    python _dbtool.py mutate                    # change, delete and add data
    python _dbtool.py import USER CSV [--hang-after N]
    python _dbtool.py count USER                # nights stored for USER
    python _dbtool.py login USER PASSWORD N     # N logins through the web view; prints statuses
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import zipfile


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _comparable(name: str, content: bytes) -> str:
    """Text files as text; a PDF only as present (it carries its creation time); other
    binary files (uploaded sleep studies) by digest, so equal bytes compare equal."""
    import hashlib

    if name.endswith(".pdf"):
        return "<pdf>" if content.startswith(b"%PDF") else "<not a pdf>"
    if name.startswith("sleep_studies/"):
        return "sha256:" + hashlib.sha256(content).hexdigest()
    return content.decode("utf-8")


def export_all() -> dict:
    """Every user's own export (the zip the web app hands out), minus the export time."""
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.views.account import export_bytes

    out = {}
    for user in User.objects.order_by("username"):
        with zipfile.ZipFile(io.BytesIO(export_bytes(user))) as z:
            files = {name: _comparable(name, z.read(name)) for name in sorted(z.namelist())}
        meta = json.loads(files.pop("nachtwacht.json"))
        meta.pop("exported_at", None)
        files["nachtwacht.json"] = meta
        out[user.username] = files
    return out


def mutate() -> None:
    """What happens after a backup: an edit, a deletion, a new account, a deleted account."""
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.diary.models import Episode, Night

    sleeper = User.objects.get(username="demo")
    night = Night.objects.filter(sleeper=sleeper).order_by("date").first()
    night.notes = "changed after the backup"
    night.save()
    Episode.objects.filter(sleeper=sleeper).order_by("id").first().delete()
    User.objects.create_user("nieuw", password="nieuw-wachtwoord-1", role="sleeper")
    User.objects.get(username="huisarts").delete()


def import_csv(username: str, path: str, hang_after: int | None) -> int:
    from django.db import connection

    from nachtwacht.web.diary.models import Night

    if hang_after is not None:
        # The import writes with bulk_create (no post_save signal): count the night
        # rows the INSERT statements carry instead.
        table = Night._meta.db_table
        n_cols = sum(1 for f in Night._meta.concrete_fields if not f.primary_key)
        seen = {"n": 0}

        def _hang(execute, sql, params, many, context):  # noqa: ANN001 - Django wrapper signature
            result = execute(sql, params, many, context)
            if sql.lstrip().upper().startswith("INSERT") and table in sql and params:
                # PostgreSQL (Django 5.2) sends one array per column (INSERT ... UNNEST),
                # other databases one flat parameter per value.
                arrays = isinstance(params[0], (list, tuple))
                seen["n"] += len(params[0]) if arrays else len(params) // n_cols
                if seen["n"] >= hang_after:
                    # Rows are written inside the open transaction: tell the parent, then
                    # wait for the SIGKILL it sends.
                    print("IN-TRANSACTION", flush=True)
                    time.sleep(120)
            return result

        with connection.execute_wrapper(_hang):
            return _import_file(username, path)
    return _import_file(username, path)


def _import_file(username: str, path: str) -> int:
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.views.uploads import import_csv as web_import

    user = User.objects.get(username=username)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return web_import(user, "nights", text, "en")


def main(argv: list[str]) -> None:
    setup()
    step = argv[0]
    if step == "migrate":
        migrate()
    elif step == "export":
        with open(argv[1], "w", encoding="utf-8") as f:
            json.dump(export_all(), f, indent=1, sort_keys=True, ensure_ascii=False)
    elif step == "mutate":
        mutate()
    elif step == "import":
        hang = int(argv[argv.index("--hang-after") + 1]) if "--hang-after" in argv else None
        print(f"IMPORTED {import_csv(argv[1], argv[2], hang)}", flush=True)
    elif step == "count":
        from nachtwacht.web.diary.models import Night

        print(Night.objects.filter(sleeper__username=argv[1]).count())
    elif step == "login":
        from django.test import Client

        c = Client(HTTP_HOST="localhost")
        codes = [c.post("/inloggen/", {"username": argv[1], "password": argv[2]}).status_code
                 for _ in range(int(argv[3]))]
        print(" ".join(map(str, codes)), flush=True)
    elif step == "user":
        from nachtwacht.web.accounts.models import User

        User.objects.create_user(argv[1], password="importeur-wachtwoord-1", role="sleeper")
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1:])
