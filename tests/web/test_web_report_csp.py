"""The HTML GP report is styled under the app's own CSP and holds no file:// paths."""

from __future__ import annotations

import base64
import hashlib
import re


def test_html_report_styles_are_allowed_by_hash_and_no_file_urls(household, as_user):
    r = as_user(household["sleeper"]).get("/rapport/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "file://" not in html
    assert not re.search(r"\sstyle=", html), "a style attribute is blocked by the CSP"
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    blocks = re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL)
    assert blocks
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
