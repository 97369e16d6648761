"""Sign-up, login (rate limited), logout and language choice."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from nachtwacht.web import ratelimit, twofactor
from nachtwacht.web.accounts.models import User


class SignupForm(UserCreationForm):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    role = forms.ChoiceField(
        label=gettext_lazy("I use Nachtwacht as"),
        choices=[("sleeper", gettext_lazy("someone whose nights go wrong")),
                 ("clinician", gettext_lazy("a GP or other clinician"))],
        widget=forms.RadioSelect, initial="sleeper")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


def safe_url(request, url: str) -> str:
    """``url`` if it stays on this site (no open redirect), else ""."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return ""


def safe_next(request) -> str:
    return safe_url(request, request.POST.get("next") or request.GET.get("next") or "")


def signup(request):
    """Create an account; a partner arrives here from an invite link (``next``)."""
    nxt = safe_next(request)
    invited = nxt.startswith("/uitnodiging/")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if invited:
            form.fields["role"].required = False
        if form.is_valid():
            user = form.save(commit=False)
            user.language = form.cleaned_data["language"]
            user.role = "partner" if invited else form.cleaned_data["role"]
            user.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            translation.activate(user.language)
            return redirect(nxt or "home")
    else:
        form = SignupForm(initial={"language": translation.get_language() or "nl"})
    if invited:
        del form.fields["role"]
    return render(request, "nachtwacht/signup.html", {"form": form, "next": nxt, "invited": invited})


class RateLimitedLoginView(LoginView):
    """Django's login, refusing after too many failures per username and IP.

    With a second factor set up, a right password only opens the code step
    (``views.twofactor.login_code``); the session is logged in after that.
    """

    template_name = "nachtwacht/login.html"
    authentication_form = AuthenticationForm

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        ip = ratelimit.client_ip(request)
        message = None
        if ratelimit.is_blocked(username, ip):
            n = ratelimit.wait_minutes(username, ip)
            message = ngettext("Too many failed attempts from this connection. Wait %(n)d minute and "
                               "try again, or reset your password.",
                               "Too many failed attempts from this connection. Wait %(n)d minutes and "
                               "try again, or reset your password.", n) % {"n": n}
        elif not ratelimit.is_known_device(request, username):
            # Guessing from many addresses slows the account down (never a long lock); a
            # browser the owner logged in from before is not slowed.
            wait = ratelimit.backoff_seconds(username)
            if wait:
                message = ngettext("Many wrong passwords were tried for this account. For safety, "
                                   "wait %(n)d second before the next try.",
                                   "Many wrong passwords were tried for this account. For safety, "
                                   "wait %(n)d seconds before the next try.", wait) % {"n": wait}
        if message:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, message)
            resp = self.render_to_response(self.get_context_data(form=form))
            resp.status_code = 429
            return resp
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.record_failure(self.request.POST.get("username", ""), ratelimit.client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        ratelimit.reset(user.get_username(), ratelimit.client_ip(self.request))
        if twofactor.is_enabled(user):
            # New session id for the half-way state too; ``next`` was already checked by get_redirect_url.
            self.request.session.cycle_key()
            twofactor.set_pending(self.request.session, user, self.get_redirect_url())
            return redirect("login_code")
        resp = super().form_valid(form)
        ratelimit.remember_device(resp, user)
        return resp


@require_POST
def set_language(request):
    """Switch language; for a signed-in user the choice is saved with the account."""
    code = request.POST.get("language", "nl")
    if code not in dict(settings.LANGUAGES):
        code = "nl"
    if request.user.is_authenticated:
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    messages.success(request, _("Language changed."))
    resp = redirect(safe_next(request) or "home")
    resp.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                    secure=settings.LANGUAGE_COOKIE_SECURE)
    return resp


class Logout(LogoutView):
    """Django's logout, also telling the browser to drop its HTTP cache of this site.

    Only ``"cache"``: ``"storage"`` would also wipe entries queued offline on this phone,
    which stay for their owner (``docs/quick-entry.md``); the service worker deletes its
    stored quick pages itself when it sees this POST.
    """

    def post(self, request, *args, **kwargs):
        resp = super().post(request, *args, **kwargs)
        resp["Clear-Site-Data"] = '"cache"'
        return resp
