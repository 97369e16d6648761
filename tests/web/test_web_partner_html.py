"""The bed partner's page built in Python gives byte for byte the HTML of the former template.

``tests/web/data/old_templates/partner/`` holds ``partner_log.html`` as it was before its
lists and form moved to web/partner_html.py (issue #16 item 5). Each case requests the
page twice, once as before (old template, Django's own form renderer) and once as now,
and requires the same body apart from the CSRF token: scopes none / episodes / episodes and
nights, Dutch and English, a label to escape, nights without times, a form with errors.
``form_html`` is also held to the live ``nachtwacht/_form.html`` for every registry form.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.http import HttpResponse
from django.template import Engine, RequestContext, engines
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from nachtwacht.web import partner_html
from nachtwacht.web.accounts.models import User
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.forms import EpisodeForm, NightForm, PartnerEpisodeForm, ProfileForm
from nachtwacht.web.sharing.models import PartnerLink
from nachtwacht.web.views import diary as diary_views

OLD = Path(__file__).parent / "data" / "old_templates" / "partner"
PAGE = "nachtwacht/partner_log.html"
NASTY = "<script>&\"'x"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


@pytest.fixture(scope="module")
def old_engine() -> Engine:
    """The site's engine with the old page template found first (base.html is today's)."""
    real = engines["django"].engine
    engine = Engine(dirs=[str(OLD), *map(str, real.dirs)], app_dirs=True,
                    context_processors=settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    libraries=real.libraries, debug=False)
    assert Path(engine.get_template(PAGE).origin.name).is_relative_to(OLD)
    return engine


def _get_both(monkeypatch, old_engine, client: Client, url: str, data: dict | None = None) -> tuple[str, str]:
    """The page body as before and as now (same request twice), CSRF token values cut."""
    real_render = diary_views.render

    def old_render(request, name, context):
        assert name == PAGE
        return HttpResponse(old_engine.get_template(name).render(RequestContext(request, context)))

    def fetch() -> str:
        r = client.post(url, data) if data is not None else client.get(url)
        assert r.status_code == 200
        return CSRF.sub(r'\1"', r.content.decode())

    with monkeypatch.context() as m:
        m.setattr(diary_views, "render", old_render)
        m.setattr(partner_html, "form_renderer", get_default_renderer)
        old = fetch()
    assert diary_views.render is real_render
    return old, fetch()


@pytest.fixture
def made_up(db):
    """A partner with own and shared episodes (one label to escape) and nights without times."""
    sleeper = User.objects.create_user("slaper", password="x-wachtwoord-1", role="sleeper")
    partner = User.objects.create_user("bedpartner", password="x-wachtwoord-2", role="partner")
    link = PartnerLink.objects.create(sleeper=sleeper, partner=partner, scope="none")
    day = dt.date(2026, 11, 20)
    rows = [
        Episode(sleeper=sleeper, logged_by=partner, reporter="partner", date=day, type="sleepwalking",
                time=dt.time(2, 5)),
        Episode(sleeper=sleeper, logged_by=partner, reporter="partner", date=day - dt.timedelta(days=1),
                type=NASTY),
        Episode(sleeper=sleeper, logged_by=partner, reporter="partner", date=day - dt.timedelta(days=40),
                type="bruxism", time=dt.time(0, 0)),
        Episode(sleeper=sleeper, logged_by=sleeper, reporter="self", date=day, type="hypnic_jerk", count=3),
        Episode(sleeper=sleeper, logged_by=sleeper, reporter="self", date=day - dt.timedelta(days=2), type=NASTY),
        Episode(sleeper=sleeper, logged_by=sleeper, reporter="self", date=day, type="nightmare", private=True),
    ]
    Episode.objects.bulk_create(rows)
    Night.objects.bulk_create([
        Night(sleeper=sleeper, date=day, bedtime=dt.time(23, 5), out_of_bed=dt.time(7, 0)),
        Night(sleeper=sleeper, date=day - dt.timedelta(days=1), bedtime=None, out_of_bed=dt.time(6, 30)),
        Night(sleeper=sleeper, date=day - dt.timedelta(days=3), bedtime=dt.time(22, 0), out_of_bed=None),
        Night(sleeper=sleeper, date=day - dt.timedelta(days=4)),
    ])
    return partner, link


def _client(user: User, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("scope", ["none", "episodes", "episodes_nights"])
def test_page_is_identical_for_made_up_data(monkeypatch, old_engine, made_up, scope, language):
    partner, link = made_up
    PartnerLink.objects.filter(pk=link.pk).update(scope=scope)
    old, new = _get_both(monkeypatch, old_engine, _client(partner, language), f"/bedpartner/{link.pk}/")
    assert new == old
    assert "&lt;script&gt;&amp;&quot;&#x27;x" in new and NASTY not in new
    assert f"/bedpartner/{link.pk}/voorval/" in new and 'id="id_date"' in new
    assert ('id="shared"' in new) == (scope != "none")
    assert ("<tbody><tr>" in new) == (scope == "episodes_nights")
    if scope == "episodes_nights":
        assert "<td>–</td>" in new


@pytest.mark.parametrize("language", ["nl", "en"])
def test_page_with_form_errors_is_identical(monkeypatch, old_engine, made_up, language):
    partner, link = made_up
    PartnerLink.objects.filter(pk=link.pk).update(scope="episodes")
    client = _client(partner, language)
    url = f"/bedpartner/{link.pk}/"
    before = Episode.objects.count()
    for data in ({"date": "", "type": NASTY, "count": "abc", "notes": NASTY},
                 {"date": "2099-01-01", "type": "bruxism", "count": "1"},
                 {"date": "2026-11-19", "type": "", "count": "-4", "time": "25:99", "tags": NASTY}):
        old, new = _get_both(monkeypatch, old_engine, client, url, data)
        assert new == old
        assert 'id="error-summary"' in new and "has-error" in new
    assert Episode.objects.count() == before


@pytest.mark.parametrize("language", ["nl", "en"])
def test_page_is_identical_for_the_demo_partner(monkeypatch, old_engine, db, language):
    from nachtwacht.web.demo import build_demo

    build_demo(weeks=9, end=dt.date(2026, 11, 22))
    partner = User.objects.get(username="partner")
    link = PartnerLink.objects.get(partner=partner)
    client = _client(partner, language)
    for scope in ("episodes", "episodes_nights"):
        PartnerLink.objects.filter(pk=link.pk).update(scope=scope)
        old, new = _get_both(monkeypatch, old_engine, client, f"/bedpartner/{link.pk}/")
        assert new == old
        assert new.count("<li><a href=\"/bedpartner/") > 10


def _forms(fast: bool):
    """Every registry form, unbound and bound with errors, on one of the two renderers."""
    r = partner_html.form_renderer() if fast else get_default_renderer()
    bad = {"date": "x", "type": NASTY, "count": "abc", "time": "7", "bedtime": "25:00", "sol_min": "1,5,5",
           "notes": NASTY, "tags": "a; <b>", "caffeine_last": "", "alcohol_units": "-3", "stress": "9",
           "substances": ["alcohol", NASTY], "private": "on"}
    return [
        PartnerEpisodeForm(initial={"date": dt.date(2026, 11, 22), "count": 1}, renderer=r),
        PartnerEpisodeForm(bad, renderer=r),
        PartnerEpisodeForm({"date": "2099-01-01", "type": "bruxism", "count": "1"}, renderer=r),
        EpisodeForm(renderer=r),
        EpisodeForm(bad, renderer=r),
        NightForm(renderer=r),
        NightForm(bad, renderer=r),
        NightForm({"date": "2026-11-20", "bedtime": "23:00", "out_of_bed": "07:00", "final_wake": "06:00",
                   "lights_out": "23:10", "sol_min": "600", "substances": ["alcohol"]}, renderer=r),
        ProfileForm(renderer=r),
        ProfileForm(bad, renderer=r),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_form_html_matches_the_live_form_template(db, language):
    assert isinstance(partner_html.form_renderer(), partner_html.FastFormRenderer)
    with translation.override(language):
        for slow, fast in zip(_forms(False), _forms(True), strict=True):
            expected = render_to_string("nachtwacht/_form.html", {"form": slow})
            # If this fails after a change to nachtwacht/_form.html or _error_summary.html:
            # make the same change in partner_html.form_html.
            assert partner_html.form_html(fast) == expected
            assert render_to_string("nachtwacht/_form.html", {"form": fast}) == expected
            for name in fast.fields:  # every piece, also outside the project's template
                assert str(fast[name]) == str(slow[name])
                assert fast[name].as_field_group() == slow[name].as_field_group()
        assert 'type="radio"' in expected or 'type="checkbox"' in expected
