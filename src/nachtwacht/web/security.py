"""Browser security headers that Django's ``SecurityMiddleware`` does not set.

The Content-Security-Policy only allows the site's own scripts, styles and
images (plus ``data:`` images); the templates therefore contain no inline
``<script>``, ``style=`` or ``on…=`` handlers (``tests/web/test_web_security.py``
checks this). A diary full of sexual and drug-related details must not be
readable by an injected script or embeddable in someone else's frame.
"""

from __future__ import annotations

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


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy, Permissions-Policy and Cross-Origin-Opener-Policy."""

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
        return response
