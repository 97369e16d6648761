"""Independent check of the sleep-study detectors on full simulated nights (issue #13).

Nights come from ``tests/psg/independent/indsim`` (a second simulator written from
SCORING.md, not from the detectors or ``psg.simulate``), on a whole real expert-scored
Dreem night by default, and are analysed through the pipeline with the true hypnogram.
Prints, per night, sensitivity / precision / F1 and timing bias per event kind and the
headline indices against the planted values, then how many of the issue's checks hold
(F1 ≥ 0.85 per kind; index within 15 %, 3 points for percentages; RSWA verdicts where
the planted percentage is ≥ 3 points from the published cut-off).

Usage::

    python bench/psg_independent/run.py                       # 3 full nights, working tree
    python bench/psg_independent/run.py --hours 2 --nights clean
    git archive <commit> src | tar -x -C /tmp/nw_<commit>    # a committed state ...
    python bench/psg_independent/run.py --src /tmp/nw_<commit>/src   # ... checked apart

One night at a time (8 h at 256 Hz: ~1.5 GB peak); about a minute per night on a free core.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, default=None, help="window length (default: whole night)")
    ap.add_argument("--nights", default="clean,heavy_noise,short_event")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dreem", default=None, help="Dreem DOD-H night id (default: indsim's)")
    ap.add_argument("--src", default=None, help="a src/ tree to test instead of the installed one")
    ap.add_argument("--via", default="pipeline", choices=["pipeline", "edf", "run_all"],
                    help="in-memory Recording (default), through an EDF file, or detectors only")
    args = ap.parse_args(argv)
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    sys.path.insert(0, str(REPO / "tests" / "psg" / "independent"))
    from indsim import adapter, score
    from indsim.nights import make_night, stages_for

    import nachtwacht

    print(f"nachtwacht from {Path(nachtwacht.__file__).parent}")
    stages = stages_for(args.hours, args.dreem)
    n_ok = n_all = 0
    failed: list[str] = []
    for i, name in enumerate(args.nights.split(",")):
        t0 = time.time()
        night = make_night(name, hours=args.hours, seed=args.seed + i, stages=stages)
        t1 = time.time()
        res = adapter.analyse(night, via=args.via)
        t2 = time.time()
        kinds = score.score_kinds(night.plan, adapter.detected(res))
        idx = score.score_indices(night.plan, adapter.indices(res))
        print()
        print(score.table(f"{name} ({len(stages) * 30 / 3600:.1f} h, seed {args.seed + i}; "
                          f"simulated in {t1 - t0:.0f} s, analysed in {t2 - t1:.0f} s)", kinds, idx))
        want, got = score.expected_verdicts(night.plan), adapter.rswa_verdicts(res)
        print("\nRSWA verdicts (planted -> product): " + ", ".join(
            f"{k} {v} -> {got.get(k)}" for k, v in want.items()))
        for k, v in want.items():
            n_all += 1
            n_ok += got.get(k) == v
            if got.get(k) != v:
                failed.append(f"{name}/{k} {v}->{got.get(k)}")
        if adapter.skipped(res):
            print(f"\nskipped: {adapter.skipped(res)}")
        for k in kinds.values():
            if k.f1 is not None:
                n_all += 1
                n_ok += k.f1 >= score.F1_TARGET
                if k.f1 < score.F1_TARGET:
                    failed.append(f"{name}/{k.kind} F1 {k.f1:.2f}")
        for s in idx.values():
            if s.planted != s.planted:  # NaN: no N3 / no REM in this stretch
                continue
            n_all += 1
            n_ok += s.ok
            if not s.ok:
                failed.append(f"{name}/{s.name} {s.planted:.1f}->{s.detected}")
        del night, res
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{n_ok} of {n_all} checks hold; peak RSS {peak:.0f} MB")
    if failed:
        print("failing: " + "; ".join(failed))
    return 0 if n_ok == n_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
