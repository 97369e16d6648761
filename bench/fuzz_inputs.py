"""Big fuzz run over the diary CSV/JSON importer and the EDF reader.

The same mutators as ``tests/trust`` (hypothesis keeps the in-suite run short), here
for tens of thousands of inputs. Every input is reproducible from its seed. Prints
the number of inputs tried, the crashes (anything but DiaryImportError / PSGError)
grouped by exception and place, the timeouts and the slowest input.

Usage::

    python bench/fuzz_inputs.py --csv 20000 --edf 3000 [--seed 0] [--bound 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "trust"))

import _edfmutate as em  # noqa: E402
from _csvsamples import END, samples  # noqa: E402
from _mutate import mutate_csv, mutate_json  # noqa: E402

from nachtwacht.diary import csvio  # noqa: E402
from nachtwacht.diary.errors import DiaryImportError  # noqa: E402


class Hang(Exception):  # noqa: N818 - a signal, not an error of the code under test
    pass


def _alarm(signum, frame):
    raise Hang


def where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/nachtwacht/" in f.filename] or frames
    f = ours[-1]
    return f"{type(exc).__name__} at {Path(f.filename).name}:{f.lineno}"


class Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.tried = 0
        self.outcomes: Counter[str] = Counter()
        self.crashes: dict[str, tuple[int, str]] = {}
        self.crash_count = 0
        self.hangs: list[int] = []
        self.slowest = (0.0, -1)

    def run(self, seed: int, fn, bound: int) -> None:
        self.tried += 1
        signal.alarm(bound)
        t0 = time.perf_counter()
        try:
            fn()
            self.outcomes["accepted"] += 1
        except Hang:
            self.hangs.append(seed)
        except self.expected as exc:  # type: ignore[attr-defined]
            self.outcomes[getattr(exc, "code", None) or type(exc).__name__] += 1
        except Exception as exc:
            self.crash_count += 1
            self.crashes.setdefault(where(exc), (seed, str(exc)[:120]))
        finally:
            signal.alarm(0)
        took = time.perf_counter() - t0
        if took > self.slowest[0]:
            self.slowest = (took, seed)

    def report(self) -> None:
        print(f"\n{self.name}: {self.tried} inputs tried, {self.crash_count} crashes "
              f"({len(self.crashes)} distinct), {len(self.hangs)} over the time bound, "
              f"slowest {self.slowest[0] * 1e3:.0f} ms (seed {self.slowest[1]})")
        print("  outcomes:", dict(self.outcomes.most_common(8)))
        for place, (seed, msg) in sorted(self.crashes.items()):
            print(f"  CRASH {place} (first seed {seed}): {msg}")
        if self.hangs:
            print(f"  HANG seeds: {self.hangs[:10]}")


def fuzz_csv(n: int, seed0: int, bound: int) -> Tally:
    tally = Tally("diary importer (nights/episodes CSV, profile JSON, random bytes)")
    tally.expected = DiaryImportError
    texts = samples()
    today = END
    for k in range(n):
        seed = seed0 + k
        rng = random.Random(seed)
        r = rng.random()
        if r < 0.40:
            data, reader = mutate_csv(texts["nights"], rng), lambda d: csvio.read_nights(d, today=today)
        elif r < 0.75:
            data, reader = mutate_csv(texts["episodes"], rng), lambda d: csvio.read_episodes(d, today=today)
        elif r < 0.90:
            data, reader = mutate_json(texts["profile"], rng), csvio.read_profile
        else:
            data = rng.randbytes(rng.randint(0, 5000))
            reader = rng.choice([csvio.read_profile, lambda d: csvio.read_nights(d, today=today),
                                 lambda d: csvio.read_episodes(d, today=today)])
        source = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")

        def _one(reader=reader, source=source):
            try:
                reader(source)
            except DiaryImportError as exc:
                for e in exc.errors[:50]:
                    if not (e.text("nl").strip() and e.text("en").strip()):
                        raise AssertionError(f"empty message for {e.code}") from None
                raise

        tally.run(seed, _one, bound)
    return tally


def fuzz_edf(n: int, seed0: int, bound: int, edf: Path) -> Tally:
    from nachtwacht.psg.errors import PSGError
    from nachtwacht.psg.read import read_recording

    tally = Tally(f"EDF reader (mutations of {edf.name})")
    tally.expected = PSGError
    data = edf.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.edf"
        for k in range(n):
            seed = seed0 + k
            path.write_bytes(em.mutate_edf(data, random.Random(seed)))
            tally.run(seed, lambda: read_recording(path), bound)
    return tally


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=int, default=20_000)
    ap.add_argument("--edf", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bound", type=int, default=10, help="seconds allowed per input")
    ap.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.time()
    print(f"fuzz run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, seed {args.seed}")
    tallies = [fuzz_csv(args.csv, args.seed, args.bound)]
    edf = args.shared.resolve() / "psg" / "sleep-edfx" / "short_psg.edf"
    if args.edf and edf.is_file():
        tallies.append(fuzz_edf(args.edf, args.seed, args.bound, edf))
    elif args.edf:
        print(f"\n(EDF fuzz skipped: {edf} not found)")
    for t in tallies:
        t.report()
    total = sum(t.tried for t in tallies)
    bad = sum(t.crash_count + len(t.hangs) for t in tallies)
    print(f"\n{total} inputs in {time.time() - t0:.0f} s; {bad} crashes or hangs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
