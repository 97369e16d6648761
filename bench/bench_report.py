"""Benchmark of the GP report on a three-year diary.

Times, for the three-year demo diary (``demo_diary_years(3)``, about 1,100 nights):
building the report data (including the trigger analysis and triage it calls),
rendering the HTML with its SVG charts, and printing the PDF; then compares the
PDF step with two references measured in the same run:

* an empty report (same template, no data): the fixed cost of the template and fonts;
* WeasyPrint printing a plain HTML page with the same text but no charts.

The first round of each step warms imports (NumPy, SciPy, WeasyPrint) and is
reported separately; the figures are the median of ``--repeat`` rounds, as
wall-clock time and as CPU time of this process (the CPU time hardly moves when other
jobs share the machine, so compare that one between runs). A breakdown shows where
the build and PDF time goes: the trigger analysis, triage, the charts and WeasyPrint.

Then the cold start a user sees (issue #5): ``nachtwacht report`` on the same three-year
demo files in a fresh process, end to end (median of ``--cold`` runs, wall-clock and CPU
time of the process and its children), against two references measured in the same run:
``nachtwacht --version`` (interpreter and command-line start) and a fresh process that
only imports WeasyPrint and prints a one-line PDF (the floor of any PDF report).

    python bench/bench_report.py [--years 3] [--repeat 3] [--cold 3] [--cold-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nachtwacht.diary.demo import demo_diary_years
from nachtwacht.diary.types import Diary
from nachtwacht.report import build, render_html, render_pdf


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """Return (first call wall s, median wall s, median CPU s, last result)."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return first, statistics.median(wall), statistics.median(cpu), out


def _cold(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median (wall s, CPU s) of ``cmd`` run ``repeat`` times, each in a fresh process."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def cold_start(years: float, repeat: int) -> None:
    """End-to-end ``nachtwacht report`` in fresh processes, with same-run references."""
    exe = Path(sys.executable).with_name("nachtwacht")
    cli = [str(exe)] if exe.is_file() else [shutil.which("nachtwacht") or "nachtwacht"]
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        d = Path(tmp)
        subprocess.run([*cli, "diary", "demo", "--weeks", str(round(52 * years)), "--out",
                        str(d), "--force"], check=True, capture_output=True)
        report = [*cli, "report", str(d / "nights.csv"), str(d / "episodes.csv"),
                  "--profile", str(d / "profile.json"), "--out", str(d / "r.pdf")]
        one_line = [sys.executable, "-c", "import weasyprint; weasyprint.HTML(string="
                    f"'<p>Nachtwacht</p>').write_pdf({str(d / 'one.pdf')!r})"]
        _cold(report, 1)  # the first run fills the OS file cache; not counted
        rep_s, rep_c = _cold(report, repeat)
        ver_s, ver_c = _cold([*cli, "--version"], repeat)
        one_s, one_c = _cold(one_line, repeat)
    print(f"cold start, fresh process, median of {repeat}   wall      CPU")
    print(f"nachtwacht report ({years:g}-year demo) {rep_s:7.3f} s {rep_c:7.3f} s")
    print(f"reference: nachtwacht --version     {ver_s:7.3f} s {ver_c:7.3f} s  "
          f"ratio report/version = {rep_c / ver_c:.1f} (CPU)")
    print(f"reference: one-line PDF, WeasyPrint {one_s:7.3f} s {one_c:7.3f} s  "
          f"ratio report/one-line = {rep_c / one_c:.2f} (CPU), {rep_s / one_s:.2f} (wall)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", type=int, default=3, help="runs of the cold-start measurement")
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start figures")
    args = ap.parse_args()
    if args.cold_only:
        cold_start(args.years, args.cold)
        return

    end = dt.date(2026, 11, 1)
    diary = demo_diary_years(args.years, end=end)
    print(f"diary: {len(diary.nights)} nights, {len(diary.episodes)} episodes "
          f"({args.years:g} years)")

    first_b, build_s, build_c, data = _timed(lambda: build(diary, today=end), args.repeat)
    first_h, html_s, html_c, html = _timed(lambda: render_html(data), args.repeat)
    first_p, pdf_s, pdf_c, pdf = _timed(lambda: render_pdf(data), args.repeat)
    _, empty_s, empty_c, _ = _timed(lambda: render_pdf(build(Diary(), today=end)), args.repeat)

    from weasyprint import HTML

    from nachtwacht.insight import analyse
    from nachtwacht.report.figures import all_figures
    from nachtwacht.triage import assess

    plain = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    plain = re.sub(r"<style>.*?</style>", "", plain, flags=re.S)
    _, plain_s, plain_c, _ = _timed(lambda: HTML(string=plain).write_pdf(), args.repeat)
    _, ins_s, ins_c, ins = _timed(lambda: analyse(diary), args.repeat)
    _, tri_s, tri_c, _ = _timed(lambda: assess(diary, insight=ins), args.repeat)
    _, fig_s, fig_c, _ = _timed(lambda: all_figures(data), args.repeat)

    total, total_c = build_s + pdf_s, build_c + pdf_c  # render_pdf renders the HTML itself
    print("step                 wall      CPU")
    print(f"build data      {build_s:7.3f} s {build_c:7.3f} s   (first call {first_b:.3f} s)")
    print(f"  insight.analyse {ins_s:5.3f} s {ins_c:7.3f} s")
    print(f"  triage.assess   {tri_s:5.3f} s {tri_c:7.3f} s")
    print(f"render HTML     {html_s:7.3f} s {html_c:7.3f} s   (first call {first_h:.3f} s)")
    print(f"  charts          {fig_s:5.3f} s {fig_c:7.3f} s")
    print(f"render PDF      {pdf_s:7.3f} s {pdf_c:7.3f} s   (first call {first_p:.3f} s), "
          f"{len(pdf) / 1024:.0f} KiB, HTML included")
    print(f"build + PDF     {total:7.3f} s {total_c:7.3f} s   (first call {first_b + first_p:.3f} s)")
    print(f"reference: empty report PDF          {empty_s:7.3f} s {empty_c:7.3f} s  "
          f"ratio PDF/empty = {pdf_c / empty_c:.2f} (CPU)")
    print(f"reference: plain same-text HTML->PDF {plain_s:7.3f} s {plain_c:7.3f} s  "
          f"ratio PDF/plain = {pdf_c / plain_c:.2f} (CPU)")
    if args.cold > 0:
        print()
        cold_start(args.years, args.cold)


if __name__ == "__main__":
    main()
