"""The morning diary, episodes, the partner log, tracked factors and the profile."""

from __future__ import annotations

import datetime as dt
import statistics

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nachtwacht.diary.fields import NIGHT_FIELDS, factor_fields, spec
from nachtwacht.web import partner_html
from nachtwacht.web.access import (
    owned_or_404,
    partner_link_or_404,
    partner_parts,
    partner_required,
    sleeper_required,
)
from nachtwacht.web.accounts.models import Profile
from nachtwacht.web.alerts.advice import check_after_save, current_flags, for_page
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.forms import EpisodeForm, NightForm, PartnerEpisodeForm, ProfileForm, lang
from nachtwacht.web.views.dashboard import forget_insight

#: Always in the morning form: the Consensus Sleep Diary core.
CORE = ("date", "bedtime", "lights_out", "sol_min", "awakenings", "waso_min", "final_wake",
        "out_of_bed", "quality", "rested")
#: What a sleeper can choose to track on the settings page.
TRACKABLE = tuple(f.name for f in factor_fields()) + ("tension", "pain")
CLOCK_CORE = ("bedtime", "lights_out", "final_wake", "out_of_bed")


def today() -> dt.date:
    return timezone.localdate()


def _median_clock(times: list[dt.time], anchor: str) -> dt.time | None:
    """Median of clock times, counted from noon for evening times so 23:30 and 00:30 average well."""
    if not times:
        return None
    shift = 720 if anchor == "evening" else 0
    mins = [((t.hour * 60 + t.minute) - shift) % 1440 for t in times]
    m = int(round(statistics.median(mins))) + shift
    m = (m // 5 * 5) % 1440  # round to five minutes: nobody knows it to the minute
    return dt.time(m // 60, m % 60)


def prefill(user, day: dt.date) -> dict:
    """Defaults for a new night from the median of the last 14 nights."""
    recent = list(Night.objects.filter(sleeper=user, date__lt=day).order_by("-date")[:14])
    initial: dict = {"date": day}
    for name in CLOCK_CORE:
        anchor = spec("night", name).anchor
        val = _median_clock([getattr(n, name) for n in recent if getattr(n, name)], anchor)
        if val:
            initial[name] = val
    return initial


def night_names(user) -> list[str]:
    tracked = set(user.tracked_fields())
    return [f.name for f in NIGHT_FIELDS if f.name in CORE or f.name in tracked or f.name == "notes"]


#: Shown when another tab or device saved the night after this form was opened.
CONFLICT_TEXT = {
    "nl": ("Deze nacht is intussen ergens anders gewijzigd, bijvoorbeeld in een ander "
           "tabblad of op uw telefoon. Uw wijziging is niet opgeslagen, zodat er niets "
           "overschreven wordt. Hieronder staat wat nu bewaard is. Pas het zo nodig "
           "opnieuw aan en sla dan op."),
    "en": ("This night was changed somewhere else in the meantime, for example in another "
           "tab or on your phone. Your change was not saved, so nothing gets overwritten. "
           "Below is what is stored now. Change it again if needed, then save."),
}
YOURS_TEXT = {"nl": "Wat u had ingevuld:", "en": "What you had entered:"}


def night_version(row: Night) -> str:
    """Version token of a stored night: its last-saved time to the microsecond.

    The edit form carries it; a save whose token no longer matches was made from a
    stale form (another tab saved in between) and is refused instead of silently
    overwriting the other change (optimistic concurrency).
    """
    return row.updated.isoformat() if row.updated else ""


class _StaleNightError(Exception):
    """Raised inside the save transaction when the posted version is outdated."""


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def _differences(posted: dict, current: Night, names: list[str], language: str) -> list[tuple[str, str]]:
    """Fields where the refused submission differs from what is stored, labelled."""
    out = []
    for name in names:
        if name not in posted:
            continue
        mine, theirs = posted[name], getattr(current, name, None)
        if isinstance(mine, list):
            mine = tuple(mine)
        if isinstance(theirs, list):
            theirs = tuple(theirs)
        if (mine or None) != (theirs or None):
            out.append((spec("night", name).label(language), _display(mine)))
    return out


@sleeper_required
def night_edit(request, day: str | None = None):
    """Add today's night (prefilled) or edit the night of ``day``."""
    row = None
    if day is not None:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise Http404("bad date") from None
        row = owned_or_404(Night, request, date=when)
    names = night_names(request.user)
    version = night_version(row) if row is not None else ""
    if request.method == "POST":
        form = NightForm(request.POST, names=names)
        # A form without a version (a script, an old cached page) is saved as before.
        posted_version = request.POST.get("version", "").strip()
        version = posted_version
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items()}
            try:
                with transaction.atomic():
                    if row is None:
                        existing = Night.objects.filter(sleeper=request.user, date=values["date"]).first()
                        if existing is not None:
                            form.add_error("date", _("There is already a night for this date. "
                                                     "Open it from the list to change it."))
                            raise IntegrityError
                        row = Night(sleeper=request.user)
                    else:
                        # Re-read under the write lock so two saves cannot both pass the check.
                        current = Night.objects.select_for_update().filter(pk=row.pk).first()
                        if current is None:
                            raise Http404("night deleted meanwhile")
                        if posted_version and posted_version != night_version(current):
                            row = current
                            raise _StaleNightError
                        row = current
                        moved = values["date"] != row.date
                        if moved and Night.objects.filter(sleeper=request.user, date=values["date"]).exists():
                            form.add_error("date", _("There is already a night for this date. "
                                                     "Open it from the list to change it."))
                            raise IntegrityError
                    for k, v in values.items():
                        setattr(row, k, v)
                    # Uniqueness is the database's to decide: a row another request committed
                    # meanwhile then raises IntegrityError (answered below), not ValidationError.
                    # The sleeper is the signed-in user: no query to check that they exist.
                    row.full_clean(exclude=["sleeper"], validate_unique=False, validate_constraints=False)
                    row.save()
            except IntegrityError:
                if not form.errors:
                    form.add_error("date", _("There is already a night for this date."))
            except _StaleNightError:
                language = lang()
                conflict = {"text": CONFLICT_TEXT[language], "yours_title": YOURS_TEXT[language],
                            "yours": _differences(values, row, names, language)}
                fresh = NightForm(initial={n: getattr(row, n) for n in names}, names=names)
                return render(request, "nachtwacht/night_form.html",
                              {"form": fresh, "row": row, "version": night_version(row),
                               "conflict": conflict}, status=409)
            else:
                messages.success(request, _("Night saved. Sleep well tonight."))
                check_after_save(request, request.user, next_page="dashboard")
                return redirect("dashboard")
    else:
        if row is not None:
            initial = {n: getattr(row, n) for n in names}
        else:
            initial = prefill(request.user, today())
            taken = Night.objects.filter(sleeper=request.user, date=initial["date"]).exists()
            if taken:
                return redirect("night_edit", day=initial["date"].isoformat())
        form = NightForm(initial=initial, names=names)
    return render(request, "nachtwacht/night_form.html", {"form": form, "row": row, "version": version})


@sleeper_required
def night_list(request):
    nights = Night.objects.filter(sleeper=request.user).order_by("-date")
    episodes = Episode.objects.filter(sleeper=request.user).select_related("logged_by").order_by("-date")
    language = lang()
    type_spec = spec("episode", "type")
    ep_rows = [(e, type_spec.choice_label(e.type, language)) for e in episodes[:200]]
    return render(request, "nachtwacht/night_list.html", {"nights": nights[:400], "episodes": ep_rows})


@sleeper_required
def night_delete(request, day: str):
    """Ask first (GET), delete on the confirming POST: one stray tap deletes nothing."""
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("bad date") from None
    row = owned_or_404(Night, request, date=when)
    if request.method != "POST":
        return render(request, "nachtwacht/confirm_delete.html", {
            "title": _("Delete this night?"), "what": row.date, "back": reverse("night_edit", args=[day]),
            "button": _("Yes, delete this night")})
    row.delete()
    messages.success(request, _("Night deleted."))
    return redirect("night_list")


def _episode_save(form, row: Episode) -> None:
    for k, v in form.cleaned_data.items():
        if k in form.spec_by_name:
            setattr(row, k, v)
    row.full_clean()
    row.save()


@sleeper_required
def episode_edit(request, pk: int | None = None):
    """The sleeper's quick episode log (also edits their own or their partner's reports)."""
    row = owned_or_404(Episode, request, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = EpisodeForm(request.POST)
        if form.is_valid():
            if row is None:
                row = Episode(sleeper=request.user, logged_by=request.user, reporter="self")
            hidden = row.pk is not None and not row.private and form.cleaned_data.get("private", False)
            row.private = form.cleaned_data.get("private", False)
            _episode_save(form, row)
            if hidden:  # withdrawn from what clinicians see: as a deletion for their findings
                forget_insight(request.user)
            messages.success(request, _("Episode saved."))
            check_after_save(request, request.user, next_page="dashboard")
            return redirect("dashboard")
    else:
        if row is not None:
            initial = {n: getattr(row, n) for n in EpisodeForm.specs_names()} | {"private": row.private}
        else:
            initial = {"date": today(), "count": 1}
        form = EpisodeForm(initial=initial)
    return render(request, "nachtwacht/episode_form.html", {"form": form, "row": row})


EpisodeForm.specs_names = staticmethod(lambda: [s.name for s in EpisodeForm.specs])


@sleeper_required
def episode_delete(request, pk: int):
    """Ask first (GET), delete on the confirming POST."""
    row = owned_or_404(Episode, request, pk=pk)
    if request.method != "POST":
        return render(request, "nachtwacht/confirm_delete.html", {
            "title": _("Delete this episode?"), "what": row.date, "back": reverse("episode_edit", args=[pk]),
            "button": _("Yes, delete this episode")})
    row.delete()
    messages.success(request, _("Episode deleted."))
    return redirect("night_list")


@partner_required
def partner_home(request):
    """A partner's start page: the sleepers they log for."""
    links = request.user.partner_of.select_related("sleeper")
    return render(request, "nachtwacht/partner_home.html", {"links": links})


def partner_help(sleeper, language: str) -> list[dict]:
    """Advice the triage addresses to the partner (``audience == "partner"``), with its
    phone routes, shown on the partner's own page for as long as it applies."""
    with for_page(language):  # a Dutch page needs no English triage pass
        flags = current_flags(sleeper) or []
    out = []
    for f in flags:
        if f["audience"] == "partner":
            out.append({"text": f[f"text_{language}"] or f["text_nl"],
                        "routes": [{"label": r[f"label_{language}"], "phone": r["phone"], "href": r["href"]}
                                   for r in f["routes"]]})
    return out


@partner_required
def partner_log(request, link_id: int):
    """'Wat zag u vannacht?' plus whatever the sleeper chose to share."""
    link = partner_link_or_404(request, link_id)
    if request.method == "POST":
        form = PartnerEpisodeForm(request.POST, renderer=partner_html.form_renderer())
        if form.is_valid():
            row = Episode(sleeper=link.sleeper, logged_by=request.user, reporter="partner")
            _episode_save(form, row)
            messages.success(request, _("Thank you. What you saw has been added to the diary."))
            check_after_save(request, link.sleeper, next_page="partner_log")
            return redirect("partner_log", link_id=link.pk)
    else:
        form = PartnerEpisodeForm(initial={"date": today(), "count": 1}, renderer=partner_html.form_renderer())
    parts = partner_parts(link)
    mine = Episode.objects.filter(sleeper=link.sleeper, logged_by=request.user).order_by("-date")[:30]
    shared_eps = []
    if "episodes" in parts:
        shared_eps = (Episode.objects.filter(sleeper=link.sleeper, private=False)
                      .exclude(logged_by=request.user).order_by("-date")[:60])
    shared_nights = Night.objects.filter(sleeper=link.sleeper).order_by("-date")[:30] if "nights" in parts else []
    type_spec = spec("episode", "type")
    language = lang()
    mine = [(e, type_spec.choice_label(e.type, language)) for e in mine]
    shared_eps = [(e, type_spec.choice_label(e.type, language)) for e in shared_eps]
    # Form and lists come as HTML built in Python (web/partner_html.py, issue #16 item 5);
    # the lists stay in the context for the test that renders the former template.
    return render(request, "nachtwacht/partner_log.html", {
        "form": form, "link": link, "help_for_you": partner_help(link.sleeper, language),
        "mine": mine, "shared_eps": shared_eps, "shared_nights": shared_nights,
        "form_html": partner_html.form_html(form), "mine_html": partner_html.mine_html(link.pk, mine),
        "shared_eps_html": partner_html.shared_episodes_html(shared_eps),
        "night_rows_html": partner_html.night_rows_html(shared_nights),
    })


def _partner_own_episode(request, link_id: int, pk: int):
    """The link and one episode this partner logged for its sleeper, or 404."""
    link = partner_link_or_404(request, link_id)
    row = Episode.objects.filter(pk=pk, sleeper=link.sleeper, logged_by=request.user).first()
    if row is None:
        raise Http404("not yours")
    return link, row


@partner_required
def partner_episode_edit(request, link_id: int, pk: int):
    """A partner changes what they logged themselves (never the sleeper's own entries)."""
    link, row = _partner_own_episode(request, link_id, pk)
    if request.method == "POST":
        form = PartnerEpisodeForm(request.POST)
        if form.is_valid():
            _episode_save(form, row)
            messages.success(request, _("Saved."))
            check_after_save(request, link.sleeper, next_page="partner_log")
            return redirect("partner_log", link_id=link.pk)
    else:
        form = PartnerEpisodeForm(initial={n: getattr(row, n) for n in form_names(PartnerEpisodeForm)})
    return render(request, "nachtwacht/partner_episode_form.html", {"form": form, "link": link, "row": row})


@partner_required
def partner_episode_delete(request, link_id: int, pk: int):
    """Ask first (GET), delete on the confirming POST."""
    link, row = _partner_own_episode(request, link_id, pk)
    if request.method != "POST":
        return render(request, "nachtwacht/confirm_delete.html", {
            "title": _("Delete this episode?"), "what": row.date,
            "back": reverse("partner_episode_edit", args=[link.pk, row.pk]),
            "button": _("Yes, delete this episode")})
    row.delete()
    messages.success(request, _("Episode deleted."))
    check_after_save(request, link.sleeper, next_page="partner_log")
    return redirect("partner_log", link_id=link.pk)


def form_names(form_class) -> list[str]:
    return [s.name for s in form_class.specs]


class TrackForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = lang()
        self.fields["tracked"] = forms.MultipleChoiceField(
            label=_("What do you want to keep track of each morning?"),
            choices=[(n, spec("night", n).label(language)) for n in TRACKABLE],
            widget=forms.CheckboxSelectMultiple, required=False)


@sleeper_required
def tracking(request):
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            request.user.tracked = form.cleaned_data["tracked"] or []
            request.user.save(update_fields=["tracked"])
            messages.success(request, _("Saved. The morning diary now asks for these."))
            return redirect("settings")
    else:
        form = TrackForm(initial={"tracked": list(request.user.tracked_fields())})
    return render(request, "nachtwacht/tracking.html", {"form": form})


@sleeper_required
def profile(request):
    row, _created = Profile.objects.get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            for k, v in form.cleaned_data.items():
                setattr(row, k, v)
            row.full_clean()
            row.save()
            messages.success(request, _("Profile saved."))
            check_after_save(request, request.user)
            return redirect("profile")
    else:
        form = ProfileForm(initial={s.name: getattr(row, s.name) for s in ProfileForm.specs})
    return render(request, "nachtwacht/profile.html", {"form": form})
