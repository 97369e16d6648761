"""The reminders as a task for the tasks framework (``nachtwacht worker`` can run it)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_reminders() -> dict:
    from nachtwacht.web.quick.reminders import send_due

    return send_due()
