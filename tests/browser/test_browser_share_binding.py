"""Share links by #fragment in a real browser (issue #16): the token survives logging in.

claim.js copies the token from the fragment (or from an old-style link's form) into the
claim form and keeps it in sessionStorage while the clinician logs in first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login_from_claim_page(page) -> None:
    page.locator("main a.button[href*='next=']").first.click()
    page.fill("#id_username", "dokter")
    page.fill("#id_password", "Heel-Veilig-Wachtwoord-7")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_token_from_fragment_or_old_link_survives_login(live_server, browser):
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.sharing.models import ClinicianShare

    sleeper = User.objects.create_user("slaper", password="x" * 12, role="sleeper")
    User.objects.create_user("dokter", password="Heel-Veilig-Wachtwoord-7", role="clinician",
                             big_number="12345678901", verified_at=timezone.now(), verified_by="admin:test")
    later = timezone.now() + timedelta(days=3)
    share = ClinicianShare.objects.create(sleeper=sleeper, scope=["nights"], claim_code="111222", expires_at=later)

    page = browser.new_context(locale="nl-NL").new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/zorg/link/#{share.token}")
    page.wait_for_load_state()
    assert "#" not in page.url  # out of the address bar and history once read
    _login_from_claim_page(page)
    assert page.url.endswith("/zorg/link/")
    assert page.input_value("#id_token") == share.token
    page.fill("#id_code", "111 222")
    page.get_by_role("button", name="Open het dagboek").click()
    page.wait_for_load_state()
    share.refresh_from_db()
    assert share.clinician.username == "dokter" and share.confirmed_at is None

    old = ClinicianShare.objects.create(sleeper=sleeper, scope=["nights"], claim_code="333444", expires_at=later)
    other = browser.new_context(locale="nl-NL").new_page()
    other.set_default_timeout(10_000)
    other.goto(f"{live_server.url}/zorg/link/{old.token}/")  # a link of the previous release
    other.get_by_role("button", name="Verder").click()
    other.wait_for_load_state()
    _login_from_claim_page(other)
    assert other.input_value("#id_token") == old.token
    old.refresh_from_db()
    assert old.clinician is None  # nothing was claimed on the way
