"""Browser tests: Playwright's sync API driving Debian's chromium against a live server."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nachtwacht.web.settings")
os.environ.setdefault("NACHTWACHT_DATA_DIR", tempfile.mkdtemp(prefix="nw-browsertest-"))
os.environ.setdefault("NACHTWACHT_SECRET_KEY", "test-" + "k3y!Zq9" * 10)
# Playwright's sync API runs an event loop in this thread; Django's ORM refuses
# to run inside one unless told it is safe (it is: one thread, no real async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
django.setup()

CHROMIUM = os.environ.get("NACHTWACHT_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The live server speaks plain http: secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"chromium not found at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def shot():
    """Save a screenshot of ``page`` as test-results/<name>.png."""
    RESULTS.mkdir(exist_ok=True)

    def _shot(page, name: str) -> None:
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)

    return _shot
