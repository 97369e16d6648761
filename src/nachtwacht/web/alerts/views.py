"""Mark an advice alert as read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from nachtwacht.web.alerts.advice import mark_read
from nachtwacht.web.views.auth import safe_next


@login_required
@require_POST
def alert_read(request, pk: int):
    mark_read(request.user, pk)
    return redirect(safe_next(request) or "home")
