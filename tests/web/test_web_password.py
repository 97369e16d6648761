"""Password change and reset by e-mail link (issue #14 item 5), mail via locmem."""

from __future__ import annotations

import re

from django.core import mail

from nachtwacht.web.views import password


def test_password_change_from_settings(household, as_user):
    user = household["sleeper"]
    c = as_user(user)
    assert "/instellingen/wachtwoord/" in c.get("/instellingen/").content.decode()
    r = c.post("/instellingen/wachtwoord/", {"old_password": "slaper-wachtwoord-1",
                                              "new_password1": "een-nieuw-lang-wachtwoord-7",
                                              "new_password2": "een-nieuw-lang-wachtwoord-7"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("een-nieuw-lang-wachtwoord-7")


def test_reset_by_e_mail_link(household, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = household["sleeper"]
    user.email = "slaper@example.org"
    user.save()
    assert "/wachtwoord-vergeten/" in client.get("/inloggen/").content.decode()
    r = client.post("/wachtwoord-vergeten/", {"email": "slaper@example.org"})
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Nachtwacht" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/wachtwoord-vergeten/[^/]+/[^/\s]+/)", body).group(1)
    r = client.get(link, follow=True)
    assert r.status_code == 200 and "new_password1" in r.content.decode()
    r = client.post(r.redirect_chain[-1][0], {"new_password1": "heel-nieuw-wachtwoord-42",
                                              "new_password2": "heel-nieuw-wachtwoord-42"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("heel-nieuw-wachtwoord-42")


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(db, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r = client.post("/wachtwoord-vergeten/", {"email": "niemand@example.org"})
    assert r.status_code == 302 and r["Location"] == "/wachtwoord-vergeten/verstuurd/"
    assert mail.outbox == []


def test_reset_mails_are_rate_limited(household, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = household["sleeper"]
    user.email = "slaper@example.org"
    user.save()
    for _i in range(password.RESET_MAX + 3):
        r = client.post("/wachtwoord-vergeten/", {"email": "slaper@example.org"})
        assert r.status_code == 302
    assert len(mail.outbox) == password.RESET_MAX


def test_e_mail_address_can_be_set(household, as_user):
    c = as_user(household["partner"])
    r = c.post("/instellingen/e-mail/", {"email": "partner@example.org"})
    assert r.status_code == 302
    household["partner"].refresh_from_db()
    assert household["partner"].email == "partner@example.org"
