"""The demo household: sleeper ``demo``, partner ``partner``, clinician ``huisarts``.

Built from :func:`nachtwacht.diary.demo.demo_diary` (deterministic, with planted
patterns). Re-running replaces the demo household and nothing else.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nachtwacht.diary.demo import demo_diary
from nachtwacht.web.convert import core_to_row_values

PASSWORDS = {"demo": "demo-slaper-2026", "partner": "demo-partner-2026", "huisarts": "demo-huisarts-2026"}


def build_demo(seed: int = 7, weeks: int = 8, end: dt.date | None = None) -> dict[str, str]:
    """(Re)create the demo household; return usernames and passwords."""
    from nachtwacht.web.accounts.models import Profile, User
    from nachtwacht.web.diary.models import Episode as EpisodeRow
    from nachtwacht.web.diary.models import Night as NightRow
    from nachtwacht.web.sharing.models import ClinicianShare, PartnerLink

    diary = demo_diary(seed=seed, weeks=weeks, end=end or timezone.localdate())
    with transaction.atomic():
        User.objects.filter(username__in=PASSWORDS).delete()
        sleeper = User.objects.create_user("demo", password=PASSWORDS["demo"], role="sleeper", language="nl",
                                           tracked=["alcohol_units", "alcohol_last", "caffeine_mg", "caffeine_last",
                                                    "stress", "tension", "substances"])
        partner = User.objects.create_user("partner", password=PASSWORDS["partner"], role="partner", language="nl")
        gp = User.objects.create_user("huisarts", password=PASSWORDS["huisarts"], role="clinician", language="nl")
        NightRow.objects.bulk_create([NightRow(sleeper=sleeper, **core_to_row_values(n)) for n in diary.nights])
        EpisodeRow.objects.bulk_create([
            EpisodeRow(sleeper=sleeper, logged_by=partner if e.reporter == "partner" else sleeper,
                       **core_to_row_values(e)) for e in diary.episodes])
        Profile.objects.create(user=sleeper, **core_to_row_values(diary.profile))
        PartnerLink.objects.create(sleeper=sleeper, partner=partner, scope="episodes")
        ClinicianShare.objects.create(sleeper=sleeper, clinician=gp, label="Huisarts (demo)",
                                      scope=["nights", "episodes", "profile"], claimed_at=timezone.now(),
                                      expires_at=timezone.now() + timedelta(days=30))
    return dict(PASSWORDS)
