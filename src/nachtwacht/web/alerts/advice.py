"""Store and show advice alerts after a save (see the package docstring).

The check runs the triage *without* the trigger analysis (``use_insight=False``):
red flags come from what was written, and the analysis takes about a second on a
cache miss, which every save would cause. The full advice page still uses the analysis.
It also needs only the flags, not the differential hints and the plan that
``assess`` builds after them (a third of its time): :func:`triage_flags` asks
``assess(..., flags_only=True)`` (``tests/web/test_web_alerts_flags.py`` holds it equal
to ``assess(...).flags``).

The check runs in Dutch only. An alert's English texts are filled when someone reads
it in English (:func:`shown`, :func:`_fill_english`) and then kept with the alert: most
people read Dutch, and the dates in a flag's text change with every new night, so
an English pass in the save ran on nearly every save for a text nobody read (issue
#16 item 5: it was a fifth of a night save's CPU under load).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from nachtwacht.web.core import call

log = logging.getLogger("nachtwacht.web")

LEVELS = ("self_care", "gp_routine", "gp_soon", "urgent")
#: Levels that come to the person instead of waiting on the advice page.
ALERT_LEVELS = ("gp_soon", "urgent")
#: Session key: the page after the save shows the alert at the top.
SESSION_KEY = "nw_alert_next"
#: Pages (URL names) that keep an unread alert on top until it is read.
ALWAYS_ON = frozenset({"dashboard", "partner_home", "partner_log", "triage", "plan"})

#: Shown with every urgent alert, after any route a flag names itself.
EMERGENCY = {"label_nl": "Direct gevaar of een aanval die langer dan 5 minuten duurt: bel 112",
             "label_en": "Immediate danger, or a seizure lasting more than 5 minutes: call 112",
             "phone": "112", "href": "tel:112"}
#: Safety nets for flags that carry no route of their own (before the triage adds them).
_CODE_ROUTES = (
    (re.compile(r"suicid|death_wish|doodswens"),
     {"label_nl": "Praten over zelfmoordgedachten, dag en nacht, gratis: 113 Zelfmoordpreventie",
      "label_en": "Talk about suicidal thoughts, day and night, free: 113 Suicide Prevention",
      "phone": "0800-0113", "href": "tel:08000113"}),
)


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get("nl") or value.get("en") or "")
    return str(value or "")


def normalise_route(raw: Any) -> dict[str, str] | None:
    """One phone route as ``{label_nl, label_en, phone, href}`` (``href`` a ``tel:`` link).

    Accepts the shapes a triage ``Flag.to_dict()["routes"]`` item may take: ``label``
    as text or ``{"nl", "en"}``, or ``label_nl``/``label_en``; ``phone`` or ``number``;
    ``href`` or ``tel``. A route without a usable number is dropped.
    """
    if not isinstance(raw, dict):
        return None
    label = raw.get("label")
    nl = raw.get("label_nl") or _text(label, "nl")
    en = raw.get("label_en") or _text(label, "en")
    phone = str(raw.get("phone") or raw.get("number") or "").strip()
    href = str(raw.get("href") or raw.get("tel") or "").strip()
    if not href.startswith("tel:"):
        digits = re.sub(r"[^0-9+]", "", phone or href)
        href = f"tel:{digits}" if digits else ""
    if not href:
        return None
    return {"label_nl": nl or phone, "label_en": en or nl or phone, "phone": phone or href[4:],
            "href": href}


def _flag_entry(flag_nl: Any, flag_en: Any | None) -> dict[str, Any]:
    """A flag in both languages with its audience and routes (defaults if absent)."""
    d_nl = flag_nl.to_dict()
    d_en = flag_en.to_dict() if flag_en is not None else d_nl
    code = str(d_nl.get("code", ""))
    raw_routes = d_nl.get("routes", getattr(flag_nl, "routes", [])) or []
    routes = [r for r in (normalise_route(x) for x in raw_routes) if r]
    if not routes:
        routes = [dict(r) for pattern, r in _CODE_ROUTES if pattern.search(code)]
    return {"code": code, "level": str(d_nl.get("level", "self_care")),
            "audience": d_nl.get("audience", getattr(flag_nl, "audience", "sleeper")) or "sleeper",
            "text_nl": d_nl.get("text", ""), "text_en": d_en.get("text", ""), "routes": routes}


def triage_flags(diary, language: str) -> list[Any] | None:
    """The flags of ``assess(diary, lang=language, use_insight=False)``, or None if it failed.

    ``flags_only``: the alert check needs no hints and no plan.
    """
    result, _p = call("nachtwacht.triage", "assess", diary, lang=language, use_insight=False,
                      flags_only=True)
    return None if result is None else list(result.flags)


def current_flags(sleeper) -> list[dict[str, Any]] | None:
    """The sleeper's triage flags now, in both languages (None when triage failed).

    The English texts cost a second triage pass and are read only for the flags that
    are announced (to a partner, or at an alert level). That pass runs only when there
    is such a flag; otherwise ``text_en`` holds the Dutch text. During
    :func:`check_after_save`, and within :func:`for_page` for a Dutch page (the
    partner's page), it never runs: ``text_en`` is then None for the announced flags,
    and an alert gets its English when it is read in English (:func:`shown`).
    """
    from nachtwacht.web.convert import diary_for

    diary = diary_for(sleeper)
    nl = triage_flags(diary, "nl")
    if nl is None:
        return None
    if not any(_alerted(_level(f), _audience(f)) for f in nl):
        return [_flag_entry(f, None) for f in nl]
    if _FOR_ALERTS.get() or _DUTCH_PAGE.get():
        entries = [_flag_entry(f, None) for f in nl]
        for e in entries:
            e["text_en"] = None
        return entries
    en_by_code = {f.code: f for f in triage_flags(diary, "en") or ()}
    return [_flag_entry(f, en_by_code.get(f.code)) for f in nl]


#: True while :func:`check_after_save` asks :func:`current_flags` (a context variable
#: rather than a parameter: tests and callers replace ``current_flags(sleeper)`` as is).
_FOR_ALERTS: ContextVar[bool] = ContextVar("nw_alert_check", default=False)
#: True while a page in Dutch asks (the partner's page): no English pass at all.
_DUTCH_PAGE: ContextVar[bool] = ContextVar("nw_dutch_page", default=False)


@contextmanager
def for_page(language: str) -> Iterator[None]:
    """Within: :func:`current_flags` fills only what a page in ``language`` reads."""
    token = _DUTCH_PAGE.set(language == "nl")
    try:
        yield
    finally:
        _DUTCH_PAGE.reset(token)


def _targets(sleeper, flags: list[dict[str, Any]], partner_ids: list[int]) -> list[tuple[int, list[dict[str, Any]]]]:
    """Who gets which flags (user ids): the sleeper their own at an alert level, each partner theirs."""
    mine = [f for f in flags if f["audience"] != "partner" and f["level"] in ALERT_LEVELS]
    # A flag addressed to the partner (e.g. it happened against their will) goes to
    # the partner's own pages whatever its level: it names their own help line.
    theirs = [f for f in flags if f["audience"] == "partner"]
    return [(sleeper.pk, mine)] + [(pk, theirs) for pk in partner_ids]


def _partner_ids(sleeper) -> list[int]:
    from nachtwacht.web.convert import prepared_rows
    from nachtwacht.web.sharing.models import PartnerLink

    return [row[0] for row in prepared_rows(("partner_ids",), sleeper.pk, lambda s: PartnerLink.objects.filter(
        sleeper_id=s).order_by("id").values_list("partner_id"))]


def _level(flag: Any) -> str:
    return str(flag.to_dict().get("level", "self_care"))


def _audience(flag: Any) -> str:
    # As _flag_entry reads it, so the test sees what the stored entry will say.
    return flag.to_dict().get("audience", getattr(flag, "audience", "sleeper")) or "sleeper"


def _alerted(level: str, audience: str) -> bool:
    """What check_after_save announces: to the sleeper at an alert level, to a partner always."""
    return audience == "partner" or level in ALERT_LEVELS


def _alert_data(flags: list[dict[str, Any]]) -> tuple[str, str, dict[str, Any]]:
    level = max((f["level"] for f in flags), key=_rank)
    key = f"{level}:" + ",".join(sorted({f["code"] for f in flags}))
    routes: list[dict[str, str]] = []
    for f in flags:
        for r in f["routes"]:
            if r["href"] not in {x["href"] for x in routes}:
                routes.append(r)
    if level == "urgent" and EMERGENCY["href"] not in {x["href"] for x in routes}:
        routes.append(dict(EMERGENCY))
    return level, key[:400], {"flags": flags, "routes": routes}


def _with_english(data: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` with each missing English text taken from ``stored`` where still valid.

    A stored English text is kept only while the flag's Dutch text is the same: then
    it is the translation of what is shown. Otherwise it stays None, to be filled
    when the alert is read in English (:func:`_fill_english`).
    """
    if all(f.get("text_en") is not None for f in data["flags"]):
        return data
    before = {(f.get("code"), f.get("text_nl")): f.get("text_en") for f in (stored or {}).get("flags", [])}
    flags = [f if f.get("text_en") is not None else
             dict(f, text_en=before.get((f.get("code"), f.get("text_nl")))) for f in data["flags"]]
    return dict(data, flags=flags)


def _store(sleeper, targets: list[tuple[int, list[dict[str, Any]]]], request, *, announce: bool = True) -> None:
    """Keep one unread alert per target for the advice it should see now, or none.

    One read of the targets' alerts decides everything; a write happens only when the
    advice changed (the usual save, with the same advice still unread, writes nothing).
    An alert already read for the same advice is not announced again.
    """
    from django.db.models import Q

    from nachtwacht.web.alerts.models import AdviceAlert

    wanted = {pk: (_alert_data(flags) if flags else None) for pk, flags in targets}
    keys = {w[1] for w in wanted.values() if w is not None}
    rows = list(AdviceAlert.objects.filter(sleeper=sleeper, user_id__in=list(wanted)).filter(
        Q(read_at__isnull=True) | Q(key__in=keys)))
    # The advice went down again (a typo corrected) or changed: drop what no longer applies.
    stale = [r.pk for r in rows if r.read_at is None
             and (wanted[r.user_id] is None or r.key != wanted[r.user_id][1])]
    if stale:
        AdviceAlert.objects.filter(pk__in=stale, read_at__isnull=True).delete()
    for user_pk, want in wanted.items():
        if want is None:
            continue
        level, key, data = want
        alert = next((r for r in rows if r.user_id == user_pk and r.key == key), None)
        if alert is None:
            try:
                with transaction.atomic():
                    alert = AdviceAlert.objects.create(user_id=user_pk, sleeper=sleeper, key=key, level=level,
                                                       data=data)
            except IntegrityError:  # the same advice stored by a parallel save
                continue
        elif alert.read_at is None:
            data = _with_english(data, alert.data)
            if data != alert.data:  # texts may have changed (a new date, a new wording); keep them fresh
                alert.data = data
                alert.save(update_fields=["data"])
        if announce and alert.read_at is None and request is not None and request.user.pk == user_pk:
            request.session[SESSION_KEY] = True


def check_after_save(request, sleeper, *, next_page: str | None = None) -> None:
    """Announce advice at ``gp_soon``/``urgent`` to whom it is addressed (never raises).

    Called by every view that saves what the triage reads: night, episode, profile
    and the partner's log. ``next_page``: the URL name the view redirects to; when
    that page shows unread alerts anyway (:data:`ALWAYS_ON`), the session is not
    written to ask it to (one write less on every save).
    """
    token = _FOR_ALERTS.set(True)
    try:
        flags = current_flags(sleeper)
        if flags is None:
            return
        _store(sleeper, _targets(sleeper, flags, _partner_ids(sleeper)), request,
               announce=next_page not in ALWAYS_ON)
    except Exception as exc:  # an alert must never lose the save that triggered it
        log.warning("advice alert check failed: %s", type(exc).__name__)
    finally:
        _FOR_ALERTS.reset(token)


def _fill_english(alert) -> dict[str, Any]:
    """``alert.data`` with every flag's English text, filled now where it is missing.

    One English triage pass on the sleeper's diary as it is now; each flag takes the
    text of the flag with the same code. A flag the diary no longer raises (the alert
    is older than the last change) keeps its Dutch text rather than none. The result
    is kept with the alert unless a save replaced the alert's data meanwhile.
    """
    data = alert.data or {}
    flags = data.get("flags", [])
    if all(f.get("text_en") is not None for f in flags):
        return data
    from nachtwacht.web.alerts.models import AdviceAlert
    from nachtwacht.web.convert import diary_for

    english = {f.code: f.to_dict().get("text", "") for f in triage_flags(diary_for(alert.sleeper_id), "en") or ()}
    filled = dict(data, flags=[f if f.get("text_en") is not None else
                               dict(f, text_en=english.get(f.get("code")) or f.get("text_nl", ""))
                               for f in flags])
    try:
        with transaction.atomic():
            row = AdviceAlert.objects.select_for_update().filter(pk=alert.pk).first()
            if row is not None and row.data == data:
                row.data = filled
                row.save(update_fields=["data"])
    except Exception as exc:  # showing the alert matters more than keeping the translation
        log.warning("alert translation not stored: %s", type(exc).__name__)
    alert.data = filled
    return filled


def shown(alert, language: str) -> dict[str, Any]:
    """An alert ready for the template, in ``language``."""
    data = _fill_english(alert) if language == "en" else (alert.data or {})
    flags = data.get("flags", [])
    return {
        "id": alert.pk, "level": alert.level, "sleeper_id": alert.sleeper_id,
        "for_partner": alert.user_id != alert.sleeper_id,
        "texts": [f.get(f"text_{language}") or f.get("text_nl", "") for f in flags],
        "routes": [{"label": r.get(f"label_{language}") or r.get("label_nl", ""), "phone": r["phone"],
                    "href": r["href"]} for r in data.get("routes", [])],
    }


def unread_for(user, language: str, sleepers: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    """The newest unread alert per sleeper for ``user``, ready for the template."""
    from nachtwacht.web.alerts.models import AdviceAlert
    from nachtwacht.web.convert import prepared_rows

    # On every start page: only the columns shown, no join (the sleeper's row is not
    # shown), from a kept statement (web/convert.py prepared_rows).
    cols = ("id", "user_id", "sleeper_id", "level", "data")
    if sleepers is None:
        rows = prepared_rows(("unread_alerts",), user.pk, lambda s: AdviceAlert.objects.filter(
            user_id=s, read_at__isnull=True).order_by("-created", "-id").values_list(*cols)[:10])
    else:
        rows = AdviceAlert.objects.filter(user=user, read_at__isnull=True, sleeper__in=list(sleepers)).order_by(
            "-created", "-id").values_list(*cols)[:10]
    out, seen = [], set()
    for alert in (AdviceAlert(**dict(zip(cols, row, strict=True))) for row in rows):
        if alert.sleeper_id not in seen:
            seen.add(alert.sleeper_id)
            out.append(shown(alert, language))
    return out


def mark_read(user, pk: int) -> bool:
    """Mark one of ``user``'s alerts as read; False if it is not theirs."""
    from nachtwacht.web.alerts.models import AdviceAlert

    return AdviceAlert.objects.filter(user=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()) > 0
