"""The demo sleeper picks a period for the GP report, views it and downloads the PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

END = dt.date(2026, 11, 22)


def test_sleeper_picks_a_period_views_and_downloads_the_report(live_server, browser, shot):
    from nachtwacht.web.demo import PASSWORDS, build_demo
    from nachtwacht.web.diary.models import Night

    build_demo(seed=7, weeks=4, end=END)
    base = live_server.url
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL", accept_downloads=True)
    ctx.set_default_timeout(30_000)  # WeasyPrint needs a few seconds for the PDF
    page = ctx.new_page()
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORDS["demo"])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()

    # From the overview to the report page.
    page.get_by_role("link", name="Rapport voor de huisarts").click()
    page.wait_for_load_state()
    assert page.url.endswith("/rapport/kiezen/")
    # A quick choice fills in the dates; then the sleeper narrows the start by hand.
    page.get_by_role("link", name="Laatste 4 weken").click()
    page.wait_for_load_state()
    assert page.input_value("#id_tot") == END.isoformat()
    # A start after the end is refused with a clear message, never swapped.
    page.fill("#id_van", "2026-12-01")
    page.get_by_role("button", name="Rapport bekijken (HTML)").click()
    page.wait_for_load_state()
    assert "De periode begint (1 december 2026) na het einde (22 november 2026)." in page.content()
    page.fill("#id_van", "2026-11-09")
    page.select_option("#id_taal", "nl")
    shot(page, "report-1-period-form")
    page.get_by_role("button", name="Rapport bekijken (HTML)").click()
    page.wait_for_load_state()
    assert "van=2026-11-09" in page.url
    expected = Night.objects.filter(sleeper__username="demo", date__gte=dt.date(2026, 11, 9)).count()
    cell = page.locator("th", has_text="Nachten ingevuld").locator("xpath=following-sibling::td[1]")
    assert cell.inner_text().strip() == str(expected)
    shot(page, "report-2-html")

    # Back to the form (it remembers the period) and download the PDF.
    page.goto(f"{base}/rapport/kiezen/")
    assert page.input_value("#id_van") == "2026-11-09"
    with page.expect_download() as info:
        page.get_by_role("button", name="Rapport downloaden (PDF)").click()
    download = info.value
    assert re.fullmatch(r"nachtwacht-rapport-2026-11-09_2026-11-22\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    ctx.close()
