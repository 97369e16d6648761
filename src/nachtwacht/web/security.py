"""Browser security headers that Django's ``SecurityMiddleware`` does not set.

The Content-Security-Policy only allows the site's own scripts, styles and
images (plus ``data:`` images); the templates therefore contain no inline
``<script>``, ``style=`` or ``on…=`` handlers (``tests/web/test_web_security.py``
checks this). A diary full of sexual and drug-related details must not be
readable by an injected script or embeddable in someone else's frame.
"""

from __future__ import annotations

import base64
import hashlib
import re

#: Sent on every response; a view may set its own header to override it.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
))
#: The app needs no sensors, camera, microphone, location or payments.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
    "microphone", "payment", "usb",
))


_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def csp_with_style_hashes(html: str) -> str:
    """The site's policy, also allowing exactly the ``<style>`` blocks of ``html``.

    The GP report is one self-contained document (the same HTML becomes the PDF), so
    its stylesheet is inline; a hash per block lets the browser apply it without
    opening ``'unsafe-inline'`` to anything an attacker could inject.
    """
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
                     for m in _STYLE_BLOCK.findall(html)})
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", " ".join(["style-src 'self'", *hashes]))


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy, Permissions-Policy, Cross-Origin-Opener-Policy, and
    ``Cache-Control: no-store, private`` on everything personal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # SecurityMiddleware sets this too (SECURE_CROSS_ORIGIN_OPENER_POLICY);
        # repeated here so the header holds even if that setting is changed.
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if _personal(request, response) and not getattr(response, "device_cache_ok", False):
            # Health data must not stay in a browser's or proxy's cache after logout: every
            # page, PDF and export a signed-in person receives is no-store and private.
            cc = headers.get("Cache-Control", "")
            if "no-store" not in cc or "private" not in cc:
                headers["Cache-Control"] = "no-store, private"
        return response


def _personal(request, response) -> bool:
    """Whether the response belongs to one person (signed in, or a file for download)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return "attachment" in response.headers.get("Content-Disposition", "")
