"""Simulated person with a diary and a sleep watch, from physiology and habits (issue 17 item 6).

Written before looking at how the analysis reports device outcomes; it knows only the
public contract: ``analyse(diary, device_nights=[DeviceNight, ...])`` and findings with
``factor``, ``outcome`` (``device_tst_min``/``device_waso_min``) and ``strength``.

The model of one night (dated by the morning, like the diary):

* Habits. Drinking is a weekend habit: alcohol on about 50 % of Friday and Saturday
  evenings and 22 % of the others (about 30 % of evenings overall), 1-4 glasses. Coffee,
  stress, screens and late exercise vary independently and do nothing.
* The true night. Total sleep time around 420 minutes with a slow "good week / bad week"
  swing (AR(1), rho 0.3) and a nightly scatter; wake after sleep onset (WASO) around 40
  minutes, right-skewed (gamma). An alcohol evening takes ``tst_effect`` minutes off the
  night and adds ``waso_effect`` minutes of waking (the rebound in the second half).
* The watch measures the true night with its own error (about 20 minutes of TST, 12 of
  WASO): together with the night's scatter the nightly SD of device TST is ``tst_sd``
  (default 45 minutes). It is worn on ``worn`` of the nights (default 80 %), at random.
* The diary is the sleeper's own estimate of the same night: bedtimes around 23:00,
  their own time to fall asleep and waking, with a perception error of 30 minutes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from nachtwacht.device.types import DeviceNight
from nachtwacht.diary.types import Diary, Night

START = dt.date(2026, 3, 2)  # a Monday morning


def _t(minutes: float) -> dt.time:
    m = int(round(minutes)) % 1440
    return dt.time(m // 60, m % 60)


def person(seed: int, n: int = 60, tst_effect: float = 25.0, waso_effect: float = 15.0,
           tst_sd: float = 45.0, worn: float = 0.8) -> tuple[Diary, list[DeviceNight]]:
    """One simulated diary and the device nights of the same person."""
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(days=i) for i in range(n)]
    # The evening before the morning ``d`` is d - 1; Friday and Saturday evenings are the
    # Saturday and Sunday mornings.
    weekend = np.array([d.weekday() in (5, 6) for d in dates])
    alcohol = rng.random(n) < np.where(weekend, 0.5, 0.22)
    units = np.where(alcohol, rng.integers(1, 5, n), 0).astype(float)
    # The true night: a slow swing plus nightly scatter, sized so that with the watch's
    # own error (20 min) the device TST has a nightly SD of ``tst_sd``.
    device_err_tst = 20.0
    scatter = np.sqrt(max(tst_sd**2 - device_err_tst**2, 1.0))
    rho = 0.3
    swing = np.zeros(n)
    e = rng.normal(0.0, scatter, n)
    swing[0] = e[0]
    for i in range(1, n):
        swing[i] = rho * swing[i - 1] + np.sqrt(1 - rho**2) * e[i]
    true_tst = 420.0 + swing - tst_effect * alcohol
    true_waso = rng.gamma(4.0, 10.0, n) + waso_effect * alcohol
    dev_tst = true_tst + rng.normal(0.0, device_err_tst, n)
    dev_waso = np.maximum(0.0, true_waso + rng.normal(0.0, 12.0, n))
    wearing = rng.random(n) < worn
    # The diary: the person's own estimate of the same night.
    lights_out = 23 * 60 + rng.normal(0, 25, n)
    sol = np.maximum(0.0, np.round(rng.gamma(2.0, 8.0, n)))
    diary_waso = np.maximum(0.0, np.round(true_waso + rng.normal(0, 15, n)))
    diary_tst = true_tst + rng.normal(0, 30, n)
    final = lights_out + sol + diary_tst + diary_waso
    coffee_at = rng.uniform(8, 19, n) * 60
    coffee = rng.random(n) < 0.8
    late_ex = rng.random(n) < 0.2
    nights, dev = [], []
    for i, d in enumerate(dates):
        nights.append(Night(
            date=d, bedtime=_t(lights_out[i] - 10), lights_out=_t(lights_out[i]),
            sol_min=float(sol[i]), waso_min=float(diary_waso[i]), final_wake=_t(final[i]),
            out_of_bed=_t(final[i] + 10), quality=int(rng.integers(2, 5)),
            alcohol_units=float(units[i]),
            alcohol_last=_t(lights_out[i] - rng.uniform(30, 240)) if alcohol[i] else None,
            caffeine_mg=float(rng.choice([90.0, 180.0])) if coffee[i] else 0.0,
            caffeine_last=_t(coffee_at[i]) if coffee[i] else None,
            stress=int(rng.integers(0, 9)), screens_last_hour=bool(rng.random() < 0.5),
            exercise_intensity="moderate" if late_ex[i] else "none",
            exercise_end=_t(lights_out[i] - 90) if late_ex[i] else None))
        if wearing[i]:
            evening = dt.datetime.combine(d - dt.timedelta(days=1), dt.time(0))
            onset = evening + dt.timedelta(minutes=float(lights_out[i] + sol[i]))
            offset = onset + dt.timedelta(minutes=float(dev_tst[i] + dev_waso[i]))
            dev.append(DeviceNight(
                date=d, source="apple", method="apple", rest_start=None, rest_end=None,
                onset=onset, offset=offset, tst_min=float(dev_tst[i]),
                waso_min=float(dev_waso[i]),
                se_pct=100.0 * dev_tst[i] / (dev_tst[i] + dev_waso[i])))
    return Diary(nights=tuple(nights)), dev


def found(result, outcome: str = "device_tst_min", factor: str = "alcohol") -> bool:
    """Whether a likely finding links ``factor`` (any alcohol form) with ``outcome``."""
    return any(f.factor.startswith(factor) and f.outcome == outcome and f.strength == "likely"
               for f in result.findings)


def any_likely(result) -> bool:
    """Whether the analysis calls anything "likely"."""
    return bool(result.findings)
