"""Issue #14 on a 360 px phone: urgent advice on top, error focus, the chart and the menu."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

END = dt.date(2026, 11, 22)


def _login(browser, base, width=360):
    from nachtwacht.web.demo import PASSWORDS

    ctx = browser.new_context(viewport={"width": width, "height": 740}, locale="nl-NL")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORDS["demo"])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    return ctx, page


def test_phone_chart_menu_error_focus_and_urgent_advice(live_server, browser, shot):
    from nachtwacht.web.demo import build_demo

    build_demo(seed=7, weeks=4, end=END)
    ctx, page = _login(browser, live_server.url)

    # The 24-hour chart fits the phone: the compact one is shown, within the screen.
    compact = page.locator("svg.diary-chart.compact")
    assert compact.is_visible() and not page.locator("svg.diary-chart.wide").is_visible()
    box = compact.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    shot(page, "first-use-1-dashboard-360")

    # Every page is in the folded menu.
    page.locator("details.menu > summary").click()
    for name in ("Advies", "Rapport", "Informatie", "Eerdere nachten"):
        assert page.locator("details.menu nav").get_by_role("link", name=name, exact=True).is_visible(), name

    # A refused night comes back with a summary at the top that has the focus.
    page.goto(f"{live_server.url}/nacht/")
    page.fill("#id_date", "2026-11-23")
    page.fill("#id_final_wake", "22:30")
    page.fill("#id_out_of_bed", "22:45")
    page.get_by_role("button", name="Nacht opslaan").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "vóór de tijd waarop u naar bed ging" in page.locator("#error-summary").inner_text()
    shot(page, "first-use-2-error-summary")

    # Urgent advice after a save: the call comes first, at the top of the next page.
    page.goto(f"{live_server.url}/profiel/")
    page.locator("input[name=suicidal_thoughts][value=true]").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_load_state()
    alert = page.locator(".advice-alert").first
    assert alert.is_visible()
    assert alert.bounding_box()["y"] < page.locator("h1").first.bounding_box()["y"]
    assert page.locator('.advice-alert a[href="tel:08000113"]').is_visible()
    shot(page, "first-use-3-urgent-advice")
    page.goto(f"{live_server.url}/overzicht/")
    assert page.locator(".advice-alert").first.is_visible()
    page.get_by_role("button", name="Ik heb dit gelezen").first.click()
    page.wait_for_load_state()
    assert page.locator(".advice-alert").count() == 0
    ctx.close()
