"""Review of the wave-2 web changes (issue #16 spirit): each test failed before its fix.

Findings covered here:

1. (medium) The known-device cookie outlived a password change: a browser that once
   logged in (an ex-partner, a stolen laptop, an attacker who had the old password)
   kept skipping the per-account back-off, from any address, while guessing the new
   password. The cookie is now bound to the password (the session auth hash), and the
   owner's browser gets a fresh one when they change it.
2. (medium) A share meant for a clinician named by *e-mail* needed no one-time code,
   but anyone can type any e-mail address into their own account (it is never
   verified): a verified clinician who got hold of the link set the GP's address as
   their own and claimed the share without the code. Only the user name (which the
   holder cannot change) now stands in for the code.
3. (medium) A stranger could keep the owner out for good on a new browser: each wrong
   password sent the moment the back-off ends starts the next (up to 5 minutes), so
   the owner's own try always came inside one, and the e-mail reset did not help (the
   login after it met the same back-off). A browser that completed a reset by e-mail
   link now becomes a known device.
4. (medium) A clinician's report PDF, made by the worker from a share, stayed on the
   server after the sleeper deleted their account (the job row belongs to the
   clinician, so nothing cascaded) or revoked the share: the sleeper's health data was
   kept for up to ``JOB_EXPORT_KEEP_S`` (a day, at most 30) after the page said
   "all your data have been deleted". The job and its file now go with the share.
5. (low) Every GET of a long report's PDF link with another period queued another
   report job (up to ~95 s of the one worker each): a loop over periods, or a page
   elsewhere with image tags pointing at the link (a GET needs no CSRF token), filled
   the queue ahead of everyone's sleep-study analyses. One report job per person waits
   or runs at a time; the page says so (NL/EN) and shows the one in progress.
6. (low) The password asked again to delete the account or to change the password
   had no limit: someone with a stolen session (an unlocked phone) could guess the
   password there at full speed, learn it and keep the account after the session
   ends. Both now count failures per account and address, as the login does.
7. (low) A trusted proxy that reached a dual-stack socket (gunicorn ``-b [::]:8000``)
   arrived as ``::ffff:127.0.0.1``, which did not match ``127.0.0.1`` in
   ``NACHTWACHT_TRUSTED_PROXIES``: every client was the proxy again and five wrong
   passwords from anyone blocked the owner. IPv4-mapped addresses now count as their
   IPv4 address. (Garbage in ``X-Forwarded-For`` was already safe: checked here too.)
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from nachtwacht.web import ratelimit
from nachtwacht.web.sharing.models import ClinicianShare

LOGIN = "/inloggen/"
RIGHT = {"username": "slaper", "password": "slaper-wachtwoord-1"}


@pytest.fixture
def proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    ratelimit._networks.cache_clear()
    yield
    ratelimit._networks.cache_clear()


def _post(client, data, xff):
    return client.post(LOGIN, data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=xff)


def _strangers_guess(n: int) -> None:
    stranger = Client()
    for i in range(n):
        _post(stranger, {"username": "slaper", "password": f"fout-{i}"}, f"198.51.100.{i}")


# --- 1. known-device cookie and password change ----------------------------------------

def test_known_device_cookie_does_not_survive_a_password_change(household, proxy, settings):
    settings.LOGIN_ACCOUNT_SOFT = 3
    old_browser = Client()
    assert _post(old_browser, RIGHT, "203.0.113.7").status_code == 302
    stolen = old_browser.cookies[ratelimit.KNOWN_DEVICE_COOKIE].value
    # The owner changes the password (e.g. after losing that laptop).
    sleeper = household["sleeper"]
    sleeper.set_password("nieuw-wachtwoord-99")
    sleeper.save()
    _strangers_guess(4)
    assert ratelimit.backoff_seconds("slaper") > 0
    # The old cookie, replayed from anywhere, no longer skips the back-off.
    attacker = Client()
    attacker.cookies[ratelimit.KNOWN_DEVICE_COOKIE] = stolen
    r = _post(attacker, {"username": "slaper", "password": "gok"}, "192.0.2.44")
    assert r.status_code == 429
    assert "seconde" in r.content.decode()  # the Dutch back-off message, not a login error


def test_the_owners_browser_stays_known_after_changing_the_password(household, proxy, settings):
    settings.LOGIN_ACCOUNT_SOFT = 3
    owner = Client()
    assert _post(owner, RIGHT, "203.0.113.7").status_code == 302
    r = owner.post("/instellingen/wachtwoord/", {
        "old_password": "slaper-wachtwoord-1", "new_password1": "Nieuw-Wachtwoord-99",
        "new_password2": "Nieuw-Wachtwoord-99"})
    assert r.status_code == 302
    owner.post("/uitloggen/")
    _strangers_guess(4)
    r = _post(owner, {"username": "slaper", "password": "Nieuw-Wachtwoord-99"}, "203.0.113.7")
    assert r.status_code == 302


# --- 2. a share meant for an e-mail address ----------------------------------------------

def test_a_self_typed_email_does_not_replace_the_one_time_code(household, as_user):
    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"], claim_code="654321",
                                          intended_for="huisarts@praktijk.nl",
                                          expires_at=timezone.now() + timedelta(days=7))
    impostor = as_user(household["other_gp"])
    # Anyone can type any address into their own account: it is never checked.
    assert impostor.post("/instellingen/e-mail/", {"email": "huisarts@praktijk.nl"}).status_code == 302
    r = impostor.post("/zorg/link/", {"token": share.token})
    share.refresh_from_db()
    assert share.clinician is None
    assert r.status_code == 400
    assert "code" in r.content.decode().lower()
    # With the code the sleeper read out, the named clinician gets in.
    assert impostor.post("/zorg/link/", {"token": share.token, "code": "654 321"}).status_code == 302
    share.refresh_from_db()
    assert share.clinician == household["other_gp"]


def test_a_share_meant_for_a_user_name_still_needs_no_code(household, as_user):
    share = ClinicianShare.objects.create(sleeper=household["sleeper"], scope=["nights"], claim_code="654321",
                                          intended_for="Dokter", expires_at=timezone.now() + timedelta(days=7))
    assert as_user(household["gp"]).post("/zorg/link/", {"token": share.token}).status_code == 302
    share.refresh_from_db()
    assert share.clinician == household["gp"]


# --- 3. a stranger keeping the back-off up ---------------------------------------------

def test_a_password_reset_by_e_mail_gets_the_owner_past_a_strangers_back_off(household, proxy, settings,
                                                                            monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LOGIN_ACCOUNT_SOFT = 3
    now = [3_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    sleeper = household["sleeper"]
    sleeper.email = "slaper@example.org"
    sleeper.save()
    _strangers_guess(6)
    # The stranger's script tries again each time the back-off ends: the owner's new phone
    # always lands inside one.
    for i in range(3):
        now[0] += ratelimit.backoff_seconds("slaper")
        _post(Client(), {"username": "slaper", "password": f"weer-{i}"}, f"198.51.100.{50 + i}")
        now[0] += 1
        assert _post(Client(), RIGHT, "203.0.113.7").status_code == 429
    phone = Client()
    assert phone.post("/wachtwoord-vergeten/", {"email": "slaper@example.org"},
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    link = re.search(r"https?://[^/]+(/wachtwoord-vergeten/[^/]+/[^/\s]+/)", mail.outbox[-1].body).group(1)
    r = phone.get(link, follow=True)
    r = phone.post(r.redirect_chain[-1][0], {"new_password1": "heel-nieuw-wachtwoord-42",
                                             "new_password2": "heel-nieuw-wachtwoord-42"})
    assert r.status_code == 302
    assert ratelimit.backoff_seconds("slaper") > 0  # the stranger's back-off is still there
    r = _post(phone, {"username": "slaper", "password": "heel-nieuw-wachtwoord-42"}, "203.0.113.7")
    assert r.status_code == 302


# --- 4. a clinician's report PDF after deletion or revocation --------------------------

def _clinician_report_file(household, as_user, settings, tmp_path, monkeypatch):
    from nachtwacht.web.jobs import reports, runner, supervise
    from nachtwacht.web.jobs.models import Job

    settings.JOB_OUTPUT_DIR = tmp_path / "exports"
    monkeypatch.setattr(reports, "DIRECT_MAX_ROWS", 1)
    monkeypatch.setattr(reports, "build_pdf", lambda job: b"%PDF-gezondheidsgegevens")
    share = household["share"]
    gp = as_user(household["gp"])
    assert gp.get(f"/zorg/{share.pk}/rapport.pdf?van=2026-10-01&tot=2026-11-30&taal=nl&onderzoek=auto"
                  ).status_code == 200
    job = Job.objects.get(kind="report", user=household["gp"])
    runner.execute(supervise.claim(job.pk))
    job.refresh_from_db()
    assert job.status == "done" and job.output_path().is_file()
    return job


def test_a_clinicians_report_pdf_goes_with_the_sleepers_account(household, as_user, settings, tmp_path,
                                                                monkeypatch):
    from nachtwacht.web.jobs.models import Job

    job = _clinician_report_file(household, as_user, settings, tmp_path, monkeypatch)
    path = job.output_path()
    r = as_user(household["sleeper"]).post("/account/verwijderen/", {
        "password": "slaper-wachtwoord-1", "sure": "on"})
    assert r.status_code == 302
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not path.exists()


def test_a_clinicians_report_pdf_goes_with_a_revoked_share(household, as_user, settings, tmp_path,
                                                           monkeypatch):
    job = _clinician_report_file(household, as_user, settings, tmp_path, monkeypatch)
    path = job.output_path()
    share = household["share"]
    assert as_user(household["sleeper"]).post(f"/delen/{share.pk}/intrekken/").status_code == 302
    assert not path.exists()


# --- 5. report jobs by GET -------------------------------------------------------------

def test_one_waiting_report_job_per_person(household, as_user, settings, tmp_path, monkeypatch):
    from nachtwacht.web.jobs import reports
    from nachtwacht.web.jobs.models import Job

    settings.JOB_OUTPUT_DIR = tmp_path / "exports"
    monkeypatch.setattr(reports, "DIRECT_MAX_ROWS", 1)
    c = as_user(household["sleeper"])
    for month in range(1, 10):
        r = c.get(f"/rapport.pdf?van=2026-{month:02d}-01&tot=2026-11-30&taal=nl&onderzoek=auto")
        assert r.status_code == 200
    assert Job.objects.filter(kind="report", status="queued").count() == 1
    page = r.content.decode()
    assert "Er wacht of loopt al een rapport van u" in page and "<progress" in page
    # Once it has finished, the next period can be asked for.
    Job.objects.filter(kind="report").update(status="done")
    c.get("/rapport.pdf?van=2026-05-01&tot=2026-11-30&taal=en&onderzoek=auto")
    assert Job.objects.filter(kind="report", status="queued").count() == 1


# --- 6. password guessing behind a session ----------------------------------------------

def test_the_delete_page_does_not_let_a_session_guess_the_password(household, as_user, settings):
    c = as_user(household["sleeper"])
    for i in range(settings.LOGIN_MAX_FAILURES):
        r = c.post("/account/verwijderen/", {"password": f"gok-{i}", "sure": "on"})
        assert r.status_code == 200
    r = c.post("/account/verwijderen/", {"password": "slaper-wachtwoord-1", "sure": "on"})
    assert r.status_code == 429
    assert "Wacht 15 minuten" in r.content.decode()
    household["sleeper"].refresh_from_db()  # still there


def test_the_password_change_does_not_let_a_session_guess_the_password(household, as_user, settings):
    c = as_user(household["sleeper"])
    new = {"new_password1": "Nieuw-Wachtwoord-99", "new_password2": "Nieuw-Wachtwoord-99"}
    for i in range(settings.LOGIN_MAX_FAILURES):
        assert c.post("/instellingen/wachtwoord/", {"old_password": f"gok-{i}", **new}).status_code == 200
    r = c.post("/instellingen/wachtwoord/", {"old_password": "slaper-wachtwoord-1", **new})
    assert r.status_code == 429
    assert "Wacht 15 minuten" in r.content.decode()
    household["sleeper"].refresh_from_db()
    assert household["sleeper"].check_password("slaper-wachtwoord-1")


# --- 7. the client address ---------------------------------------------------------------

def test_an_ipv4_mapped_proxy_address_is_trusted(rf, proxy):
    req = rf.get("/", REMOTE_ADDR="::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_ip(req) == "203.0.113.9"
    # A mapped client behind the proxy is the same client as its IPv4 form.
    req = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, ::ffff:127.0.0.1")
    assert ratelimit.client_ip(req) == "203.0.113.9"


@pytest.mark.parametrize("xff", ["garbage", "1.2.3.4, nonsense", ",,, ,", "300.1.1.1", "x" * 5000,
                                 "203.0.113.9:4711", "[2001:db8::1]:80"])
def test_garbage_forwarded_for_never_raises_or_picks_a_spoofed_hop(rf, proxy, xff):
    req = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=xff)
    assert ratelimit.client_ip(req) in ("127.0.0.1", "203.0.113.9")
