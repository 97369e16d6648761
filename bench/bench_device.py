"""Benchmark: device import + scoring (issue #17 speed targets).

1. 14 days of 1-minute actigraphy (an Actiwatch .AWD file): read, score (Oakley and
   Cole-Kripke), per-night figures and rhythm. Target < 1 s. Reference in the same run:
   ``pandas.read_csv`` of the same file (reading only).
2. A year of consumer data (an Apple Health export.xml with sleep stages every night and
   200 000 other records around them): stream, group, per-night figures, rhythm. Target
   < 5 s. Reference: a bare ``ElementTree.iterparse`` pass over the same file.

3. Raw wrist accelerometry (Axivity .cwa, GENEActiv .bin, ActiGraph .gt3x), ``--raw-days``
   days at the rates given in ``--raw`` (default: .cwa at 100 Hz, .bin at 50 Hz, .gt3x at
   30 Hz, the usual settings). Files are built day by day with
   ``tests/device/make_raw.py``. Each run is a fresh process: read + van Hees sleep/wake
   + nights, wall time and peak memory (max RSS). Reference in the same run: a bare pass
   over the file's bytes (read, and for .gt3x inflate ``log.bin``; no decoding), and the
   1-minute actigraphy time of part 1. ``--libs`` also times scikit-digital-health
   (``ReadCwa``/``ReadBin``) and pygt3x (``FileReader.to_pandas``) reading the same file.

Prints times and ratios; it is not a test.

    python bench/bench_device.py [--days 14] [--repeat 3] [--raw cwa:100,bin:50,gt3x:30]
        [--raw-days 14] [--libs] [--only-raw]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
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


#: Run in a fresh process: ``(seconds, max RSS MB, extra)`` printed as one line.
_CHILD = {
    "ours": ("from nachtwacht.device import read_device\n"
             "from nachtwacht.device.nights import device_nights\n"
             "t = time.perf_counter(); n = len(device_nights(read_device(P)))\n"
             "extra = f'{n} nights'\n"),
    "bare": ("import zipfile\nt = time.perf_counter()\n"
             "f = zipfile.ZipFile(P).open('log.bin') if P.endswith('.gt3x') else open(P, 'rb')\n"
             "k = 0\nwhile True:\n    b = f.read(8 << 20)\n    k += len(b)\n    if not b: break\n"
             "extra = f'{k / 1e6:.0f} MB'\n"),
    "skdh": ("import warnings; warnings.simplefilter('ignore'); import skdh\n"
             "cls = skdh.io.ReadCwa if P.endswith('.cwa') else skdh.io.ReadBin\n"
             "t = time.perf_counter(); r = cls().predict(file=P)\nextra = f\"{len(r['accel'])} samples\"\n"),
    "pygt3x": ("import warnings; warnings.simplefilter('ignore'); from pygt3x.reader import FileReader\n"
               "t = time.perf_counter()\nwith FileReader(P) as r:\n    df = r.to_pandas()\n"
               "extra = f'{len(df)} samples'\n"),
}


def child(kind: str, path: Path) -> tuple[float, float, str]:
    """Run ``kind`` on ``path`` in a new process: wall seconds, peak memory (MB), note."""
    code = (f"import time\nP = {str(path)!r}\n" + _CHILD[kind]
            + "s = time.perf_counter() - t\n"
            # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0]\n"
            "print(s, int(hwm.split()[1]) / 1024, extra, sep='|')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        return float("nan"), float("nan"), out.stderr.strip().splitlines()[-1][:80]
    sec, mb, extra = out.stdout.strip().splitlines()[-1].split("|")
    return float(sec), float(mb), extra


def bench_raw(spec: str, days: int, libs: bool, minute_s: float | None) -> None:
    """Time and memory of reading ``days`` of raw data per ``fmt:Hz`` in ``spec``."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "device"))
    from make_raw import write_days

    start = dt.datetime(2026, 3, 2, 12, 0)
    for item in spec.split(","):
        fmt, hz = item.split(":")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"bench.{fmt}"
            t0 = time.perf_counter()
            write_days(fmt, path, int(hz), days, start)
            gen = time.perf_counter() - t0
            mb = path.stat().st_size / 1e6
            s, rss, note = child("ours", path)
            b, brss, bnote = child("bare", path)
            line = (f"raw {fmt} {days} d x {hz} Hz ({mb:.0f} MB, built in {gen:.0f} s): ours {s:.2f} s, "
                    f"peak {rss:.0f} MB, {note}; bare pass {b:.2f} s ({bnote}, peak {brss:.0f} MB); "
                    f"ratio {s / b:.1f}")
            if minute_s:
                line += f"; {s / minute_s:.0f}x the 1-min actigraphy"
            print(line, flush=True)
            if libs:
                lib = "pygt3x" if fmt == "gt3x" else "skdh"
                ls, lrss, lnote = child(lib, path)
                print(f"    {lib}: {ls:.2f} s, peak {lrss:.0f} MB, {lnote} (read only; ratio to ours "
                      f"{ls / s:.1f})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--raw", default="cwa:100,bin:50,gt3x:30", help="fmt:Hz,... ('' to skip)")
    ap.add_argument("--raw-days", type=int, default=14)
    ap.add_argument("--libs", action="store_true", help="also time skdh / pygt3x on the raw files")
    ap.add_argument("--only-raw", action="store_true")
    a = ap.parse_args()
    minute_s = None if a.only_raw else bench_counts(a)
    if a.raw:
        bench_raw(a.raw, a.raw_days, a.libs, minute_s)


def bench_counts(a: argparse.Namespace) -> float:
    """Parts 1 and 2; returns the 1-minute actigraphy time."""
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
        minute_s = t
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
    return minute_s


if __name__ == "__main__":
    main()
