"""Home, the dashboard (chart, calendar, trends, findings) and the shared clinician view."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import logging
import os
import time

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.db.models.signals import post_delete
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

import nachtwacht
from nachtwacht.diary.fields import spec
from nachtwacht.diary.metrics import night_metrics, period_metrics
from nachtwacht.web import chart, dashboard_html
from nachtwacht.web.access import (
    clinician_required,
    live_share_or_404,
    share_parts,
    sleeper_required,
)
from nachtwacht.web.convert import diary_for
from nachtwacht.web.core import call, optional
from nachtwacht.web.forms import lang
from nachtwacht.web.sharing.models import ClinicianShare

#: Nights needed before the trigger analysis says anything useful.
MIN_NIGHTS_INSIGHT = 14
MIN_NIGHTS_TRENDS = 3
CHART_NIGHTS = 28
#: Cache shared by all server processes (settings.CACHES) for the trigger analysis.
INSIGHT_CACHE = "shared"

log = logging.getLogger("nachtwacht.web")


def home(request):
    user = request.user
    if user.is_authenticated:
        return redirect({"sleeper": "dashboard", "partner": "partner_home",
                         "clinician": "clinician_home"}.get(user.role, "dashboard"))
    return render(request, "nachtwacht/landing.html")


def _calendar(episodes, language: str) -> list[dict]:
    """Month grids (latest two months with data) with the number of episodes per day."""
    if not episodes:
        return []
    counts: dict[dt.date, int] = {}
    for e in episodes:
        counts[e.date] = counts.get(e.date, 0) + e.n
    last, first = max(counts), min(counts)
    months = []
    y, m = last.year, last.month
    n_months = 2 if (first.year, first.month) != (last.year, last.month) else 1
    for _i in range(n_months):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(y, m):
            weeks.append([{"day": d, "in_month": d.month == m, "n": counts.get(d, 0)} for d in week])
        months.insert(0, {"title": dt.date(y, m, 1), "weeks": weeks})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months


def diary_version(diary) -> str:
    """A digest of everything the analysis reads: equal digests, equal results.

    Keyed by content rather than by a counter or ``max(updated)``: bulk CSV imports
    send no save signals, deletions leave no timestamp, and a clinician sees only the
    parts shared with them, so the content is the one version no write path can skip.
    Hashing the diary costs about a millisecond; the analysis about a second.
    """
    text = f"{nachtwacht.__version__}|{diary!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def device_nights_for(owner, diary=None) -> list | None:
    """``owner``'s device nights (watch or actigraph uploads; the newest wins a date), or None.

    With ``diary`` (a view that may show a clinician the shared parts only): only beside
    a diary with nights. The trigger analysis uses a device night only on a date the
    diary (as shared) has, and a clinician who is not shown the nights gets none, as in
    the report (``device.summary_for``).
    """
    if getattr(owner, "pk", None) is None or (diary is not None and not diary.nights):
        return None
    from nachtwacht.web.convert import prepared_rows
    from nachtwacht.web.front.models import DeviceUpload

    # Asked on every dashboard, and nearly always empty: a kept statement, no model rows.
    stored = [row[0] for row in prepared_rows(("device_uploads",), owner.pk, lambda s: (
        DeviceUpload.objects.filter(sleeper_id=s).order_by("-created", "-id").values_list("summary")[:10]))]
    mod = optional("nachtwacht.device.summary") if stored else None
    if mod is None:
        return None
    try:
        merged = mod.summary_from_json(stored)
    except (KeyError, TypeError, ValueError) as exc:  # a damaged upload must not take the page down
        log.warning("device nights unreadable: %s", type(exc).__name__)
        return None
    return list(merged.nights) if merged is not None and merged.nights else None


def refresh_window() -> float:
    """Seconds an analysis may lag behind the diary on the dashboard (0: never)."""
    try:
        return max(0.0, float(os.environ.get("NACHTWACHT_INSIGHT_REFRESH_S", "60")))
    except ValueError:
        return 60.0


def _device_digest(device: list | None) -> str:
    if not device:
        return ""
    return hashlib.sha256(repr([(n.date, n.source, n.tst_min, n.waso_min)
                               for n in device]).encode("utf-8")).hexdigest()[:16]


def insight_for(diary, language: str, owner: object = None, *, scope: str | None = None,
                read_at: float | None = None):
    """The trigger analysis of ``diary``, or a recent one of the same viewer (the dashboard).

    Returns ``(result, problem, as_of)``. ``as_of`` is None for the analysis of exactly
    this diary; otherwise it is the time (``time.time()``) the diary was read for the
    analysis shown, at most :func:`refresh_window` seconds ago. The analysis costs more
    than the rest of the dashboard together (bench/bench_web.py) and every save changes
    the diary, so the page after a save would always pay for it: instead the last
    analysis of the same viewer (``scope``: which parts of the diary they see), language
    and device data is shown for a short while, with a note saying so. ``read_at`` is the
    time taken *before* the diary was read; reuse needs both it and ``scope``.

    Deleted data never stays in what is shown: a deletion stamps the owner
    (:func:`forget_insight`), and an analysis whose diary was read before that stamp is
    not reused, even one a request still in flight stores afterwards.
    """
    device = device_nights_for(owner, diary)
    digest = _device_digest(device)
    version = diary_version(diary) + (f"-{digest}" if digest else "")
    pk = getattr(owner, "pk", "-")
    key = f"nw-insight:{pk}:{language}:{version}"
    window = refresh_window()
    last = (f"nw-insight:{pk}:last:{scope}:{language}:{digest or '-'}"
            if scope and read_at is not None and window > 0 and pk != "-" else None)
    gone = f"nw-insight-gone:{pk}"
    cache = caches[INSIGHT_CACHE]
    try:  # one query for all three
        got = cache.get_many([key, last, gone] if last else [key])
    except Exception as exc:  # e.g. migrate not run yet: compute, as without a cache
        log.warning("insight cache unavailable: %s", type(exc).__name__)
        got = {}
    if got.get(key) is not None:
        return got[key], None, None
    lease = None
    if last and isinstance(got.get(last), tuple):
        at, result = got[last]
        age = time.time() - at
        if at > got.get(gone, 0.0):
            if age < window * _spread(at):
                return result, None, at
            # Due. One request works it out; the others keep showing this one meanwhile
            # (for at most LEASE_S more): without that, every page of a busy viewer that
            # arrived while the analysis ran started one more, and under load those piled up.
            lease = f"nw-insight:{pk}:lease:{scope}:{language}:{digest or '-'}"
            if age < window + LEASE_S and not _claim(cache, lease):
                return result, None, at
    extra = {"device_nights": device} if device else {}
    result, problem = call("nachtwacht.insight", "analyse", diary, lang=language, **extra)
    try:
        if result is not None:  # failures are not cached: the next view tries again
            cache.set_many({key: result, last: (read_at, result)} if last else {key: result})
        if lease:
            cache.delete(lease)
    except Exception as exc:
        log.warning("insight cache unavailable: %s", type(exc).__name__)
    return result, problem, None


#: Seconds a request may take to renew a viewer's analysis before another one may try.
LEASE_S = 30


def _spread(at: float) -> float:
    """A factor in [0.75, 1) fixed for the analysis made at ``at``.

    Analyses made together (a morning rush, or a load test's first pages) would all
    fall due together and be worked out at the same moment; a window shortened by a
    different factor for each spreads them over a quarter of the window.
    """
    return 0.75 + 0.25 * ((at * 1000.0) % 1.0)


def _claim(cache, lease: str) -> bool:
    """Whether this request may renew the analysis (``cache.add`` is first-come)."""
    try:
        return bool(cache.add(lease, 1, LEASE_S))
    except Exception as exc:  # no cache: each request works it out, as without the window
        log.warning("insight cache unavailable: %s", type(exc).__name__)
        return True


def cached_insight(diary, language: str, owner: object = None):
    """``nachtwacht.insight.analyse`` once per diary version and language, for every worker.

    Always the analysis of exactly this diary (the advice and plan pages); the owner's
    device nights (issue #17) are outcomes too, so they are part of the key.
    """
    result, problem, _as_of = insight_for(diary, language, owner)
    return result, problem


def forget_insight(owner) -> None:
    """Drop every cached analysis of ``owner`` (a deletion: no findings stay behind).

    ``owner`` is a user or its primary key. The keys hold a digest, so they cannot be
    named one by one: the database cache's table is cleared by key prefix; another
    backend needs ``delete_pattern`` (django-redis). Then the owner is stamped with the
    time, so an analysis of a diary read before the deletion is never shown again
    (:func:`insight_for`), not even one a parallel request stores after this.
    """
    pk = getattr(owner, "pk", owner)
    # The triage's value-keyed tables in this process may hold figures and words of the
    # deleted rows (triage/shared.py); other workers drop theirs when full or at restart.
    shared = optional("nachtwacht.triage.shared")
    if shared is not None:
        shared.clear()
    cache = caches[INSIGHT_CACHE]
    prefix = cache.make_key(f"nw-insight:{pk}:")
    try:
        if isinstance(cache, DatabaseCache):
            db = router.db_for_write(cache.cache_model_class)
            table = connections[db].ops.quote_name(cache._table)
            with connections[db].cursor() as cur:
                cur.execute(f"DELETE FROM {table} WHERE cache_key LIKE %s", [prefix + "%"])  # noqa: S608
        elif hasattr(cache, "delete_pattern"):
            cache.delete_pattern(f"nw-insight:{pk}:*")
        cache.set(f"nw-insight-gone:{pk}", time.time())
    except Exception as exc:  # the deletion itself must go on; the entries expire within a day
        log.warning("insight cache not cleared: %s", type(exc).__name__)


def _forget_after_commit(sender, instance, **kwargs) -> None:
    """A night or episode deleted (any path: a page, a cascade, the admin): forget after commit.

    After the commit, so a diary read after the stamp cannot still hold the row; once
    per sleeper and transaction, so deleting an account with a year of nights clears
    the cache once, not once per night (a rolled-back transaction drops its callbacks).
    """
    pk = getattr(instance, "sleeper_id", None)
    if pk is None:
        return
    conn = transaction.get_connection(router.db_for_write(sender))
    if any(getattr(item[1], "nw_forget", None) == pk for item in getattr(conn, "run_on_commit", ())):
        return
    run = functools.partial(forget_insight, pk)
    run.nw_forget = pk  # type: ignore[attr-defined]
    transaction.on_commit(run, using=conn.alias)


def connect_deletions() -> None:
    """Connect the forget-on-delete hook (called by the front app's ``ready()``, so a
    worker or management command that never loads the views is covered too)."""
    from nachtwacht.web.diary.models import Episode, Night

    for model in (Night, Episode):
        post_delete.connect(_forget_after_commit, sender=model, dispatch_uid=f"nw-forget-{model.__name__}")


#: The note under findings shown from a recent analysis (``{time}``: when it was made;
#: ``{wait}``: the window). In code, like the conflict texts: one pair, chosen by language.
STALE_NOTE = {
    "nl": "Bijgewerkt om {time}; uw laatste wijziging telt over hooguit {wait} mee.",
    "en": "Updated at {time}; your latest change will count within {wait} at most.",
}
#: The same for a clinician: the change is the sleeper's, not theirs.
STALE_NOTE_SHARED = {
    "nl": "Bijgewerkt om {time}; de laatste wijziging in het dagboek telt over hooguit {wait} mee.",
    "en": "Updated at {time}; the latest change to the diary will count within {wait} at most.",
}
_WAIT = {"nl": ("een minuut", "{n} minuten"), "en": ("a minute", "{n} minutes")}


def stale_note(as_of: float, language: str, *, own: bool = True) -> str:
    """The note for findings of a diary read at ``as_of``, in the active time zone.

    ``own``: the viewer is the sleeper (else a clinician, who changed nothing).
    """
    when = timezone.localtime(dt.datetime.fromtimestamp(as_of, tz=dt.UTC))
    minutes = max(1, -(-int(refresh_window()) // 60))
    one, many = _WAIT["en" if language == "en" else "nl"]
    wait = one if minutes == 1 else many.format(n=minutes)
    texts = STALE_NOTE if own else STALE_NOTE_SHARED
    return texts["en" if language == "en" else "nl"].format(time=when.strftime("%H:%M"), wait=wait)


def _findings(diary, language: str, owner: object = None, *, scope: str | None = None,
              read_at: float | None = None) -> tuple[list[dict], str | None, float | None]:
    result, problem, as_of = insight_for(diary, language, owner, scope=scope, read_at=read_at)
    if result is None:
        return [], problem, None
    out = []
    for f in getattr(result, "findings", []):
        effect = dict(getattr(f, "effect", {}) or {})
        measure = str(effect.get("measure") or "")
        # The estimate sits under the measure's own name, or "ratio"/"difference".
        est = next((effect[k] for k in (measure, "ratio", "difference", "estimate") if
                    isinstance(effect.get(k), int | float)), None)
        ratio = "ratio" in measure
        svg = ""
        if isinstance(est, int | float):
            svg = chart.interval_svg(float(est), f.ci_low, f.ci_high, ratio=ratio,
                                     title=_("Estimate with 95% interval"))
        out.append({"f": f, "text": f.text_en if language == "en" else f.text_nl, "svg": svg,
                    "measure": measure, "estimate": est, "ratio": ratio})
    return out, None, as_of


def dashboard_context(diary, language: str, *, with_insight: bool = True, owner: object = None,
                      scope: str | None = None, read_at: float | None = None) -> dict:
    """Everything the dashboard shows, computed from a core :class:`Diary` of ``owner``.

    ``scope`` and ``read_at`` (see :func:`insight_for`) let the findings come from the
    same viewer's analysis of a few seconds ago; ``insight_note`` then says so.
    """
    nights = diary.nights
    type_spec = spec("episode", "type")
    recent_nights = [n for n in nights][-CHART_NIGHTS:]
    cutoff = recent_nights[0].date if recent_nights else None
    recent_eps = [e for e in diary.episodes if cutoff is None or e.date >= cutoff]
    # Once per night: the chart, the table, the trends and the period show the same figures.
    per = [night_metrics(n, diary.tz) for n in recent_nights]
    rows = chart.rows(recent_nights, recent_eps, diary.tz, metrics=per)
    chart_kw = {"title": _("Sleep diary chart"),
                "desc": _("One row per night from 18:00 to 18:00. Light bar: in bed. Dark bar: asleep. "
                          "Dots: episodes."),
                "type_label": lambda c: type_spec.choice_label(c, language)}
    # Both layouts go to the page; CSS shows the compact one on a phone (web/chart.py).
    svg = (chart.diary_svg(rows, **chart_kw) + chart.diary_svg(rows, compact=True, **chart_kw)) if rows else ""
    table = []
    for n, m in zip(recent_nights[::-1], per[::-1], strict=True):
        table.append({"n": n, "m": m, "eps": [type_spec.choice_label(e.type, language)
                                              for e in recent_eps if e.date == n.date]})
    months = _calendar(diary.episodes, language)
    # The loops as HTML built in Python (web/dashboard_html.py: the template's loops were
    # most of the page's rendering time); ``table`` and ``calendar`` stay as their data.
    ctx: dict = {"svg": svg, "table": table, "n_nights": len(nights), "n_episodes": len(diary.episodes),
                 "calendar": months, "table_html": dashboard_html.table_rows_html(table),
                 "calendar_html": dashboard_html.calendar_html(months)}
    if len(nights) >= MIN_NIGHTS_TRENDS:
        ctx["trends"] = [
            {"label": _("Minutes to fall asleep"), "svg": chart.trend_svg([m.sol_min for m in per], title=_("Minutes to fall asleep"), unit=" min", lo=0)},
            {"label": _("Minutes awake in the night"), "svg": chart.trend_svg([m.waso_min for m in per], title=_("Minutes awake in the night"), unit=" min", lo=0)},
            {"label": _("Sleep efficiency (%)"), "svg": chart.trend_svg([m.se_pct for m in per], title=_("Sleep efficiency (%)"), unit="%", lo=0, hi=100)},
        ]
        ctx["period"] = period_metrics(recent_nights, diary.tz, metrics=per)
    else:
        ctx["trends_needed"] = MIN_NIGHTS_TRENDS - len(nights)
    if with_insight:
        if len(nights) >= MIN_NIGHTS_INSIGHT:
            ctx["findings"], ctx["insight_problem"], as_of = _findings(
                diary, language, owner, scope=scope, read_at=read_at)
            ctx["findings_html"] = dashboard_html.findings_html(ctx["findings"])
            if as_of is not None:
                ctx["insight_note"] = stale_note(as_of, language, own=scope == "all")
        else:
            ctx["insight_needed"] = MIN_NIGHTS_INSIGHT - len(nights)
    return ctx


@sleeper_required
def dashboard(request):
    read_at = time.time()  # before the read: see insight_for
    diary = diary_for(request.user)
    ctx = dashboard_context(diary, lang(), owner=request.user, scope="all", read_at=read_at)
    return render(request, "nachtwacht/dashboard.html", ctx)


@clinician_required
def clinician_home(request):
    shares = [s for s in ClinicianShare.objects.filter(clinician=request.user).select_related("sleeper")
              if s.is_live()]
    return render(request, "nachtwacht/clinician_home.html", {"shares": shares})


@clinician_required
def clinician_view(request, share_id: int):
    share = live_share_or_404(request, share_id, "dashboard")
    parts = share_parts(share)
    read_at = time.time()
    diary = diary_for(share.sleeper, parts=parts)
    language = lang()
    # The scope names what this viewer sees: a clinician never gets an analysis of parts
    # (private episodes, say) that the sleeper did not share with them.
    ctx = dashboard_context(diary, language, owner=share.sleeper, scope=",".join(sorted(parts)),
                            read_at=read_at)
    ctx["share"] = share
    # The sleeper's "notes" choice shows their own free text here (newest first), and
    # only then: without it the diary above carries no note at all.
    if share.allows("notes"):
        type_spec = spec("episode", "type")
        notes = [(n.date, _("night"), n.notes) for n in diary.nights if n.notes]
        notes += [(e.date, type_spec.choice_label(e.type, language), e.notes) for e in diary.episodes if e.notes]
        ctx["notes"] = sorted(notes, key=lambda x: x[0], reverse=True)[:200]
    else:
        ctx["notes"] = None
    return render(request, "nachtwacht/clinician_view.html", ctx)
