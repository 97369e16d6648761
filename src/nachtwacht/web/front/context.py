"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

import functools
from typing import NamedTuple

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_NAV = {
    "sleeper": (("dashboard", _("Overview")), ("night_new", _("Diary")), ("episode_new", _("Episode")),
                ("night_list", _("Earlier nights")), ("triage", _("Advice")), ("plan", _("Plan")),
                ("report_form", _("Report")), ("knowledge", _("Information")), ("settings", _("Settings"))),
    "partner": (("partner_home", _("My log")), ("knowledge", _("Information")), ("settings", _("Settings"))),
    "clinician": (("clinician_home", _("Shared with me")), ("knowledge", _("Information")),
                  ("settings", _("Settings"))),
}
_ANONYMOUS = (("knowledge", _("Information")), ("login", _("Log in")), ("signup", _("Sign up")))


class NavItem(NamedTuple):
    """One menu link: URL name, its path, its (lazy) label, and whether it is this page."""

    name: str
    href: str
    label: str | Promise
    current: bool


_CURRENT = ' aria-current="page"'


@functools.lru_cache(maxsize=1024)
def _menu(role: str | None, here: str | None, language: str | None,
          root: str, urlconf: str | None, prefix: str) -> tuple[tuple[NavItem, ...], SafeString]:
    """The items and their ``<li>`` HTML, once per process for each key.

    base.html printed the menu twice, with a ``{% url %}`` and a label lookup per link:
    about 0.3 ms of every page (issue #16 item 5). ``role`` is None for a visitor who
    is not signed in; ``language`` keys the labels; the last three key the paths.
    """
    links = _ANONYMOUS if role is None else _NAV.get(role, ())
    items = tuple(NavItem(name, reverse(name, urlconf=urlconf), label, name == here) for name, label in links)
    html = "".join(f'<li><a href="{conditional_escape(i.href)}"{_CURRENT if i.current else ""}>'
                   f"{conditional_escape(i.label)}</a></li>" for i in items)
    return items, SafeString(html)


def nav(request) -> dict:
    """``nav_items`` (:class:`NavItem`) and ``nav_html`` (their ``<li>`` elements)."""
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match is not None else None
    items, html = _menu(role, here, get_language(), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    return {"nav_items": items, "nav_html": html}
