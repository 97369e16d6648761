"""The page a refused form gets (``CSRF_FAILURE_VIEW``).

Django's own page speaks of "CSRF verification" and cookies in technical terms; a
person whose session ran out while writing down their night should read what happened,
that nothing was saved, and what to do. Nothing from the request is shown or logged.
"""

from __future__ import annotations

from django.http import HttpResponseForbidden
from django.template import loader


def csrf_failure(request, reason: str = "", template_name: str = "403_csrf.html"):
    """403 with a plain NL/EN explanation (the reason stays out of the page)."""
    return HttpResponseForbidden(loader.get_template(template_name).render())
