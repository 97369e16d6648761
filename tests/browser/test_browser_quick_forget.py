"""The service worker forgets the stored quick pages when the session is gone (review wave 2b #1).

The quick page holds the person's usual answers. It is kept on the device for offline
use, but must go on sign-out and also when the session ended some other way (expired,
ended elsewhere, account deleted): the next online visit then meets the login page.
No page sent as ``no-store`` (the dashboard) is ever kept.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "vergeet-wachtwoord-1"
STORED = """() => caches.keys().then(ks => Promise.all(ks.map(n => caches.open(n).then(
    c => c.keys().then(rs => rs.map(r => new URL(r.url).pathname)))))).then(a => a.flat())"""


def _login(page, base):
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", "vergeet")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def _quick_page_stored(page, base):
    page.goto(f"{base}/snel/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which stores the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{base}/overzicht/")  # no-store: never kept
    page.wait_for_function(f"({STORED})().then(p => p.includes('/snel/'))")
    assert "/overzicht/" not in page.evaluate(STORED)


def test_quick_page_is_forgotten_when_the_session_is_gone(live_server, browser):
    from django.contrib.sessions.models import Session

    from nachtwacht.web.accounts.models import User

    User.objects.create_user("vergeet", password=PASSWORD, role="sleeper", language="nl")
    ctx = browser.new_context(locale="nl-NL")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    base = live_server.url
    _login(page, base)
    _quick_page_stored(page, base)

    # The session ends on the server (expired, or ended from another device).
    Session.objects.all().delete()
    page.goto(f"{base}/snel/")
    assert "/inloggen/" in page.url
    page.wait_for_function(f"({STORED})().then(p => !p.includes('/snel/'))")
    stored = page.evaluate(STORED)
    assert "/snel/" not in stored and "/snel/voorval/" not in stored
    assert any(p.endswith("quick.js") for p in stored)  # the app shell stays

    # Signed in again, stored again, then signed out with the button: gone again.
    _login(page, base)
    _quick_page_stored(page, base)
    page.goto(f"{base}/overzicht/")
    page.locator("form[action='/uitloggen/'] button").first.click()
    page.wait_for_load_state()
    page.wait_for_function(f"({STORED})().then(p => !p.includes('/snel/'))")
    ctx.close()
