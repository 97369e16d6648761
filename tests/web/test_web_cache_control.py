"""No health data left in a browser's or proxy's cache: every personal response is
``Cache-Control: no-store, private`` (pages, the PDFs and the export)."""

from __future__ import annotations

import pytest

SLEEPER_PAGES = ["/overzicht/", "/nachten/", "/nacht/", "/episode/", "/profiel/", "/advies/", "/plan/",
                 "/rapport/", "/rapport.pdf", "/rapport/kiezen/", "/instellingen/", "/export/", "/delen/",
                 "/wie-keek-er-mee/", "/kennis/"]


@pytest.mark.slow
def test_every_sleeper_response_is_no_store_private(household, as_user):
    c = as_user(household["sleeper"])
    seen = 0
    for url in SLEEPER_PAGES:
        r = c.get(url)
        if r.status_code != 200:
            continue
        seen += 1
        cc = r.headers.get("Cache-Control", "")
        assert "no-store" in cc and "private" in cc, (url, cc)
    assert seen >= 10


def test_clinician_and_partner_pages_are_no_store(household, as_user):
    share = household["share"]
    for user, url in ((household["gp"], f"/zorg/{share.pk}/"), (household["partner"], "/bedpartner/")):
        r = as_user(user).get(url)
        assert r.status_code == 200, url
        cc = r.headers.get("Cache-Control", "")
        assert "no-store" in cc and "private" in cc, (url, cc)


def test_public_pages_may_be_cached(client, db):
    r = client.get("/kennis/")
    assert "no-store" not in r.headers.get("Cache-Control", "")
