"""Benchmark: device import + scoring (issue #17 speed targets).

1. 14 days of 1-minute actigraphy (an Actiwatch .AWD file): read, score (Oakley and
   Cole-Kripke), per-night figures and rhythm. Target < 1 s. Reference in the same run:
   ``pandas.read_csv`` of the same file (reading only).
2. A year of consumer data (an Apple Health export.xml with sleep stages every night and
   200 000 other records around them): stream, group, per-night figures, rhythm. Target
   < 5 s. Reference: a bare ``ElementTree.iterparse`` pass over the same file.

Prints times and ratios; it is not a test.

    python bench/bench_device.py [--days 14] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from nachtwacht.device import read_device
from nachtwacht.device.nights import device_nights
from nachtwacht.device.rhythm import rhythm


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest wall time of ``repeat`` runs (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def write_awd(path: Path, days: int) -> None:
    """A synthetic Actiwatch file: active days (counts ~200), still nights 23:00-07:00."""
    rng = np.random.default_rng(1)
    n = days * 1440
    minute = (np.arange(n) + 12 * 60) % 1440
    night = (minute >= 23 * 60) | (minute < 7 * 60)
    counts = np.where(night, rng.poisson(3, n) * (rng.random(n) < 0.3), rng.poisson(200, n))
    head = "bench\n02-Mar-2026\n12:00\n 4 \n00\nV0000001\nX\n"
    path.write_text(head + "\n".join(f"{c} , 0.00" for c in counts) + "\n")


def write_apple(path: Path, days: int) -> None:
    """An Apple Health export: per night in bed, core/deep/REM cycles and an awakening."""
    rows = ['<?xml version="1.0" encoding="UTF-8"?>', "<HealthData locale=\"nl_NL\">"]
    step = ('<Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count" '
            'value="12" startDate="2026-01-01 10:00:00 +0100" endDate="2026-01-01 10:01:00 +0100"/>')
    fmt = "%Y-%m-%d %H:%M:%S +0100"
    for i in range(days):
        t = dt.datetime(2025, 3, 1, 23, 0) + dt.timedelta(days=i)
        rows.append(f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="iPhone" '
                    f'value="HKCategoryValueSleepAnalysisInBed" startDate="{t:{fmt}}" '
                    f'endDate="{t + dt.timedelta(hours=8):{fmt}}"/>')
        s = t + dt.timedelta(minutes=15)
        for k, v in enumerate(["AsleepCore", "AsleepDeep", "AsleepCore", "AsleepREM", "Awake"] * 3):
            e = s + dt.timedelta(minutes=25 + 5 * (k % 3))
            rows.append(f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" '
                        f'value="HKCategoryValueSleepAnalysis{v}" startDate="{s:{fmt}}" endDate="{e:{fmt}}"/>')
            s = e
        rows.extend([step] * (200_000 // days))
    rows.append("</HealthData>")
    path.write_text("\n".join(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        awd = Path(tmp) / "bench.AWD"
        write_awd(awd, a.days)

        def ours() -> None:
            rec = read_device(awd)
            for m in ("oakley", "cole_kripke"):
                device_nights(rec, m)
            rhythm(device_nights(rec), rec)

        def ref() -> None:
            pd.read_csv(awd, skiprows=7, header=None, sep=",")

        t, r = best_of(ours, a.repeat), best_of(ref, a.repeat)
        n = len(device_nights(read_device(awd)))
        print(f"actigraphy {a.days} d x 1 min: read+score(2 methods)+nights+rhythm {t:.3f} s "
              f"(target < 1 s; {n} nights); pandas.read_csv alone {r:.3f} s; ratio {t / r:.1f}")

        xml = Path(tmp) / "export.xml"
        write_apple(xml, 365)
        mb = xml.stat().st_size / 1e6

        def ours_apple() -> None:
            nights = device_nights(read_device(xml))
            rhythm(nights)

        def ref_apple() -> None:
            for _ev, el in ET.iterparse(xml):
                el.clear()

        t, r = best_of(ours_apple, a.repeat), best_of(ref_apple, a.repeat)
        n = len(device_nights(read_device(xml)))
        print(f"Apple Health 365 d ({mb:.0f} MB, {n} nights): read+nights+rhythm {t:.3f} s "
              f"(target < 5 s); bare iterparse {r:.3f} s; ratio {t / r:.2f}")


if __name__ == "__main__":
    main()
