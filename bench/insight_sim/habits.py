"""Realistic evening habits, sleep and episodes for the independent insight simulation.

Written without looking at the statistics in ``nachtwacht.insight``: only the diary
format (:mod:`nachtwacht.diary.types`, ``fields``) is used. A person is a set of
habits (:class:`Person`); :func:`simulate_evenings` draws their evenings as NumPy
arrays, :func:`simulate_sleep` their nights, :func:`occur` and :func:`observe` the
episodes and who could see them, and :func:`build_diary` turns it all into a real
:class:`~nachtwacht.diary.types.Diary` (the same objects ``load_diary`` returns for
a CSV; :func:`tests.insight.independent` checks the CSV round trip).

Why these habits (common knowledge of how people live, not taken from the model):

- alcohol clusters on Friday and Saturday evenings, with more glasses then;
  weekday drinking is lighter and rarer;
- caffeine is daily with some variation; a coffee after 14:00 on some days;
- stress comes in runs (a busy week): a two-state Markov chain, mean run 3-8 days;
- screens in the last hour go together with drinking evenings (same social evening);
- late work goes together with stressed days;
- a partner sleeps apart now and then, more on one weekday (their early shift) and,
  in some scenarios, after heavy drinking (snoring, coming home late);
- sleep is a latent nightly "disturbance" z, optionally AR(1) (bad weeks), that moves
  latency, time awake, quality, tension together;
- episodes may come in spells (a hidden two-state chain), the spell also worsening
  sleep; partner-reported episodes are seen only on nights together (and not always).

Times are minutes after midnight of the *evening* (23:30 = 1410, 00:30 = 1470).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from nachtwacht.diary.types import Diary, Episode, Night, Profile

#: First possible morning; each person starts 0-6 days later so weekdays vary.
START = dt.date(2026, 1, 5)
#: Units from which an evening counts as heavy drinking.
HEAVY_UNITS = 4.0
_INTENSITY = ("none", "light", "moderate", "vigorous")


@dataclass(frozen=True)
class Person:
    """One person's habits (probabilities are per evening unless said otherwise)."""

    drink_p: tuple[float, ...]  # by weekday of the evening, Monday = 0
    units_weekday: float
    units_weekend: float
    caffeine_mg: float
    caffeine_last: float  # usual last caffeine, minutes after midnight
    late_coffee_p: float  # chance of a coffee after 15:00
    stress_enter: float  # P(calm -> stressed) per day
    stress_leave: float  # P(stressed -> calm) per day
    screens_p: float
    screens_p_drink: float
    smoker: bool
    exercise_p: float
    exercise_evening_p: float
    nap_p_weekend: float
    nap_p_weekday: float
    wind_down_p: float
    relaxation_p: float
    shift_worker: bool
    partner: bool
    apart_p: float
    apart_weekday: int | None
    apart_weekday_p: float
    apart_heavy_p: float  # P(apart | heavy drinking); apart_p when not used
    lights_out: float
    weekend_delay: float
    sleep_need: float
    sol_median: float
    waso_median: float
    quality_mean: float
    tension_mean: float
    pain_mean: float
    missing_night_p: float  # a day the diary was not filled in at all
    blank_p: float  # one factor cell left empty


def draw_person(rng: np.random.Generator, *, drinker: str | None = None,
                partner: bool | None = None) -> Person:
    """Draw a person's habits.

    Parameters
    ----------
    drinker : {"none", "light", "weekend", "social", "daily"} or None
        Drinking style; ``None`` draws one (a quarter drink little or nothing).
    partner : bool or None
        Whether there is a bed partner; ``None`` draws (75 % yes).
    """
    if drinker is None:
        drinker = str(rng.choice(["none", "light", "weekend", "social", "daily"],
                                 p=[0.12, 0.18, 0.35, 0.25, 0.10]))
    # Friday and Saturday evenings are index 4 and 5.
    base = {
        "none": (0.0, 0.0, 0.0),
        "light": (0.05, 0.25, 0.1),
        "weekend": (0.08, 0.85, 0.15),
        "social": (0.25, 0.8, 0.35),
        "daily": (0.65, 0.85, 0.7),
    }[drinker]
    wk, wkend, sun = base
    jitter = rng.uniform(0.8, 1.2)
    drink_p = tuple(float(min(0.97, p * jitter)) for p in (wk, wk, wk, wk, wkend, wkend, sun))
    if partner is None:
        partner = bool(rng.random() < 0.75)
    # Partners sleep apart now and then (snoring, a sick child), some every week on one
    # evening (an early shift), some often (separate rooms on many nights).
    apart_wd = int(rng.integers(0, 7)) if rng.random() < 0.4 else None
    return Person(
        drink_p=drink_p,
        units_weekday=float(rng.uniform(1.0, 2.5)),
        units_weekend=float(rng.uniform(2.5, 6.0)) if drinker != "light" else 2.0,
        caffeine_mg=float(rng.choice([0.0, 90, 180, 270, 360, 450], p=[.08, .17, .3, .25, .12, .08])),
        caffeine_last=float(rng.uniform(9.5, 16.5) * 60),
        late_coffee_p=float(rng.uniform(0.05, 0.4)),
        stress_enter=float(rng.uniform(0.04, 0.15)),
        stress_leave=float(1 / rng.uniform(3, 8)),
        screens_p=float(rng.uniform(0.2, 0.7)),
        screens_p_drink=float(rng.uniform(0.6, 0.9)),
        smoker=bool(rng.random() < 0.18),
        exercise_p=float(rng.uniform(0.1, 0.6)),
        exercise_evening_p=float(rng.uniform(0.1, 0.5)),
        nap_p_weekend=float(rng.uniform(0.0, 0.4)),
        nap_p_weekday=float(rng.uniform(0.0, 0.15)),
        wind_down_p=float(rng.uniform(0.1, 0.6)),
        relaxation_p=float(rng.uniform(0.0, 0.35)),
        shift_worker=bool(rng.random() < 0.12),
        partner=partner,
        apart_p=float(rng.choice([rng.uniform(0.02, 0.08), rng.uniform(0.1, 0.3)], p=[.7, .3])),
        apart_weekday=apart_wd,
        apart_weekday_p=float(rng.uniform(0.5, 0.9)),
        apart_heavy_p=0.0,
        lights_out=float(rng.normal(23 * 60, 35)),
        weekend_delay=float(rng.uniform(20, 90)),
        sleep_need=float(rng.normal(450, 30)),
        sol_median=float(rng.uniform(8, 30)),
        waso_median=float(rng.uniform(8, 40)),
        quality_mean=float(rng.uniform(2.8, 3.8)),
        tension_mean=float(rng.uniform(0.5, 4.0)),
        pain_mean=float(rng.uniform(0.0, 2.0)),
        missing_night_p=float(rng.uniform(0.0, 0.06)),
        blank_p=float(rng.uniform(0.0, 0.04)),
    )


def markov_runs(rng: np.random.Generator, n: int, p_enter: float, p_leave: float) -> np.ndarray:
    """A two-state chain (False/True), started from its stationary distribution."""
    pi = p_enter / (p_enter + p_leave)
    state = bool(rng.random() < pi)
    u = rng.random(n)
    out = np.empty(n, dtype=bool)
    for i in range(n):
        out[i] = state
        state = bool(u[i] >= p_leave) if state else bool(u[i] < p_enter)
    return out


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """A stationary AR(1) series with unit variance (``phi = 0``: independent)."""
    e = rng.standard_normal(n)
    z = np.empty(n)
    z[0] = e[0]
    s = np.sqrt(1 - phi * phi)
    for i in range(1, n):
        z[i] = phi * z[i - 1] + s * e[i]
    return z


@dataclass
class Evenings:
    """One person's evenings as arrays of length n (index i = morning START + offset + i)."""

    dates: list[dt.date]
    weekday: np.ndarray  # weekday of the evening (Monday = 0)
    units: np.ndarray
    alcohol_last: np.ndarray
    caffeine_mg: np.ndarray
    caffeine_last: np.ndarray
    stressed: np.ndarray
    stress: np.ndarray
    screens: np.ndarray
    nicotine: np.ndarray
    intensity: np.ndarray
    exercise_end: np.ndarray
    nap_min: np.ndarray
    wind_down: np.ndarray
    relaxation: np.ndarray
    late_work: np.ndarray
    shift: list[str | None]
    travel: np.ndarray
    apart: np.ndarray | None  # None: no bed partner
    medication: list[tuple[str, ...]] = field(default_factory=list)
    substances: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def drink(self) -> np.ndarray:
        """Evenings with any alcohol."""
        return self.units > 0

    @property
    def heavy(self) -> np.ndarray:
        """Evenings with heavy drinking (:data:`HEAVY_UNITS` or more)."""
        return self.units >= HEAVY_UNITS


def simulate_evenings(rng: np.random.Generator, person: Person, n: int,
                      start: dt.date | None = None) -> Evenings:
    """Draw ``n`` consecutive evenings of ``person``'s habits."""
    if start is None:
        start = START + dt.timedelta(days=int(rng.integers(0, 7)))
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    weekday = np.array([(d - dt.timedelta(days=1)).weekday() for d in dates])
    weekend = (weekday == 4) | (weekday == 5)
    drink = rng.random(n) < np.asarray(person.drink_p)[weekday]
    mean_units = np.where(weekend, person.units_weekend, person.units_weekday)
    # Glasses: 1 + Poisson around the usual amount, so heavier on weekend evenings.
    units = np.where(drink, 1 + rng.poisson(np.maximum(mean_units - 1, 0)), 0).astype(float)
    alcohol_last = person.lights_out - rng.uniform(20, 180, n)

    caffeine = np.where(person.caffeine_mg > 0,
                        np.maximum(0, np.round(rng.normal(person.caffeine_mg,
                                                          0.25 * person.caffeine_mg + 1, n) / 10)
                                   * 10), 0.0)
    late = rng.random(n) < person.late_coffee_p
    caffeine_last = np.where(late, rng.uniform(15, 20, n) * 60,
                             person.caffeine_last + rng.normal(0, 45, n))
    caffeine_last = np.clip(caffeine_last, 6 * 60, 21 * 60)

    stressed = markov_runs(rng, n, person.stress_enter, person.stress_leave)
    stress = np.clip(np.round(np.where(stressed, rng.normal(7, 1.2, n), rng.normal(2.5, 1.3, n))),
                     0, 10).astype(int)
    late_work = rng.random(n) < np.where(stressed, 0.4, 0.08)
    screens = rng.random(n) < np.where(drink, person.screens_p_drink, person.screens_p)
    nicotine = np.full(n, person.smoker) & (rng.random(n) < 0.95)
    exercised = rng.random(n) < person.exercise_p
    intensity = np.where(exercised, rng.integers(1, 4, n), 0)
    exercise_end = np.where(rng.random(n) < person.exercise_evening_p,
                            rng.uniform(18.5, 22, n), rng.uniform(7, 18, n)) * 60
    nap = rng.random(n) < np.where(weekend | (weekday == 6), person.nap_p_weekend,
                                   person.nap_p_weekday)
    nap_min = np.where(nap, rng.choice([15.0, 20, 30, 45, 60, 90], n), 0.0)
    wind_down = rng.random(n) < np.where(stressed, person.wind_down_p * 0.6, person.wind_down_p)
    relaxation = rng.random(n) < person.relaxation_p
    if person.shift_worker:
        # Blocks of evening shifts of about a week, days off in between.
        on = markov_runs(rng, n, 0.12, 0.18)
        shift: list[str | None] = ["evening" if s else "day" for s in on]
    else:
        shift = ["day" if w < 5 else "none" for w in weekday]
    # Trips of a few days, a handful of times a year.
    travel = markov_runs(rng, n, 0.012, 0.33)

    apart = None
    if person.partner:
        p = np.full(n, person.apart_p)
        if person.apart_weekday is not None:
            p = np.where(weekday == person.apart_weekday, person.apart_weekday_p, p)
        if person.apart_heavy_p:
            p = np.where(units >= HEAVY_UNITS, np.maximum(p, person.apart_heavy_p), p)
        apart = rng.random(n) < p
    return Evenings(dates=dates, weekday=weekday, units=units, alcohol_last=alcohol_last,
                    caffeine_mg=caffeine, caffeine_last=caffeine_last, stressed=stressed,
                    stress=stress, screens=screens, nicotine=nicotine, intensity=intensity,
                    exercise_end=exercise_end, nap_min=nap_min, wind_down=wind_down,
                    relaxation=relaxation, late_work=late_work, shift=shift, travel=travel,
                    apart=apart, medication=[() for _ in range(n)],
                    substances=[() for _ in range(n)])


@dataclass
class Sleep:
    """Sleep diary numbers of n nights (clock fields in minutes after midnight of the evening)."""

    z: np.ndarray
    bedtime: np.ndarray
    lights_out: np.ndarray
    sol: np.ndarray
    waso: np.ndarray
    awakenings: np.ndarray
    final_wake: np.ndarray
    out_of_bed: np.ndarray
    quality: np.ndarray
    rested: np.ndarray
    tension: np.ndarray
    pain: np.ndarray


def simulate_sleep(rng: np.random.Generator, person: Person, ev: Evenings, *, phi: float = 0.0,
                   phi_noise: float = 0.0, z_shift: np.ndarray | None = None,
                   sol_add: np.ndarray | None = None,
                   waso_add: np.ndarray | None = None,
                   quality_add: np.ndarray | None = None) -> Sleep:
    """Draw sleep that depends on nothing in ``ev`` except bedtime on weekends.

    ``phi`` makes the shared latent disturbance AR(1) and ``phi_noise`` each
    metric's own part (with both at 0.6 every metric has a lag-1 correlation of
    about 0.6); ``z_shift`` adds to the shared part (spells, trends); the ``*_add``
    arrays add directly (withdrawal rebound). Only the clock
    times follow the weekend (later to bed, later up), which moves no outcome.
    """
    n = len(ev.dates)
    z = ar1(rng, n, phi)
    if z_shift is not None:
        z = z + z_shift
    e = np.column_stack([ar1(rng, n, phi_noise) for _ in range(5)])
    weekend = (ev.weekday == 4) | (ev.weekday == 5)
    lights_out = np.clip(person.lights_out + np.where(weekend, person.weekend_delay, 0)
                         + rng.normal(0, 25, n), 21 * 60, 26 * 60)
    bedtime = lights_out - rng.uniform(0, 30, n)
    sol = np.round(person.sol_median * np.exp(0.5 * (0.6 * z + 0.8 * e[:, 0])))
    waso = np.round(person.waso_median * np.exp(0.6 * (0.6 * z + 0.8 * e[:, 1])))
    if sol_add is not None:
        sol = sol + np.round(sol_add)
    if waso_add is not None:
        waso = waso + np.round(waso_add)
    sol = np.clip(sol, 0, 240)
    waso = np.clip(waso, 0, 240)
    awakenings = np.clip(rng.poisson(0.5 + waso / 15), 0, 50)
    q = person.quality_mean - 0.8 * (0.6 * z + 0.8 * e[:, 2])
    if quality_add is not None:
        q = q + quality_add
    quality = np.clip(np.round(q), 1, 5).astype(int)
    rested = np.clip(np.round(quality + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    tension = np.clip(np.round(person.tension_mean + 1.2 * (0.5 * z + 0.85 * e[:, 3])),
                      0, 10).astype(int)
    pain = np.clip(np.round(person.pain_mean + 0.9 * e[:, 4]), 0, 10).astype(int)
    final_wake = lights_out + sol + waso + rng.normal(person.sleep_need, 30, n)
    final_wake = np.minimum(final_wake, 24 * 60 + 11 * 60 + 30)
    # Never let the wake-up come before the time in bed it has to contain.
    final_wake = np.maximum(final_wake, lights_out + sol + waso + 60)
    out_of_bed = final_wake + rng.uniform(0, 25, n)
    return Sleep(z=z, bedtime=bedtime, lights_out=lights_out, sol=sol, waso=waso,
                 awakenings=awakenings, final_wake=final_wake, out_of_bed=out_of_bed,
                 quality=quality, rested=rested, tension=tension, pain=pain)


def spell_state(rng: np.random.Generator, n: int, mean_len: float, share: float) -> np.ndarray:
    """Nights inside an episode spell: runs of ``mean_len`` nights, ``share`` of all nights."""
    leave = 1.0 / mean_len
    enter = leave * share / (1 - share)
    return markov_runs(rng, n, enter, leave)


def occur(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    """Nights on which an episode happened, each with probability ``p``."""
    return rng.random(n) < np.broadcast_to(np.asarray(p, dtype=float), (n,))


def observe(rng: np.random.Generator, happened: np.ndarray, reporter: str,
            apart: np.ndarray | None, detect: float = 0.9) -> np.ndarray:
    """Episodes that end up in the diary.

    The sleeper reports what they notice themselves; a partner only on nights
    together, and then misses some (asleep, ``1 - detect``).
    """
    if reporter == "self":
        return happened.copy()
    seen = rng.random(len(happened)) < detect
    together = np.ones(len(happened), bool) if apart is None else ~apart
    return happened & seen & together


def _clock(minutes: float) -> dt.time:
    m = int(round(minutes)) % 1440
    return dt.time(m // 60, m % 60)


def build_diary(rng: np.random.Generator, person: Person, ev: Evenings, sl: Sleep,
                episodes: dict[tuple[str, str], np.ndarray]) -> tuple[Diary, np.ndarray]:
    """Turn the arrays into a :class:`Diary`; return it and the mask of recorded nights.

    ``episodes`` maps ``(type, reporter)`` to a boolean array of reported nights.
    Some days are missing entirely (``missing_night_p``) and a few factor cells are
    left blank (``blank_p``), as in real diaries.
    """
    n = len(ev.dates)
    kept = rng.random(n) >= person.missing_night_p
    kept[0] = kept[-1] = True  # the diary length is what the scenario asked for
    blanks = rng.random((n, 4)) < person.blank_p
    nights = []
    for i in np.flatnonzero(kept):
        units = float(ev.units[i])
        intensity = int(ev.intensity[i])
        nights.append(Night(
            date=ev.dates[i],
            bedtime=_clock(sl.bedtime[i]), lights_out=_clock(sl.lights_out[i]),
            sol_min=float(sl.sol[i]), awakenings=int(sl.awakenings[i]),
            waso_min=float(sl.waso[i]), final_wake=_clock(sl.final_wake[i]),
            out_of_bed=_clock(sl.out_of_bed[i]), quality=int(sl.quality[i]),
            rested=int(sl.rested[i]), nap_min=float(ev.nap_min[i]),
            alcohol_units=None if blanks[i, 0] else units,
            alcohol_last=_clock(ev.alcohol_last[i]) if units and not blanks[i, 0] else None,
            caffeine_mg=None if blanks[i, 1] else float(ev.caffeine_mg[i]),
            caffeine_last=(_clock(ev.caffeine_last[i])
                           if ev.caffeine_mg[i] > 0 and not blanks[i, 1] else None),
            nicotine=bool(ev.nicotine[i]),
            substances=ev.substances[i], medication=ev.medication[i],
            stress=None if blanks[i, 2] else int(ev.stress[i]),
            exercise_end=_clock(ev.exercise_end[i]) if intensity else None,
            exercise_intensity=_INTENSITY[intensity],
            screens_last_hour=None if blanks[i, 3] else bool(ev.screens[i]),
            late_work=bool(ev.late_work[i]), shift=ev.shift[i], travel=bool(ev.travel[i]),
            wind_down=bool(ev.wind_down[i]), relaxation=bool(ev.relaxation[i]),
            slept_apart=None if ev.apart is None else bool(ev.apart[i]),
            tension=int(sl.tension[i]), pain=int(sl.pain[i]),
        ))
    eps = []
    for (etype, reporter), mask in episodes.items():
        for i in np.flatnonzero(mask & kept):
            eps.append(Episode(date=ev.dates[i], type=etype, reporter=reporter, count=1))
    eps.sort(key=lambda e: (e.date, e.type))
    diary = Diary(nights=tuple(nights), episodes=tuple(eps),
                  profile=Profile(bed_partner=person.partner))
    return diary, kept
