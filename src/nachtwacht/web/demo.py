"""The demo household: sleeper ``demo``, partner ``partner``, clinician ``huisarts``.

Built from :func:`nachtwacht.diary.demo.demo_diary` (deterministic); a tiny inline
generator stands in while that module is missing. Re-running replaces the demo
household and nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nachtwacht.diary.types import Diary, Episode, Night
from nachtwacht.web.convert import core_to_row_values

PASSWORDS = {"demo": "demo-slaper-2026", "partner": "demo-partner-2026", "huisarts": "demo-huisarts-2026"}


def _inline_diary(seed: int, weeks: int, end: dt.date) -> Diary:
    """A small stand-in with the planted patterns (alcohol → partner-seen sexsomnia, late caffeine → jerks)."""
    rng = random.Random(seed)
    nights, eps = [], []
    for i in range(weeks * 7):
        day = end - timedelta(days=weeks * 7 - 1 - i)
        alcohol = rng.choice([0, 0, 0, 1, 2, 4])
        late_caf = rng.random() < 0.3
        bed = dt.time(22 + rng.randint(0, 1), rng.choice([0, 15, 30, 45]))
        stress = rng.randint(1, 8) if (i // 7) % 3 == 1 else rng.randint(0, 3)
        nights.append(Night(date=day, bedtime=bed, lights_out=bed, sol_min=rng.randint(5, 40),
                            awakenings=rng.randint(0, 3), waso_min=rng.randint(0, 45),
                            final_wake=dt.time(6, rng.choice([30, 45, 50])), out_of_bed=dt.time(7, rng.choice([0, 10, 20])),
                            quality=rng.randint(2, 5), alcohol_units=alcohol, caffeine_mg=rng.choice([80, 160, 240]),
                            caffeine_last=dt.time(16, 30) if late_caf else dt.time(11, 0), stress=stress,
                            tension=min(10, stress + rng.randint(0, 2))))
        if alcohol >= 3 and rng.random() < 0.7:
            eps.append(Episode(date=day, type="sexsomnia", reporter="partner", time=dt.time(2, 30), recall="none"))
        if late_caf and rng.random() < 0.6:
            eps.append(Episode(date=day, type="hypnic_jerk", reporter="self", count=rng.randint(1, 4)))
    return Diary(nights=tuple(nights), episodes=tuple(eps))


def demo_source(seed: int = 7, weeks: int = 8, end: dt.date | None = None) -> Diary:
    end = end or timezone.localdate()
    try:
        from nachtwacht.diary.demo import demo_diary
    except ImportError:
        return _inline_diary(seed, weeks, end)
    return demo_diary(seed=seed, weeks=weeks, end=end)


def build_demo(seed: int = 7, weeks: int = 8, end: dt.date | None = None) -> dict[str, str]:
    """(Re)create the demo household; return usernames and passwords."""
    from nachtwacht.web.accounts.models import Profile, User
    from nachtwacht.web.diary.models import Episode as EpisodeRow
    from nachtwacht.web.diary.models import Night as NightRow
    from nachtwacht.web.sharing.models import ClinicianShare, PartnerLink

    diary = demo_source(seed, weeks, end)
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
