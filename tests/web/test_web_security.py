"""Production security: `check --deploy` is clean and every page sends a strict CSP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nachtwacht.web.security import CONTENT_SECURITY_POLICY

WEB = Path(__file__).resolve().parents[2] / "src" / "nachtwacht" / "web"
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))



def _deploy_check(tmp_path, **extra) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NACHTWACHT_")}
    env.update(DJANGO_SETTINGS_MODULE="nachtwacht.web.settings", NACHTWACHT_DATA_DIR=str(tmp_path),
               NACHTWACHT_SECRET_KEY="Zr8-" + "q4Tx_9vLm2" * 6, NACHTWACHT_ALLOWED_HOSTS="slaap.example.nl",
               **extra)
    env.pop("DATABASE_URL", None)
    # The browser tests set this for Playwright in the same process; an operator never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Exactly what an operator runs; its silencing rules apply as they would for them.
    proc = subprocess.run([sys.executable, "-m", "django", "check", "--deploy"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def test_deploy_check_is_clean_with_documented_production_env(tmp_path):
    out = _deploy_check(tmp_path, NACHTWACHT_HTTPS="1", NACHTWACHT_BEHIND_PROXY="1")
    assert "System check identified no issues" in out, out
    assert "WARNINGS" not in out


def test_deploy_check_warns_when_tls_is_not_declared(tmp_path):
    # Plain http (e.g. `nachtwacht serve` on localhost) must not get HSTS by accident.
    out = _deploy_check(tmp_path)
    assert "security.W004" in out and "security.W008" in out


def test_security_headers_on_pages(client, household, as_user):
    for c, url in ((client, "/"), (client, "/kennis/"), (as_user(household["sleeper"]), "/overzicht/")):
        r = c.get(url)
        assert r.status_code == 200, url
        assert r["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in r["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
        assert "camera=()" in r["Permissions-Policy"]
        assert r["Cross-Origin-Opener-Policy"] == "same-origin"


def test_security_headers_on_not_found(client, db):
    r = client.get("/bestaat-niet/")
    assert r.status_code == 404
    assert r["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|action|src)\s*=\s*["']\s*javascript:""", re.I)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_nothing_the_csp_blocks(path):
    text = path.read_text(encoding="utf-8")
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                          ("on…= handler", INLINE_HANDLER), ("javascript: URL", JS_URL)):
        assert not pattern.search(text), f"{path.name} has an {name}, blocked by the CSP"


def test_patterns_catch_what_they_should():
    # Guard the guards: the checks above must fail on the things they look for.
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert INLINE_STYLE.search('<rect style="fill:red">') and INLINE_STYLE.search("<style>p{}</style>")
    assert INLINE_HANDLER.search('<button onclick="x()">')
    assert not INLINE_HANDLER.search('<form action="/x" method="post">')


def test_rendered_dashboard_chart_has_no_inline_style(household, as_user):
    # The chart SVG is built in Python (web/chart.py), not in a template: check the output.
    body = as_user(household["sleeper"]).get("/overzicht/").content.decode()
    assert not INLINE_STYLE.search(body)
    assert not INLINE_SCRIPT.search(body)
