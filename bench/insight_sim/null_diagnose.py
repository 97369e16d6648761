"""Where do the false "likely" findings of the null scenarios come from? (issue #12 follow-up)

    .venv/bin/python -m bench.insight_sim.null_diagnose --scenario b --nights 56 --seeds 777,778

For every simulated person of a null scenario (a, b, c: nothing linked) this asks the
model's own questions (``triggers._prepare`` + ``Analysis.run``, the same tests as
``analyse``) and prints

* every false likely finding: family, factor, lag, outcome, who observed it, the
  nights it rests on, the raw 2x2 counts, p and q, what it was adjusted for;
* per (family, factor, outcome kind) the calibration of the p values: the share of
  questions with p below 0.05 / 0.01 / 0.001 against those nominal levels. Under the
  null a one-sided test should give about the nominal share (fewer is conservative).

Unlike ``run.py`` this reads the model's internals on purpose (it diagnoses them); it
uses the harness's scenarios unchanged.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.insight_sim"  # noqa: A001

from bench.insight_sim.scenarios import INSIGHT_SCENARIOS  # noqa: E402


def _kind(code: str) -> str:
    return "episode" if code.startswith("episode:") else code


def diagnose(name: str, seeds: list[int], people: int, nights: int, show: bool = True) -> dict:
    """Run the null scenario ``name``; return counts (people with a false likely, calibration)."""
    from nachtwacht.insight import engine, triggers

    any_false = 0
    total = 0
    calib: dict[tuple, list[float]] = defaultdict(list)
    causes: Counter = Counter()
    for seed in seeds:
        for i, case in enumerate(INSIGHT_SCENARIOS[name](seed, people, nights)):
            diary = case.diary
            analysis, _ = triggers._prepare(triggers._nights_sorted(diary.nights), diary,
                                            triggers.MIN_EXPOSED, triggers.MIN_UNEXPOSED, "nl")
            tests = analysis.run(triggers.Q_MAX)
            total += 1
            likely = [t for t in tests if t.q < engine.level(t.family, triggers.Q_MAX)]
            for t in tests:
                calib[(t.family, t.exposure.factor, str(t.exposure.lag), _kind(t.outcome.code),
                       t.outcome.observed_by)].append(t.p)
            if likely:
                any_false += 1
            for t in likely:
                causes[(t.family, t.exposure.factor, str(t.exposure.lag), t.outcome.code,
                        t.outcome.observed_by)] += 1
                if show:
                    x, y = t.split()
                    print(f"  seed {seed} #{i:3d} {t.family:<10} {t.exposure.code:<28} "
                          f"{t.outcome.code:<22} {t.outcome.observed_by:<15} n={t.n_nights:3d} "
                          f"exp {int(x.sum()) if t.outcome.kind == 'binary' else '-'}/{len(x)} "
                          f"unexp {int(y.sum()) if t.outcome.kind == 'binary' else '-'}/{len(y)} "
                          f"p={t.p:.4f} q={t.q:.4f} adj={[a.code for a in t.adjusted_for]} "
                          f"apart={case.info.get('apart_nights')}")
    return {"any_false": any_false, "total": total, "calib": calib, "causes": causes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="b")
    ap.add_argument("--nights", default="56")
    ap.add_argument("--seeds", default="777")
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--quiet", action="store_true", help="no line per false finding")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    for name in args.scenario.split(","):
        for n in (int(x) for x in args.nights.split(",")):
            print(f"== scenario {name}, {n} nights, seeds {seeds}, {args.people} people each")
            r = diagnose(name, seeds, args.people, n, show=not args.quiet)
            print(f"people with a false likely: {r['any_false']}/{r['total']} "
                  f"({r['any_false'] / r['total']:.1%})")
            print("false likely by cause:")
            for k, c in r["causes"].most_common(12):
                print(f"  {c:3d}  {k}")
            print("calibration (share of p below 0.05 / 0.01 / 0.001; questions):")
            rows = sorted(r["calib"].items(), key=lambda kv: -len(kv[1]))
            for key, ps in rows:
                if len(ps) < 50:
                    continue
                m = len(ps)
                print(f"  {str(key):<78} {sum(p < .05 for p in ps) / m:6.3f} "
                      f"{sum(p < .01 for p in ps) / m:6.3f} {sum(p < .001 for p in ps) / m:6.4f}"
                      f"  ({m})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
