"""A full disk: pages that only read keep answering; a write gets a clear 503, not a 500.

What writes on a GET, and what happens to it when the disk is full (issue #16):

* the shared database cache (dashboard insight results) deletes expired rows while
  reading: :class:`TolerantDatabaseCache` lets that fail quietly (Django's own cache
  already ignores a failed *set*), so the dashboard is computed and shown uncached;
* a clinician opening a shared diary writes the access-log row the patient was promised
  ("every look is recorded"): without it the diary stays closed, with the page below;
* logging in writes the session row and ``last_login``: not possible, page below;
* sessions are otherwise not saved on a GET (messages live in a cookie first);
* opening a SQLite connection makes its ``-wal``/``-shm`` files when none is open: on a
  full disk that failed for every page, so settings keep SQLite connections open
  (``CONN_MAX_AGE=None``) and the files stay while the server runs.

:func:`server_error` (``handler500``) recognises "database or disk is full" (SQLite),
"No space left on device" (PostgreSQL, files) and a SQLite "disk I/O error" when the
data folder has (almost) no space left, and answers 503 with a page that says what
works and what does not, in Dutch and English, instead of "something went wrong".
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import sys

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger("nachtwacht.web")

_FULL_TEXTS = ("database or disk is full", "no space left on device", "disk quota exceeded",
               "could not extend file")
#: Below this many free bytes in the data folder a SQLite "disk I/O error" is taken to be
#: the full disk (SQLite cannot size its -shm/-wal files), not a failing disk.
_NEARLY_FULL = 1024 * 1024


def _data_dir_nearly_full() -> bool:
    try:
        return shutil.disk_usage(settings.DATA_DIR).free < _NEARLY_FULL
    except OSError:
        return False


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) means "no space left"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, DatabaseError | sqlite3.Error):
            text = str(exc).lower()
            if any(t in text for t in _FULL_TEXTS):
                return True
            if "disk i/o error" in text and _data_dir_nearly_full():
                return True
            if getattr(exc, "sqlstate", None) == "53100":  # PostgreSQL disk_full
                return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full_response() -> HttpResponse:
    """The 503 page for a full disk (rendered without the request: no database needed)."""
    body = loader.get_template("503_disk_full.html").render()
    resp = HttpResponse(body, status=503)
    resp["Retry-After"] = "600"
    return resp


def server_error(request, template_name: str = "500.html"):
    """``handler500``: a full disk gets its own clear 503 page; anything else the usual 500."""
    exc = sys.exc_info()[1]
    if is_disk_full(exc):
        logger.error("disk full: %s %s could not write (%s); free space in %s", request.method,
                     request.path, type(exc).__name__, settings.DATA_DIR)
        try:
            return disk_full_response()
        except Exception:  # noqa: BLE001 - an error page must never fail
            pass
    return defaults.server_error(request, template_name)


class TolerantDatabaseCache(DatabaseCache):
    """Django's database cache, but removing expired rows on a read may fail (full disk).

    A cache is an optimisation: when it cannot write, the page is computed and shown
    without it. (Django already ignores a failed set/add; the delete of expired rows
    while reading is what raised.)
    """

    def _base_delete_many(self, keys):
        try:
            return super()._base_delete_many(keys)
        except DatabaseError as exc:
            if not is_disk_full(exc):
                raise
            return False
