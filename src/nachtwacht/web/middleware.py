"""Activate the language a signed-in user chose, over the browser's preference."""

from __future__ import annotations

from django.utils import translation


class UserLanguageMiddleware:
    """After authentication, switch to ``request.user.language`` when set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if lang in ("nl", "en"):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        if lang:
            response.headers.setdefault("Content-Language", lang)
        return response
