"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_NAV = {
    "sleeper": (("dashboard", _("Overview")), ("night_new", _("Diary")), ("episode_new", _("Episode")),
                ("night_list", _("Earlier nights")), ("triage", _("Advice")), ("plan", _("Plan")),
                ("report_form", _("Report")), ("knowledge", _("Information")), ("settings", _("Settings"))),
    "partner": (("partner_home", _("My log")), ("knowledge", _("Information")), ("settings", _("Settings"))),
    "clinician": (("clinician_home", _("Shared with me")), ("knowledge", _("Information")),
                  ("settings", _("Settings"))),
}


def nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"nav_items": _NAV.get(user.role, ())}
    return {"nav_items": (("knowledge", _("Information")), ("login", _("Log in")), ("signup", _("Sign up")))}
