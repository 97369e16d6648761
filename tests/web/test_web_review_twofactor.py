"""Review findings on switching two-step login on: the secret and who may confirm it."""

from __future__ import annotations

import re

import pyotp
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from nachtwacht.web import twofactor

LOGIN, CODE = "/inloggen/", "/inloggen/code/"
SETUP = "/instellingen/twee-stappen/instellen/"
GP_PW = "dokter-wachtwoord-1"


def _secret(c: Client) -> str:
    body = c.get(SETUP).content.decode()
    m = re.search(r'id="twofactor-secret">([A-Z2-7 ]+)<', body)
    assert m, "secret not shown"
    return m.group(1).replace(" ", "")


def _login(c: Client) -> None:
    assert c.post(LOGIN, {"username": "dokter", "password": GP_PW}).status_code == 302


def test_a_secret_shown_in_another_session_is_not_the_one_switched_on(household, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    # Someone with the phished password opens the set-up page and notes the key, then leaves.
    intruder, owner = Client(), Client()
    _login(intruder)
    seen = _secret(intruder)
    # Later the owner switches two-step login on from their own browser.
    _login(owner)
    mine = _secret(owner)
    assert mine != seen, "the owner must get a key nobody else has seen"
    r = owner.post(SETUP, {"code": pyotp.TOTP(mine).now(), "password": GP_PW})
    assert r.status_code == 200 and twofactor.is_enabled(household["gp"])
    # The intruder's key opens nothing: password + its code do not log in.
    again = Client()
    _login(again)
    r = again.post(CODE, {"code": pyotp.TOTP(seen).now()})
    assert "_auth_user_id" not in again.session
    assert TOTPDevice.objects.filter(user=household["gp"]).count() == 1


def test_switching_on_needs_the_password_not_just_a_session(household, as_user, settings):
    # A borrowed or stolen session cookie alone must not be able to put the intruder's app
    # on the account: that would end the owner's sessions and lock them out of their data.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    gp = household["gp"]
    c = as_user(gp)
    secret = _secret(c)
    r = c.post(SETUP, {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200 and not twofactor.is_enabled(gp)
    r = c.post(SETUP, {"code": pyotp.TOTP(secret).now(), "password": "niet-het-wachtwoord"})
    assert not twofactor.is_enabled(gp)
    assert "Dat wachtwoord klopt niet" in r.content.decode()
    r = c.post(SETUP, {"code": pyotp.TOTP(secret).now(), "password": GP_PW})
    assert r.status_code == 200 and twofactor.is_enabled(gp)
