"""Two-step login (django-otp TOTP + backup codes): set-up, login, limits, required mode, export."""

from __future__ import annotations

import io
import json
import logging
import re
import time
import zipfile
from base64 import b32encode

import pyotp
import pytest
from django.conf import settings as dj_settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nachtwacht.web import twofactor

LOGIN, CODE = "/inloggen/", "/inloggen/code/"
SETUP, STATUS, DISABLE = "/instellingen/twee-stappen/instellen/", "/instellingen/twee-stappen/", \
    "/instellingen/twee-stappen/uitzetten/"
GP_PW = "dokter-wachtwoord-1"


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now (or ``steps_ahead`` time steps later).

    "Now" as the server counts it, its learned drift included: a code made just before a
    step boundary and checked just after leaves drift -1, and a later "+1" code made
    from the plain clock would then fall outside the server's window (a rare flake).
    """
    device.refresh_from_db()
    step = int(time.time()) // device.step + device.drift + steps_ahead
    return pyotp.TOTP(b32encode(device.bin_key).decode()).at(step * device.step)


def _enable(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device, twofactor.new_backup_codes(user)


def _logged_in(c: Client) -> bool:
    return "_auth_user_id" in c.session


def _password_step(c: Client, username="dokter", password=GP_PW, nxt=""):
    data = {"username": username, "password": password}
    if nxt:
        data["next"] = nxt
    return c.post(LOGIN, data)


@pytest.fixture
def no_otp_throttle(settings):
    # django-otp's own back-off (tested separately) would refuse a right code right after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- set-up ---------------------------------------------------------------------------------

def _secret_from(body: str) -> str:
    m = re.search(r'id="twofactor-secret">([A-Z2-7 ]+)<', body)
    assert m, "secret not shown"
    return m.group(1).replace(" ", "")


INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_setup_requires_a_valid_code_before_the_device_counts(household, as_user, no_otp_throttle):
    gp = household["gp"]
    c = as_user(gp)
    r = c.get(SETUP)
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body and "<path" in body
    assert not INLINE_STYLE.search(body), "the QR SVG must not need inline styles (CSP)"
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]
    secret = _secret_from(body)
    assert len(secret) == 32
    # A wrong code leaves it off.
    r = c.post(SETUP, {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
                       "password": GP_PW})
    assert r.status_code == 200 and "Die code klopt niet" in r.content.decode()
    assert not twofactor.is_enabled(gp)
    # Reloading the page keeps the same secret until it is confirmed.
    assert _secret_from(c.get(SETUP).content.decode()) == secret
    # The code from an app fed with the shown secret switches it on and shows 10 backup codes once.
    r = c.post(SETUP, {"code": pyotp.TOTP(secret).now(), "password": GP_PW})
    body = r.content.decode()
    assert r.status_code == 200 and twofactor.is_enabled(gp)
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=gp).values_list("token", flat=True)) == set(codes)
    # Once on, the set-up page no longer shows a secret; the status page says since when.
    r = c.get(SETUP)
    assert r.status_code == 302 and r["Location"] == STATUS
    page = c.get(STATUS).content.decode()
    assert "twofactor-since" in page and "10 reservecodes" in page
    assert "twofactor-secret" not in page


def test_settings_page_recommends_it_to_clinicians_only(household, as_user):
    assert "Aanbevolen voor zorgverleners" in as_user(household["gp"]).get("/instellingen/").content.decode()
    assert "Aanbevolen voor zorgverleners" not in as_user(household["sleeper"]).get(
        "/instellingen/").content.decode()
    _enable(household["gp"])
    assert "Aan sinds" in as_user(household["gp"]).get("/instellingen/").content.decode()


# --- login ----------------------------------------------------------------------------------

def test_login_without_device_is_one_step(household, client):
    twofactor.start_setup(household["gp"])  # begun but never confirmed: does not count
    r = _password_step(client)
    assert r.status_code == 302 and r["Location"] != CODE and _logged_in(client)


def test_login_with_device_needs_the_code(household, client):
    device, _ = _enable(household["gp"])
    r = _password_step(client)
    assert r.status_code == 302 and r["Location"] == CODE
    assert not _logged_in(client), "a right password alone must not log in"
    assert client.get("/zorg/")["Location"].startswith("/inloggen/")
    r = client.post(CODE, {"code": _code(device)})
    assert r.status_code == 302 and _logged_in(client)
    assert client.get("/zorg/").status_code == 200


def test_wrong_code_is_refused_with_a_clear_message_in_dutch_and_english(household, no_otp_throttle):
    device, _ = _enable(household["gp"])
    nl = Client()
    _password_step(nl)
    r = nl.post(CODE, {"code": "12345"})
    assert r.status_code == 200 and not _logged_in(nl)
    assert "Die code klopt niet" in r.content.decode()
    en = Client()
    en.cookies[dj_settings.LANGUAGE_COOKIE_NAME] = "en"
    _password_step(en)
    r = en.post(CODE, {"code": "nonsense"})
    assert "That code is not right" in r.content.decode() and not _logged_in(en)


def test_codes_are_rate_limited_separately_from_passwords(household, client, no_otp_throttle):
    device, _ = _enable(household["gp"])
    _password_step(client)
    for _ in range(dj_settings.LOGIN_MAX_FAILURES):
        assert client.post(CODE, {"code": "zzzzzzzz"}).status_code == 200
    r = client.post(CODE, {"code": _code(device)})
    assert r.status_code == 429 and not _logged_in(client)
    assert "Te veel foute codes" in r.content.decode()
    # The password limiter is a different counter: the password step still works.
    other = Client()
    assert _password_step(other)["Location"] == CODE


def test_django_otp_backs_off_after_wrong_app_codes(household, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # the wait after a failure: long enough to never race the test
    device, _ = _enable(household["gp"])
    _password_step(client)
    wrong = "000000" if _code(device) != "000000" else "111111"
    client.post(CODE, {"code": wrong})
    r = client.post(CODE, {"code": _code(device)})
    assert not _logged_in(client)
    assert "Wacht een minuut" in r.content.decode()


def test_backup_code_works_once(household, no_otp_throttle):
    _, codes = _enable(household["gp"])
    c = Client()
    _password_step(c)
    r = c.post(CODE, {"code": codes[0].upper()[:4] + " " + codes[0][4:]})  # people type spaces/capitals
    assert r.status_code == 302 and _logged_in(c)
    assert twofactor.backup_codes_left(household["gp"]) == 9
    c2 = Client()
    _password_step(c2)
    r = c2.post(CODE, {"code": codes[0]})
    assert not _logged_in(c2) and "Die code klopt niet" in r.content.decode()


def test_the_same_app_code_is_not_accepted_twice(household, no_otp_throttle):
    device, _ = _enable(household["gp"])
    code = _code(device)
    c = Client()
    _password_step(c)
    assert c.post(CODE, {"code": code}).status_code == 302 and _logged_in(c)
    c2 = Client()
    _password_step(c2)
    r = c2.post(CODE, {"code": code})
    assert not _logged_in(c2) and "Die code klopt niet" in r.content.decode()
    # The next time step's code is fine (django-otp allows one step of clock drift).
    assert c2.post(CODE, {"code": _code(device, 1)}).status_code == 302 and _logged_in(c2)


def test_next_is_kept_and_only_when_safe(household):
    device, _ = _enable(household["gp"])
    c = Client()
    _password_step(c, nxt="/zorg/")
    assert c.post(CODE, {"code": _code(device)})["Location"] == "/zorg/"
    c2 = Client()
    _password_step(c2, nxt="https://evil.example/")
    r = c2.post(CODE, {"code": _code(device, 1)})
    assert r.status_code == 302 and "evil" not in r["Location"] and _logged_in(c2)


def test_code_step_expires_and_needs_the_password_step(household, client):
    device, _ = _enable(household["gp"])
    r = client.post(CODE, {"code": _code(device)})
    assert r.status_code == 200 and not _logged_in(client) and "Log opnieuw in" in r.content.decode()
    _password_step(client)
    session = client.session
    session[twofactor.PENDING_KEY]["until"] = time.time() - 1
    session.save()
    r = client.post(CODE, {"code": _code(device)})
    assert not _logged_in(client) and "Log opnieuw in" in r.content.decode()


def test_codes_never_reach_the_logs(household, client, caplog, no_otp_throttle):
    device, codes = _enable(household["gp"])
    caplog.set_level(logging.DEBUG)
    _password_step(client)
    client.post(CODE, {"code": codes[1]})
    code = _code(device)
    client.post("/uitloggen/")
    _password_step(client)
    client.post(CODE, {"code": code})
    assert codes[1] not in caplog.text and code not in caplog.text and device.key not in caplog.text


# --- required mode --------------------------------------------------------------------------

def test_required_mode_sends_clinicians_without_device_to_setup(household, as_user, settings):
    settings.REQUIRE_2FA_CLINICIANS = True
    gp = as_user(household["gp"])
    r = gp.get("/zorg/")
    assert r.status_code == 302 and r["Location"].startswith(SETUP) and "next=/zorg/" in r["Location"]
    share = household["share"]
    assert gp.get(f"/zorg/{share.pk}/")["Location"].startswith(SETUP)
    assert gp.get(SETUP).status_code == 200 and gp.get("/instellingen/").status_code == 200
    # Other roles are not affected.
    assert as_user(household["sleeper"]).get("/overzicht/").status_code == 200
    assert as_user(household["partner"]).get("/bedpartner/").status_code == 200
    # With a device the clinician pages open again.
    _enable(household["gp"])
    assert gp.get("/zorg/").status_code == 200


def test_required_mode_off_by_default(household, as_user):
    assert dj_settings.REQUIRE_2FA_CLINICIANS is False
    assert as_user(household["gp"]).get("/zorg/").status_code == 200


def test_required_mode_is_parsed_strictly():
    from django.core.exceptions import ImproperlyConfigured

    from nachtwacht.web.envparse import env_bool

    assert env_bool("NACHTWACHT_REQUIRE_2FA_CLINICIANS", False, {"NACHTWACHT_REQUIRE_2FA_CLINICIANS": "1"})
    with pytest.raises(ImproperlyConfigured, match="NACHTWACHT_REQUIRE_2FA_CLINICIANS"):
        env_bool("NACHTWACHT_REQUIRE_2FA_CLINICIANS", False, {"NACHTWACHT_REQUIRE_2FA_CLINICIANS": "ja"})


# --- disable, export, delete ----------------------------------------------------------------

def test_disabling_needs_password_and_code(household, as_user, no_otp_throttle):
    gp = household["gp"]
    device, _ = _enable(gp)
    c = as_user(gp)
    r = c.post(DISABLE, {"password": "fout-wachtwoord", "code": _code(device)})
    assert r.status_code == 400 and twofactor.is_enabled(gp) and "wachtwoord klopt niet" in r.content.decode()
    r = c.post(DISABLE, {"password": GP_PW, "code": "000000" if _code(device) != "000000" else "111111"})
    assert r.status_code == 400 and twofactor.is_enabled(gp)
    r = c.post(DISABLE, {"password": GP_PW})
    assert r.status_code == 400 and twofactor.is_enabled(gp)
    r = c.post(DISABLE, {"password": GP_PW, "code": _code(device)})
    assert r.status_code == 302 and not twofactor.is_enabled(gp)
    assert not StaticDevice.objects.filter(user=gp).exists()
    # Login is one step again.
    other = Client()
    assert _password_step(other)["Location"] != CODE and _logged_in(other)


def test_export_says_on_and_since_but_never_the_secret(household, as_user):
    gp = household["gp"]
    device, codes = _enable(gp)
    r = as_user(gp).get("/export/")
    raw = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).read("nachtwacht.json").decode()
    data = json.loads(raw)
    assert data["two_step_login"]["on"] is True and data["two_step_login"]["since"]
    secret = b32encode(device.bin_key).decode()
    for s in (device.key, secret, *codes):
        assert s not in raw


def test_deleting_the_account_removes_the_devices(household, as_user):
    gp = household["gp"]
    _enable(gp)
    r = as_user(gp).post("/account/verwijderen/", {"password": GP_PW, "sure": "on"})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user_id=gp.pk).exists()
    assert not StaticDevice.objects.filter(user_id=gp.pk).exists()
    assert not StaticToken.objects.exists()


def test_switching_on_or_off_ends_every_other_session(household, no_otp_throttle):
    gp = household["gp"]
    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        assert _password_step(c).status_code == 302 and _logged_in(c)
    # Switched on in one browser: a session opened elsewhere with the password alone ends.
    here.get(SETUP)
    device = TOTPDevice.objects.get(user=gp, confirmed=False)
    assert here.post(SETUP, {"code": _code(device), "password": GP_PW}).status_code == 200 and twofactor.is_enabled(gp)
    assert here.get(STATUS).status_code == 200
    r = elsewhere.get(STATUS)
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    # Switched off again: the same holds the other way round.
    again = Client()
    _password_step(again)
    device.refresh_from_db()
    assert again.post(CODE, {"code": _code(device, steps_ahead=1)}).status_code == 302
    assert _logged_in(again)
    r = here.post(DISABLE, {"password": GP_PW, "code": _code(device, steps_ahead=1)})
    assert r.status_code == 302 and not twofactor.is_enabled(gp)
    assert here.get(STATUS).status_code == 200
    assert again.get(STATUS).status_code == 302
