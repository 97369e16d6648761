"""Triage, the plan with experiments and knowledge pages (the GP report is in ``report.py``)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nachtwacht.web.access import owned_or_404, sleeper_required
from nachtwacht.web.convert import diary_for
from nachtwacht.web.core import call, optional
from nachtwacht.web.forms import lang
from nachtwacht.web.front.models import Experiment
from nachtwacht.web.views.dashboard import cached_insight, device_nights_for

log = logging.getLogger("nachtwacht.web")

LEVEL_ORDER = ("self_care", "gp_routine", "gp_soon", "urgent")


def _triage(diary, language: str, owner: object = None):
    # The same cached analysis as the dashboard: triage and plan views do not recompute it.
    insight, _problem = cached_insight(diary, language, owner) if len(diary.nights) >= 14 else (None, None)
    # Device nights (issue #17): the body-clock rules also read the watch's times, and the
    # plan items they trigger follow; checked against the diary's contraindications.
    device = device_nights_for(owner)  # the sleeper's own pages only
    extra = {"device_nights": device} if device else {}
    result, problem = call("nachtwacht.triage", "assess", diary, insight=insight, lang=language,
                           **extra)
    return result, problem


def _knowledge_link(slug: str | None, language: str):
    if not slug:
        return None
    page, _problem = call("nachtwacht.knowledge", "page", slug, language)
    return page


def _with_routes(flag: dict, language: str) -> dict:
    """A flag dict plus ``shown_routes``: its phone routes as tap-to-call links."""
    from nachtwacht.web.alerts.advice import normalise_route

    routes = [r for r in (normalise_route(x) for x in flag.get("routes") or []) if r]
    return dict(flag, shown_routes=[{"label": r[f"label_{language}"], "phone": r["phone"],
                                     "href": r["href"]} for r in routes])


@sleeper_required
def triage_view(request):
    language = lang()
    diary = diary_for(request.user)
    result, problem = _triage(diary, language, request.user)
    ctx: dict = {"problem": problem, "n_nights": len(diary.nights)}
    if result is not None:
        data = result.to_dict()
        ctx["level"] = data.get("level")
        ctx["flags"] = [_with_routes(f, language) for f in data.get("flags", [])]
        ctx["differentials"] = data.get("differentials", [])
    return render(request, "nachtwacht/triage.html", ctx)


def _library(language: str) -> list[tuple[str, str]]:
    """Experiments the insight core knows, as (code, title in ``language``)."""
    mod = optional("nachtwacht.insight.experiments")
    lib = getattr(mod, "LIBRARY", {}) if mod is not None else {}
    return [(code, t.title_en if language == "en" else t.title_nl) for code, t in lib.items()]


def _experiment_results(user, diary, language: str) -> list[dict]:
    out = []
    mod = optional("nachtwacht.insight.experiments")
    for e in Experiment.objects.filter(sleeper=user).order_by("-started"):
        text = None
        if mod is not None and e.code in getattr(mod, "LIBRARY", {}):
            exp = mod.make(e.code, e.started, e.ended)
            res, _p = call("nachtwacht.insight.experiments", "compare", diary, exp, lang=language)
            text = getattr(res, "text", None)
        title = dict(_library(language)).get(e.code, e.title)
        out.append({"e": e, "title": title, "text": text})
    return out


@sleeper_required
def plan_view(request):
    language = lang()
    diary = diary_for(request.user)
    result, problem = _triage(diary, language, request.user)
    plan = []
    if result is not None:
        for item in result.to_dict().get("plan", []):
            item = dict(item)
            item["page"] = _knowledge_link(item.get("knowledge_slug"), language)
            plan.append(item)
    running = {e.code for e in Experiment.objects.filter(sleeper=request.user, ended__isnull=True)}
    return render(request, "nachtwacht/plan.html", {
        "plan": plan, "problem": problem,
        "available": [(c, t) for c, t in _library(language) if c not in running],
        "experiments": _experiment_results(request.user, diary, language)})


@sleeper_required
@require_POST
def experiment_start(request):
    code = request.POST.get("code", "").strip()
    titles = dict(_library(lang()))
    if code not in titles:
        raise Http404("no such experiment")
    title = titles[code]
    if not Experiment.objects.filter(sleeper=request.user, code=code, ended__isnull=True).exists():
        Experiment.objects.create(sleeper=request.user, code=code, title=title, started=timezone.localdate())
    messages.success(request, _("Experiment started. Keep filling in the diary; we compare the nights."))
    return redirect("plan")


@sleeper_required
@require_POST
def experiment_stop(request, pk: int):
    e = owned_or_404(Experiment, request, pk=pk)
    e.ended = timezone.localdate()
    e.save(update_fields=["ended"])
    messages.success(request, _("Experiment stopped."))
    return redirect("plan")


def knowledge_index(request):
    language = lang()
    query = request.GET.get("q", "").strip()[:200]
    if query:
        pages, problem = call("nachtwacht.knowledge", "search", query, language)
    else:
        pages, problem = call("nachtwacht.knowledge", "pages", language)
    return render(request, "nachtwacht/knowledge_index.html",
                  {"pages": pages or [], "q": query, "problem": problem})


def knowledge_page(request, slug: str):
    language = lang()
    mod = optional("nachtwacht.knowledge")
    if mod is None or not hasattr(mod, "page"):
        return render(request, "nachtwacht/knowledge_index.html", {"pages": [], "problem": "missing"})
    try:
        page = mod.page(slug, language)
    except (KeyError, LookupError, ValueError):
        raise Http404("no such page") from None
    return render(request, "nachtwacht/knowledge_page.html", {"page": page})
