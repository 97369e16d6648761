"""Benchmark: parse + validate + metrics of a three-year diary.

Compares ``read_nights`` (full parsing and validation) plus per-night and period metrics
with two references measured in the same run on the same file: a plain
``csv.DictReader`` pass that only splits cells, and ``pandas.read_csv``. Prints times
and ratios; it is not a test.

    python bench/bench_diary.py [--years 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import time
from collections.abc import Callable

import pandas as pd

from nachtwacht.diary.csvio import read_nights, write_nights
from nachtwacht.diary.demo import demo_diary_years
from nachtwacht.diary.metrics import night_metrics, period_metrics


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest wall time of ``repeat`` runs (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    end = dt.date(2026, 10, 31)
    diary = demo_diary_years(args.years, end=end)
    buf = io.StringIO()
    write_nights(diary.nights, buf)
    text = buf.getvalue()
    today = end + dt.timedelta(days=1)

    def ours_parse() -> object:
        return read_nights(text, today=today)

    nights = read_nights(text, today=today)

    def ours_metrics() -> object:
        return [night_metrics(n) for n in nights], period_metrics(nights)

    def ours_all() -> object:
        ns = read_nights(text, today=today)
        return [night_metrics(n) for n in ns], period_metrics(ns)

    def ref_dictreader() -> object:
        return list(csv.DictReader(io.StringIO(text)))

    def ref_pandas() -> object:
        return pd.read_csv(io.StringIO(text))

    t_parse = best_of(ours_parse, args.repeat)
    t_metrics = best_of(ours_metrics, args.repeat)
    t_all = best_of(ours_all, args.repeat)
    t_dict = best_of(ref_dictreader, args.repeat)
    t_pd = best_of(ref_pandas, args.repeat)
    n = len(nights)
    print(f"diary: {n} nights, {len(text) / 1024:.0f} KiB CSV, best of {args.repeat}")
    print(f"  read_nights (parse + validate)  {t_parse * 1e3:8.1f} ms  {n / t_parse:9.0f} nights/s")
    print(f"  metrics (per night + period)    {t_metrics * 1e3:8.1f} ms")
    print(f"  total parse+validate+metrics    {t_all * 1e3:8.1f} ms")
    print(f"  reference csv.DictReader        {t_dict * 1e3:8.1f} ms")
    print(f"  reference pandas.read_csv       {t_pd * 1e3:8.1f} ms")
    print(f"ratio total / csv.DictReader   = {t_all / t_dict:.1f}")
    print(f"ratio total / pandas.read_csv  = {t_all / t_pd:.1f}")


if __name__ == "__main__":
    main()
