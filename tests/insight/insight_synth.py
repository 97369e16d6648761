"""Synthetic diaries with a seeded RNG, for the insight tests and the benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from nachtwacht.diary.types import Diary, Episode, Night

START = dt.date(2026, 1, 5)


def _t(minutes: float) -> dt.time:
    m = int(round(minutes)) % 1440
    return dt.time(m // 60, m % 60)


def random_nights(rng: np.random.Generator, n: int = 60, start: dt.date = START,
                  **overrides: Callable[[int], object]) -> list[Night]:
    """Nights whose factors and sleep numbers are all independent random draws.

    ``overrides`` maps a field name to ``f(i) -> value`` replacing the random value.
    """
    nights = []
    for i in range(n):
        lights_out = 22 * 60 + 30 + rng.normal(0, 30)
        sol = float(max(0, round(rng.gamma(2.0, 10.0))))
        waso = float(max(0, round(rng.gamma(2.0, 12.0))))
        sleep_len = rng.normal(7.5 * 60, 40)
        final = lights_out + sol + waso + sleep_len
        caffeine = float(rng.choice([0, 90, 180, 350]))
        alcohol = float(rng.choice([0, 0, 0, 1, 2, 4]))
        intensity = str(rng.choice(["none", "light", "moderate", "vigorous"]))
        values = dict(
            date=start + dt.timedelta(days=i),
            bedtime=_t(lights_out - 10), lights_out=_t(lights_out), sol_min=sol,
            awakenings=int(rng.integers(0, 4)), waso_min=waso, final_wake=_t(final),
            out_of_bed=_t(final + 10), quality=int(rng.integers(1, 6)),
            rested=int(rng.integers(1, 6)), nap_min=float(rng.choice([0, 0, 0, 20, 45])),
            alcohol_units=alcohol,
            alcohol_last=_t(lights_out - rng.uniform(30, 300)) if alcohol else None,
            caffeine_mg=caffeine,
            caffeine_last=_t(rng.uniform(8, 19) * 60) if caffeine else None,
            nicotine=bool(rng.random() < 0.3), stress=int(rng.integers(0, 11)),
            exercise_end=_t(rng.uniform(7, 22) * 60) if intensity != "none" else None,
            exercise_intensity=intensity, screens_last_hour=bool(rng.random() < 0.5),
            late_work=bool(rng.random() < 0.2), shift=str(rng.choice(["none", "none", "day"])),
            travel=bool(rng.random() < 0.1), wind_down=bool(rng.random() < 0.4),
            relaxation=bool(rng.random() < 0.3), slept_apart=bool(rng.random() < 0.1),
            tension=int(rng.integers(0, 8)), pain=int(rng.integers(0, 5)),
        )
        for name, f in overrides.items():
            values[name] = f(i)
        nights.append(Night(**values))
    return nights


def episodes_from(nights: list[Night], rng: np.random.Generator, etype: str,
                  prob: Callable[[int, Night], float], reporter: str = "partner") -> list[Episode]:
    """One episode of ``etype`` on each night with probability ``prob(i, night)``."""
    return [Episode(date=n.date, type=etype, reporter=reporter, count=1)
            for i, n in enumerate(nights) if rng.random() < prob(i, n)]


def null_diary(seed: int, n: int = 60) -> Diary:
    """Factors and outcomes independent: any "finding" is a false discovery."""
    rng = np.random.default_rng(seed)
    nights = random_nights(rng, n)
    eps = (episodes_from(nights, rng, "sexsomnia", lambda i, x: 0.2)
           + episodes_from(nights, rng, "hypnic_jerk", lambda i, x: 0.3, reporter="self"))
    return Diary(nights=tuple(nights), episodes=tuple(eps))
