"""Synthetic diaries with a seeded RNG, for the insight tests and the benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

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
    All draws are made up front (vectorised), so a thousand diaries build quickly.
    """
    lights_out = 22 * 60 + 30 + rng.normal(0, 30, n)
    sol = np.maximum(0, np.round(rng.gamma(2.0, 10.0, n)))
    waso = np.maximum(0, np.round(rng.gamma(2.0, 12.0, n)))
    final = lights_out + sol + waso + rng.normal(7.5 * 60, 40, n)
    caffeine = np.array([0.0, 90, 180, 350])[rng.integers(0, 4, n)]
    caffeine_at = rng.uniform(8, 19, n) * 60
    alcohol = np.array([0.0, 0, 0, 1, 2, 4])[rng.integers(0, 6, n)]
    alcohol_gap = rng.uniform(30, 300, n)
    intensities = ("none", "light", "moderate", "vigorous")
    intensity = rng.integers(0, 4, n)
    exercise_at = rng.uniform(7, 22, n) * 60
    ints = rng.integers(0, 1000, (n, 6))
    u = rng.random((n, 9))
    nights = []
    for i in range(n):
        values = dict(
            date=start + dt.timedelta(days=i),
            bedtime=_t(lights_out[i] - 10), lights_out=_t(lights_out[i]), sol_min=float(sol[i]),
            awakenings=int(ints[i, 0] % 4), waso_min=float(waso[i]), final_wake=_t(final[i]),
            out_of_bed=_t(final[i] + 10), quality=int(1 + ints[i, 1] % 5),
            rested=int(1 + ints[i, 2] % 5),
            nap_min=float((0, 0, 0, 20, 45)[int(ints[i, 3] % 5)]),
            alcohol_units=float(alcohol[i]),
            alcohol_last=_t(lights_out[i] - alcohol_gap[i]) if alcohol[i] else None,
            caffeine_mg=float(caffeine[i]),
            caffeine_last=_t(caffeine_at[i]) if caffeine[i] else None,
            nicotine=bool(u[i, 0] < 0.3), stress=int(ints[i, 4] % 11),
            exercise_end=_t(exercise_at[i]) if intensity[i] else None,
            exercise_intensity=intensities[intensity[i]], screens_last_hour=bool(u[i, 1] < 0.5),
            late_work=bool(u[i, 2] < 0.2), shift="day" if u[i, 3] < 1 / 3 else "none",
            travel=bool(u[i, 4] < 0.1), wind_down=bool(u[i, 5] < 0.4),
            relaxation=bool(u[i, 6] < 0.3), slept_apart=bool(u[i, 7] < 0.1),
            tension=int(ints[i, 5] % 8), pain=int(u[i, 8] * 5),
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


def planted_episodes(nights: list[Night], rng: np.random.Generator, etype: str,
                     exposed: Sequence[bool], rate_exposed: float, rate_other: float,
                     reporter: str = "partner") -> list[Episode]:
    """Episodes on exactly ``round(rate * n)`` randomly chosen exposed and other nights.

    Exact counts (not coin flips) make a planted effect equally clear for every seed.
    """
    idx_exp = [i for i, e in enumerate(exposed) if e]
    idx_other = [i for i, e in enumerate(exposed) if not e]
    chosen: list[int] = []
    for idx, rate in ((idx_exp, rate_exposed), (idx_other, rate_other)):
        k = int(round(rate * len(idx)))
        if k:
            chosen.extend(int(i) for i in rng.choice(idx, size=k, replace=False))
    return [Episode(date=nights[i].date, type=etype, reporter=reporter, count=1)
            for i in sorted(chosen)]


def null_diary(seed: int, n: int = 60) -> Diary:
    """Factors and outcomes independent: any "finding" is a false discovery."""
    rng = np.random.default_rng(seed)
    nights = random_nights(rng, n)
    eps = (episodes_from(nights, rng, "sexsomnia", lambda i, x: 0.2)
           + episodes_from(nights, rng, "hypnic_jerk", lambda i, x: 0.3, reporter="self"))
    return Diary(nights=tuple(nights), episodes=tuple(eps))
