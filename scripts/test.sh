#!/usr/bin/env bash
# README command 2: set up and run every test — the suite on SQLite, then everything that
# reaches a database (web, trust, browser tests) on a real PostgreSQL server that this
# script starts on loopback — plus ruff.
# Usage: scripts/test.sh [extra pytest args]
source "$(dirname "$0")/_env.sh"
apt_install chromium postgresql redis-server libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext
venv_install "all,rq,test,device"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"

echo "==> ruff"
ruff check src tests bench

# The core (diary, insight, triage, report data, psg, device) never imports Django or
# touches a database (tests/test_layering.py keeps it so), so running it twice would
# test the same thing twice: the SQLite pass runs every test but the browser ones, the
# PostgreSQL pass every test that reaches a database — the web app, the trust tests
# (worker, faults, migrations, backups) and the browser tests.
echo "==> pytest (SQLite: everything but the browser tests)"
unset DATABASE_URL
python -m pytest -q --ignore=tests/browser "$@"

echo "==> pytest (PostgreSQL: web, trust and browser tests)"
source "$ROOT/scripts/postgres.sh"
start_postgres
trap stop_postgres EXIT
DATABASE_URL="$PG_URL" python -m pytest -q tests/web tests/trust tests/browser "$@"
