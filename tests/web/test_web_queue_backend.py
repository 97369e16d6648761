"""Choosing the task backend (issue #15): the database by default, RQ by environment.

Settings are read once per process, so each choice is checked in a fresh one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SHOW = r"""
import json, django
django.setup()
from django.conf import settings
from nachtwacht.web.jobs import backend
print(json.dumps({"backend": settings.TASKS["default"]["BACKEND"],
                  "queues": settings.TASKS["default"]["QUEUES"],
                  "rq_queues": {k: v["DEFAULT_TIMEOUT"] for k, v in getattr(settings, "RQ_QUEUES", {}).items()},
                  "apps": [a for a in settings.INSTALLED_APPS if "rq" in a or "tasks" in a],
                  "order": [backend.queue_for(k) for k in ("export", "report", "analysis")],
                  "retention": settings.JOB_RETENTION_DAYS}))
"""


def _settings(tmp_path, **env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("NACHTWACHT_") and k != "DATABASE_URL"}
    full.update(DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", NACHTWACHT_DATA_DIR=str(tmp_path),
                NACHTWACHT_SECRET_KEY="backend-test-" + "Qz7#pL2w" * 7, **env)
    return subprocess.run([sys.executable, "-c", SHOW], env=full, capture_output=True, text=True,
                          timeout=60)


def test_the_database_backend_is_the_default(tmp_path):
    out = json.loads(_settings(tmp_path).stdout)
    assert out["backend"] == "django_tasks_db.DatabaseBackend" and out["queues"] == ["default"]
    assert out["order"] == ["default"] * 3 and out["rq_queues"] == {} and out["retention"] == 30
    assert "django_rq" not in out["apps"]


def test_rq_by_environment_with_its_own_queue_for_quick_jobs(tmp_path):
    pytest.importorskip("django_tasks_rq")
    out = json.loads(_settings(tmp_path, NACHTWACHT_TASKS_BACKEND="rq", NACHTWACHT_REDIS_URL="redis://127.0.0.1:1/0",
                               NACHTWACHT_ANALYSIS_MAX_S="100", NACHTWACHT_JOB_RETENTION_DAYS="7").stdout)
    assert out["backend"] == "django_tasks_rq.RQBackend" and out["queues"] == ["quick", "default"]
    assert out["order"] == ["quick", "quick", "default"] and "django_rq" in out["apps"]
    # RQ's own time limit stays above ours (30 min exports, 100 s analyses here).
    assert out["rq_queues"] == {"quick": 1800 + 600, "default": 1800 + 600}
    assert out["retention"] == 7


@pytest.mark.parametrize(("env", "message"), [
    ({"NACHTWACHT_TASKS_BACKEND": "rq"}, "needs NACHTWACHT_REDIS_URL"),
    ({"NACHTWACHT_TASKS_BACKEND": "celery"}, "must be 'database' or 'rq'"),
])
def test_a_wrong_choice_is_refused_at_start(tmp_path, env, message):
    proc = _settings(tmp_path, **env)
    assert proc.returncode != 0 and message in proc.stderr
