"""A clinician switches on two-step login in a real browser, then logs in with password + code."""

from __future__ import annotations

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Heel-Veilig-Wachtwoord-7"


def _next_accepted_step(username: str) -> int:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    # The current step as the server counts it, drift included.
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "no code left in this step window"
    return step


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
    # What the app shows at the first time step the server still accepts: later than the
    # step used at set-up (no replay) and within its tolerance, drift included (a set-up
    # code typed just before a step boundary and checked after it leaves drift -1).
    page.fill("#id_code", app.at(_next_accepted_step("dokter_2fa") * 30))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/zorg/")
    assert "Uitloggen" in page.content()
    shot(page, "twofactor-3-logged-in")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    ctx.close()
