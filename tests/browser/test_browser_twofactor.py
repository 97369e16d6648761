"""A clinician switches on two-step login in a real browser, then logs in with password + code."""

from __future__ import annotations

import time

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Heel-Veilig-Wachtwoord-7"


def test_clinician_sets_up_two_step_login_and_logs_in_with_a_code(live_server, browser, shot):
    base = live_server.url
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    # Anything the CSP blocks shows up as a console error: the QR SVG must need no inline style.
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/aanmelden/")
    page.fill("#id_username", "dokter_2fa")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.select_option("#id_language", "nl")
    page.get_by_label("huisarts of andere zorgverlener").check()
    page.get_by_role("button", name="Account aanmaken").click()
    page.wait_for_load_state()

    # The settings page recommends it to a clinician and leads to the set-up.
    page.goto(f"{base}/instellingen/")
    assert "Aanbevolen voor zorgverleners" in page.content()
    page.get_by_role("link", name="Inloggen in twee stappen instellen").click()
    page.get_by_role("link", name="Inloggen in twee stappen instellen").click()
    assert page.url.endswith("/instellingen/twee-stappen/instellen/")
    qr = page.locator("svg.qr")
    box = qr.bounding_box()
    assert box and box["width"] >= 100 and box["height"] >= 100, "the QR code must render at a scannable size"
    shot(page, "twofactor-1-setup")
    # Like a person without a camera: type the shown key into the "app".
    secret = page.locator("#twofactor-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    page.fill("#id_code", app.now())
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Aanzetten").click()
    page.wait_for_load_state()
    assert page.locator("#backup-codes li").count() == 10
    shot(page, "twofactor-2-backup-codes")

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    page.goto(f"{base}/inloggen/?next=/zorg/")
    page.fill("#id_username", "dokter_2fa")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/inloggen/code/")
    # Not logged in yet: the clinician pages still ask for a login.
    assert "Uitloggen" not in page.content()
    # The set-up used this time step's code; the next step's code is new (replay protection).
    page.fill("#id_code", app.at(time.time() + 30))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/zorg/")
    assert "Uitloggen" in page.content()
    shot(page, "twofactor-3-logged-in")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    ctx.close()
