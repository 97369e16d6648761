#!/usr/bin/env bash
# README command 1: set up and start the web app on SQLite with the demo household
# (and its simulated sleep study, analysed by the background worker serve starts).
# Usage: scripts/demo.sh [--port 8000]
source "$(dirname "$0")/_env.sh"
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
venv_install "all"
cd "$ROOT"
exec "$VENV/bin/nachtwacht" serve --demo "$@"
