"""The dashboard built in Python gives byte for byte the HTML of the former templates.

``tests/web/data/old_templates/`` holds the dashboard body, page and base template as
they were before the table, calendar and menu moved to web/dashboard_html.py and
front/context.py (issue #16 item 5). Each case renders the old template and the new one
against the same context (or the same request) and requires identical text, in Dutch
and in English.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine, RequestContext, engines
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from nachtwacht.diary.types import Diary, Episode, Night
from nachtwacht.web import dashboard_html
from nachtwacht.web.access import share_parts
from nachtwacht.web.accounts.models import User
from nachtwacht.web.convert import diary_for
from nachtwacht.web.front import context as nav_context
from nachtwacht.web.sharing.models import ClinicianShare
from nachtwacht.web.views.dashboard import dashboard_context

OLD = Path(__file__).parent / "data" / "old_templates"
BODY = "nachtwacht/_dashboard_body.html"
END = dt.date(2026, 11, 22)
NASTY = "<script>&\"'x"


def _old_nav(request) -> dict:
    """The former ``nav`` context processor: (URL name, label) pairs for ``{% url %}``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"nav_items": nav_context._NAV.get(user.role, ())}
    return {"nav_items": nav_context._ANONYMOUS}


@pytest.fixture(scope="module")
def old_engine() -> Engine:
    """The site's template engine, with the old templates found first and the old menu."""
    real = engines["django"].engine
    processors = [p for p in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
                  if p != "nachtwacht.web.front.context.nav"]
    engine = Engine(dirs=[str(OLD), *map(str, real.dirs)], app_dirs=True, context_processors=processors,
                    libraries=real.libraries, debug=False)
    for name in (BODY, "nachtwacht/base.html", "nachtwacht/dashboard.html"):
        assert Path(engine.get_template(name).origin.name).is_relative_to(OLD)
    return engine


@pytest.fixture
def demo(db):
    from nachtwacht.web.demo import build_demo

    return build_demo(seed=7, weeks=9, end=END)


def _both(old_engine, ctx: dict) -> tuple[str, str]:
    old = old_engine.get_template(BODY).render(Context(ctx))
    new = render_to_string(BODY, ctx)
    return old, new


def _night(day: dt.date, bed: tuple[int, int] | None = (23, 5), out: tuple[int, int] | None = (7, 0),
           **kw) -> Night:
    return Night(date=day, bedtime=dt.time(*bed) if bed else None, lights_out=dt.time(23, 20) if bed else None,
                 final_wake=dt.time(6, 40) if out else None, out_of_bed=dt.time(*out) if out else None, **kw)


def _diaries() -> dict[str, Diary]:
    oct30 = dt.date(2026, 10, 30)
    # Twenty nights across two months, with gaps, half minutes (rounding half up) and
    # nights without a bedtime, a getting-up time or a sleep time.
    nights = []
    for i in range(20):
        day = oct30 + dt.timedelta(days=i - 10)
        if i % 7 == 3:
            nights.append(_night(day, bed=None))
        elif i % 7 == 5:
            nights.append(_night(day, out=None, sol_min=15))
        elif i == 8:  # a day sleeper: a full date-time (naive, like the diary stores it)
            nights.append(Night(date=day, bedtime=dt.datetime(2026, 10, 28, 9, 30),
                                out_of_bed=dt.datetime(2026, 10, 28, 16, 5), sol_min=10.5))
        else:
            nights.append(_night(day, bed=(22 + i % 2, 7 * i % 60), sol_min=10 + i + 0.5,
                                 waso_min=(i * 3.25) % 40, awakenings=i % 3, notes=NASTY))
    episodes = (
        Episode(date=oct30 - dt.timedelta(days=5), type="hypnic_jerk", count=3),
        Episode(date=oct30 - dt.timedelta(days=5), type="bruxism"),
        Episode(date=oct30 + dt.timedelta(days=2), type=NASTY, notes=NASTY),
        Episode(date=oct30 + dt.timedelta(days=2), type="sleepwalking", reporter="partner"),
        Episode(date=oct30 + dt.timedelta(days=9), type="nightmare", count=12),
        Episode(date=dt.date(2026, 10, 1), type="other"),  # an "out of month" neighbour day too
        Episode(date=dt.date(2026, 11, 30), type="sleep_talking"),
    )
    return {
        "empty": Diary(),
        "one night": Diary(nights=(_night(oct30, sol_min=12.5, waso_min=20),)),
        "two nights, None fields": Diary(nights=(Night(date=oct30), _night(oct30 + dt.timedelta(days=1), out=None)),
                                         episodes=(Episode(date=oct30, type="bruxism"),)),
        "episodes only": Diary(episodes=episodes[:3]),
        "two months, escaping": Diary(nights=tuple(nights), episodes=episodes),
    }


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("case", list(_diaries()))
def test_body_is_identical_for_made_up_diaries(db, old_engine, case, language):
    diary = _diaries()[case]
    with translation.override(language):
        ctx = dashboard_context(diary, language)
        old, new = _both(old_engine, ctx)
    assert new == old
    if case == "two months, escaping":
        assert "&lt;script&gt;&amp;&quot;&#x27;x" in new and NASTY not in new
        assert new.count('<table class="cal">') == 2
        assert ("voorvallen" if language == "nl" else "episodes</span>") in new


@pytest.mark.parametrize("language", ["nl", "en"])
def test_body_is_identical_for_the_demo_sleeper_and_the_clinician(demo, old_engine, language):
    sleeper = User.objects.get(username="demo")
    share = ClinicianShare.objects.get(sleeper=sleeper)
    with translation.override(language):
        ctx = dashboard_context(diary_for(sleeper), language, owner=sleeper, scope="all", read_at=time.time())
        old, new = _both(old_engine, ctx)
        assert new == old
        assert len(ctx["table"]) == 28 and len(ctx["calendar"]) == 2 and ctx["findings"]
        # The calendar's word comes from the same translation as before.
        assert ("voorval" if language == "nl" else " episode") in new
        assert ("episode</span>" not in new) if language == "nl" else ("voorval" not in new)

        shared = dashboard_context(diary_for(sleeper, parts=share_parts(share)), language, owner=sleeper,
                                   scope=",".join(sorted(share_parts(share))), read_at=time.time())
        shared["share"] = share
        old, new = _both(old_engine, shared)
    assert new == old
    assert '<h2 id="h-chart">' + ("Nachten" if language == "nl" else "Nights") in new


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


@pytest.mark.parametrize("language", ["nl", "en"])
def test_full_pages_are_identical(demo, old_engine, client, language):
    """GET /overzicht/ (sleeper) and the clinician's view against the old templates."""
    for username, url in (("demo", "/overzicht/"), ("huisarts", None)):
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(language=language)
        user.refresh_from_db()
        client.force_login(user)
        share = ClinicianShare.objects.get(sleeper__username="demo")
        response = client.get(url or f"/zorg/{share.pk}/")
        assert response.status_code == 200
        new = response.content.decode()
        request = response.wsgi_request
        sleeper = share.sleeper
        with translation.override(language):
            if url:
                ctx = dashboard_context(diary_for(sleeper), language, owner=sleeper, scope="all",
                                        read_at=time.time())
                template = "nachtwacht/dashboard.html"
            else:
                parts = share_parts(share)
                ctx = dashboard_context(diary_for(sleeper, parts=parts), language, owner=sleeper,
                                        scope=",".join(sorted(parts)), read_at=time.time())
                ctx.update(share=share, notes=None)
                template = "nachtwacht/clinician_view.html"
            old = old_engine.get_template(template).render(RequestContext(request, ctx, processors=[_old_nav]))
        assert _CSRF.sub(r"\1", new) == _CSRF.sub(r"\1", old)
        if url:  # the menu marks this page, in both menus
            assert new.count('<a href="/overzicht/" aria-current="page">') == 2


@pytest.mark.parametrize("language", ["nl", "en"])
def test_anonymous_menu_is_identical(db, old_engine, client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("login"))
    new = response.content.decode()
    with translation.override(language):
        base = old_engine.get_template("nachtwacht/base.html")
        old = base.render(RequestContext(response.wsgi_request, {}, processors=[_old_nav]))
    menu = re.compile(r'<nav class="menu-wide".*?</nav></details>', re.S)
    assert menu.search(new).group(0) == menu.search(old).group(0)
    assert new.count('aria-current="page"') == 2


@pytest.mark.parametrize("language", ["nl", "en"])
def test_formatting_helpers_equal_djangos_filters(language):
    values = [0, 1, -1, 0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999, 412.5, 87.49999999999999, 87.5, 998.5,
              998.996, 999.4, 999.5, -999.5, 1000, 1234.5, 12345.678, 1e-20, -1e-20, 7 / 3, -2 / 3, 100.0,
              0.005, 0.015, 1.005, -0.005, -0.004, 2.675, 1e16, float("nan"), float("inf"), -float("inf"),
              None, "12.5", True]
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(0, 365, 3)]
    with translation.override(language):
        for v in values:
            assert dashboard_html.fmt_int(v) == floatformat(v, 0), v
            assert dashboard_html.fmt_2(v) == floatformat(v, 2), v
        for d in days:
            for fmt in ("D j M", "F Y", "l"):
                assert dashboard_html.fmt_date(d, fmt) == date_filter(d, fmt)
            assert dashboard_html._weekday2(d) == date_filter(d, "D")[:2]
        for n in (0, 1, 7, 999, 1000, 123456):
            assert dashboard_html.fmt_count(n) == engines["django"].from_string("{{ n }}").render({"n": n})


@pytest.mark.parametrize("language", ["nl", "en"])
def test_findings_list_is_identical(db, old_engine, language):
    """Significant or not (or no such field), ratio or difference, with or without an
    interval or a chart, a text to escape; two decimals with the language's separator."""
    from types import SimpleNamespace as F

    findings = [
        {"f": F(significant=True, ci_low=1.005, ci_high=2.5), "text": "Alcohol & <b>slaap</b>",
         "svg": "<svg role=\"img\"></svg>", "estimate": 1.23456, "ratio": True},
        {"f": F(significant=False, ci_low=None, ci_high=None), "text": NASTY, "svg": "<svg></svg>",
         "estimate": -0.125, "ratio": False},
        {"f": F(ci_low=-3, ci_high=1234.5), "text": "no significance field", "svg": "<svg></svg>",
         "estimate": 12, "ratio": False},
        {"f": F(significant=True), "text": "no estimate", "svg": "", "estimate": None, "ratio": False},
    ]
    with translation.override(language):
        ctx = dashboard_context(_diaries()["two months, escaping"], language, with_insight=False)
        ctx.update(findings=findings, findings_html=dashboard_html.findings_html(findings))
        old, new = _both(old_engine, ctx)
    assert new == old
    assert new.count('<li class="sig">') == 2 and "&lt;b&gt;slaap" in new
    assert ("1,23" if language == "nl" else "1.23") in new


# Each loop the Python code replaced: (template, pattern in the old copy, what stands there now).
_REPLACED = [
    (BODY, r"<tbody>\{% for r in table %\}.*?\{% endfor %\}</tbody>", "<tbody>{{ table_html }}</tbody>"),
    (BODY, r'<div class="calendars">\{% for month in calendar %\}.*?\{% endfor %\}</div>', "{{ calendar_html }}"),
    (BODY, r'<ul class="findings">\{% for x in findings %\}.*?\{% endfor %\}</ul>', "{{ findings_html }}"),
    ("nachtwacht/base.html", r"<ul>\{% for name, label in nav_items %\}.*?\{% endfor %\}</ul>",
     "<ul>{{ nav_html }}</ul>"),
]


@pytest.mark.parametrize("name", [BODY, "nachtwacht/base.html", "nachtwacht/dashboard.html"])
def test_old_copies_differ_from_the_templates_only_in_the_replaced_loops(name):
    """Keeps the comparisons above meaningful: a later change to these templates must be
    made in tests/web/data/old_templates/ too (or this comparison retired)."""
    old = (OLD / name).read_text(encoding="utf-8")
    for template, pattern, now in _REPLACED:
        if template == name:
            old, n = re.subn(pattern, lambda _m, now=now: now, old, flags=re.S)
            assert n, pattern
    current = Path(engines["django"].engine.find_template(name)[1].name).read_text(encoding="utf-8")
    assert old == current, f"{name} changed; make the same change in {OLD / name}"
