"""Urgent advice that comes to the person (issue #14 item 4).

When a save (night, episode, profile, partner log) brings the advice to ``gp_soon``
or ``urgent``, an :class:`~nachtwacht.web.alerts.models.AdviceAlert` is stored for the
person it is addressed to: the sleeper, or the bed partner for flags the triage
addresses to the partner (``Flag.audience == "partner"``). The next page shows it at
the top with the action first (tap-to-call numbers), and the dashboard keeps it on
top until the person marks it as read.
"""
