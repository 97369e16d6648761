"""A full disk on SQLite: pages that only read still answer; writes get a clear 503, not a 500.

The real thing (root only): the data folder on a small tmpfs that is then filled up,
the server's requests made in a child process. Everywhere: the same answers with the
write that fails simulated ("database or disk is full" from SQLite).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

FULL_PAGE = "Er kan op dit moment niets worden opgeslagen"


def _full(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("database or disk is full")


def _client(user=None, **extra):
    from django.test import Client

    c = Client(raise_request_exception=False, **extra)
    if user is not None:
        c.force_login(user)
    return c


def test_is_disk_full_recognises_the_causes():
    from django.db import OperationalError

    from nachtwacht.web.diskfull import is_disk_full

    assert is_disk_full(OperationalError("database or disk is full"))
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("upload failed") from inner
    except RuntimeError as outer:
        assert is_disk_full(outer)
    assert not is_disk_full(OperationalError("no such table: x"))
    assert not is_disk_full(None)


def test_login_with_full_disk_says_so(household, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "save", _full)
    r = _client().post("/inloggen/", {"username": "slaper", "password": "slaper-wachtwoord-1"})
    assert r.status_code == 503
    body = r.content.decode()
    assert FULL_PAGE in body and "Nothing can be saved right now" in body and r["Retry-After"]


def test_reading_pages_answer_and_the_access_log_is_not_skipped(household, monkeypatch):
    from nachtwacht.web.sharing.models import AccessLog

    sleeper, gp = _client(household["sleeper"]), _client(household["gp"])
    monkeypatch.setattr(AccessLog.objects, "create", _full)
    for url in ("/overzicht/", "/nachten/", "/delen/", "/wie-keek-er-mee/"):
        assert sleeper.get(url).status_code == 200, url
    # The patient was promised to see every look: without the record, no look, and a clear page.
    r = gp.get(f"/zorg/{household['share'].pk}/")
    assert r.status_code == 503 and FULL_PAGE in r.content.decode()
    assert "schok bij inslapen" not in r.content.decode()


def test_shared_cache_read_survives_a_failed_cleanup(db, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    cache = caches["shared"]
    cache.set("nw-test", "waarde", 60)
    monkeypatch.setattr(DatabaseCache, "_base_delete_many", _full)
    cache.delete("nw-test")  # the delete while reading an expired row goes the same way
    assert cache.get("nw-test") == "waarde"


# --- the real full disk (root: tmpfs) -------------------------------------------------

CHILD_SETUP = "setup"


def _child(step: str) -> None:
    """Runs in a child process with NACHTWACHT_DATA_DIR on the tmpfs; prints results."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "nachtwacht.web.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.demo import PASSWORDS, build_demo
    from nachtwacht.web.sharing.models import ClinicianShare

    if step == CHILD_SETUP:
        call_command("migrate", verbosity=0)
        build_demo(weeks=2)
        return
    share = ClinicianShare.objects.get()
    clients = {who: _client(User.objects.get(username=who), HTTP_HOST="localhost")
               for who in ("demo", "huisarts")}

    def get(who, url):
        r = clients[who].get(url)
        # What the server does after each request (the test client does not): close the
        # connection if CONN_MAX_AGE says so. SQLite's last connection closing removes its
        # -wal/-shm files, which the next request then cannot create on a full disk.
        for conn in connections.all():
            conn.close_if_unusable_or_obsolete()
        return r

    get("demo", "/overzicht/")
    with open(Path(os.environ["NACHTWACHT_DATA_DIR"]) / "filler", "wb", buffering=0) as fh:
        for size in (65536, 4096, 512, 1):  # to the last byte
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                pass
    for url in ("/overzicht/", "/nachten/", "/advies/", "/plan/", "/delen/", "/wie-keek-er-mee/", "/kennis/"):
        print("demo", url, get("demo", url).status_code)
    print("huisarts /zorg/", get("huisarts", "/zorg/").status_code)
    # Writes: they fit in the WAL space SQLite already has, or they get the clear page.
    r = get("huisarts", f"/zorg/{share.pk}/")
    print("write share", r.status_code, FULL_PAGE in r.content.decode())
    r = _client(HTTP_HOST="localhost").post("/inloggen/", {"username": "demo", "password": PASSWORDS["demo"]})
    print("write login", r.status_code, FULL_PAGE in r.content.decode())


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small file system")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_real_full_disk_on_sqlite(tiny_disk):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(NACHTWACHT_DATA_DIR=str(tiny_disk), NACHTWACHT_SECURE_COOKIES="0")
    for step in (CHILD_SETUP, "run"):
        proc = subprocess.run([sys.executable, __file__, step], env=env, capture_output=True, text=True,
                              timeout=240)
        assert proc.returncode == 0, proc.stderr[-3000:]
    lines = dict(line.rsplit(" ", 1) for line in proc.stdout.splitlines()
                 if line.startswith(("demo ", "huisarts /zorg/ ")))
    assert len(lines) == 8 and all(code == "200" for code in lines.values()), proc.stdout
    writes = [line.split() for line in proc.stdout.splitlines() if line.startswith("write ")]
    assert [w[1] for w in writes] == ["share", "login"], proc.stdout
    ok = {"share": "200", "login": "302"}
    for _, what, code, page in writes:
        assert (code, page) in {(ok[what], "False"), ("503", "True")}, writes  # never a 500


if __name__ == "__main__":
    _child(sys.argv[1])
