"""A small, fully known diary for report tests: every count is written here by hand.

The demo household (``nachtwacht.diary.demo``) is used too; this one exists so the
tests can state exact expected numbers independently of any generator.
"""

from __future__ import annotations

import datetime as dt

from nachtwacht.diary.types import Diary, Episode, Night, Profile

START = dt.date(2026, 3, 2)  # first morning (a Monday)
DAYS = 28
SEXSOMNIA_DAYS = (3, 4, 10, 17, 18, 24)  # day offsets of partner-witnessed sexsomnia
JERK_DAYS = (1, 2, 5, 8, 12, 15, 20, 22, 26)
SECRET_NOTE = "geheime notitie 7731"


def household() -> Diary:
    """28 nights; 6 sexsomnia nights (partner), 9 hypnic-jerk nights (self), one injury."""
    nights = []
    for i in range(DAYS):
        d = START + dt.timedelta(days=i)
        nights.append(Night(
            date=d, bedtime=dt.time(23, 0), lights_out=dt.time(23, 15), sol_min=15 + (i % 3) * 5,
            awakenings=i % 4, waso_min=10 * (i % 4), final_wake=dt.time(6, 45),
            out_of_bed=dt.time(7, 0), quality=3, tension=2 + (i % 2),
            alcohol_units=4.0 if i in SEXSOMNIA_DAYS else 0.0,
            caffeine_mg=200.0, stress=3,
            notes=SECRET_NOTE if i == 5 else "",
        ))
    eps = []
    for i in SEXSOMNIA_DAYS:
        eps.append(Episode(
            date=START + dt.timedelta(days=i), type="sexsomnia", reporter="partner",
            time=dt.time(1, 30), behaviours=("touching", "moaning"), recall="none",
            injury=(i == 10), left_bedroom=False, partner_unsafe=(i == 17),
        ))
    for i in JERK_DAYS:
        eps.append(Episode(date=START + dt.timedelta(days=i), type="hypnic_jerk",
                           reporter="self", time=dt.time(23, 25), count=2))
    profile = Profile(birth_year=1984, bed_partner=True, drives=True, snoring=False,
                      daytime_sleepiness=1, witnessed_apneas=None)
    return Diary(nights=tuple(nights), episodes=tuple(eps), profile=profile)


def needs(tool: str) -> None:
    """Skip when a poppler tool (pdfinfo, pdftotext, pdffonts) is not installed."""
    import shutil

    import pytest

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) not installed")
