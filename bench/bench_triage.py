"""Benchmark of the triage engine: the alert check after a save and the full triage.

Times ``assess(diary, lang="nl", use_insight=False, flags_only=True)`` (what the web
layer runs after every diary save, issue #16 item 5) and the full ``assess`` (advice and
plan pages) on the demo diary at 9 and 52 weeks, for the engine as it is now and, in the
same run, the engine of an earlier commit (``--before``, default the commit before the
speed work), loaded from git under another package name. Both are also divided by a
reference measured in the same run, a fixed pure-Python loop (dict look-ups and
arithmetic, the kind of work an interpreter-bound engine does), so runs on a busy
machine compare. The time to build the triage's
:class:`~nachtwacht.triage.facts.Facts` is printed as well (the speed work made it
cheaper too, so it is no fixed reference).

Figures are medians of ``--repeat`` rounds of CPU time of this process (it moves less
than wall-clock time when other jobs share the machine), the engines taking turns
round by round; each round starts from a fresh diary object, as a web request does.
The engine keeps the sleep figures and evidence items of nights it has seen (by their
values) across diaries (:mod:`nachtwacht.triage.shared`), as after a save all nights
but one are the same; ``flags cold`` empties those caches before every round: the
first triage of a diary this process has never seen.
The outputs of both engines are compared too (they must be equal).

    python bench/bench_triage.py [--weeks 9 52] [--repeat 15] [--before d724c73 | --before none]

Measured 2026-12-02 on the shared 2-core machine (load about 2, so absolute times are
high; the speed-ups are from the same run), ``--repeat 41``, before = d724c73:

=====  ==========  =========  ======  ========
weeks  mode        before ms  now ms  speed-up
=====  ==========  =========  ======  ========
9      flags_only  10.9       5.0     2.2x
9      flags cold  10.2       6.9     1.5x
9      full        14.1       6.1     2.3x
52     flags_only  39.2       14.9    2.6x
52     flags cold  65.5       46.6    1.4x
52     full        78.4       29.9    2.6x
=====  ==========  =========  ======  ========

In a cold triage the sleep figures of every night
(:func:`nachtwacht.diary.metrics.night_metrics`, about 16 us a night) are the largest
single part; the ``insomnia_pattern`` rule averages them over the whole diary.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nachtwacht.diary.demo import demo_diary  # noqa: E402
from nachtwacht.diary.types import Diary  # noqa: E402

END = dt.date(2026, 3, 1)
#: The last commit before the speed work of issue #16 item 5.
BEFORE = "d724c73"


def load_engine(commit: str, into: Path) -> ModuleType:
    """Import ``src/nachtwacht/triage`` of ``commit`` as the package ``triage_<commit>``.

    The triage package uses relative imports among its modules and absolute ones only
    for the diary, so a renamed copy runs beside the current one.
    """
    name = f"triage_{commit}"
    raw = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src/nachtwacht/triage"],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        tar.extractall(into, filter="data")
    (into / "src" / "nachtwacht" / "triage").rename(into / name)
    sys.path.insert(0, str(into))
    return importlib.import_module(name)


def cpu_ms(fn: Callable[[], Any], repeat: int) -> float:
    """Median CPU milliseconds of ``fn`` over ``repeat`` rounds (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, float]]:
    """``(median, min)`` CPU milliseconds of each function, run in turns round by round.

    Taking turns exposes every engine to the same moments of a shared machine; the
    minimum is the least disturbed run.
    """
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[k].append((time.process_time() - t0) * 1000)
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def reference_loop() -> int:
    """A fixed interpreter-bound job: dictionary look-ups, comparisons and arithmetic."""
    table = {i: i * 7 % 101 for i in range(1000)}
    total = 0
    for _ in range(60):
        for i in range(1000):
            v = table[i]
            if v > 50:
                total += v
            else:
                total -= i % 7
    return total


def fresh(diary: Diary) -> Diary:
    # A new Diary object per round, as each web request loads one: no cache keyed on the
    # object can carry over between rounds.
    return dataclasses.replace(diary, nights=tuple(diary.nights), episodes=tuple(diary.episodes))


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weeks", type=int, nargs="+", default=[9, 52])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--before", default=BEFORE, help="git commit of the engine to compare with, or 'none'")
    args = ap.parse_args(argv)

    from nachtwacht import triage as now
    from nachtwacht.triage.facts import Facts
    from nachtwacht.triage.loader import load_vocabulary

    engines: dict[str, ModuleType] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.before != "none":
            engines["before"] = load_engine(args.before, Path(tmp))
        engines["now"] = now
        loop_ms = cpu_ms(reference_loop, args.repeat)
        print(f"reference loop: {loop_ms:.2f} ms CPU (median of {args.repeat})")
        rows = []
        vocab = load_vocabulary()
        for weeks in args.weeks:
            diary = demo_diary(seed=7, weeks=weeks, end=END)
            facts_ms = cpu_ms(lambda d=diary: Facts(fresh(d), lang="nl", use_insight=False,
                                                    vocabulary=vocab), args.repeat * 10)
            print(f"{weeks} weeks: {len(diary.nights)} nights, {len(diary.episodes)} episodes; "
                  f"building Facts {facts_ms:.3f} ms")
            for mode, kw, cold in (("flags_only", {"flags_only": True}, False),
                                   ("flags cold", {"flags_only": True}, True), ("full", {}, False)):
                runs = {}
                for label, eng in engines.items():
                    def run(eng: ModuleType = eng, kw: dict[str, Any] = kw, d: Diary = diary,
                            cold: bool = cold) -> Any:
                        cache = sys.modules.get(f"{eng.__name__}.shared")
                        if cold and cache is not None:  # as for a diary this process never saw
                            cache._FIGURES.clear()
                            cache._EVIDENCE.clear()
                        return eng.assess(fresh(d), lang="nl", use_insight=False, **kw)
                    runs[label] = run
                got = interleaved(runs, args.repeat)
                outs = [run().to_dict() for run in runs.values()]
                same = all(o == outs[0] for o in outs)
                rows.append((weeks, mode, got, loop_ms, same))

    print()
    nan = float("nan")
    head = (f"{'weeks':>5} {'mode':<10} {'before ms':>10} {'now ms':>8} {'speed-up':>8} "
            f"{'(min)':>6} {'before/loop':>11} {'now/loop':>8} {'same':>5}")
    print(head)
    print("-" * len(head))
    for weeks, mode, got, loop_ms, same in rows:
        b, bmin = got.get("before", (nan, nan))
        n, nmin = got["now"]
        print(f"{weeks:>5} {mode:<10} {b:>10.2f} {n:>8.2f} {b / n:>7.2f}x {bmin / nmin:>5.2f}x "
              f"{b / loop_ms:>11.2f} {n / loop_ms:>8.2f} {'yes' if same else 'NO':>5}")
    print("\nms: median CPU time of one assess (fresh diary object each round); speed-up: "
          "before/now of the medians, (min) of the least disturbed rounds; /loop: per "
          "reference loop measured in this run.")


if __name__ == "__main__":
    main()
