"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

import functools
from typing import NamedTuple

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
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


@functools.lru_cache(maxsize=256)
def _href(name: str, root: str, urlconf: str | None, prefix: str) -> str:
    # Once per process and URL configuration (the other arguments are the cache key):
    # base.html printed the menu twice with {% url %} per link, ~18 reversals a page.
    return reverse(name, urlconf=urlconf)


def nav_items(request) -> tuple[NavItem, ...]:
    """The menu of ``request``'s user (or the anonymous one), ready for base.html."""
    user = getattr(request, "user", None)
    links = _NAV.get(user.role, ()) if user is not None and user.is_authenticated else _ANONYMOUS
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match is not None else None
    root, urlconf, prefix = settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
    return tuple(NavItem(name, _href(name, root, urlconf, prefix), label, name == here) for name, label in links)


def nav(request) -> dict:
    return {"nav_items": nav_items(request)}
