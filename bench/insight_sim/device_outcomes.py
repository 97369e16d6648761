"""Device TST/WASO as trigger-analysis outcomes (issue 17 item 6): power and false findings.

Uses the simulator of ``tests/insight/device_sim.py`` (habits, the true night, a watch
with its own error worn on a share of the nights, the diary as the sleeper's estimate).
Not part of the harness's own scenarios (``run.py`` is left unchanged)::

    .venv/bin/python bench/insight_sim/device_outcomes.py --people 200

Prints one row per scenario: how often alcohol -> device TST (and WASO) is "likely",
"likely or possible", any false "likely" at all, and the diary's own alcohol -> efficiency
finding with and without the device outcomes in the pool.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "insight"))

from device_sim import person  # noqa: E402

from nachtwacht.insight import analyse  # noqa: E402


def _hit(findings, outcome: str) -> bool:
    return any(f.factor.startswith("alcohol") and f.outcome == outcome for f in findings)


def row(people: int, seed0: int, **kw) -> dict[str, float]:
    c = dict.fromkeys(("tst", "tst_any", "waso", "any_likely", "se_with", "se_without"), 0)
    t = 0.0
    for s in range(seed0, seed0 + people):
        d, dev = person(s, **kw)
        t0 = time.process_time()
        r = analyse(d, device_nights=dev)
        t += time.process_time() - t0
        r0 = analyse(d)
        c["tst"] += _hit(r.findings, "device_tst_min")
        c["tst_any"] += _hit(r.findings + r.possible, "device_tst_min")
        c["waso"] += _hit(r.findings, "device_waso_min")
        c["any_likely"] += bool(r.findings)
        c["se_with"] += _hit(r.findings, "se_pct")
        c["se_without"] += _hit(r0.findings, "se_pct")
    out = {k: 100.0 * v / people for k, v in c.items()}
    out["ms_per_analysis"] = 1000.0 * t / people
    return out


SCENARIOS = [
    ("null, 60 nights", {"n": 60, "tst_effect": 0.0, "waso_effect": 0.0}),
    ("null, 120 nights", {"n": 120, "tst_effect": 0.0, "waso_effect": 0.0}),
    ("25/15 min, 30 nights", {"n": 30}),
    ("25/15 min, 60 nights", {"n": 60}),
    ("25/15 min, 90 nights", {"n": 90}),
    ("25/15 min, 180 nights", {"n": 180}),
    ("45/15 min, 60 nights", {"n": 60, "tst_effect": 45.0}),
    ("60/15 min, 60 nights", {"n": 60, "tst_effect": 60.0}),
    ("75/15 min, 60 nights", {"n": 60, "tst_effect": 75.0}),
    ("75/15 min, 60 nights, worn 50 %", {"n": 60, "tst_effect": 75.0, "worn": 0.5}),
    ("25/15 min, SD 25, 60 nights", {"n": 60, "tst_sd": 25.0}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()
    print(f"{args.people} people per row, seeds from {args.seed}")
    print("| scenario (TST/WASO effect) | TST likely | TST likely or possible | WASO likely "
          "| any likely | diary SE likely: with device / without | ms |")
    print("|---|---|---|---|---|---|---|")
    for name, kw in SCENARIOS:
        r = row(args.people, args.seed, **kw)
        print(f"| {name} | {r['tst']:.1f} % | {r['tst_any']:.1f} % | {r['waso']:.1f} % | "
              f"{r['any_likely']:.1f} % | {r['se_with']:.1f} / {r['se_without']:.1f} % | "
              f"{r['ms_per_analysis']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
