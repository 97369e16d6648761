"""The sleep-study viewer in chromium: sleeper and clinician, phone (360 px) and desktop.

Opens the night, checks the overview is drawn without CSP errors, clicks a moment,
gets the signal window, pages with the arrow key, and saves screenshots
(test-results/viewer-*.png). Timings are printed (``-s``) and bounded loosely: the
machine running the suite is shared.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 11, 19, 23, 30)
DUR = 900
CHANNELS = {"C3-M2": ("eeg", 128.0, "uV"), "E1-M2": ("eog", 128.0, "uV"), "Chin": ("emg_chin", 128.0, "uV"),
            "Leg L": ("leg_l", 128.0, "uV"), "Airflow": ("airflow", 32.0, "a.u."), "SpO2": ("spo2", 4.0, "%")}


def make_study(sleeper, upload_dir: Path):
    """A 15-minute study: an EDF written with edfio and a hand-made analysis result."""
    import edfio

    from nachtwacht.web.front.models import PsgUpload

    rng = np.random.default_rng(1)
    sigs = []
    for name, (_role, sf, unit) in CHANNELS.items():
        t = np.arange(int(DUR * sf)) / sf
        if name == "SpO2":
            x, rng_ = np.where((t > 420) & (t < 450), 89.0, 96.0), (0, 100)
        elif name == "Airflow":
            x, rng_ = np.where((t > 400) & (t < 420), 0.02, 1.0) * np.sin(2 * np.pi * 0.25 * t), (-2, 2)
        else:
            x, rng_ = 15 * np.sin(2 * np.pi * 7 * t) + rng.normal(0, 8, t.size), (-300, 300)
        sigs.append(edfio.EdfSignal(x, sampling_frequency=sf, label=name, physical_dimension=unit,
                                    physical_range=rng_))
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = f"{sleeper.pk}-browser-viewer.edf"
    edfio.Edf(sigs, starttime=START.time(), recording=edfio.Recording(startdate=START.date())).write(
        upload_dir / stored)
    stages = ["W"] * 4 + ["N1", "N2", "N2", "N2", "N3", "N3", "N3", "N2", "N2", "R", "R", "R", "N2", "N2"] * 2
    ev = lambda kind, on, d, ch, **f: {"kind": kind, "onset_s": on, "duration_s": d, "channel": ch, **f}  # noqa: E731
    result = {
        "hypnogram": {"epoch_s": 30.0, "start": START.isoformat(), "stages": stages[:DUR // 30]},
        "confidence": [round(0.5 + 0.5 * abs(np.sin(i / 3)), 3) for i in range(DUR // 30)],
        "stats": {"TIB": 15.0, "TST": 12.0, "hypnogram_source": "automatic"},
        "events": {
            "respiratory": {"summary": {"ahi": 15.3}, "events": [ev("apnea", 400.0, 20.0, "Airflow", type="obstructive")]},
            "desaturation": {"summary": {"odi3": 5.0, "spo2_nadir": 89.0}, "events": [ev("desaturation", 420.0, 30.0, "SpO2")]},
            "leg_movements": {"summary": {"plms_index": 3.2}, "events": [ev("lm", 130.0 + 20 * i, 1.5, "Leg L") for i in range(5)]},
            "arousal": {"summary": {"arousal_index": 8.0}, "events": [ev("arousal", 425.0, 6.0, "C3-M2")]},
        },
        "recording": {"start": START.isoformat(), "duration_s": float(DUR),
                      "roles": {"roles": {n: r for n, (r, _s, _u) in CHANNELS.items()}}},
    }
    return PsgUpload.objects.create(sleeper=sleeper, original_name="nacht.edf", stored_name=stored, size=1,
                                    status="done", result=json.loads(json.dumps(result)))


def _people():
    from django.utils import timezone

    from nachtwacht.web.accounts.models import User
    from nachtwacht.web.sharing.models import ClinicianShare

    sleeper = User.objects.create_user("slaper", password="slaper-wachtwoord-1", role="sleeper", language="nl")
    gp = User.objects.create_user("dokter", password="dokter-wachtwoord-1", role="clinician", language="nl",
                                  big_number="12345678901", verified_at=timezone.now(), verified_by="test")
    share = ClinicianShare.objects.create(sleeper=sleeper, clinician=gp, scope=["episodes", "psg"],
                                          claimed_at=timezone.now(), confirmed_at=timezone.now(),
                                          expires_at=timezone.now() + dt.timedelta(days=30))
    return sleeper, gp, share


def view_study(browser, base: str, user: str, password: str, url: str, width: int, shot, name: str) -> dict:
    """Log in, open ``url``, click the night, page once; return timings (ms)."""
    ctx = browser.new_context(viewport={"width": width, "height": 800}, locale="nl-NL")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    page.goto(base + url)
    page.wait_for_selector("#psgv[data-ready]")
    t = {"overview_ms": int(page.get_attribute("#psgv", "data-overview-ms")),
         "draw_ms": int(page.get_attribute("#psgv", "data-draw-ms")),
         "overview_since_request_ms": int(page.get_attribute("#psgv", "data-overview-at"))}
    svg = page.locator("#psgv-overview svg")
    box = svg.bounding_box()
    assert box["width"] <= width  # no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("#psgv-overview .psgv-ep").count() == 1  # the diary episode on the night
    left = 36 if width < 560 else 180
    svg.click(position={"x": left + (box["width"] - left) * 0.46, "y": 60})
    page.wait_for_selector("#psgv[data-window-ms] #psgv-signals svg")
    t["window_ms"] = int(page.get_attribute("#psgv", "data-window-ms"))
    pos = page.inner_text("#psgv-pos")
    assert "Tijdvak" in pos and "Fase" in pos
    n_traces = page.locator("#psgv-signals path.psgv-trace").count()
    assert n_traces == len(CHANNELS)
    page.locator("#psgv-signals").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(p) => document.getElementById('psgv-pos').textContent !== p", arg=pos)
    assert int(page.inner_text("#psgv-pos").split()[1]) == int(pos.split()[1]) + 1
    page.wait_for_timeout(150)
    shot(page, name)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    ctx.close()
    return t


def test_viewer_for_sleeper_and_clinician_on_phone_and_desktop(live_server, browser, shot, settings):
    sleeper, _gp, share = _people()
    up = make_study(sleeper, Path(settings.UPLOAD_DIR))
    from nachtwacht.web.diary.models import Episode

    # A jerk the sleeper noted at 23:37 (diary nights carry the morning's date).
    Episode.objects.create(sleeper=sleeper, logged_by=sleeper, date=dt.date(2026, 11, 20),
                           time=dt.time(23, 37), type="hypnic_jerk", reporter="self")
    timings = {}
    for width in (360, 1280):
        timings[f"sleeper-{width}"] = view_study(browser, live_server.url, "slaper", "slaper-wachtwoord-1",
                                                 f"/slaaponderzoek/{up.pk}/", width, shot, f"viewer-sleeper-{width}")
        timings[f"clinician-{width}"] = view_study(
            browser, live_server.url, "dokter", "dokter-wachtwoord-1",
            f"/zorg/{share.pk}/slaaponderzoek/{up.pk}/", width, shot, f"viewer-clinician-{width}")
    print("viewer timings (ms):", timings)
    # Loose bounds (a shared 2-core machine); the target is < 1 s on the demo night.
    assert all(v["overview_ms"] < 3000 and v["window_ms"] < 3000 for v in timings.values()), timings
