"""PostgreSQL's own log keeps no diary text (issue #16 item 3).

On an error PostgreSQL writes the failing statement to its log (``log_min_error_statement``
defaults to ``error``). With the values bound on the server (settings: psycopg's
``server_side_binding``) that statement holds ``$1, $2 …``; the values themselves are
logged only if the operator raises ``log_parameter_max_length_on_error`` (default 0).
A double-submitted night (a unique violation, the common error) is made here and the
server's log file read back. PostgreSQL pass only: the log is the test server's
``server.log`` in its data directory (``scripts/postgres.sh``), read with
``pg_read_file`` as the superuser the tests connect as.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction


def _server_log() -> str | None:
    with connection.cursor() as cur:
        try:
            cur.execute("SELECT pg_read_file('server.log')")
        except Exception:  # not the test server of scripts/postgres.sh
            return None
        return cur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_is_logged_without_the_diary_text(household):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pass only")
    from nachtwacht.web.diary.models import Night

    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    if _server_log() is None:
        pytest.skip("the server's log file cannot be read here")
    marker = f"GEHEIME-NOTITIE-{uuid.uuid4().hex}"
    day = dt.date(2026, 11, 20)  # the household's sleeper has a night on this date
    with pytest.raises(IntegrityError), transaction.atomic():
        Night.objects.create(sleeper=household["sleeper"], date=day, notes=marker)
    log = _server_log() or ""
    # The error itself was logged (so the check below looks at the right place) ...
    assert "duplicate key value violates unique constraint" in log
    assert 'INSERT INTO "diary_night"' in log
    # ... without the text of the note.
    assert marker not in log
