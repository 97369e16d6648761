"""Power and false verdicts of the experiment model (issue #12, deliverable 5).

Simulates one metric per night (AR(1) noise of SD 1, a slow improving trend, a
real change of 0.5 or 1 SD during the change) and runs the model of
:func:`nachtwacht.insight.experiments.change_model` on it, for a plain
before/after design (AB: N nights before, N with) and alternating blocks
(ABAB: N without, N with, N without, N with), N = 7, 14 or 28. The rule of the
earlier version (the widest interval over the correlations 0, 0.3, 0.6, two-sided
2.5 % each side) runs beside it as ``grid``. One metric, 95 % level: a verdict
over several primary metrics is Bonferroni-corrected and so a little stricter.

Counts: ``better`` = the interval lies wholly on the "better" side; ``declared``
= better or worse (with nothing changed: a false verdict).

    .venv/bin/python bench/bench_experiments.py            # 400 runs per cell, ~1-2 min
    .venv/bin/python bench/bench_experiments.py --reps 100 # quick look

The independent check is ``python -m bench.insight_sim.run --scenario h``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import special

from nachtwacht.insight import experiments, model

#: Trend per week in SD of the metric: 0.34 SD per four weeks, as in bench/insight_sim.
TREND_PER_WEEK = 0.085
#: (lag-1 correlation, trend per week, real change in SD); change 0 = nothing changed.
CELLS = ((0.0, 0.0, 0.0), (0.6, 0.0, 0.0), (0.0, TREND_PER_WEEK, 0.0),
         (0.6, TREND_PER_WEEK, 0.0),
         (0.0, 0.0, 0.5), (0.6, 0.0, 0.5), (0.0, TREND_PER_WEEK, 0.5),
         (0.6, TREND_PER_WEEK, 0.5),
         (0.0, 0.0, 1.0), (0.6, 0.0, 1.0), (0.0, TREND_PER_WEEK, 1.0),
         (0.6, TREND_PER_WEEK, 1.0))


def _grid(days: np.ndarray, on: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The earlier rule: widest interval over rho 0, .3, .6 (and own if higher)."""
    t = (days - days.mean()) / 7.0
    x = np.column_stack([np.ones(len(y)), t, on.astype(float)])
    own = model.residual_rho(x, y)
    worst: tuple[float, float] | None = None
    for rho in sorted({0.0, 0.3, 0.6, *([own] if own > 0.6 else [])}):
        beta, cov, df = model.ar1_gls(x, y, days, rho)
        se = math.sqrt(max(float(cov[2, 2]), 0.0))
        half = float(special.stdtrit(df, 0.975)) * se
        est = float(beta[2])
        if worst is None or abs(est) / max(half, 1e-12) < abs(worst[0]) / max(worst[1], 1e-12):
            worst = (est, half)
    assert worst is not None
    return worst[0] - worst[1], worst[0] + worst[1]


def _series(rng: np.random.Generator, n: int, rho: float, trend_week: float,
            on: np.ndarray, change: float) -> np.ndarray:
    e = np.empty(n)
    e[0] = rng.normal()
    for i in range(1, n):
        e[i] = rho * e[i - 1] + math.sqrt(1 - rho * rho) * rng.normal()
    # Lower is better (like minutes to fall asleep): the trend and the change lower it.
    return e - trend_week * np.arange(n) / 7.0 - change * on


def run(reps: int, seed: int = 20261201) -> list[tuple]:
    rows = []
    for design in ("AB", "ABAB"):
        for block in (7, 14, 28):
            if design == "ABAB" and block == 28:
                continue
            n = (2 if design == "AB" else 4) * block
            days = np.arange(n, dtype=float)
            on = (np.arange(n) // block) % 2 == 1 if design == "ABAB" else days >= block
            for rho, trend, change in CELLS:
                rng = np.random.default_rng([seed, n, int(rho * 10), int(trend > 0),
                                             int(change * 10)])
                counts = {"new": [0, 0], "grid": [0, 0]}
                for _ in range(reps):
                    y = _series(rng, n, rho, trend, on, change)
                    _, lo, hi, *_ = experiments.change_model(days, on, y, 0.95, "down")
                    glo, ghi = _grid(days, on, y)
                    for key, (a, b) in (("new", (lo, hi)), ("grid", (glo, ghi))):
                        counts[key][0] += b < 0
                        counts[key][1] += (b < 0) or (a > 0)
                rows.append((design, block, rho, trend, change,
                             *(100 * c / reps for c in counts["grid"]),
                             *(100 * c / reps for c in counts["new"])))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=400)
    args = ap.parse_args()
    t0 = time.process_time()
    rows = run(args.reps)
    print(f"{args.reps} runs per cell; % of runs. grid = earlier rule, new = change_model")
    print("design  nights/block  rho  trend/wk  change | grid better declared | "
          "new better declared")
    for d, b, rho, tr, ch, gb, gd, nb, nd in rows:
        tag = "  <- false" if ch == 0 else ""
        print(f"{d:6} {b:5} {rho:9.1f} {tr:8.3f} {ch:7.1f} | {gb:11.1f} {gd:8.1f} | "
              f"{nb:10.1f} {nd:8.1f}{tag}")
    print(f"CPU {time.process_time() - t0:.0f} s")


if __name__ == "__main__":
    main()
