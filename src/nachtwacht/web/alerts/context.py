"""Template context: unread advice alerts at the top of the page after a save, and
always on the person's start pages until read."""

from __future__ import annotations

from nachtwacht.web.alerts.advice import ALWAYS_ON, SESSION_KEY, unread_for


def alerts(request) -> dict:
    try:
        return _alerts(request)
    except Exception:  # an error page (database down) must still render without alerts
        return {}


def _alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", "") or ""
    after_save = bool(request.session.pop(SESSION_KEY, False)) if hasattr(request, "session") else False
    if not (after_save or name in ALWAYS_ON):
        return {}
    from nachtwacht.web.forms import lang

    return {"advice_alerts": unread_for(user, lang())}
