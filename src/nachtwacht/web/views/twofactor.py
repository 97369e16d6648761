"""Two-step login: the code step of the login, and setting up / switching off the second factor."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from nachtwacht.web import ratelimit, twofactor
from nachtwacht.web.accounts.models import User
from nachtwacht.web.views.auth import safe_next, safe_url

log = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        help_text=gettext_lazy("The 6-digit code your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off",
                                      "spellcheck": "false", "autofocus": True}))


class SetupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    # As for switching off: a session alone (borrowed, stolen) must not put someone's app on.
    password = forms.CharField(label=gettext_lazy("Your password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class DisableForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput)
    code = forms.CharField(label=gettext_lazy("Code from the app, or a backup code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


def _wrong_code(result: twofactor.Check) -> str:
    if result.throttled:
        return _("Too many wrong codes in a row. Wait a minute, then type the code your app shows at that moment.")
    return _("That code is not right. Type the 6-digit code your app shows now (each code works once), "
             "or one of your backup codes.")


def _blocked_msg() -> str:
    return _("Too many wrong codes. Wait 15 minutes and try again.")


def _limited(request, form: forms.Form, user, check) -> tuple[twofactor.Check | None, int | None]:
    """Run ``check(cleaned_data)`` on a valid ``form`` unless the code limiter blocks.

    The one place where wrong codes are counted (per account and address) and a right one
    resets the count. Returns the passing :class:`~nachtwacht.web.twofactor.Check`, or
    ``None`` with the errors on the form and 429 when blocked (``None`` status otherwise).
    ``check`` returns a failing Check, or a message naming the wrong field as ``(field, text)``.
    """
    who, ip = f"uid:{user.pk}", ratelimit.client_ip(request)
    if ratelimit.is_blocked(who, ip, twofactor.RATE_PREFIX):
        form.is_valid()
        form.add_error(None, _blocked_msg())
        return None, 429
    if not form.is_valid():
        return None, None
    result = check(form.cleaned_data)
    if isinstance(result, twofactor.Check) and result.ok:
        ratelimit.reset(who, ip, twofactor.RATE_PREFIX)
        return result, None
    ratelimit.record_failure(who, ip, twofactor.RATE_PREFIX)
    field, text = result if isinstance(result, tuple) else ("code", _wrong_code(result))
    form.add_error(field, text)
    return None, None


def _password_and(user, code_check):
    """A check for :func:`_limited`: the account's password first, then the code."""

    def check(d: dict):
        if not user.check_password(d["password"]):
            return ("password", _("That password is not right."))
        return code_check(d["code"])

    return check


@never_cache
def login_code(request):
    """Second login step: the password was right, now the code; only then log in."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = twofactor.get_pending(request.session)
    if pending is None:
        # Expired or never started: no form, just the way back (200, not a redirect loop).
        return render(request, "nachtwacht/login_code.html", {"expired": True})
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        twofactor.clear_pending(request.session)
        return render(request, "nachtwacht/login_code.html", {"expired": True})
    # The limiter counts per account (not per name typed) and address.
    status = 200
    if request.method == "POST":
        form = CodeForm(request.POST)
        result, blocked = _limited(request, form, user, lambda d: twofactor.check_code(user, d["code"]))
        status = blocked or status
        if result is not None:
            twofactor.clear_pending(request.session)
            login(request, user, backend=pending["backend"])
            if result.backup_used:
                messages.warning(request, _("You used a backup code; %(n)d left. Each code works only once.")
                                 % {"n": result.backup_left})
            resp = redirect(safe_url(request, pending.get("next", "")) or "home")
            ratelimit.remember_device(resp, user)
            return resp
    else:
        form = CodeForm()
    resp = render(request, "nachtwacht/login_code.html", {"form": form, "expired": False})
    resp.status_code = status
    return resp


@login_required
def status_view(request):
    """The account's two-step login: on since when, backup codes left, switch off."""
    user = request.user
    ctx = {"tf": twofactor.status(user), "codes_left": twofactor.backup_codes_left(user),
           "required": twofactor.required_for(user), "form": DisableForm()}
    return render(request, "nachtwacht/twofactor.html", ctx)


@never_cache
@login_required
def setup(request):
    """Show the QR code and secret; the device counts only once a code from it was typed."""
    user = request.user
    if twofactor.is_enabled(user):
        return redirect("twofactor")
    nxt = safe_next(request)
    device = twofactor.start_setup(user, request.session)
    status = 200
    if request.method == "POST":
        form = SetupForm(request.POST)
        result, blocked = _limited(request, form, user,
                                   _password_and(user, lambda c: twofactor.confirm_setup(device, c)))
        status = blocked or status
        if result is not None:
            codes = twofactor.new_backup_codes(user)
            # A session someone else opened with the password alone must not outlive this.
            user.end_other_sessions(request)
            log.info("two-step login switched on for user %s", user.pk)
            # Rendered, not redirected: the backup codes are shown this once only.
            return render(request, "nachtwacht/twofactor_codes.html", {"codes": codes, "next": nxt})
    else:
        form = SetupForm()
    ctx = {"form": form, "qr": twofactor.qr_svg(device, _("QR code for your authenticator app")),
           "secret": twofactor.secret_groups(device), "required": twofactor.required_for(user), "next": nxt}
    resp = render(request, "nachtwacht/twofactor_setup.html", ctx)
    resp.status_code = status
    return resp


@login_required
@require_POST
def disable(request):
    """Switch the second factor off: needs the password and a current code."""
    user = request.user
    if not twofactor.is_enabled(user):
        return redirect("twofactor")
    form = DisableForm(request.POST)
    result, blocked = _limited(request, form, user, _password_and(user, lambda c: twofactor.check_code(user, c)))
    status = blocked or 400
    if result is not None:
        twofactor.disable(user)
        user.end_other_sessions(request)
        log.info("two-step login switched off for user %s", user.pk)
        messages.success(request, _("Two-step login is off. You log in with your password only."))
        return redirect("twofactor")
    ctx = {"tf": twofactor.status(user), "codes_left": twofactor.backup_codes_left(user),
           "required": twofactor.required_for(user), "form": form}
    resp = render(request, "nachtwacht/twofactor.html", ctx)
    resp.status_code = status
    return resp
