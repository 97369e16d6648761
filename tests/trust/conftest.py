"""Trust tests: fuzzing, faults, backup/restore.

The fuzz tests use only the pure core; the database tests load Django against
whatever ``DATABASE_URL`` points at (SQLite in a temporary data dir when unset), so
the same files run in the SQLite pass and in the PostgreSQL pass of ``scripts/test.sh``.
"""

from __future__ import annotations

import os
import tempfile

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
os.environ.setdefault("NACHTWACHT_DATA_DIR", tempfile.mkdtemp(prefix="nw-trusttest-"))
# Production-like settings (DEBUG off) with a strong throwaway key.
os.environ.setdefault("NACHTWACHT_SECRET_KEY", "trust-" + "Xq7!pL2v" * 8)

django.setup()
