"""Scenarios of the independent insight simulation: diaries with a known truth.

Each ``scenario_*`` function takes ``(seed, n_people, n_nights)`` and returns one
:class:`Case` per person: a real :class:`~nachtwacht.diary.types.Diary` plus the
:class:`Truth` the scorer needs. The same seed always gives the same diaries.

(a) null: nothing linked to anything, various habits;
(b) null, every person with a partner who reports the sleepwalking/sexsomnia (on
    10-35 % of nights, frequent enough for missing nights to matter) and sleeps
    apart after 60 % of heavy-drinking evenings;
(c) null with episodes in spells and autocorrelated sleep (AR(1) 0.6);
(d) alcohol raises sleepwalking/sexsomnia from 10 % to 50 % of nights; the sleeper
    reports it (finds the signs next morning), so every night is observed and the
    power targets apply to exactly the stated effect;
(e) as (d), but the partner who reports it sleeps apart after 60 % of heavy evenings;
(f) as (d), with screens on 80 % of drinking evenings and 20 % of the others: screens
    are an innocent ride-along;
(g) a nightly sleeping pill (medication column) stopped part-way, rebound insomnia of
    3-7 nights; (g2) the same with daily cannabis (substances column);
(h) experiments with nothing changed (:func:`scenario_h`): independent nights, lag-1
    correlation 0.6, or a slow improving trend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from nachtwacht.diary.types import Diary

from .habits import (
    Evenings,
    Person,
    build_diary,
    draw_person,
    observe,
    occur,
    simulate_evenings,
    simulate_sleep,
    spell_state,
)

#: Drinking styles of people in the trigger scenarios (a trigger needs drinking).
TRIGGER_DRINKERS = (("weekend", "social", "daily"), (0.45, 0.40, 0.15))
#: Trend of the experiment scenario: latent disturbance drop per night. The metrics
#: load 0.6 on it, so this is about 0.34 SD of each metric per four weeks.
TREND_PER_NIGHT = 0.02


@dataclass(frozen=True)
class Truth:
    """What is really going on in a diary (``None``: nothing of that kind)."""

    trigger: str | None = None  # factor family that raises an episode ("alcohol")
    outcome: str | None = None  # the episode type it raises
    ride_along: str | None = None  # innocent factor that goes with the trigger
    stopped: str | None = None  # medicine or substance stopped (rebound after it)


@dataclass
class Case:
    """One simulated person: the diary and the truth behind it."""

    diary: Diary
    truth: Truth
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    """How to simulate one person (see :func:`simulate_person`)."""

    drinker: str | None = None
    trigger_drinkers: bool = False
    partner: bool | None = None
    apart_heavy_p: float = 0.0
    phi: float = 0.0
    phi_noise: float = 0.0
    spells: bool = False
    trigger: tuple[float, float] | None = None  # episode rate without / with alcohol
    main_reporter: str | None = None  # None: the partner if there is one, else self
    main_rate: tuple[float, float] = (0.05, 0.2)  # range of the parasomnia's nightly rate
    screens: tuple[float, float] | None = None  # P(screens | no drink), P(screens | drink)
    stop: tuple[str, str] | None = None  # ("medication" | "substances", name)
    trend: float = 0.0


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def _episode_p(p: float, spell: np.ndarray | None, n: int) -> np.ndarray:
    """Per-night probability with mean ``p``, raised inside spells when there are any."""
    if spell is None:
        return np.full(n, p)
    share = 0.25
    p_in = min(0.85, 2.5 * p)
    p_out = max(0.0, (p - share * p_in) / (1 - share))
    return np.where(spell, p_in, p_out)


def _stop(ev: Evenings, rng: np.random.Generator, column: str, name: str,
          n: int) -> tuple[int, int, np.ndarray]:
    """Regular nightly use of ``name`` for the first part, then stopped.

    Returns the first night without it, the rebound length (3-7 nights) and the
    rebound strength per night (1 on the first night, fading to 0.4).
    """
    k = int(round(rng.uniform(0.35, 0.6) * n))
    taken = (np.arange(n) < k) & (rng.random(n) < 0.95)
    getattr(ev, column)[:] = [(name,) if t else () for t in taken]
    length = int(rng.integers(3, 8))
    strength = np.zeros(n)
    m = min(length, n - k)
    strength[k:k + m] = np.linspace(1.0, 0.4, length)[:m]
    return k, length, strength


def simulate_person(rng: np.random.Generator, n: int, opt: Options) -> Case:
    """Simulate one person's diary of ``n`` nights under ``opt``."""
    drinker = opt.drinker
    if opt.trigger_drinkers:
        styles, weights = TRIGGER_DRINKERS
        drinker = str(rng.choice(styles, p=weights))
    person: Person = draw_person(rng, drinker=drinker, partner=opt.partner)
    if opt.apart_heavy_p:
        person = replace(person, apart_heavy_p=opt.apart_heavy_p)
    if opt.screens is not None:
        person = replace(person, screens_p=opt.screens[0], screens_p_drink=opt.screens[1])
    ev = simulate_evenings(rng, person, n)
    info: dict = {}

    spell = spell_state(rng, n, float(rng.uniform(4, 10)), 0.25) if opt.spells else None
    z_shift = 0.8 * spell if spell is not None else np.zeros(n)
    if opt.trend:
        z_shift = z_shift - opt.trend * (np.arange(n) - n / 2)
    sol_add = waso_add = q_add = None
    stopped = None
    if opt.stop is not None:
        column, name = opt.stop
        k, length, strength = _stop(ev, rng, column, name, n)
        sol_add, waso_add, q_add = 40 * strength, 35 * strength, -1.3 * strength
        stopped = name
        info.update(stop_night=k, rebound=length)
    sl = simulate_sleep(rng, person, ev, phi=opt.phi, phi_noise=opt.phi_noise, z_shift=z_shift,
                        sol_add=sol_add, waso_add=waso_add, quality_add=q_add)

    # The main parasomnia, seen by the partner when there is one.
    main = str(rng.choice(["sleepwalking", "sexsomnia"]))
    reporter = opt.main_reporter or ("partner" if person.partner else "self")
    if opt.trigger is not None:
        p_main = np.where(ev.drink, opt.trigger[1], opt.trigger[0])
        truth = Truth(trigger="alcohol", outcome=main,
                      ride_along="screens" if opt.screens is not None else None)
    else:
        p_main = _episode_p(float(rng.uniform(*opt.main_rate)), spell, n)
        truth = Truth(stopped=stopped)
    happened = {(main, reporter): occur(rng, p_main, n)}
    # Other episode types some people also keep track of, none linked to anything.
    if rng.random() < 0.6:
        happened[("hypnic_jerk", "self")] = occur(
            rng, _episode_p(float(rng.uniform(0.1, 0.35)), spell, n), n)
    if rng.random() < 0.4:
        happened[("nightmare", "self")] = occur(
            rng, _episode_p(float(rng.uniform(0.04, 0.15)), spell, n), n)
    if person.partner and rng.random() < 0.3:
        happened[("bruxism", "partner")] = occur(
            rng, _episode_p(float(rng.uniform(0.1, 0.3)), spell, n), n)
    reported = {key: observe(rng, h, key[1], ev.apart) for key, h in happened.items()}
    diary, kept = build_diary(rng, person, ev, sl, reported)
    info.update(
        n_nights=int(kept.sum()), drink_nights=int((ev.drink & kept).sum()),
        apart_nights=int((ev.apart & kept).sum()) if ev.apart is not None else 0,
        main=main, reporter=reporter,
        main_happened=int((happened[(main, reporter)] & kept).sum()),
        main_reported=int((reported[(main, reporter)] & kept).sum()),
    )
    return Case(diary=diary, truth=truth, info=info)


def _people(seed: int, key: int, n_people: int, n_nights: int, opt: Options) -> list[Case]:
    return [simulate_person(_rng(seed, key, n_nights, i), n_nights, opt) for i in range(n_people)]


def scenario_a(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """Null: nothing linked, various habits (a quarter without a partner)."""
    return _people(seed, 1, n_people, n_nights, Options())


def scenario_b(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """Null; the partner reports the parasomnia and sleeps apart after heavy drinking."""
    return _people(seed, 2, n_people, n_nights,
                   Options(partner=True, main_reporter="partner", apart_heavy_p=0.6,
                           main_rate=(0.1, 0.35)))


def scenario_c(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """Null with episodes in spells and autocorrelated sleep."""
    return _people(seed, 3, n_people, n_nights,
                   Options(phi=0.6, phi_noise=0.3, spells=True))


def scenario_d(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """Alcohol raises the parasomnia from 10 % to 50 % of nights."""
    return _people(seed, 4, n_people, n_nights,
                   Options(trigger_drinkers=True, trigger=(0.1, 0.5), main_reporter="self"))


def scenario_e(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """As (d); the partner who reports it sleeps apart after 60 % of heavy evenings."""
    return _people(seed, 5, n_people, n_nights,
                   Options(trigger_drinkers=True, trigger=(0.1, 0.5), partner=True,
                           main_reporter="partner", apart_heavy_p=0.6))


def scenario_f(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """As (d), with screens on 80 % of drinking evenings (20 % otherwise)."""
    return _people(seed, 6, n_people, n_nights,
                   Options(trigger_drinkers=True, trigger=(0.1, 0.5), main_reporter="self",
                           screens=(0.2, 0.8)))


def scenario_g(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """A nightly sleeping pill (zolpidem) stopped; 3-7 nights of rebound insomnia."""
    return _people(seed, 7, n_people, n_nights, Options(stop=("medication", "zolpidem")))


def scenario_g2(seed: int, n_people: int, n_nights: int) -> list[Case]:
    """Daily cannabis stopped; 3-7 nights of rebound insomnia."""
    return _people(seed, 8, n_people, n_nights, Options(stop=("substances", "cannabis")))


INSIGHT_SCENARIOS: dict[str, Callable[[int, int, int], list[Case]]] = {
    "a": scenario_a, "b": scenario_b, "c": scenario_c, "d": scenario_d, "e": scenario_e,
    "f": scenario_f, "g": scenario_g, "g2": scenario_g2,
}


# ---------------------------------------------------------------------------
# (h) experiments with nothing changed
# ---------------------------------------------------------------------------
#: Library experiments whose rule is a factor the simulation can follow without
#: changing sleep itself (a fixed rise time would move the sleep window).
EXPERIMENT_CODES = ("no_caffeine_after_14", "wind_down_45", "no_alcohol_weeknights",
                    "relaxation_daily", "no_screens_last_hour")
#: mode -> (phi shared, phi own, trend per night, real effect on the latent disturbance
#: during the change). The last mode is a real change (for power, no target): the
#: change lowers the disturbance by 0.8 SD, about half an SD of each metric.
EXPERIMENT_MODES = {"iid": (0.0, 0.0, 0.0, 0.0), "ar0.6": (0.6, 0.6, 0.0, 0.0),
                    "trend": (0.0, 0.0, TREND_PER_NIGHT, 0.0),
                    "ar0.6+trend": (0.6, 0.6, TREND_PER_NIGHT, 0.0),
                    "real": (0.3, 0.3, 0.0, 0.8)}


@dataclass
class ExperimentCase:
    """A diary of a baseline and an experiment period of equal length; nothing changes."""

    diary: Diary
    code: str
    start: dt.date


def _follow(ev: Evenings, rng: np.random.Generator, code: str, start: int) -> None:
    """Keep to the change on 90 % of the experiment evenings (it affects nothing)."""
    n = len(ev.dates)
    on = (np.arange(n) >= start) & (rng.random(n) < 0.9)
    if code == "no_caffeine_after_14":
        ev.caffeine_last[on] = np.minimum(ev.caffeine_last[on], rng.uniform(8, 13.9, on.sum()) * 60)
    elif code == "wind_down_45":
        ev.wind_down[on] = True
    elif code == "no_alcohol_weeknights":
        weeknight = np.isin(ev.weekday, (6, 0, 1, 2, 3))
        ev.units[on & weeknight] = 0
    elif code == "relaxation_daily":
        ev.relaxation[on] = True
    elif code == "no_screens_last_hour":
        ev.screens[on] = False


def experiment_person(rng: np.random.Generator, period: int, mode: str,
                      code: str) -> ExperimentCase:
    """One person: ``period`` baseline nights, then ``period`` nights of the change."""
    phi, phi_noise, trend, effect = EXPERIMENT_MODES[mode]
    n = 2 * period
    person = draw_person(rng)
    ev = simulate_evenings(rng, person, n)
    _follow(ev, rng, code, period)
    z_shift = -trend * (np.arange(n) - n / 2) - effect * (np.arange(n) >= period)
    sl = simulate_sleep(rng, person, ev, phi=phi, phi_noise=phi_noise, z_shift=z_shift)
    # Hypnic jerks move with the same latent disturbance (and so with the trend).
    p = np.clip(float(rng.uniform(0.1, 0.35)) * np.exp(0.6 * sl.z - 0.18), 0, 0.95)
    eps = {("hypnic_jerk", "self"): occur(rng, p, n)}
    person = replace(person, missing_night_p=min(person.missing_night_p, 0.03))
    diary, _ = build_diary(rng, person, ev, sl, eps)
    return ExperimentCase(diary=diary, code=code, start=ev.dates[period])


def scenario_h(seed: int, n_people: int, period: int, mode: str) -> list[ExperimentCase]:
    """Experiments (nothing changed unless ``mode`` is ``real``); a key of :data:`EXPERIMENT_MODES`."""
    key = 100 + list(EXPERIMENT_MODES).index(mode)
    return [experiment_person(_rng(seed, key, period, i), period, mode,
                              EXPERIMENT_CODES[i % len(EXPERIMENT_CODES)])
            for i in range(n_people)]
