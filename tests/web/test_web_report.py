"""The GP report on the web: the period form, the sleep study and experiments in the report."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re

import pytest

from nachtwacht.web.accounts.models import User
from nachtwacht.web.diary.models import Night

END = dt.date(2026, 11, 22)  # last day of the demo diary below (4 weeks)


@pytest.fixture
def home(db):
    """The demo household (sleeper 'demo', clinician 'huisarts' with a share without sleep studies)."""
    from nachtwacht.web.demo import build_demo
    from nachtwacht.web.sharing.models import ClinicianShare

    build_demo(seed=7, weeks=4, end=END)
    sleeper = User.objects.get(username="demo")
    return {"sleeper": sleeper, "gp": User.objects.get(username="huisarts"),
            "share": ClinicianShare.objects.get(sleeper=sleeper)}


@pytest.fixture(scope="module")
def psg_result():
    """A real analysis (simulated night, expert hypnogram) as the web stores it: plain JSON."""
    np = pytest.importorskip("numpy")
    pipeline = pytest.importorskip("nachtwacht.psg.pipeline")
    from nachtwacht.psg.simulate import simulate_night
    from nachtwacht.psg.types import Hypnogram

    stages = [0] * 10 + [1] * 6 + [2] * 40 + [3] * 30 + [2] * 10 + [4] * 20 + [0] * 4
    rec, _ = simulate_night(stages, sf=64.0, seed=3, channels=("C3-M2", "E1-M2", "Chin"), events={},
                            start=dt.datetime(2026, 11, 10, 23, 5))
    na = pipeline.analyse(rec, hypnogram=Hypnogram(np.array(stages), source="expert"))
    return json.loads(na.dumps())


def _upload(sleeper, result, start: str | None = None, name: str = "jansen-piet-psg.edf"):
    from nachtwacht.web.front.models import PsgUpload

    res = json.loads(json.dumps(result))
    if start is not None:
        res["recording"]["start"] = start
    return PsgUpload.objects.create(sleeper=sleeper, original_name=name, stored_name=f"{sleeper.pk}-x.edf",
                                    size=1, status=PsgUpload.Status.DONE, result=res)


def _client(client, user, language="nl"):
    client.force_login(user)
    client.cookies["django_language"] = language
    user.language = language
    user.save(update_fields=["language"])
    return client


def _nights_in_report(html: str, label: str = "Nachten ingevuld") -> int:
    m = re.search(re.escape(label) + r"</th><td>(\d+)</td>", html)
    assert m, "the report names how many nights it covers"
    return int(m.group(1))


# ---------------------------------------------------------------------------
# the form
# ---------------------------------------------------------------------------
def test_form_offers_the_last_8_weeks_and_quick_choices(home, client):
    body = _client(client, home["sleeper"]).get("/rapport/kiezen/").content.decode()
    # 4-week diary: 8 weeks back would start before it, so the whole diary is the default.
    first = Night.objects.filter(sleeper=home["sleeper"]).order_by("date").first().date
    assert f'name="van" value="{first.isoformat()}"' in body
    assert f'name="tot" value="{END.isoformat()}"' in body
    assert f"?van={(END - dt.timedelta(days=27)).isoformat()}&amp;tot={END.isoformat()}" in body
    assert "Laatste 4 weken" in body and "Rapport downloaden (PDF)" in body
    # A quick choice fills in the dates.
    body = client.get(f"/rapport/kiezen/?van=2026-11-01&tot={END}").content.decode()
    assert 'name="van" value="2026-11-01"' in body


@pytest.mark.parametrize(("language", "query", "message"), [
    ("nl", "van=5-13-2026&tot=2026-11-22", "'5-13-2026' is geen datum. Gebruik de vorm JJJJ-MM-DD"),
    ("en", "van=5-13-2026&tot=2026-11-22", "'5-13-2026' is not a date. Use the form YYYY-MM-DD"),
    ("nl", "van=2026-11-22&tot=2026-10-01", "De periode begint (22 november 2026) na het einde (1 oktober 2026)."),
    ("en", "van=2026-11-22&tot=2026-10-01", "The period starts (22 November 2026) after it ends (1 October 2026)."),
    ("nl", "van=2020-01-01&tot=2026-11-22", "De periode is 2518 dagen lang; een rapport beslaat hoogstens 5 jaar"),
    ("en", "van=2020-01-01&tot=2026-11-22", "The period is 2518 days long; a report covers at most 5 years"),
    ("nl", "van=&tot=2026-11-22", "Vul de eerste datum van de periode in."),
    ("en", "van=2026-11-01&tot=", "Fill in the last date of the period."),
])
def test_period_errors_are_specific_and_in_the_users_language(home, client, language, query, message):
    c = _client(client, home["sleeper"], language)
    r = c.get(f"/rapport/?{query}")
    assert r.status_code == 400
    body = htmllib.unescape(r.content.decode())
    assert message in body
    assert 'id="report-form"' in body  # the form again, to correct it; no report made from swapped dates
    assert c.get(f"/rapport.pdf?{query}").status_code == 400


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
def test_report_covers_only_the_chosen_period(home, client):
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 15)
    expected = Night.objects.filter(sleeper=home["sleeper"], date__range=(start, end)).count()
    total = Night.objects.filter(sleeper=home["sleeper"]).count()
    assert 0 < expected < total
    c = _client(client, home["sleeper"])
    html = c.get(f"/rapport/?van={start}&tot={end}&taal=nl").content.decode()
    assert _nights_in_report(html) == expected
    # The report's language is chosen apart from the site's.
    en = c.get(f"/rapport/?van={start}&tot={end}&taal=en").content.decode()
    assert _nights_in_report(en, "Nights recorded") == expected
    # The session remembers the last period: the form and a bare report URL use it.
    assert 'name="van" value="2026-11-02"' in c.get("/rapport/kiezen/").content.decode()
    assert _nights_in_report(c.get("/rapport/").content.decode(), "Nights recorded") == expected


def test_empty_period_still_makes_a_report_that_says_so(home, client):
    html = _client(client, home["sleeper"]).get("/rapport/?van=2025-01-01&tot=2025-01-31&taal=nl")
    assert html.status_code == 200
    body = html.content.decode()
    assert _nights_in_report(body) == 0
    assert "geen nachten en geen voorvallen" in body


def test_sleep_study_in_the_period_is_in_the_report(home, client, psg_result):
    _upload(home["sleeper"], psg_result)  # recorded 10 Nov 2026, 23:05: the night to 11 Nov
    html = _client(client, home["sleeper"]).get(f"/rapport/?van=2026-11-01&tot={END}&taal=nl").content.decode()
    assert 'id="psg"' in html and "Hypnogram" in html
    assert "Slaaponderzoek van de nacht naar 11 november 2026" in html
    assert "jansen" not in html and "-x.edf" not in html  # no file names in the report


def test_sleep_study_choice_latest_in_period_else_latest_labelled(home, client, psg_result):
    c = _client(client, home["sleeper"])
    _upload(home["sleeper"], psg_result, start="2026-11-03T22:40:00")
    _upload(home["sleeper"], psg_result, start="2026-11-18T23:10:00")
    html = c.get("/rapport/?van=2026-11-01&tot=2026-11-10&taal=nl").content.decode()
    assert "nacht naar 4 november 2026" in html and "19 november" not in html
    # No study in the period: the latest one, marked as outside it.
    html = c.get("/rapport/?van=2026-10-26&tot=2026-10-31&taal=en").content.decode()
    assert "night to 19 November 2026 (outside the chosen period)" in html


def test_sleeper_can_pick_a_study_or_none(home, client, psg_result):
    c = _client(client, home["sleeper"])
    old = _upload(home["sleeper"], psg_result, start="2026-11-03T22:40:00")
    _upload(home["sleeper"], psg_result, start="2026-11-18T23:10:00")
    form = c.get("/rapport/kiezen/").content.decode()
    assert f'<option value="{old.pk}">Slaaponderzoek van de nacht naar 4 november 2026</option>' in form
    period = f"van=2026-11-01&tot={END}&taal=nl"
    html = c.get(f"/rapport/?{period}&onderzoek={old.pk}").content.decode()
    assert "nacht naar 4 november 2026" in html and "19 november" not in html
    assert 'id="psg"' not in c.get(f"/rapport/?{period}&onderzoek=none").content.decode()
    # Someone else's study cannot be picked.
    stranger = User.objects.create_user("ander", password="x-wachtwoord-9", role="sleeper")
    theirs = _upload(stranger, psg_result)
    assert c.get(f"/rapport/?{period}&onderzoek={theirs.pk}").status_code == 400


def test_clinician_sees_sleep_studies_only_when_shared(home, client, psg_result):
    from nachtwacht.web.sharing.models import AccessLog

    _upload(home["sleeper"], psg_result)
    share = home["share"]
    # The demo share holds sleep studies since c187632: start from a share without them.
    share.scope = [p for p in share.scope if p != "psg"]
    share.save(update_fields=["scope"])
    c = _client(client, home["gp"])
    url = f"/zorg/{share.pk}/rapport/?van=2026-11-01&tot={END}&taal=nl"
    html = c.get(url).content.decode()
    assert "<html" in html.lower() and 'id="psg"' not in html
    share.scope = [*share.scope, "psg"]
    share.save(update_fields=["scope"])
    assert 'id="psg"' in c.get(url).content.decode()
    assert c.get(f"/zorg/{share.pk}/rapport/kiezen/").status_code == 200
    whats = list(AccessLog.objects.filter(share=share).values_list("what", flat=True))
    assert sorted(whats) == ["report", "report", "report.form"]


def test_clinician_without_a_share_gets_404(home, client, psg_result):
    from nachtwacht.web.sharing.models import ClinicianShare

    other = User.objects.create_user("andere-arts", password="x-wachtwoord-9", role="clinician")
    share = home["share"]
    c = _client(client, other)
    for path in ("rapport/kiezen/", "rapport/", "rapport.pdf"):
        assert c.get(f"/zorg/{share.pk}/{path}").status_code == 404, path
    ClinicianShare.objects.filter(pk=share.pk).update(revoked_at=share.created)
    c = _client(client, home["gp"])
    assert c.get(f"/zorg/{share.pk}/rapport/").status_code == 404


def test_experiment_is_in_the_report(home, client):
    from nachtwacht.web.front.models import Experiment

    Experiment.objects.create(sleeper=home["sleeper"], code="no_caffeine_after_14", title="x",
                              started=dt.date(2026, 11, 9))
    c = _client(client, home["sleeper"])
    html = c.get(f"/rapport/?van=2026-10-26&tot={END}&taal=nl").content.decode()
    assert "Geen cafeïne na 14:00" in html
    # An experiment that started after the period is not part of it.
    html = c.get("/rapport/?van=2026-10-26&tot=2026-11-05&taal=nl").content.decode()
    assert "Geen cafeïne na 14:00" not in html


@pytest.mark.slow  # WeasyPrint lays out the whole report
def test_pdf_download_name_holds_only_the_period(home, client):
    r = _client(client, home["sleeper"]).get(f"/rapport.pdf?van=2026-11-01&tot={END}&taal=nl")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"] == 'attachment; filename="nachtwacht-rapport-2026-11-01_2026-11-22.pdf"'


def test_html_report_fits_a_phone_and_has_a_way_back(home, client):
    c = _client(client, home["sleeper"])
    r = c.get("/rapport/?van=2026-11-02&tot=2026-11-15&taal=nl")
    html = r.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "nachtwacht/report-screen.css" in html
    assert 'href="/rapport/kiezen/"' in html and "Terug naar de keuzes voor het rapport" in html
    assert 'href="/rapport.pdf?' in html
    # The way back sits at the top of the page, before the report itself.
    assert html.index('class="nw-back"') < html.index("<h1")
