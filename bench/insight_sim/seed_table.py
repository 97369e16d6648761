"""Seed x row table of several ``run.py --json`` outputs, with Wilson 95 % intervals and pooled.

    .venv/bin/python -m bench.insight_sim.run --scenario a,b,c,d --nights 28,56,90 \\
        --seed 777 --json /tmp/s777.json            # and 778, 779
    .venv/bin/python -m bench.insight_sim.seed_table /tmp/s777.json /tmp/s778.json /tmp/s779.json

Prints one line per (scenario, nights, measure) that has a target in ``run.py``
(null rows, power rows, the pre-registered question), each seed as k/n, rate and
interval, then the rows pooled over the seeds. Use ``--markdown`` for a table to
paste into ``docs/insight.md``. Fresh seeds (not the default 20261201, on which the
model's levels were first tuned) are the honest check of a target.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.insight_sim"  # noqa: A001

from bench.insight_sim.score import wilson  # noqa: E402


def _cell(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} {k / n:.1%} [{lo:.1%}, {hi:.1%}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--all", action="store_true", help="also rows without a target")
    args = ap.parse_args(argv)
    runs = [json.loads(f.read_text()) for f in args.files]
    keys: list[tuple[str, str, str]] = []
    table: dict[tuple[str, str, str], dict[int, tuple[int, int]]] = {}
    targets: dict[tuple[str, str, str], str] = {}
    for run in runs:
        for r in run["rows"]:
            if not r["n"] or (r["target"] is None and not args.all):
                continue
            key = (r["scenario"], r["nights"], r["measure"].strip())
            if key not in table:
                keys.append(key)
                table[key] = {}
            table[key][run["seed"]] = (r["k"], r["n"])
            if r["target"]:
                op, value, implied = r["target"]
                t = f"{'≤' if op == '<=' else '≥'} {value:.0%}"
                targets[key] = f"({t})" if implied else t
    seeds = [run["seed"] for run in runs]
    if args.markdown:
        print("| row | nights | " + " | ".join(f"seed {s}" for s in seeds)
              + " | pooled | target |")
        print("|---|---|" + "---|" * len(seeds) + "---|---|")
    for key in keys:
        cells = table[key]
        k = sum(c[0] for c in cells.values())
        n = sum(c[1] for c in cells.values())
        per = [_cell(*cells[s]) if s in cells else "-" for s in seeds]
        if args.markdown:
            print(f"| {key[0]}: {key[2]} | {key[1]} | " + " | ".join(per)
                  + f" | **{_cell(k, n)}** | {targets.get(key, '-')} |")
        else:
            print(f"{key[0]:<3} {key[1]:>4} {key[2]:<30} " + "  ".join(f"{p:<28}" for p in per)
                  + f"  pooled {_cell(k, n):<28} {targets.get(key, '-')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
