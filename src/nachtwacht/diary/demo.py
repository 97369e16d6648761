"""A deterministic demo household: a sleeper's diary, episodes seen by them and their partner.

The data look like a real diary (bedtime around 23:00, later at weekends, 10-40 min to
fall asleep, occasional bad nights, some questions left open) and contain three planted
patterns, strong enough for an exact test with false-discovery-rate control to find them
in 8 weeks:

- **sexsomnia after alcohol and short sleep**: partner-reported sexsomnia on about 65 %
  of nights with 3 or more units of alcohol *and* less than 6 h sleep the night before,
  about 5 % of other nights; behaviours listed, no recall, once leaving the bedroom;
- **hypnic jerks after late caffeine**: on about 70 % of nights with caffeine after
  15:00, about 10 % otherwise;
- **jaw tension in stressful weeks**: two weeks in every eight with stress 6-9, morning
  tension 6-8 and partner-reported grinding on most nights, versus tension 1-3 otherwise.

Rates are planted as exact counts (a random choice of ``round(rate * n)`` nights), so
every seed shows the patterns equally clearly. Same arguments, same diary, every run.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .metrics import night_metrics
from .types import Diary, Episode, Night, Profile
from .validate import today_in

SEXSOMNIA_RATE_EXPOSED = 0.65
SEXSOMNIA_RATE_OTHER = 0.05
JERK_RATE_LATE_CAFFEINE = 0.70
JERK_RATE_OTHER = 0.10
BRUXISM_RATE_STRESS = 0.60
BRUXISM_RATE_OTHER = 0.05
#: Weeks (modulo 8) that are stressful.
STRESS_WEEKS = (2, 5)
SHORT_SLEEP_MIN = 360.0

_SEX_BEHAVIOURS = (
    ("aanraken", "seksuele bewegingen"),
    ("kreunen", "aanraken"),
    ("uitkleden", "aanraken"),
    ("praten", "seksuele bewegingen"),
    ("aanraken",),
)
_NOTES = (
    "Drukke dag op het werk.",
    "Buren maakten lawaai.",
    "Laat gegeten.",
    "Hoofdpijn bij het opstaan.",
)


def _clock(minutes: float) -> dt.time:
    """Clock time of ``minutes`` after midnight of some day (wraps past 24 h)."""
    m = int(round(minutes)) % 1440
    return dt.time(m // 60, m % 60)


def _r5(x: float) -> int:
    return int(5 * round(x / 5.0))


def _pick(rng: np.random.Generator, idx: list[int], rate: float) -> set[int]:
    """Exactly ``round(rate * len(idx))`` of ``idx``, chosen at random."""
    k = int(round(rate * len(idx)))
    if k == 0 or not idx:
        return set()
    return {int(i) for i in rng.choice(np.array(idx), size=k, replace=False)}


def demo_profile() -> Profile:
    """The demo sleeper's profile: bed partner yes, children no, drives yes."""
    return Profile(
        birth_year=1989, bed_partner=True, children_in_home=False, drives=True, shift_work=False,
        snoring=False, witnessed_apneas=False, daytime_sleepiness=1, drowsy_driving=False,
        cataplexy=False, sleep_paralysis=False, hypnagogic_hallucinations=False,
        rls_symptoms=False, tingling_weakness=False, severe_pain=False, breathing_problems=False,
        chest_pain=False, low_mood=False, suicidal_thoughts=False, new_medication=False,
        past_sleepwalking=True, epilepsy=False, urinary_complaints=False, strong_shame=True,
        loss_of_control=False,
    )


def demo_diary(seed: int = 7, weeks: int = 8, end: dt.date | None = None) -> Diary:
    """Build the demo household diary.

    Parameters
    ----------
    seed
        Seed of the :class:`numpy.random.Generator`; same arguments give the same diary.
    weeks
        Number of weeks of nights (7 nights each).
    end
        Date of the last morning (default: today; pass a date for a fixed diary).

    Returns
    -------
    Diary
        Nights, sleeper- and partner-reported episodes and a profile, in Europe/Amsterdam.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    end = end or today_in("Europe/Amsterdam")
    n = weeks * 7
    rng = np.random.default_rng(seed)
    mornings = [end - dt.timedelta(days=n - 1 - i) for i in range(n)]
    evening_wd = np.array([(d - dt.timedelta(days=1)).weekday() for d in mornings])
    morning_wd = np.array([d.weekday() for d in mornings])
    stressful = np.array([(i // 7) % 8 in STRESS_WEEKS for i in range(n)])

    # Draws are made for every night in a fixed order, whatever the weekday, so changing
    # `end` shifts weekend effects but keeps each night's random values.
    u = rng.random((n, 24))
    z = rng.standard_normal((n, 4))
    weekend_evening = np.isin(evening_wd, (4, 5))
    heavy = np.where(weekend_evening, u[:, 0] < 0.7, u[:, 0] < 0.12)
    late_caffeine = u[:, 1] < 0.3
    short = u[:, 2] < 0.05
    for i in np.flatnonzero(heavy):
        if i > 0 and u[i - 1, 3] < 0.8:
            short[i - 1] = True
    bad = u[:, 4] < 0.06
    # Questions left open, as in a real diary: a fixed share of nights per field.
    missing = {name: {int(i) for i in rng.choice(n, size=max(1, round(rate * n)), replace=False)}
               for name, rate in (("rested", 0.08), ("pain", 0.1), ("caffeine_mg", 0.05),
                                  ("nap_min", 0.05))}

    nights: list[Night] = []
    for i, morning in enumerate(mornings):
        weekend_morning = morning_wd[i] >= 5
        if short[i]:
            bed = 24 * 60 + 15 + 45 * u[i, 5]
            wake = 6 * 60 + 15 * z[i, 1]
        else:
            bed = 23 * 60 + 40 * z[i, 0] + (60 if weekend_evening[i] else 0)
            wake = (8 * 60 + 30 + 40 * z[i, 1]) if weekend_morning else (7 * 60 + 25 * z[i, 1])
        bed_m = _r5(bed)
        lo_m = bed_m + _r5(30 * u[i, 6])
        fw_m = 1440 + _r5(wake)
        up_m = fw_m + _r5(30 * u[i, 7])
        sol = int(10 + 30 * u[i, 8]) + (10 if late_caffeine[i] else 0)
        awak = int(rng.poisson(1.3))
        waso = int(awak * (3 + 12 * u[i, 9]))
        if bad[i]:
            awak += 3
            waso += int(60 + 30 * u[i, 10])
        window = fw_m - lo_m
        waso = int(max(0, min(waso, window - sol - 60)))
        tst = window - sol - waso
        se = tst / (up_m - bed_m) * 100
        quality = int(np.clip(round(1 + 4 * (se - 65) / 30 + 0.6 * z[i, 2]), 1, 5))
        rested = int(np.clip(round(quality + 0.7 * z[i, 3]), 1, 5))
        units = 0.0
        if heavy[i]:
            units = float(3 + int(4 * u[i, 11]))
        elif u[i, 11] > 0.5:
            units = float(1 + int(2 * u[i, 12]))
        alcohol_last = _clock(bed_m - _r5(30 + 90 * u[i, 13])) if units else None
        caffeine_last = _clock(_r5(15 * 60 + 15 + 195 * u[i, 14]) if late_caffeine[i]
                               else _r5(7 * 60 + 30 + 420 * u[i, 14]))
        caffeine_mg = float(90 * (1 + int(4 * u[i, 15])))
        exercise = u[i, 16] < 0.4
        intensity = ("light", "moderate", "vigorous")[int(3 * u[i, 17])] if exercise else "none"
        stress = int(6 + 4 * u[i, 18]) if stressful[i] else int(1 + 4 * u[i, 18])
        tension = int(6 + 3 * u[i, 19]) if stressful[i] else int(1 + 3 * u[i, 19])
        pain = int(3 * u[i, 20])
        nights.append(Night(
            date=morning, bedtime=_clock(bed_m), lights_out=_clock(lo_m), sol_min=float(sol),
            awakenings=awak, waso_min=float(waso), final_wake=_clock(fw_m), out_of_bed=_clock(up_m),
            quality=quality, rested=None if i in missing["rested"] else rested,
            nap_min=None if i in missing["nap_min"] else (
                float(_r5(20 + 25 * u[i, 22])) if u[i, 22] > 0.9 else 0.0),
            alcohol_units=units, alcohol_last=alcohol_last,
            caffeine_mg=None if i in missing["caffeine_mg"] else caffeine_mg,
            caffeine_last=caffeine_last,
            nicotine=False, stress=stress,
            exercise_end=_clock(_r5(17 * 60 + 30 + 180 * u[i, 17])) if exercise else None,
            exercise_intensity=intensity, screens_last_hour=bool(u[i, 5] < 0.65),
            late_work=bool(u[i, 6] < (0.5 if stressful[i] else 0.1)),
            shift="day" if evening_wd[i] < 5 else "none", travel=False,
            wind_down=bool(u[i, 9] < 0.35), relaxation=bool(u[i, 10] < 0.2), slept_apart=False,
            tension=tension, pain=None if i in missing["pain"] else pain,
            notes=_NOTES[int(u[i, 12] * len(_NOTES))] if u[i, 13] < 0.08 else "",
        ))
    return Diary(nights=tuple(nights), episodes=tuple(_episodes(rng, nights, late_caffeine,
                                                               stressful)),
                 profile=demo_profile(), tz="Europe/Amsterdam")


def _episodes(rng: np.random.Generator, nights: list[Night], late_caffeine: np.ndarray,
              stressful: np.ndarray) -> list[Episode]:
    metrics = [night_metrics(nt) for nt in nights]
    n = len(nights)
    exposed = [i for i in range(1, n)
               if (nights[i].alcohol_units or 0) >= 3 and metrics[i - 1].tst_min is not None
               and metrics[i - 1].tst_min < SHORT_SLEEP_MIN]
    others = [i for i in range(n) if i not in set(exposed)]
    sex = sorted(_pick(rng, exposed, SEXSOMNIA_RATE_EXPOSED) | _pick(rng, others, SEXSOMNIA_RATE_OTHER))
    late = [i for i in range(n) if late_caffeine[i]]
    jerks = _pick(rng, late, JERK_RATE_LATE_CAFFEINE) | _pick(
        rng, [i for i in range(n) if not late_caffeine[i]], JERK_RATE_OTHER)
    stress_idx = [i for i in range(n) if stressful[i]]
    grind = _pick(rng, stress_idx, BRUXISM_RATE_STRESS) | _pick(
        rng, [i for i in range(n) if not stressful[i]], BRUXISM_RATE_OTHER)
    left_bedroom_at = sex[len(sex) // 2] if sex else None

    out: list[Episode] = []
    for i, (night, m) in enumerate(zip(nights, metrics, strict=True)):
        onset = m.onset_dt
        if onset is None:  # demo nights always have one; keeps type checkers calm
            continue
        if i in jerks:
            t = onset - dt.timedelta(minutes=int(2 + 8 * rng.random()))
            out.append(Episode(date=night.date, type="hypnic_jerk", reporter="self",
                               time=t.time().replace(second=0, microsecond=0),
                               count=int(1 + rng.integers(0, 4)), recall="full"))
        if i in sex:
            t = onset + dt.timedelta(minutes=int(40 + 120 * rng.random()))
            out.append(Episode(
                date=night.date, type="sexsomnia", reporter="partner",
                time=t.time().replace(second=0, microsecond=0), count=1,
                duration_min=float(int(3 + 12 * rng.random())),
                behaviours=_SEX_BEHAVIOURS[int(rng.integers(0, len(_SEX_BEHAVIOURS)))],
                recall="none", injury=False, left_bedroom=(i == left_bedroom_at),
                partner_unsafe=False,
            ))
        if i in grind:
            t = onset + dt.timedelta(minutes=int(60 + 240 * rng.random()))
            out.append(Episode(date=night.date, type="bruxism", reporter="partner",
                               time=t.time().replace(second=0, microsecond=0),
                               behaviours=("tandenknarsen gehoord",), recall="none"))
    return out


def demo_diary_years(years: float = 3, seed: int = 11, end: dt.date | None = None) -> Diary:
    """A long demo diary (default three years) for benchmarks; see :func:`demo_diary`."""
    return demo_diary(seed=seed, weeks=max(1, int(round(years * 365.25 / 7))), end=end)
