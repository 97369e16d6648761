"""The whole household flow in a real browser, on a phone-sized screen, in NL and EN."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

TEXT = {
    "nl": {"save_night": "Nacht opslaan", "invite": "Maak een uitnodigingslink", "partner_acct": "Maak een partneraccount",
           "accept": "Uitnodiging aannemen", "save": "Opslaan", "walk": "slaapwandelen", "make_share": "Maak een deellink",
           "open": "Open het dagboek", "stop": "Stop met delen", "nights1": "1 nacht in uw dagboek",
           "clin": "huisarts of andere zorgverlener", "create": "Account aanmaken", "save_ep": "Voorval opslaan",
           "continue": "Verder", "confirm": "Ja, dit is mijn zorgverlener"},
    "en": {"save_night": "Save night", "invite": "Make an invitation link", "partner_acct": "Create a partner account",
           "accept": "Accept the invitation", "save": "Save", "walk": "sleepwalking", "make_share": "Make a share link",
           "open": "Open the diary", "stop": "Stop sharing", "nights1": "1 night in your diary",
           "clin": "a GP or other clinician", "create": "Create account", "save_ep": "Save episode",
           "continue": "Continue", "confirm": "Yes, this is my clinician"},
}


def _signup(page, base, username, lang, t, next_url="", clinician=False):
    page.goto(f"{base}/aanmelden/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password1", "Heel-Veilig-Wachtwoord-7")
    page.fill("#id_password2", "Heel-Veilig-Wachtwoord-7")
    page.select_option("#id_language", lang)
    if clinician:
        page.get_by_label(t["clin"]).check()
    page.get_by_role("button", name=t["create"]).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_household_flow(live_server, browser, shot, lang):
    t = TEXT[lang]
    base = live_server.url
    sfx = lang
    # Visitors arrive with a browser in their language; the account choice wins afterwards.
    loc = "nl-NL" if lang == "nl" else "en-GB"
    # 1. A new sleeper signs up and fills in a night on a phone.
    sleeper_ctx = browser.new_context(viewport=PHONE, locale=loc)
    sleeper_ctx.set_default_timeout(10_000)
    page = sleeper_ctx.new_page()
    _signup(page, base, f"slaper_{sfx}", lang, t)
    assert page.url.endswith("/overzicht/")
    shot(page, f"{lang}-phone-1-empty-dashboard")
    page.goto(f"{base}/nacht/")
    page.fill("#id_bedtime", "23:10")
    page.fill("#id_lights_out", "23:20")
    page.fill("#id_sol_min", "20")
    page.fill("#id_final_wake", "06:40")
    page.fill("#id_out_of_bed", "07:00")
    page.fill("#id_quality", "3")
    shot(page, f"{lang}-phone-2-night-form")
    page.get_by_role("button", name=t["save_night"]).click()
    page.wait_for_load_state()
    assert t["nights1"] in page.content()

    # 2. The sleeper invites a partner.
    page.goto(f"{base}/partner/")
    page.get_by_role("button", name=t["invite"]).click()
    invite_url = page.locator("input.copy").first.input_value()
    assert "/uitnodiging/#" in invite_url  # the token after '#': never sent to the server (#16)

    # 3. The partner signs up through the link and logs what they saw.
    partner_ctx = browser.new_context(viewport=PHONE, locale=loc)
    partner_ctx.set_default_timeout(10_000)
    pp = partner_ctx.new_page()
    pp.goto(invite_url)
    # claim.js copied the token from the fragment into the form; the partner presses on.
    pp.get_by_role("button", name=t["continue"]).click()
    pp.wait_for_load_state()
    pp.get_by_role("link", name=t["partner_acct"]).click()
    _signup(pp, base, f"partner_{sfx}", lang, t, next_url="/uitnodiging/")
    pp.get_by_role("button", name=t["accept"]).click()
    pp.wait_for_load_state()
    assert "/bedpartner/" in pp.url
    pp.select_option("#id_type", "sleepwalking")
    pp.fill("#id_time", "02:30")
    pp.fill("#id_behaviours", "liep naar de keuken")
    shot(pp, f"{lang}-phone-3-partner-log")
    pp.get_by_role("button", name=t["save"], exact=True).click()
    pp.wait_for_load_state()
    assert t["walk"] in pp.content()

    # 4. The sleeper logs a private episode and sees the partner's on the dashboard.
    page.goto(f"{base}/episode/")
    page.select_option("#id_type", "urge")
    page.fill("#id_notes", "GEHEIM-NOTITIE")
    page.check("#id_private")
    page.get_by_role("button", name=t["save_ep"]).click()
    page.wait_for_load_state()
    content = page.content()
    assert t["walk"] in content and "diary-chart" in content
    shot(page, f"{lang}-phone-4-dashboard")

    # 5. The sleeper shares with a clinician.
    page.goto(f"{base}/delen/")
    page.get_by_role("button", name=t["make_share"]).click()
    page.wait_for_load_state()
    share_url = page.locator("input.copy").first.input_value()
    code = page.locator("strong.code").first.inner_text()
    assert "/zorg/link/#" in share_url and re.fullmatch(r"\d{3} \d{3}", code)

    gp_ctx = browser.new_context(viewport=DESKTOP, locale=loc)
    gp_ctx.set_default_timeout(10_000)
    gp = gp_ctx.new_page()
    _signup(gp, base, f"huisarts_{sfx}", lang, t, clinician=True)
    # A self-registered clinician enters a BIG number; an administrator verifies it.
    gp.goto(f"{base}/zorg/verificatie/")
    gp.fill("#id_big_number", "12345678901")
    gp.get_by_role("button", name=t["save"], exact=True).click()
    gp.wait_for_load_state()
    from django.core.management import call_command

    call_command("verify_clinician", f"huisarts_{sfx}")
    gp.goto(share_url)
    gp.fill("#id_code", code)
    gp.get_by_role("button", name=t["open"]).click()
    gp.wait_for_load_state()
    # Nothing shows until the sleeper confirms who claimed the share.
    page.goto(f"{base}/delen/")
    assert f"huisarts_{sfx}" in page.content()
    page.get_by_role("button", name=t["confirm"]).click()
    page.wait_for_load_state()
    from nachtwacht.web.sharing.models import ClinicianShare

    share = ClinicianShare.objects.get(clinician__username=f"huisarts_{sfx}")
    assert share.confirmed_at is not None
    gp.goto(f"{base}/zorg/{share.pk}/")
    view_url = gp.url
    assert "/zorg/" in view_url and t["walk"] in gp.content()
    assert "GEHEIM-NOTITIE" not in gp.content()
    shot(gp, f"{lang}-desktop-5-clinician-view")
    resp = gp.goto(view_url + "rapport/")
    assert resp.status in (200, 503)
    assert "GEHEIM-NOTITIE" not in gp.content()
    shot(gp, f"{lang}-desktop-6-clinician-report")

    # 6. The sleeper revokes; the clinician is locked out.
    page.goto(f"{base}/delen/")
    page.get_by_role("button", name=t["stop"]).click()
    page.wait_for_load_state()
    resp = gp.goto(view_url)
    assert resp.status == 404
    page.goto(f"{base}/wie-keek-er-mee/")
    assert f"huisarts_{sfx}" in page.content()
    shot(page, f"{lang}-phone-7-access-log")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/overzicht/")
    shot(page, f"{lang}-desktop-8-dashboard")
    for ctx in (sleeper_ctx, partner_ctx, gp_ctx):
        ctx.close()
