"""Morning and evening reminders by e-mail and Web Push (issue #14 item 3).

A timer runs ``nachtwacht manage send_reminders`` every few minutes (or the worker
runs the ``send_reminders`` task); page views never send anything. Each run sends
what is due: a reminder whose time has passed today in the person's own time zone,
at most :data:`LATE_LIMIT` late (a runner that was down does not send a morning
reminder in the evening), not on a quiet day, not twice on one day (the sent date is
claimed in the database before sending), and a morning reminder only when last
night is not in the diary yet.

Messages hold no health data: a push service or mail server sees only "how was
your night?" and a link. Web Push is signed with the site's VAPID key (pywebpush);
e-mail goes through Django's mail settings with a one-tap unsubscribe link and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from nachtwacht.web.quick.models import PushSubscription, ReminderSetting

log = logging.getLogger(__name__)
LATE_LIMIT = dt.timedelta(hours=3)
_SALT = "nachtwacht.reminders.unsubscribe"

TEXT = {
    "morning": {"nl": ("Hoe was uw nacht?", "Vul de afgelopen nacht in; het duurt ongeveer 20 seconden."),
                "en": ("How was your night?", "Fill in last night; it takes about 20 seconds.")},
    "evening": {"nl": ("Tijd om af te bouwen", "Neem de tijd om tot rust te komen voor het slapen, "
                       "en denk aan de stap van uw experiment als u er een doet."),
                "en": ("Time to wind down", "Take time to settle before sleep, and remember your "
                       "experiment's step if you are doing one.")},
}
#: A bed partner's morning reminder asks what they saw and leads to their own log.
PARTNER_MORNING = {"nl": ("Heeft u vannacht iets gezien?", "Schrijf op wat u zag of hoorde; het duurt maar even."),
                   "en": ("Did you notice anything last night?", "Write down what you saw or heard; "
                          "it only takes a moment.")}
FOOT = {"nl": "U krijgt deze herinnering omdat u die in Nachtwacht heeft aangezet. Uitzetten met één tik:",
        "en": "You get this reminder because you turned it on in Nachtwacht. Turn it off with one tap:"}


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or the site's when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def due(rs: ReminderSetting, now: dt.datetime, night_logged: bool) -> list[str]:
    """The reminder kinds (``morning``/``evening``) due for ``rs`` at ``now`` (aware)."""
    local = now.astimezone(zone(rs.timezone))
    if str(local.isoweekday()) in rs.quiet_days:
        return []
    out = []
    for kind in ("morning", "evening"):
        if not getattr(rs, f"{kind}_on") or getattr(rs, f"{kind}_sent") == local.date():
            continue
        at = dt.datetime.combine(local.date(), getattr(rs, f"{kind}_time"), tzinfo=local.tzinfo)
        if not at <= local < at + LATE_LIMIT:
            continue
        if kind == "morning" and night_logged:
            continue
        out.append(kind)
    return out


#: How long the unsubscribe link in a reminder e-mail works. The token must sit in the
#: URL path (RFC 8058 one-click posts to the List-Unsubscribe URL itself), so it reaches
#: access logs; a limited life bounds what a leaked log line can still do. A reminder
#: mail is at most a day old when read, so 60 days leaves every recent mail working.
UNSUBSCRIBE_MAX_AGE_S = 60 * 24 * 3600


def unsubscribe_token(user) -> str:
    """A signed, time-stamped token (``signing.dumps`` stamps it) naming ``user``."""
    return signing.dumps(user.pk, salt=_SALT)


def user_from_token(token: str):
    from django.contrib.auth import get_user_model

    try:
        # Links already sent keep working while younger than the maximum age: dumps()
        # has always stamped the time, only nobody checked it.
        pk = signing.loads(token, salt=_SALT, max_age=UNSUBSCRIBE_MAX_AGE_S)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def _lang(user) -> str:
    return "en" if (getattr(user, "language", "") or "nl").startswith("en") else "nl"


def _message(user, kind: str) -> tuple[str, str, str]:
    """Title, line and the page to open, in the person's language and for their role."""
    language = _lang(user)
    if getattr(user, "role", "") == "partner":
        title, line = PARTNER_MORNING[language] if kind == "morning" else TEXT[kind][language]
        return title, line, reverse("partner_home")
    title, line = TEXT[kind][language]
    return title, line, reverse("quick_night") if kind == "morning" else reverse("plan")


def send_email(user, kind: str) -> bool:
    language = _lang(user)
    subject, body, page = _message(user, kind)
    site = settings.SITE_URL.rstrip("/")
    off = site + reverse("reminders_off", args=[unsubscribe_token(user)])
    with translation.override(language):
        msg = EmailMessage(
            subject=f"Nachtwacht: {subject}",
            body=f"{body}\n\n{site}{page}\n\n{FOOT[language]}\n{off}\n",
            to=[user.email],
            headers={"List-Unsubscribe": f"<{off}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    return msg.send(fail_silently=False) == 1


def send_push(user, kind: str) -> int:
    """Send to every subscription of ``user``; forget those the push service says are gone."""
    if not settings.VAPID_PRIVATE_KEY:
        return 0
    from pywebpush import WebPushException, webpush

    title, body, page = _message(user, kind)
    payload = json.dumps({"title": title, "body": body, "url": page})
    sent = 0
    for sub in PushSubscription.objects.filter(user=user):
        try:
            webpush({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                    data=payload, vapid_private_key=settings.VAPID_PRIVATE_KEY,
                    vapid_claims={"sub": settings.VAPID_SUBJECT}, timeout=10, ttl=3 * 3600)
            sent += 1
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):  # unsubscribed in the browser: stop trying
                sub.delete()
            else:
                log.warning("web push failed (status %s)", status)
    return sent


def send_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now``; return counts (for the command's output)."""
    from nachtwacht.web.diary.models import Night

    now = now or timezone.now()
    counts = {"email": 0, "push": 0, "skipped": 0}
    for rs in ReminderSetting.objects.select_related("user").filter(user__is_active=True):
        local_day = now.astimezone(zone(rs.timezone)).date()
        logged = (rs.user.role == "sleeper"
                  and Night.objects.filter(sleeper=rs.user, date=local_day).exists())
        for kind in due(rs, now, logged):
            # Claim the day first: two runners at once send one reminder.
            with transaction.atomic():
                claimed = (ReminderSetting.objects.filter(pk=rs.pk)
                           .exclude(**{f"{kind}_sent": local_day})
                           .update(**{f"{kind}_sent": local_day}))
            if not claimed:
                counts["skipped"] += 1
                continue
            if rs.by_email and rs.user.email:
                try:
                    counts["email"] += send_email(rs.user, kind)
                except OSError as exc:
                    log.warning("reminder e-mail failed: %s", exc)
            if rs.by_push:
                counts["push"] += send_push(rs.user, kind)
    return counts
