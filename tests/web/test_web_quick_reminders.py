"""Reminders (issue #14 item 3): when they are due, e-mail through a real local SMTP
server (aiosmtpd), Web Push to a local push endpoint that decrypts what it gets,
one-tap unsubscribe, quiet days, time zones, never twice."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest

from nachtwacht.web.quick import reminders
from nachtwacht.web.quick.models import PushSubscription, ReminderSetting

AMS = ZoneInfo("Europe/Amsterdam")


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


@pytest.fixture
def person(db):
    from nachtwacht.web.accounts.models import User

    u = User.objects.create_user("wekker", password="wekker-wachtwoord-1", role="sleeper",
                                 email="wekker@example.org")
    rs = ReminderSetting.objects.create(user=u, morning_on=True, morning_time=dt.time(8, 0),
                                        evening_on=True, evening_time=dt.time(21, 30))
    return u, rs


def at(h, m, day=dt.date(2026, 12, 2), tz=AMS):  # a Wednesday
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)


def test_due_by_local_time_quiet_days_and_logged_night(person):
    _u, rs = person
    assert reminders.due(rs, at(7, 55), False) == []
    assert reminders.due(rs, at(8, 5), False) == ["morning"]
    assert reminders.due(rs, at(8, 5), True) == []  # last night is in the diary already
    assert reminders.due(rs, at(11, 30), False) == []  # more than 3 h late: not any more
    assert reminders.due(rs, at(21, 31), False) == ["evening"]
    rs.quiet_days = "3"  # Wednesday
    assert reminders.due(rs, at(8, 5), False) == []
    rs.quiet_days, rs.timezone = "", "America/New_York"
    assert reminders.due(rs, at(8, 5), False) == []
    assert reminders.due(rs, at(8, 5, tz=ZoneInfo("America/New_York")), False) == ["morning"]


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
            self.messages.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as s:  # a free port (the controller checks it can connect to it)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://slaap.example.nl"
    yield inbox
    ctl.stop()


def test_email_reminder_through_real_smtp_once(person, smtp_server):
    import email

    u, _rs = person
    counts = reminders.send_due(at(8, 10))
    assert counts["email"] == 1 and len(smtp_server.messages) == 1
    env = smtp_server.messages[0]
    assert env.rcpt_tos == ["wekker@example.org"]
    msg = email.message_from_bytes(env.content)
    assert "Hoe was uw nacht?" in str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    body = msg.get_payload(decode=True).decode()
    import re

    off = re.search(r"https://slaap\.example\.nl/herinneringen/uit/([^/\s]+)/", body)
    assert off and reminders.user_from_token(off.group(1)) == u and "https://slaap.example.nl/snel/" in body
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A second run (or a second runner) the same morning sends nothing.
    assert reminders.send_due(at(8, 15))["email"] == 0 and len(smtp_server.messages) == 1
    # The next morning again.
    assert reminders.send_due(at(8, 5, day=dt.date(2026, 12, 3)))["email"] == 1


def test_one_tap_unsubscribe(person, client):
    u, rs = person
    url = f"/herinneringen/uit/{reminders.unsubscribe_token(u)}/"
    r = client.get(url)
    assert r.status_code == 200 and "uitzetten" in r.content.decode().lower()
    rs.refresh_from_db()
    assert rs.morning_on  # a GET (a link scanner) changes nothing
    r = client.post(url)  # the button, or a mail client's one-click POST (no CSRF token)
    rs.refresh_from_db()
    assert r.status_code == 200 and not rs.morning_on and not rs.evening_on
    assert client.get("/herinneringen/uit/vals-token/").status_code == 404


def test_settings_page_saves(person, as_user):
    u, rs = person
    c = as_user(u)
    assert c.get("/instellingen/herinneringen/").status_code == 200
    r = c.post("/instellingen/herinneringen/", {
        "morning_on": "on", "morning_time": "07:15", "evening_time": "22:00", "timezone": "Europe/Brussels",
        "by_email": "on", "quiet": ["6", "7"]})
    assert r.status_code == 302
    rs.refresh_from_db()
    assert (rs.morning_time, rs.evening_on, rs.quiet_days, rs.timezone) == (dt.time(7, 15), False, "67",
                                                                           "Europe/Brussels")


class _PushEndpoint(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_web_push_signed_encrypted_and_gone_subscriptions_dropped(person, settings, as_user):
    import http_ece
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from py_vapid import Vapid01

    u, rs = person
    vapid = Vapid01()
    vapid.generate_keys()
    settings.VAPID_PRIVATE_KEY = _b64(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_PUBLIC_KEY = _b64(vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    settings.PUSH_ALLOW_HTTP = True
    # The browser's side: its own key pair and auth secret, as PushManager.subscribe() makes them.
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    server = HTTPServer(("127.0.0.1", 0), _PushEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_port}/push/abc"
    try:
        c = as_user(u)
        r = c.post("/instellingen/herinneringen/push/", json.dumps({"endpoint": endpoint, "keys": {
            "p256dh": _b64(browser_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)),
            "auth": _b64(auth)}}), content_type="application/json")
        assert r.status_code == 201
        rs.refresh_from_db()
        assert rs.by_push
        counts = reminders.send_due(at(8, 5))
        assert counts["push"] == 1
        headers, body = _PushEndpoint.received[-1]
        assert headers["authorization"].startswith("vapid t=")
        assert headers["authorization"].endswith("k=" + settings.VAPID_PUBLIC_KEY)
        assert headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(body, private_key=browser_key, auth_secret=auth, version="aes128gcm")
        data = json.loads(plain)
        assert data == {"title": "Hoe was uw nacht?", "body": data["body"], "url": "/snel/"}
        # The browser unsubscribed: the push service answers 410 and the subscription is forgotten.
        _PushEndpoint.status = 410
        reminders.send_due(at(21, 35))
        assert not PushSubscription.objects.filter(user=u).exists()
    finally:
        _PushEndpoint.status = 201
        server.shutdown()


def test_partner_reminder_leads_to_their_own_log(db, smtp_server):
    import email

    from nachtwacht.web.accounts.models import User

    p = User.objects.create_user("partner-w", password="partner-wachtwoord-1", role="partner",
                                 email="partner@example.org", language="en")
    ReminderSetting.objects.create(user=p, morning_on=True, morning_time=dt.time(7, 0))
    assert reminders.send_due(at(7, 30))["email"] == 1
    msg = email.message_from_bytes(smtp_server.messages[-1].content)
    body = msg.get_payload(decode=True).decode()
    assert "https://slaap.example.nl/bedpartner/" in body and "/snel/" not in body
    assert "notice anything" in str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def test_vapid_keys_command_prints_a_usable_pair():
    import io

    from django.core.management import call_command
    from py_vapid import Vapid

    out = io.StringIO()
    call_command("vapid_keys", stdout=out)
    env = dict(line.split("=", 1) for line in out.getvalue().split())
    v = Vapid.from_string(env["NACHTWACHT_VAPID_PRIVATE_KEY"])
    assert v.sign({"sub": "mailto:a@b.nl", "aud": "https://push.example", "exp": 2_000_000_000})
    assert len(base64.urlsafe_b64decode(env["NACHTWACHT_VAPID_PUBLIC_KEY"] + "==")) == 65
