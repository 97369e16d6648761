"""The open-loop load test against the real production command, briefly (issue 16 item 5).

Runs ``bench/load/run_load.py --mode open`` for 2 s at 4 saves/s (one sleeper, one partner): gunicorn
with 2 workers on loopback, a throw-away SQLite data dir, sleepers and partners logged in
before the window, saves sent on a clock. Checks what the full run in
docs/operations.md reports: no errors, no lost writes (every acknowledged save is in the
database), no marker in the server log, and a JSON report with the fields the docs
quote. The full-size runs (20 saves/s, 60 s, SQLite and PostgreSQL) are in the docs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load" / "run_load.py"


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="runs its own SQLite server: once, in the SQLite pass")
def test_open_loop_for_a_few_seconds_loses_nothing(tmp_path):
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(gunicorn).exists():
        pytest.skip("gunicorn not installed")
    out = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--mode", "open", "--rate", "4", "--partner-rate", "1",
         "--duration", "2", "--users", "1", "--arrivals", "fixed", "--json", str(out)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["mode"] == "open" and r["database"] == "sqlite"
    # Fixed spacing: exactly the offered number of saves is scheduled, and all are answered.
    assert r["offered"]["nights_per_s"] == 4 and r["offered"]["scheduled_nights"] == 7
    assert r["offered"]["scheduled_partner_reports"] == 1
    assert r["errors"] == 0 and r["lost_writes"] == 0 and r["privacy_marker_lines"] == 0
    w = r["writes"]
    assert w["nights_acknowledged"] == w["nights_stored"] == 7
    assert w["episodes_acknowledged"] == w["episodes_stored"] == 1
    for route in ("POST /nacht/", "GET /overzicht/", "POST /bedpartner/<id>/", "GET /bedpartner/<id>/"):
        assert set(r["routes"][route]) == {"n", "p50_ms", "p95_ms", "p99_ms", "max_ms"}, route
    assert r["routes"]["POST /nacht/"]["n"] == r["routes"]["GET /overzicht/"]["n"] == 7
    assert r["achieved"]["nights_per_s"] > 0 and r["requests"] == 2 * 7 + 2 * 1
    assert r["cpu"]["server_s"] > 0 and r["requests_per_s_per_core"] > 0
    assert {"loadavg_before", "loadavg_after", "peak_inflight", "late_sends"} <= set(r)
