"""Quick morning entry on a 360x740 phone, and offline use (issue #14 items 1 and 2).

Clicks are counted by the test itself (every tap goes through ``tap``); the page's
height gives the swipes. Offline: the network is switched off in chromium, the
night is kept in IndexedDB, and arrives exactly once when the network is back,
also when it is sent twice.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P, S, M = 1.10, 1.10, 1.35  # KLM operator times, as in tests/web/test_web_quick.py
PASSWORD = "snel-wachtwoord-1"


def _sleeper():
    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.diary.models import Night
    from nachtwacht.web.views.diary import today

    u = User.objects.create_user("snel", password=PASSWORD, role="sleeper", language="nl")
    u.tracked = ["stress", "tension", "caffeine_mg", "alcohol_units", "screens_last_hour"]
    u.save()
    t = today()
    for i in range(1, 15):
        Night.objects.create(
            sleeper=u, date=t - dt.timedelta(days=i), bedtime=dt.time(23, 0), lights_out=dt.time(23, 15),
            sol_min=15, awakenings=1, waso_min=10, final_wake=dt.time(6, 50), out_of_bed=dt.time(7, 5),
            quality=3, rested=3, stress=4, tension=2, caffeine_mg=240.0, alcohol_units=0.0,
            screens_last_hour=True)
    return u, t


def _login(browser, base):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL",
                              timezone_id="Europe/Amsterdam", has_touch=True, is_mobile=True)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", "snel")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    return ctx, page


def test_returning_user_logs_a_night_in_a_few_taps(live_server, browser, shot):
    from nachtwacht.web.diary.models import Night

    user, today = _sleeper()
    ctx, page = _login(browser, live_server.url)
    # The dashboard's main button leads here; from the home screen the app starts here.
    page.goto(f"{live_server.url}/overzicht/")
    assert page.get_by_role("link", name="Vul de afgelopen nacht in").get_attribute("href") == "/snel/"
    page.goto(f"{live_server.url}/snel/")
    assert page.locator(".usual-badge").first.is_visible()
    shot(page, "quick-1-phone-360")
    taps = []

    lowest = [0.0]

    def tap(locator):
        box = locator.bounding_box()
        lowest[0] = max(lowest[0], box["y"] + box["height"] + page.evaluate("window.scrollY"))
        locator.click()
        taps.append(locator)

    tap(page.locator("#fs-quality label.chip", has_text="4"))
    tap(page.locator("#fs-rested label.chip", has_text="3"))
    tap(page.locator("#fs-stress label.chip").nth(3))
    tap(page.locator("#fs-tension label.chip").nth(2))
    tap(page.locator('[data-clock="id_bedtime"] button', has_text="−5"))
    assert page.locator("#id_bedtime").input_value() == "22:55"
    save = page.locator("#quick-save")
    assert save.is_visible() and save.bounding_box()["y"] + save.bounding_box()["height"] <= 740  # sticky
    tap(save)
    page.wait_for_url("**/overzicht/")
    # Swipes to reach the lowest tap above the sticky save bar; one swipe moves ~80 % of the screen.
    height = lowest[0]
    swipes = math.ceil(max(0.0, height - (740 - 70)) / (0.8 * 740))
    seconds = round(M + (len(taps)) * M + len(taps) * P + swipes * S, 2)
    print(f"\nBrowser 360x740, returning user: {len(taps)} taps + {swipes} swipes, lowest tap at {height:.0f} px, "
          f"KLM {seconds} s")
    assert len(taps) + swipes <= 10 and seconds <= 20
    night = Night.objects.get(sleeper=user, date=today)
    assert (night.quality, night.rested, night.stress, night.tension) == (4, 3, 3, 2)
    assert night.bedtime == dt.time(22, 55) and night.caffeine_mg == 240.0 and night.sol_min == 15
    assert page.get_by_text("Nacht opgeslagen").is_visible()
    shot(page, "quick-2-saved")

    # A refused night (out of bed before waking up) comes back with the server's error summary.
    Night.objects.filter(sleeper=user, date=today).delete()
    page.goto(f"{live_server.url}/snel/")
    page.locator("#id_out_of_bed").select_option("05:00")
    page.locator("#quick-save").click()
    page.locator("#error-summary").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert not Night.objects.filter(sleeper=user, date=today).exists()
    ctx.close()


def test_offline_night_is_queued_and_arrives_once(live_server, browser, shot):
    from nachtwacht.web.diary.models import Night
    from nachtwacht.web.quick.models import IdempotencyKey

    user, today = _sleeper()
    ctx, page = _login(browser, live_server.url)
    page.goto(f"{live_server.url}/snel/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which stores the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then("
                           "c => c.match('/snel/'))))).then(r => r.some(Boolean))")

    ctx.set_offline(True)
    page.reload()  # from the service worker's cache
    assert page.locator("#offline-note").is_visible()
    page.locator("#fs-quality label.chip", has_text="2").click()
    page.locator("#fs-rested label.chip", has_text="2").click()
    page.locator("#quick-save").click()
    page.get_by_text("Bewaard op deze telefoon").wait_for()
    shot(page, "quick-3-offline-queued")
    assert page.evaluate("""new Promise(r => { const q = indexedDB.open('nachtwacht', 1);
        q.onsuccess = () => { const g = q.result.transaction('queue').objectStore('queue').count();
        g.onsuccess = () => r(g.result); }; })""") == 1
    assert not Night.objects.filter(sleeper=user, date=today).exists()
    item = page.evaluate("""new Promise(r => { const q = indexedDB.open('nachtwacht', 1);
        q.onsuccess = () => { const g = q.result.transaction('queue').objectStore('queue').getAll();
        g.onsuccess = () => r(g.result[0]); }; })""")

    ctx.set_offline(False)
    page.get_by_text("Uw nacht is verstuurd en opgeslagen").wait_for()
    assert Night.objects.filter(sleeper=user, date=today).count() == 1
    assert Night.objects.get(sleeper=user, date=today).quality == 2

    # Sent twice more (a lost answer, a second tab): twice at once, then queued again.
    statuses = page.evaluate("""item => {
        const body = new URLSearchParams(item.fields.filter(kv => kv[0] !== 'csrfmiddlewaretoken'));
        const tok = document.cookie.match(/csrftoken=([^;]+)/)[1];
        const go = () => fetch(item.url, {method: 'POST', body, credentials: 'same-origin',
            headers: {'X-CSRFToken': tok, 'Accept': 'application/json'}}).then(r => r.json());
        return Promise.all([go(), go()]).then(rs => rs.map(r => r.status)); }""", item)
    assert statuses == ["duplicate", "duplicate"]
    page.evaluate("""item => new Promise(r => { const q = indexedDB.open('nachtwacht', 1);
        q.onsuccess = () => { const t = q.result.transaction('queue', 'readwrite');
        t.objectStore('queue').put(item); t.oncomplete = () => r(true); }; })""", item)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("""new Promise(r => { const q = indexedDB.open('nachtwacht', 1);
        q.onsuccess = () => { const g = q.result.transaction('queue').objectStore('queue').count();
        g.onsuccess = () => r(g.result === 0); }; })""")
    assert Night.objects.filter(sleeper=user, date=today).count() == 1
    assert IdempotencyKey.objects.filter(user=user).count() == 1

    # An episode entered offline, the same way.
    from nachtwacht.web.diary.models import Episode

    page.goto(f"{live_server.url}/snel/voorval/")  # online once: the service worker keeps it
    page.wait_for_function("caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then("
                           "c => c.match('/snel/voorval/'))))).then(r => r.some(Boolean))")
    ctx.set_offline(True)
    page.reload()
    page.locator("#fs-type label.chip", has_text="slaapwandelen").click()
    page.locator("#quick-save").click()
    page.get_by_text("Bewaard op deze telefoon").wait_for()
    assert not Episode.objects.filter(sleeper=user).exists()
    ctx.set_offline(False)
    page.get_by_text("Uw voorval is verstuurd en opgeslagen").wait_for()
    assert Episode.objects.filter(sleeper=user, type="sleepwalking").count() == 1

    # Signing out removes the stored pages (they hold this person's usual answers).
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    page.wait_for_function("caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then("
                           "c => Promise.all([c.match('/snel/'), c.match('/snel/voorval/')]))))).then("
                           "r => r.flat().every(x => !x))")
    ctx.close()


def test_lie_fi_keeps_the_night_on_the_phone(live_server, browser):
    """Online according to the phone, but the request fails on the way: nothing is lost."""
    from nachtwacht.web.diary.models import Night

    user, today = _sleeper()
    ctx, page = _login(browser, live_server.url)
    page.goto(f"{live_server.url}/snel/")

    def drop_post(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/snel/", drop_post)
    page.locator("#fs-quality label.chip", has_text="5").click()
    page.locator("#quick-save").click()
    page.get_by_text("Bewaard op deze telefoon").wait_for()
    assert not Night.objects.filter(sleeper=user, date=today).exists()
    page.unroute("**/snel/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("Uw nacht is verstuurd en opgeslagen").wait_for()
    assert Night.objects.get(sleeper=user, date=today).quality == 5
    ctx.close()


def test_works_without_javascript(live_server, browser):
    """Chips are radio buttons and times are selects: the page works with JavaScript off."""
    from nachtwacht.web.diary.models import Night

    user, today = _sleeper()
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL", java_script_enabled=False)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/inloggen/")
    page.fill("#id_username", "snel")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server.url}/snel/")
    page.locator("#fs-quality label.chip", has_text="4").click()
    page.locator("#id_bedtime").select_option("22:45")
    page.locator("#quick-save").click()
    page.wait_for_url("**/overzicht/")
    night = Night.objects.get(sleeper=user, date=today)
    assert night.quality == 4 and night.bedtime == dt.time(22, 45) and night.sol_min == 15
    ctx.close()
