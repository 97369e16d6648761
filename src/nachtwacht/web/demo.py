"""The demo household: sleeper ``demo``, partner ``partner``, clinician ``huisarts``.

Built from :func:`nachtwacht.diary.demo.demo_diary` (deterministic, with planted
patterns). Re-running replaces the demo household and nothing else. With
``sleep_study=True`` the sleeper also has a sleep study: a short night simulated by
:func:`nachtwacht.psg.simulate.simulate_night` (a few apneas, leg movements, arousals
and teeth grinding), put on the task queue like an upload, so the worker started by
``nachtwacht serve --demo`` analyses it while the page shows its progress.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from nachtwacht.diary.demo import demo_diary
from nachtwacht.web.convert import core_to_row_values

log = logging.getLogger("nachtwacht.web")

#: The demo night: 1.5 h (about 6 s to simulate, 15 s to analyse on a small server).
STUDY_HOURS = 1.5
STUDY_SEED = 7
STUDY_NAME = "demo-slaaponderzoek.edf"
STUDY_CHANNELS = ("C3-M2", "C4-M1", "E1-M2", "E2-M1", "Chin", "Leg L", "Leg R", "Airflow",
                  "Nasal Pressure", "Thorax", "Abdomen", "SpO2", "Masseter")

PASSWORDS = {"demo": "demo-slaper-2026", "partner": "demo-partner-2026", "huisarts": "demo-huisarts-2026"}


def demo_night_file() -> Path | None:
    """The simulated demo night as EDF (made once, kept under the data dir); None
    without the sleep-study extra (``pip install 'nachtwacht[psg]'``)."""
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "demo" / f"night-{STUDY_SEED}-{STUDY_HOURS:g}h.edf"
    if path.is_file():
        return path
    try:
        from nachtwacht.psg.simulate import hypnogram_scaffold, simulate_night, write_edf
    except ImportError:
        return None
    start = dt.datetime.combine(timezone.localdate() - timedelta(days=1), dt.time(23, 15))
    rec, _truth = simulate_night(hypnogram_scaffold(hours=STUDY_HOURS, seed=STUDY_SEED), sf=128.0,
                                 channels=STUDY_CHANNELS, noise=0.3, seed=STUDY_SEED, start=start)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    try:
        write_edf(rec, tmp)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path


def _forget_demo_files(usernames) -> None:
    """The stored files of the demo sleeper's studies go with the household."""
    from django.conf import settings

    from nachtwacht.web.front.models import PsgUpload

    for up in PsgUpload.objects.filter(sleeper__username__in=usernames):
        (Path(settings.UPLOAD_DIR) / up.stored_name).unlink(missing_ok=True)


def add_demo_study(sleeper) -> object | None:
    """Give ``sleeper`` the demo sleep study, queued for analysis; the PsgUpload or None."""
    from django.conf import settings

    from nachtwacht.web import jobs
    from nachtwacht.web.front.models import PsgUpload
    from nachtwacht.web.jobs.models import Job

    source = demo_night_file()
    if source is None:
        log.info("demo: no sleep study (the psg extra is not installed)")
        return None
    stored = f"{sleeper.pk}-{uuid.uuid4().hex}.edf"
    Path(settings.UPLOAD_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    target = Path(settings.UPLOAD_DIR) / stored
    shutil.copyfile(source, target)
    target.chmod(0o600)
    with transaction.atomic():
        up = PsgUpload.objects.create(sleeper=sleeper, original_name=STUDY_NAME, stored_name=stored,
                                      size=target.stat().st_size)
        jobs.enqueue(Job.Kind.ANALYSIS, sleeper, upload=up, language=sleeper.language)
    return up


def build_demo(seed: int = 7, weeks: int = 8, end: dt.date | None = None,
               sleep_study: bool = False) -> dict[str, str]:
    """(Re)create the demo household; return usernames and passwords.

    ``sleep_study`` adds the simulated demo night, queued for analysis.
    """
    from nachtwacht.web.accounts.models import Profile, User
    from nachtwacht.web.diary.models import Episode as EpisodeRow
    from nachtwacht.web.diary.models import Night as NightRow
    from nachtwacht.web.sharing.models import ClinicianShare, PartnerLink

    diary = demo_diary(seed=seed, weeks=weeks, end=end or timezone.localdate())
    _forget_demo_files(PASSWORDS)
    with transaction.atomic():
        User.objects.filter(username__in=PASSWORDS).delete()
        sleeper = User.objects.create_user("demo", password=PASSWORDS["demo"], role="sleeper", language="nl",
                                           tracked=["alcohol_units", "alcohol_last", "caffeine_mg", "caffeine_last",
                                                    "stress", "tension", "substances"])
        partner = User.objects.create_user("partner", password=PASSWORDS["partner"], role="partner", language="nl")
        # Demo only: a made-up BIG number, verified and confirmed, so the demo share opens (#16).
        gp = User.objects.create_user("huisarts", password=PASSWORDS["huisarts"], role="clinician", language="nl",
                                      big_number="00000000000", verified_at=timezone.now(), verified_by="demo")
        NightRow.objects.bulk_create([NightRow(sleeper=sleeper, **core_to_row_values(n)) for n in diary.nights])
        EpisodeRow.objects.bulk_create([
            EpisodeRow(sleeper=sleeper, logged_by=partner if e.reporter == "partner" else sleeper,
                       **core_to_row_values(e)) for e in diary.episodes])
        Profile.objects.create(user=sleeper, **core_to_row_values(diary.profile))
        PartnerLink.objects.create(sleeper=sleeper, partner=partner, scope="episodes")
        ClinicianShare.objects.create(sleeper=sleeper, clinician=gp, label="Huisarts (demo)",
                                      scope=["nights", "episodes", "profile", "psg"], claimed_at=timezone.now(),
                                      confirmed_at=timezone.now(),
                                      expires_at=timezone.now() + timedelta(days=30))
    if sleep_study:
        add_demo_study(sleeper)
    return dict(PASSWORDS)
