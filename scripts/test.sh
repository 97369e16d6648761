#!/usr/bin/env bash
# README command 2: set up and run every test — the whole suite on SQLite, then the whole suite
# again (browser tests included) on a real PostgreSQL server that this script starts on
# loopback — plus ruff. Each pass takes 2.5-4.5 min on a 2-core machine.
# Usage: scripts/test.sh [extra pytest args]
source "$(dirname "$0")/_env.sh"
apt_install chromium postgresql libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils gettext
venv_install "all,test"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"

echo "==> ruff"
ruff check src tests bench

echo "==> pytest (SQLite)"
unset DATABASE_URL
python -m pytest -q "$@"

echo "==> pytest (PostgreSQL)"
source "$ROOT/scripts/postgres.sh"
start_postgres
trap stop_postgres EXIT
DATABASE_URL="$PG_URL" python -m pytest -q "$@"
