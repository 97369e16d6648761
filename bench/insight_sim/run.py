"""Run the independent insight simulation and print rates with Wilson 95 % intervals.

    .venv/bin/python -m bench.insight_sim.run --people 200 --scenario all
    .venv/bin/python bench/insight_sim/run.py --people 50 --scenario a,d,h

Each row is the share of simulated people (or experiments) for which the public
analysis said something, with its target from issue #12 beside it. A target in
brackets is implied, not stated (e.g. power at 90 nights no lower than at 56),
or is this harness's reading of the issue; "-" means information only. Status
``ok``/``MISS`` compares the point estimate with the target; ``MISS!`` means the
whole interval is on the wrong side.

Time: CPU time of this process (not wall-clock, which on a shared machine mostly
measures the neighbours). Analysing a diary is also shown as a ratio to *building*
it (simulating the habits and making the ``Diary`` objects) in the same run, so
runs on different machines can be compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench.insight_sim`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "bench.insight_sim"  # noqa: A001

from bench.insight_sim.scenarios import (  # noqa: E402
    EXPERIMENT_MODES,
    INSIGHT_SCENARIOS,
    scenario_a,
    scenario_h,
)
from bench.insight_sim.score import (  # noqa: E402
    declares_better,
    declares_change,
    false_factors,
    question_says_yes,
    score_insight,
    wilson,
)

#: (measure, label, {nights: (op, value, implied)}) per scenario; nights run.
#: A target applies to the nights listed; ``None`` = information only.
_LE5 = ("<=", 0.05, False)
_LE5i = ("<=", 0.05, True)
#: Scenarios where the pre-registered question "does alcohol set off my parasomnia?"
#: is also asked (``analyse(..., question="alcohol_any:<type>")``, when supported).
QUESTION_SCENARIOS = ("a", "b", "d")
PLAN: dict[str, tuple[tuple[int, ...], list[tuple[str, str, dict]]]] = {
    "a": ((28, 56, 90), [
        ("any_false", "any false likely", {28: _LE5, 56: _LE5, 90: _LE5}),
        ("any_false_primary", "  of which primary family", {}),
        ("apart_false", "'slept apart' likely", {}),
        ("short_before_false", "'short night before' likely", {}),
        ("question", "asked 'alcohol -> it?': yes", {28: _LE5i, 56: _LE5i, 90: _LE5i})]),
    "b": ((28, 56, 90), [
        ("any_false", "any false likely", {28: _LE5, 56: _LE5, 90: _LE5}),
        ("any_false_primary", "  of which primary family", {}),
        ("apart_false", "'slept apart' likely", {}),
        ("question", "asked 'alcohol -> it?': yes", {28: _LE5i, 56: _LE5i, 90: _LE5i})]),
    "c": ((56, 90), [
        ("any_false", "any false likely", {56: _LE5, 90: _LE5}),
        ("any_false_primary", "  of which primary family", {}),
        ("short_before_false", "'short night before' likely", {})]),
    "d": ((14, 28, 56, 90), [
        ("found", "alcohol found likely", {28: (">=", 0.40, False), 56: (">=", 0.80, False),
                                           90: (">=", 0.80, True)}),
        ("question", "asked 'alcohol -> it?': yes", {}),
        ("any_false", "other factor likely", {})]),
    "e": ((28, 56, 90), [
        ("found", "alcohol found likely", {28: (">=", 0.40, True), 56: (">=", 0.80, True),
                                           90: (">=", 0.80, True)}),
        ("apart_false", "'slept apart' likely", {}),
        ("any_false", "other factor likely", {})]),
    "f": ((56, 90), [
        ("ride_along", "screens (ride-along) likely", {56: _LE5, 90: _LE5}),
        ("found", "alcohol found likely", {56: (">=", 0.80, True), 90: (">=", 0.80, True)}),
        ("any_false", "other factor likely", {})]),
    "g": ((56, 90), [
        ("use_blamed", "'nights with the pill' likely", {56: (*_LE5[:2], True),
                                                         90: (*_LE5[:2], True)}),
        ("short_before_false", "'short night before' likely", {56: (*_LE5[:2], True),
                                                               90: (*_LE5[:2], True)}),
        ("withdrawal_found", "stopping (rebound) found", {}),
        ("any_false", "any false likely", {})]),
    "g2": ((56, 90), [
        ("use_blamed", "'nights with cannabis' likely", {56: (*_LE5[:2], True),
                                                         90: (*_LE5[:2], True)}),
        ("short_before_false", "'short night before' likely", {56: (*_LE5[:2], True),
                                                               90: (*_LE5[:2], True)}),
        ("withdrawal_found", "stopping (rebound) found", {}),
        ("any_false", "any false likely", {})]),
}
EXPERIMENT_PERIODS = (7, 14, 28)
ORDER = ("a", "b", "c", "d", "e", "f", "g", "g2", "h")


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    nights: str
    label: str
    k: int
    n: int
    target: tuple[str, float, bool] | None

    @property
    def rate(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def status(self) -> str:
        if self.target is None or not self.n:
            return ""
        op, value, _ = self.target
        lo, hi = wilson(self.k, self.n)
        if op == "<=":
            return "ok" if self.rate <= value else ("MISS!" if lo > value else "MISS")
        return "ok" if self.rate >= value else ("MISS!" if hi < value else "MISS")

    def line(self) -> str:
        if not self.n:
            return f"{self.scenario:<4} {self.nights:>9}  {self.label:<30}   (not measured)"
        lo, hi = wilson(self.k, self.n)
        if self.target is None:
            tgt = "-"
        else:
            op, value, implied = self.target
            tgt = f"{'≤' if op == '<=' else '≥'} {value:.0%}"
            tgt = f"({tgt})" if implied else tgt
        return (f"{self.scenario:<4} {self.nights:>9}  {self.label:<30} {self.k:>4}/{self.n:<4} "
                f"{self.rate:6.1%}  [{lo:5.1%}, {hi:5.1%}]  {tgt:>8}  {self.status()}")


def _analyse():
    from nachtwacht.insight import analyse

    return analyse


def dump(cases: list, where: Path, stem: str, k: int = 3) -> None:
    """Write the first ``k`` diaries as ``nights.csv``/``episodes.csv`` (+ the truth) for the CLI."""
    from dataclasses import asdict

    from nachtwacht.diary.csvio import write_episodes, write_nights

    for i, case in enumerate(cases[:k]):
        d = where / f"{stem}_{i}"
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "nights.csv", "w", encoding="utf-8", newline="") as fh:
            write_nights(case.diary.nights, fh)
        with open(d / "episodes.csv", "w", encoding="utf-8", newline="") as fh:
            write_episodes(case.diary.episodes, fh)
        (d / "truth.json").write_text(json.dumps({"truth": asdict(case.truth),
                                                  "info": case.info}, indent=1))


def ask_alcohol(case, notes: Counter) -> bool | None:
    """Ask "does alcohol set off my parasomnia?" in advance; True if the answer is likely.

    ``None`` when the analysis has no questions (not counted). A diary without a
    single reported episode of the type cannot be asked (the analysis refuses an
    outcome it does not have): that counts as "no".
    """
    analyse = _analyse()
    try:
        result = analyse(case.diary, lang="nl", question=f"alcohol_any:{case.info['main']}")
    except TypeError:
        notes["this analysis has no questions (rows left empty)"] += 1
        return None
    except ValueError:
        return False
    return question_says_yes(getattr(result, "question", None))


def run_insight(name: str, people: int, seed: int, nights: tuple[int, ...] | None,
                timing: dict, errors: Counter, falses: dict, notes: Counter,
                dump_dir: Path | None = None) -> list[Row]:
    """Simulate and analyse one scenario at each diary length; return its rows."""
    analyse = _analyse()
    lengths, measures = PLAN[name]
    rows = []
    for n_nights in nights or lengths:
        t0 = time.process_time()
        cases = INSIGHT_SCENARIOS[name](seed, people, n_nights)
        t1 = time.process_time()
        if dump_dir is not None:
            dump(cases, dump_dir, f"{name}_{n_nights}")
        counts: Counter = Counter()
        done = 0
        q_time = 0.0  # the extra question runs are not part of the time per diary
        for case in cases:
            try:
                result = analyse(case.diary, lang="nl")
                scores = score_insight(result, case.truth)
                falses.setdefault(f"{name}/{n_nights}", Counter()).update(
                    set(false_factors(result, case.truth)))
            except Exception as exc:  # noqa: BLE001 - a crash is counted, not fatal
                errors[f"{name}/{n_nights}: {type(exc).__name__}: {exc}"[:160]] += 1
                continue
            done += 1
            counts.update(k for k, v in scores.items() if v)
            if name in QUESTION_SCENARIOS:
                tq = time.process_time()
                yes = ask_alcohol(case, notes)
                if yes is not None:
                    counts["question"] += yes
                    counts["question_n"] += 1
                q_time += time.process_time() - tq
        t2 = time.process_time() - q_time
        timing[f"{name}/{n_nights}"] = (t1 - t0, t2 - t1, len(cases))
        for measure, label, targets in measures:
            n = counts["question_n"] if measure == "question" else done
            rows.append(Row(name, str(n_nights), label, counts[measure], n,
                            targets.get(n_nights)))
        print(f"  {name} {n_nights} nights: {len(cases)} people, build {t1 - t0:.1f} s, "
              f"analyse {t2 - t1:.1f} s", file=sys.stderr, flush=True)
    return rows


def run_experiments(people: int, seed: int, periods: tuple[int, ...], timing: dict,
                    errors: Counter, verdicts: Counter) -> list[Row]:
    """Experiments with nothing changed: share of verdicts declaring a change."""
    from nachtwacht.insight.experiments import compare, make

    rows = []
    for mode in EXPERIMENT_MODES:
        for period in periods:
            t0 = time.process_time()
            cases = scenario_h(seed, people, period, mode)
            t1 = time.process_time()
            k = done = 0
            for case in cases:
                try:
                    result = compare(case.diary, make(case.code, case.start), lang="nl")
                except Exception as exc:  # noqa: BLE001
                    errors[f"h/{mode}/{period}: {type(exc).__name__}: {exc}"[:160]] += 1
                    continue
                done += 1
                verdicts[str(getattr(result, "verdict", None))] += 1
                k += declares_better(result) if mode == "real" else declares_change(result)
            t2 = time.process_time()
            timing[f"h/{mode}/{period}"] = (t1 - t0, t2 - t1, len(cases))
            # Correlation and trend together is not a stated target, but implied by both;
            # a real change (power) has no target.
            if mode == "real":
                rows.append(Row("h", f"{period}+{period}", "real change: 'better'", k, done, None))
            else:
                rows.append(Row("h", f"{period}+{period}", f"change declared ({mode})", k, done,
                                _LE5i if "+" in mode else _LE5))
            print(f"  h {mode} {period}+{period}: build {t1 - t0:.1f} s, "
                  f"compare {t2 - t1:.1f} s", file=sys.stderr, flush=True)
    return rows


def three_year_timing(seed: int, repeats: int = 3) -> tuple[float, float]:
    """CPU seconds to build and to analyse one 3-year (1095-night) null diary (median)."""
    analyse = _analyse()
    build, run = [], []
    for i in range(repeats):
        t0 = time.process_time()
        case = scenario_a(seed + 7919 + i, 1, 1095)[0]
        t1 = time.process_time()
        analyse(case.diary, lang="nl")
        t2 = time.process_time()
        build.append(t1 - t0)
        run.append(t2 - t1)
    return sorted(build)[repeats // 2], sorted(run)[repeats // 2]


def source_info() -> str:
    """Where the analysed ``nachtwacht`` comes from, and its git state if it has one."""
    import subprocess

    import nachtwacht

    src = Path(nachtwacht.__file__).resolve().parent
    try:
        def git(*a: str) -> str:
            return subprocess.run(["git", "-C", str(src), *a], capture_output=True, text=True,
                                  check=True, timeout=10).stdout.strip()
        head = git("rev-parse", "--short", "HEAD")
        last = git("log", "-1", "--format=%h", "--", "insight")
        dirty = git("status", "--porcelain", "--", "insight")
        state = f"HEAD {head}, last insight commit {last}" + (
            ", UNCOMMITTED insight changes in the tree" if dirty else ", insight clean")
    except (OSError, subprocess.SubprocessError):
        state = "not a git checkout"
    return f"nachtwacht from {src} ({state})"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=200, help="people per scenario and length")
    ap.add_argument("--scenario", default="all", help="'all' or a comma list of " + ",".join(ORDER))
    ap.add_argument("--nights", default=None, help="comma list of diary lengths (overrides)")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--json", type=Path, default=None, help="also write the rows here")
    ap.add_argument("--dump", type=Path, default=None,
                    help="write the first 3 diaries of each row as CSV here (for the CLI)")
    args = ap.parse_args(argv)
    names = ORDER if args.scenario == "all" else tuple(args.scenario.split(","))
    unknown = set(names) - set(ORDER)
    if unknown:
        ap.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    nights = tuple(int(x) for x in args.nights.split(",")) if args.nights else None

    timing: dict = {}
    errors: Counter = Counter()
    falses: dict = {}
    verdicts: Counter = Counter()
    notes: Counter = Counter()
    rows: list[Row] = []
    for name in names:
        if name == "h":
            rows += run_experiments(args.people, args.seed, nights or EXPERIMENT_PERIODS,
                                    timing, errors, verdicts)
        else:
            rows += run_insight(name, args.people, args.seed, nights, timing, errors, falses,
                                notes, args.dump)
    b3, a3 = three_year_timing(args.seed)

    print(source_info())
    print(f"{args.people} people per row, seed {args.seed}")

    print(f"{'scen':<4} {'nights':>9}  {'measure':<30} {'k/n':>9}  {'rate':>6}  "
          f"{'Wilson 95 %':<16}  {'target':>8}  status")
    for r in rows:
        print(r.line())
    judged = [r for r in rows if r.target is not None and r.n and not r.target[2]]
    print(f"\nstated targets met (point estimate): {sum(r.status() == 'ok' for r in judged)}"
          f" of {len(judged)}; clearly missed (whole interval wrong side): "
          f"{sum(r.status() == 'MISS!' for r in judged)}")
    print()
    build = sum(t[0] for t in timing.values())
    anal = sum(t[1] for t in timing.values())
    count = sum(t[2] for t in timing.values())
    print(f"time per diary: build {build / count * 1000:.1f} ms, analyse/compare "
          f"{anal / count * 1000:.1f} ms, ratio analyse:build {anal / build:.1f} "
          f"({count} diaries)")
    for key, (tb, ta, c) in timing.items():
        print(f"  {key:<16} build {tb / c * 1000:6.1f} ms  analyse {ta / c * 1000:7.1f} ms  "
              f"ratio {ta / tb:5.1f}")
    print(f"3-year diary (1095 nights): build {b3:.2f} s, analyse {a3:.2f} s, "
          f"ratio {a3 / b3:.1f}")
    if falses:
        print("\nmost frequent false likely factors (people):")
        for key, c in falses.items():
            if c:
                print(f"  {key:<8} " + ", ".join(f"{f} {m}" for f, m in c.most_common(5)))
    if verdicts:
        print("\nexperiment verdicts:", dict(verdicts))
    for msg, c in notes.items():
        print(f"\nnote: {msg} ({c} diaries)")
    if errors:
        print("\nERRORS (diaries skipped):")
        for msg, c in errors.most_common():
            print(f"  {c} x {msg}")
    if args.json:
        args.json.write_text(json.dumps({
            "people": args.people, "seed": args.seed,
            "rows": [{"scenario": r.scenario, "nights": r.nights, "measure": r.label,
                      "k": r.k, "n": r.n, "rate": r.rate, "wilson": wilson(r.k, r.n),
                      "target": r.target, "status": r.status()} for r in rows],
            "timing": timing, "three_year": {"build_s": b3, "analyse_s": a3},
            "errors": dict(errors)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
