"""Benchmark and calibration of the trigger analysis.

1. False discoveries: runs :func:`nachtwacht.insight.analyse` on ``--null`` random
   diaries in which factors and outcomes are independent, and prints the share of
   diaries with at least one likely finding (target: about 5 % or less).
2. Power: the share of ``--planted`` diaries (28 and 56 nights, sleepwalking on
   50 % of drinking nights vs 10 % otherwise, the sleeper's own report) in which
   alcohol is found likely.
3. Speed against a reference measured in the same run: every question of
   ``--reference`` diaries fitted again with statsmodels (``Logit`` full and
   reduced models, plain maximum likelihood, one by one). Prints the time ratio.
   statsmodels has no Firth penalty, so the p values differ where Firth matters
   (separation, few events); the median difference in the signed root statistic
   is printed for the questions where plain ML converged.
4. A three-year demo diary, end to end (best of three, CPU seconds).

The independent scenarios (partner apart, spells, ride-along, withdrawal,
experiments) are in ``bench/insight_sim`` (``python bench/insight_sim/run.py``).

    python bench/bench_insight.py [--null 500] [--planted 200] [--reference 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "insight"))

from insight_synth import episodes_from, null_diary, random_nights  # noqa: E402

from nachtwacht.diary.demo import demo_diary_years  # noqa: E402
from nachtwacht.diary.types import Diary  # noqa: E402
from nachtwacht.insight import analyse  # noqa: E402
from nachtwacht.insight.triggers import _nights_sorted, _prepare  # noqa: E402


def planted(seed: int, n: int) -> Diary:
    rng = np.random.default_rng(10_000 + seed)
    drink = rng.random(n) < 0.3
    nights = random_nights(rng, n, alcohol_units=lambda i: 2.0 if drink[i] else 0.0)
    eps = episodes_from(nights, rng, "sleepwalking", lambda i, x: 0.5 if x.alcohol_units else 0.1,
                        reporter="self")
    return Diary(nights=tuple(nights), episodes=tuple(eps))


def reference(diaries: list[Diary]) -> tuple[float, float, list[float]]:
    """(our seconds, statsmodels seconds, |z_ours - z_ml|) for the binary questions."""
    import statsmodels.api as sm

    ours = ref = 0.0
    dz: list[float] = []
    for d in diaries:
        t0 = time.perf_counter()
        analysis, _ = _prepare(_nights_sorted(d.nights), d, 5, 5, "nl")
        tests = [t for t in analysis.run(0.04) if t.outcome.kind == "binary"]
        ours += time.perf_counter() - t0
        t0 = time.perf_counter()
        for t in tests:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    full = sm.Logit(t.y, t.x).fit(disp=0)
                    red = sm.Logit(t.y, np.delete(t.x, 1, axis=1)).fit(disp=0)
                except Exception:  # noqa: BLE001 - perfect separation: no ML estimate
                    continue
            if full.mle_retvals.get("converged") and np.isfinite(full.llf):
                z = np.sign(full.params[1]) * np.sqrt(max(0.0, 2 * (full.llf - red.llf)))
                dz.append(abs(float(z) - t.z))
        ref += time.perf_counter() - t0
    return ours, ref, dz


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--null", type=int, default=500)
    ap.add_argument("--planted", type=int, default=200)
    ap.add_argument("--reference", type=int, default=20)
    args = ap.parse_args()

    t0, c0 = time.perf_counter(), time.process_time()
    any_finding = any_possible = tests = 0
    for seed in range(args.null):
        r = analyse(null_diary(seed))
        any_finding += bool(r.findings)
        any_possible += bool(r.possible)
        tests += r.n_tests
    c_null = time.process_time() - c0
    print(f"null diaries (60 nights): {args.null}, questions per diary: "
          f"{tests / max(1, args.null):.0f}")
    print(f"  share with >= 1 likely finding: {any_finding / max(1, args.null):.3f} "
          f"(target <= 0.05)")
    print(f"  share with >= 1 'possible' signal: {any_possible / max(1, args.null):.3f}")
    print(f"  time: {time.perf_counter() - t0:.1f} s wall ({c_null:.1f} s CPU), "
          f"{1000 * c_null / max(1, args.null):.1f} ms CPU per diary (including building it)")

    for n in (28, 56):
        found = sum(any(f.factor == "alcohol_any" and f.outcome == "episode:sleepwalking"
                        and f.lag == 0 for f in analyse(planted(s, n)).all_findings)
                    for s in range(args.planted))
        print(f"planted diaries ({n} nights, 10 % -> 50 %): {args.planted}, alcohol found "
              f"likely in {found / max(1, args.planted):.3f} (target {0.4 if n == 28 else 0.8})")

    diaries = [null_diary(50_000 + s) for s in range(args.reference)]
    ours, ref, dz = reference(diaries)
    print(f"reference (statsmodels Logit, full + reduced, per question) on {args.reference} "
          f"diaries: {ref:.2f} s; ours (whole analysis incl. building exposures): {ours:.2f} s; "
          f"ratio ours/reference = {ours / ref:.2f}")
    print(f"  questions where plain ML converged: {len(dz)}, median |z_firth - z_ml| = "
          f"{float(np.median(dz)) if dz else 0:.3f} (Firth shrinks small-sample estimates)")

    diary = demo_diary_years(3, end=dt.date(2026, 10, 31))
    wall, cpu = [], []
    for _ in range(3):  # best of three: other work on the machine only adds time
        t0, c0 = time.perf_counter(), time.process_time()
        r = analyse(diary)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    c0 = time.process_time()
    n_all = len(r.all_findings)  # described on first use only
    c_all = time.process_time() - c0
    print(f"3-year demo diary ({len(diary.nights)} nights): {min(wall):.2f} s wall, "
          f"{min(cpu):.2f} s CPU, {r.n_tests} questions, {len(r.findings)} findings, "
          f"{len(r.possible)} possible; all {n_all} forms described on demand: {c_all:.2f} s CPU")


if __name__ == "__main__":
    main()
