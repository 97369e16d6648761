"""The quick morning entry (``/snel/``), the web app manifest and the service worker.

The quick page is the short road to the same night: its taps are turned into the
full form's data and checked by :class:`~nachtwacht.web.forms.NightForm` (the core's
``validate_night``), saved to the same model, followed by the same advice check.
An entry carries a browser-made idempotency key, so one that a phone queued while
offline and sends twice is stored once (``web/quick/idempotency.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt

from nachtwacht.web.access import PARTNER, SLEEPER, role_required, sleeper_required
from nachtwacht.web.alerts.advice import check_after_save
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.forms import EpisodeForm, NightForm, lang
from nachtwacht.web.quick import idempotency
from nachtwacht.web.quick import reminders as reminders_mod
from nachtwacht.web.quick.choices import QuickEpisodeForm, QuickNightForm
from nachtwacht.web.quick.models import PushSubscription, ReminderSetting
from nachtwacht.web.quick.usual import WINDOW, usual_night
from nachtwacht.web.views.diary import _episode_save, night_names, today


def _days(user) -> list[tuple[str, str]]:
    """The two nights one can log here: last night (default) and the one before."""
    t = today()
    return [(t.isoformat(), _("Last night")), ((t - dt.timedelta(days=1)).isoformat(), _("The night before"))]


def _key(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, status: str, code: int = 200, what: str = "night", **extra):
    """JSON for the offline queue (quick.js), a redirect with a message for a form post."""
    if _wants_json(request) and not request.headers.get("X-Nachtwacht-Direct"):
        return JsonResponse({"status": status, **extra}, status=code)
    if status == "saved":
        messages.success(request, _("Night saved. Sleep well tonight.") if what == "night" else _("Episode saved."))
    elif status == "duplicate":
        messages.info(request, _("This night had already been saved.") if what == "night"
                      else _("This episode had already been saved."))
    if _wants_json(request):  # sent by quick.js while the page waits: it goes on by itself
        return JsonResponse({"status": status, **extra}, status=code)
    return redirect("dashboard")


def _offline(request, resp: HttpResponse) -> HttpResponse:
    """Let the service worker keep this quick page on the device (and only there).

    Every other personal page is ``no-store`` and the service worker never keeps those;
    this page is meant for offline use, so it says ``private, no-cache`` instead. The
    service worker deletes it on sign-out and whenever the server shows the login page or
    answers it with a redirect; sign-out and account deletion also send Clear-Site-Data.
    """
    if request.method == "GET" and resp.status_code == 200:
        resp["Cache-Control"] = "private, no-cache"
        resp.device_cache_ok = True  # read by SecurityHeadersMiddleware
    return resp


@sleeper_required
def quick_night(request):
    """One screen for the common night; everything else is behind "more" (the full form)."""
    user = request.user
    names = [n for n in night_names(user) if n != "notes"]
    recent = Night.objects.filter(sleeper=user, date__lt=today()).order_by("-date")[:WINDOW]
    usual = usual_night(recent, names)
    language = lang()
    days = _days(user)
    taken = set(Night.objects.filter(sleeper=user, date__in=[d for d, _label in days])
                .values_list("date", flat=True))
    free = [d for d in days if dt.date.fromisoformat(d[0]) not in taken]
    form_kw = {"names": names, "usual": usual, "days": days, "language": language}
    if request.method == "POST":
        if not idempotency.is_owner(user, request.POST.get("owner", "")):
            # Queued on this phone by someone else who was signed in: never theirs to keep here.
            if _wants_json(request):
                return JsonResponse({"status": "wrong_user"}, status=409)
            return redirect("quick_night")
        # A copy of an entry that was saved before is answered before anything else: the
        # usual answers it was made with may have changed since.
        key = _key(request.POST.get("key", ""))
        if key is not None and idempotency.seen(user, key):
            return _answer(request, "duplicate")
        form = QuickNightForm(request.POST, **form_kw)
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
        else:
            key = form.cleaned_data["key"]
            if idempotency.seen(user, key):
                return _answer(request, "duplicate")
            full = NightForm(form.night_data(), names=[*names, "date", "caffeine_mg"])
            if full.is_valid():
                try:
                    with transaction.atomic():
                        if Night.objects.filter(sleeper=user, date=full.cleaned_data["date"]).exists():
                            full.add_error("date", _("There is already a night for this date. "
                                                     "Open it from the list to change it."))
                            raise IntegrityError
                        row = Night(sleeper=user, **full.cleaned_data)
                        row.full_clean(exclude=["sleeper"], validate_unique=False, validate_constraints=False)
                        row.save()
                        idempotency.remember(user, key, "night", row.pk)
                except IntegrityError:
                    if idempotency.seen(user, key):  # the same entry won a race with this one
                        return _answer(request, "duplicate")
                    if not full.errors:
                        full.add_error("date", _("There is already a night for this date."))
                else:
                    check_after_save(request, user)
                    return _answer(request, "saved", 201 if _wants_json(request) else 200)
            for field, errs in full.errors.items():
                target = field if field in form.fields else ("caffeine" if field == "caffeine_mg" else None)
                if target == "caffeine" and "caffeine" not in form.fields:
                    target = None
                for e in errs:
                    form.add_error(target, e)
            if _wants_json(request):
                return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
    else:
        initial = {"key": QuickNightForm.new_key(), "owner": idempotency.owner_stamp(user)}
        if free:
            initial["date"] = free[0][0]
        form = QuickNightForm(initial=initial, **form_kw)
    return _offline(request, render(request, "nachtwacht/quick_night.html", {
        "form": form, "all_taken": not free, "usual_n": len(recent), "today": today().isoformat(),
        "chips": [form[n] for n in form.chip_names], "scales": [form[n] for n in form.scale_names],
        "clocks": [form[n] for n in form.clock_names], "texts": [form[n] for n in form.text_names],
        "usual": form.usual,
    }))


@sleeper_required
def quick_episode(request):
    """An episode in a few taps, also offline (same queue and key as the quick night)."""
    user = request.user
    form_kw = {"days": _days(user), "language": lang()}
    if request.method == "POST":
        if not idempotency.is_owner(user, request.POST.get("owner", "")):
            if _wants_json(request):
                return JsonResponse({"status": "wrong_user"}, status=409)
            return redirect("quick_episode")
        key = _key(request.POST.get("key", ""))
        if key is not None and idempotency.seen(user, key):
            return _answer(request, "duplicate", what="episode")
        form = QuickEpisodeForm(request.POST, **form_kw)
        if form.is_valid():
            full = EpisodeForm(form.episode_data())
            if full.is_valid():
                try:
                    with transaction.atomic():
                        row = Episode(sleeper=user, logged_by=user, reporter="self",
                                      private=full.cleaned_data.get("private", False))
                        _episode_save(full, row)
                        idempotency.remember(user, form.cleaned_data["key"], "episode", row.pk)
                except IntegrityError:  # the same entry, sent twice at once, was saved by the other
                    return _answer(request, "duplicate", what="episode")
                check_after_save(request, user)
                return _answer(request, "saved", 201 if _wants_json(request) else 200, what="episode")
            for field, errs in full.errors.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        if _wants_json(request):
            return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
    else:
        form = QuickEpisodeForm(initial={"key": QuickNightForm.new_key(), "owner": idempotency.owner_stamp(user)},
                                **form_kw)
    return _offline(request, render(request, "nachtwacht/quick_episode.html",
                                    {"form": form, "today": today().isoformat()}))


#: Bump when the shell changes: the service worker then drops its old cache.
SW_VERSION = "2"  # 2: no-store pages are never kept, quick pages forgotten on login page


#: The app shell the service worker keeps for offline use (static files and the quick page).
def shell_urls() -> list[str]:
    static = settings.STATIC_URL
    return [*(static + "nachtwacht/" + f for f in (
        "nachtwacht.css", "forms.js", "quick.js", "quick.css", "icon-192.png", "icon-512.png"))]


@cache_control(no_cache=True)
def service_worker(request):
    """``/sw.js``: served from the root so its scope is the whole site."""
    path = settings.STATICFILES_DIRS[0] / "nachtwacht" / "sw.js"
    config = {"shell": shell_urls(), "quick": reverse("quick_night"),
              "offline_pages": [reverse("quick_night"), reverse("quick_episode")], "logout": reverse("logout"),
              "login": reverse("login"),
              "static": settings.STATIC_URL, "version": SW_VERSION,
              "offline_text": _("You are offline and this page is not stored on this device. "
                                "The quick morning diary works offline: open it from the menu when "
                                "you are back online once.")}
    body = path.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))
    resp = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    resp["Service-Worker-Allowed"] = "/"
    return resp


@cache_control(max_age=3600)
def manifest(request):
    """``/manifest.webmanifest`` in the page's language (name, icons, start at the quick entry)."""
    path = settings.STATICFILES_DIRS[0] / "nachtwacht" / "manifest.webmanifest"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["lang"] = lang()
    if data["lang"] == "en":
        data["description"] = "Sleep diary: log your night in a few taps, also offline."
    data["start_url"] = reverse("quick_night")
    data["icons"] = [{**i, "src": settings.STATIC_URL + "nachtwacht/" + i["src"]} for i in data["icons"]]
    return JsonResponse(data, content_type="application/manifest+json")


# --- Reminders (issue #14 item 3) -------------------------------------------------------

class ReminderForm(forms.ModelForm):
    quiet = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ReminderSetting
        fields = ["morning_on", "morning_time", "evening_on", "evening_time", "timezone", "by_email", "by_push"]
        widgets = {"morning_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
                   "evening_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["morning_on"].label = _("Morning: a reminder to fill in last night")
        f["morning_time"].label = _("At")
        f["evening_on"].label = _("Evening: a reminder to wind down (and your experiment's step)")
        f["evening_time"].label = _("At")
        f["timezone"] = forms.ChoiceField(label=_("Your time zone"), choices=_zones(self.instance.timezone))
        f["by_email"].label = _("By e-mail")
        f["by_push"].label = _("As a notification on this phone or computer")
        days = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
        f["quiet"].choices = [(str(i + 1), d) for i, d in enumerate(days)]
        f["quiet"].label = _("Quiet days (no reminders)")
        f["quiet"].initial = list(self.instance.quiet_days)
        self.order_fields(["morning_on", "morning_time", "evening_on", "evening_time", "quiet", "timezone",
                           "by_email", "by_push"])

    def save(self, commit=True):
        self.instance.quiet_days = "".join(sorted(self.cleaned_data.get("quiet") or []))
        return super().save(commit)


def _zones(current: str) -> list[tuple[str, str]]:
    import zoneinfo

    names = sorted(n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV")))
    first = ["Europe/Amsterdam", "Europe/Brussels"]
    if current and current not in first:
        first.append(current)
    return [(n, n) for n in first] + [(n, n) for n in names if n not in first]


@role_required(SLEEPER, PARTNER)
def reminders(request):
    """When and how to be reminded; Web Push is switched on per device by quick.js."""
    rs, _created = ReminderSetting.objects.get_or_create(user=request.user)
    if request.method == "POST":
        form = ReminderForm(request.POST, instance=rs)
        if form.is_valid():
            form.save()
            messages.success(request, _("Reminders saved."))
            return redirect("reminders")
    else:
        form = ReminderForm(instance=rs)
    return render(request, "nachtwacht/quick_reminders.html", {
        "form": form, "vapid_key": settings.VAPID_PUBLIC_KEY, "has_email": bool(request.user.email),
        "devices": PushSubscription.objects.filter(user=request.user).count()})


@role_required(SLEEPER, PARTNER)
def push_subscribe(request):
    """Store this browser's push subscription (JSON from quick.js)."""
    if request.method != "POST":
        return JsonResponse({"status": "method"}, status=405)
    try:
        data = json.loads(request.body)
        endpoint, keys = data["endpoint"], data["keys"]
        if not str(endpoint).startswith("https://") and not settings.DEBUG and not settings.PUSH_ALLOW_HTTP:
            raise ValueError("push endpoint must be https")
        p256dh, auth = str(keys["p256dh"])[:200], str(keys["auth"])[:100]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"status": "invalid"}, status=400)
    endpoint = str(endpoint)[:1000]
    # Bound to (user, endpoint): whoever learns another person's endpoint must not move
    # that browser's subscription (and its reminders) to their own account.
    if PushSubscription.objects.filter(endpoint=endpoint).exclude(user=request.user).exists():
        return JsonResponse({"status": "taken"}, status=409)
    PushSubscription.objects.update_or_create(endpoint=endpoint, user=request.user, defaults={
        "p256dh": p256dh, "auth": auth})
    ReminderSetting.objects.update_or_create(user=request.user, defaults={"by_push": True})
    return JsonResponse({"status": "saved"}, status=201)


@csrf_exempt  # the signed token is the authority; mail clients post here (RFC 8058 one-click)
def reminders_off(request, token: str):
    """One tap from the e-mail: a page with one button (link scanners only GET, never POST)."""
    user = reminders_mod.user_from_token(token)
    if user is None:
        raise Http404("bad token")
    if request.method == "POST":
        ReminderSetting.objects.filter(user=user).update(morning_on=False, evening_on=False)
        return render(request, "nachtwacht/quick_reminders_off.html", {"done": True})
    return render(request, "nachtwacht/quick_reminders_off.html", {"done": False})
