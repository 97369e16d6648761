"""Benchmark of the GP report on a three-year diary.

Times, for the three-year demo diary (``demo_diary_years(3)``, about 1,100 nights):
building the report data (including the trigger analysis and triage it calls),
rendering the HTML with its SVG charts, and printing the PDF; then compares the
PDF step with two references measured in the same run:

* an empty report (same template, no data): the fixed cost of the template and fonts;
* WeasyPrint printing a plain HTML page with the same text but no charts.

The first round of each step warms imports (matplotlib, WeasyPrint, statsmodels)
and is reported separately; the figures are the median of ``--repeat`` rounds.

    python bench/bench_report.py [--years 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from nachtwacht.diary.demo import demo_diary_years
from nachtwacht.diary.types import Diary
from nachtwacht.report import build, render_html, render_pdf


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    end = dt.date(2026, 11, 1)
    diary = demo_diary_years(args.years, end=end)
    print(f"diary: {len(diary.nights)} nights, {len(diary.episodes)} episodes "
          f"({args.years:g} years)")

    first_b, build_s, data = _timed(lambda: build(diary, today=end), args.repeat)
    first_h, html_s, html = _timed(lambda: render_html(data), args.repeat)
    first_p, pdf_s, pdf = _timed(lambda: render_pdf(data), args.repeat)
    _, empty_s, _ = _timed(lambda: render_pdf(build(Diary(), today=end)), args.repeat)

    from weasyprint import HTML

    plain = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    plain = re.sub(r"<style>.*?</style>", "", plain, flags=re.S)
    _, plain_s, _ = _timed(lambda: HTML(string=plain).write_pdf(), args.repeat)

    total = build_s + pdf_s  # render_pdf renders the HTML itself
    print(f"build data      {build_s:7.3f} s   (first call {first_b:.3f} s)")
    print(f"render HTML     {html_s:7.3f} s   (first call {first_h:.3f} s)")
    print(f"render PDF      {pdf_s:7.3f} s   (first call {first_p:.3f} s), "
          f"{len(pdf) / 1024:.0f} KiB, HTML included")
    print(f"build + PDF     {total:7.3f} s   (first call {first_b + first_p:.3f} s)")
    print(f"reference: empty report PDF          {empty_s:7.3f} s  "
          f"ratio PDF/empty = {pdf_s / empty_s:.2f}")
    print(f"reference: plain same-text HTML->PDF {plain_s:7.3f} s  "
          f"ratio PDF/plain = {pdf_s / plain_s:.2f}")


if __name__ == "__main__":
    main()
