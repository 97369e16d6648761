"""Password change and reset by e-mail link: Django's own views, with Nachtwacht pages.

Django's views are used as they are (token links that expire after
``PASSWORD_RESET_TIMEOUT``, one use, invalid after the password changed); this module
adds the page templates, an e-mail address to send the link to, and a rate limit on
sending: a reset form that mails on every post can be used to flood someone's inbox.
"""

from __future__ import annotations

import hashlib
import time

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

#: At most this many reset e-mails per address (client or e-mail) per window.
RESET_MAX = 5
RESET_WINDOW_S = 3600
_CACHE = "ratelimit"  # the counters every server process shares (settings.CACHES)


def _client(request) -> str:
    from nachtwacht.web import ratelimit

    getter = getattr(ratelimit, "client_ip", None)
    return getter(request) if getter else request.META.get("REMOTE_ADDR", "")


def _over_limit(kind: str, value: str) -> bool:
    """Count one attempt for ``kind``/``value``; True when the window's limit is passed."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    key = f"nw-pwreset:{kind}:{digest}"
    cache = caches[_CACHE]
    now = time.time()
    start, count = cache.get(key) or (now, 0)
    if now - start > RESET_WINDOW_S:
        start, count = now, 0
    count += 1
    cache.set(key, (start, count), timeout=int(RESET_WINDOW_S - (now - start)) + 1)
    return count > RESET_MAX


def too_many_message(n: int) -> str:
    """The login's own 'too many failed attempts' sentence (translated), for ``n`` minutes."""
    return ngettext("Too many failed attempts from this connection. Wait %(n)d minute and "
                    "try again, or reset your password.",
                    "Too many failed attempts from this connection. Wait %(n)d minutes and "
                    "try again, or reset your password.", n) % {"n": n}


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "nachtwacht/password_change.html"
    success_url = reverse_lazy("settings")

    def post(self, request, *args, **kwargs):
        from nachtwacht.web import ratelimit

        wait = ratelimit.reauth_wait(request)
        if wait:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, too_many_message(wait))
            resp = self.render_to_response(self.get_context_data(form=form))
            resp.status_code = 429
            return resp
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        from nachtwacht.web import ratelimit

        if "old_password" in form.errors:  # only a wrong current password counts
            ratelimit.reauth_result(self.request, ok=False)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        from nachtwacht.web import ratelimit

        ratelimit.reauth_result(self.request, ok=True)

        # The known-device cookie is bound to the password: renew it for this browser.
        ratelimit.remember_device(response, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordReset(auth_views.PasswordResetView):
    template_name = "nachtwacht/password_reset.html"
    email_template_name = "nachtwacht/password_reset_email.txt"
    subject_template_name = "nachtwacht/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data.get("email", "")
        # Both counters always count, so the answer does not depend on whether the
        # address belongs to an account (no account discovery through the limit).
        by_client = _over_limit("client", _client(self.request))
        by_email = _over_limit("email", email)
        if by_client or by_email:
            # Same page as a success: whether the address exists stays hidden.
            return redirect(self.success_url)
        return super().form_valid(form)


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "nachtwacht/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "nachtwacht/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        from nachtwacht.web import ratelimit

        # Whoever opened the e-mailed link owns the mailbox: this browser is known from now
        # on, so a stranger keeping the account's back-off up cannot keep the owner out.
        ratelimit.remember_device(response, form.user)
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "nachtwacht/password_reset_complete.html"


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False, help_text=gettext_lazy(
        "Only used to send you a link when you forgot your password. Leave empty to remove it."))


@login_required
def email_view(request):
    """Set or remove the e-mail address a reset link goes to."""
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            request.user.email = form.cleaned_data["email"]
            request.user.save(update_fields=["email"])
            messages.success(request, _("Saved."))
            return redirect("settings")
    else:
        form = EmailForm(initial={"email": request.user.email})
    return render(request, "nachtwacht/account_email.html", {"form": form})
