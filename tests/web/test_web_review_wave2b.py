"""Review of the wave-2 web changes, second pass: each test failed before its fix.

Findings covered here:

1. (medium) The service worker deleted the stored quick pages (which hold the person's
   usual answers) only on a POST sign-out; account deletion, an expired session or a
   session ended elsewhere left them in the browser, and it stored them although they
   were sent ``no-store``. Now the quick pages say ``private, no-cache`` (kept on this
   device only), the service worker never keeps a ``no-store`` page and forgets the
   quick pages whenever the login page shows or a quick page answers with a redirect;
   sign-out sends ``Clear-Site-Data: "cache"``, account deletion ``"cache", "storage"``.
   (The browser side is tested in ``tests/browser/test_browser_quick_forget.py``.)
2. (low) ``push_subscribe`` looked the subscription up by endpoint alone, so anyone who
   knew another person's push endpoint could move that subscription (and the reminders
   meant for that browser) to their own account. Another person's endpoint is refused.
3. (low) The reminder unsubscribe token never expired, though it sits in the URL path
   (RFC 8058 one-click needs that) and so in access logs: it now lives 60 days. Links
   already sent keep working while younger; a GET still only shows the button, the
   change is a POST.
4. (low) The job routes (status, export and report download) used ``login_required``,
   skipping the role check that sends clinicians to set up two-step login when
   ``NACHTWACHT_REQUIRE_2FA_CLINICIANS=1``. They use ``access.role_required`` now.
5. (low) One address could try unlimited different user names, each with its own
   fresh counter, filling the rate-limit table. A per-address counter across all names
   (``LOGIN_MAX_PER_ADDRESS``, 100 per window) now answers 429 to that address only.
6. (low, text) The share form said a named clinician needs no code; since wave 2 that is
   only true for a *user name*, not an e-mail address. NL and EN say so now.
7. (low) ``is_known_device`` raised ``MultipleObjectsReturned`` (a 500 on the login
   page) when two accounts differ only by letter case, which ``createsuperuser`` allows.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from nachtwacht.web import ratelimit

LOGIN = "/inloggen/"
PUSH = "/instellingen/herinneringen/push/"


# --- 1. quick pages on the device, and telling the browser to forget ------------------

def test_only_quick_pages_may_be_kept_on_the_device(household, as_user):
    c = as_user(household["sleeper"])
    for url in ("/snel/", "/snel/voorval/"):
        r = c.get(url)
        assert r.status_code == 200 and r["Cache-Control"] == "private, no-cache", url
    assert "no-store" in c.get("/overzicht/")["Cache-Control"]
    assert "no-store" in c.post("/snel/", {})["Cache-Control"]


def test_sign_out_and_account_deletion_send_clear_site_data(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/uitloggen/")
    assert r["Clear-Site-Data"] == '"cache"'
    c = Client()
    c.login(username="vreemde", password="vreemde-wachtwoord-1")
    r = c.post("/account/verwijderen/", {"password": "vreemde-wachtwoord-1", "sure": "on"})
    assert r.status_code == 302 and r["Clear-Site-Data"] == '"cache", "storage"'


# --- 2. push subscription bound to its owner -------------------------------------------

def _subscribe(client, endpoint):
    return client.post(PUSH, json.dumps({"endpoint": endpoint, "keys": {"p256dh": "k", "auth": "a"}}),
                       content_type="application/json")


def test_push_endpoint_of_another_person_is_not_moved(household, as_user):
    from nachtwacht.web.quick.models import PushSubscription

    endpoint = "https://push.example/abc-slaper"
    assert _subscribe(as_user(household["sleeper"]), endpoint).status_code == 201
    r = _subscribe(as_user(household["stranger"]), endpoint)
    assert r.status_code == 409
    assert PushSubscription.objects.get(endpoint=endpoint).user == household["sleeper"]
    # One's own subscription may still be renewed (new keys from the browser).
    assert _subscribe(as_user(household["sleeper"]), endpoint).status_code == 201
    assert PushSubscription.objects.filter(endpoint=endpoint).count() == 1


# --- 3. reminder unsubscribe token with a maximum age ----------------------------------

def test_unsubscribe_token_expires_and_get_changes_nothing(household, client):
    from unittest import mock

    from nachtwacht.web.quick import reminders
    from nachtwacht.web.quick.models import ReminderSetting

    u = household["sleeper"]
    rs = ReminderSetting.objects.create(user=u, morning_on=True, evening_on=True)
    with mock.patch("django.core.signing.time.time", return_value=1_000_000_000.0):
        old = reminders.unsubscribe_token(u)
    with mock.patch("django.core.signing.time.time", return_value=1_000_000_000.0 + 59 * 86400):
        assert reminders.user_from_token(old) == u  # an old link works while valid
    fresh = reminders.unsubscribe_token(u)
    assert client.get(f"/herinneringen/uit/{old}/").status_code == 404
    assert client.post(f"/herinneringen/uit/{old}/").status_code == 404
    rs.refresh_from_db()
    assert rs.morning_on
    assert client.get(f"/herinneringen/uit/{fresh}/").status_code == 200
    rs.refresh_from_db()
    assert rs.morning_on  # only the POST turns them off
    assert client.post(f"/herinneringen/uit/{fresh}/").status_code == 200
    rs.refresh_from_db()
    assert not rs.morning_on and not rs.evening_on


# --- 4. job routes and required two-step login for clinicians ---------------------------

@pytest.mark.parametrize("url", ["/taken/{pk}/status.json", "/export/{pk}/download/", "/rapport/{pk}/download/"])
def test_job_routes_send_a_clinician_without_second_factor_to_setup(household, as_user, settings, url):
    from nachtwacht.web import jobs
    from nachtwacht.web.jobs.models import Job

    settings.REQUIRE_2FA_CLINICIANS = True
    job = jobs.enqueue(Job.Kind.EXPORT, household["gp"])
    r = as_user(household["gp"]).get(url.format(pk=job.pk))
    assert r.status_code == 302 and r["Location"].startswith("/instellingen/twee-stappen/instellen/"), r
    # The sleeper is not affected.
    mine = jobs.enqueue(Job.Kind.EXPORT, household["sleeper"])
    assert as_user(household["sleeper"]).get(f"/taken/{mine.pk}/status.json").status_code == 200


def test_export_start_checks_the_role_too(household, as_user, settings):
    settings.REQUIRE_2FA_CLINICIANS = True
    r = as_user(household["gp"]).post("/export/klaarzetten/")
    assert r.status_code == 302 and "next=" in r["Location"]


# --- 5. one address, many user names -----------------------------------------------------

def test_one_address_cannot_flood_the_counters_with_new_names(household, settings):
    settings.LOGIN_MAX_PER_ADDRESS = 12
    flood, other = Client(), Client()
    for i in range(12):
        r = flood.post(LOGIN, {"username": f"naam-{i}", "password": "fout"}, REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 200
    r = flood.post(LOGIN, {"username": "naam-nieuw", "password": "fout"}, REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 429
    # Blocked attempts add no rows: the table stops growing for that address.
    assert not ratelimit._cache().get(ratelimit._key("naam-nieuw", "203.0.113.9"))
    # Another address is untouched, and so is the owner from their own address.
    r = other.post(LOGIN, {"username": "slaper", "password": "slaper-wachtwoord-1"}, REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 302


# --- 6. share form help text ------------------------------------------------------------

@pytest.mark.parametrize(("language", "name", "email"), [
    ("nl", "Met de gebruikersnaam is geen code nodig", "Met een e-mailadres"),
    ("en", "With their user name they need no code", "With an e-mail address"),
])
def test_share_form_says_only_a_user_name_replaces_the_code(household, as_user, language, name, email):
    from django.utils import translation

    from nachtwacht.web.views.sharing import ShareForm

    with translation.override(language):
        text = str(ShareForm().fields["intended_for"].help_text)
    assert name in text and email in text


# --- 7. names that differ only by case -------------------------------------------------

def test_known_device_with_names_differing_only_by_case_is_no_500(household):
    from nachtwacht.web.accounts.models import User

    # Neither is all lower case, so the exact lookup misses and the case-blind one finds two.
    mila = User.objects.create_user("Mila", password="mila-wachtwoord-1", role="sleeper")
    User.objects.create_user("MILA", password="ander-wachtwoord-9", role="sleeper")
    c = Client()
    c.cookies[ratelimit.KNOWN_DEVICE_COOKIE] = ratelimit.device_token(mila)
    r = c.post(LOGIN, {"username": "mila", "password": "fout"}, REMOTE_ADDR="198.51.100.8")
    assert r.status_code == 200
    assert ratelimit.is_known_device(c.get(LOGIN).wsgi_request, "Mila") is True
