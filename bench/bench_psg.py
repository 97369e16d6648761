"""Benchmark: full ``nachtwacht psg analyse`` vs YASA's ``SleepStaging.predict()`` alone.

A simulated 8-hour, 12-channel night at 256 Hz is written as EDF to a temporary
directory (``nachtwacht.psg.simulate`` when present, else the small generator in
``nachtwacht.psg.synthetic``). Each measurement runs in a fresh Python process,
so imports and Numba compilation count, as they do for a user:

(a) YASA alone: ``mne.io.read_raw_edf`` of EEG/EOG/EMG + ``SleepStaging(...).predict()``;
(b) ``nachtwacht psg analyse FILE --json out.json`` (read, roles, staging,
    architecture, every detector, JSON).

Wall time, CPU time (user + system, robust when other work shares the machine) and
peak RSS are printed, with the targets of issue #13: (b) <= (a) in time (aim 0.4x),
and (b) peak RSS <= 2 x EDF size + 300 MB (aim: EDF size + 200 MB).

(c) The bounded reader: crafted EDF/EDF+D headers (huge record counts, a 5,000-s and
a maximal 36-h gap, NUL/control labels, a legitimate short gap) are each read in a
fresh process; peak RSS above a process that only imports the reader must stay
below 4 x file size + 50 MB, and each must end within 10 s.

``--check`` exits with status 1 when a target is missed. ``--per-detector`` also
prints, from one more fresh process, the CPU seconds of reading, staging and each
detector in run order (what the detectors cost inside ``analyse``, with the EMG
envelope cache shared as there: a detector that fills the cache is charged for it).

Usage: ``python bench/bench_psg.py [--hours 8] [--keep DIR] [--edf FILE] [--check]
[--per-detector]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YASA_SNIPPET = """
import sys, mne, yasa
mne.set_log_level("ERROR")
path, eeg, eog, emg = sys.argv[1:5]
raw = mne.io.read_raw_edf(path, include=[eeg, eog, emg], preload=True, verbose=False)
hyp = yasa.SleepStaging(raw, eeg_name=eeg, eog_name=eog, emg_name=emg).predict()
print(len(hyp.hypno))
"""

#: --per-detector: CPU seconds of each step, in one fresh process, run order of run_all.
STEPS_SNIPPET = """
import sys, time
from nachtwacht.psg import events, staging
from nachtwacht.psg.channels import assign_roles
from nachtwacht.psg.read import read_recording
t = time.process_time()
rec = read_recording(sys.argv[1], skip_unknown=True)
assign_roles(rec, None)
print("read", round(time.process_time() - t, 2))
t = time.process_time()
hyp = staging.stage(rec)
print("staging", round(time.process_time() - t, 2))
res = {}
for mod in events.REGISTRY:
    t = time.process_time()
    res[mod.NAME] = mod.detect(rec, hyp, context=events.Context(mod.NAME, mod.NEEDS, res))
    print(mod.NAME, round(time.process_time() - t, 2))
"""

# Children's peak RSS: run the child under a tiny wrapper that reports its own maxrss,
# so each measurement is one fresh process and nothing else is counted.
WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {ru.ru_maxrss / 1024:.1f} {r.returncode} {ru.ru_utime + ru.ru_stime:.3f}")
sys.stderr.write(r.stderr[-2000:] if r.returncode else "")
"""

#: (c): read one file in a fresh process and say how it ended.
READ_SNIPPET = """
import sys
from nachtwacht.psg.errors import PSGError
from nachtwacht.psg.read import read_recording
if sys.argv[1] != "-":
    try:
        rec = read_recording(sys.argv[1])
        print("result", sum(c.data.size for c in rec.channels.values()))
    except PSGError as exc:
        print("error", exc.code)
"""


def make_night(path: Path, hours: float) -> tuple[str, str, str]:
    """Write the night; return the (EEG, EOG, EMG) channel names."""
    try:
        from nachtwacht.psg.simulate import (
            DEFAULT_CHANNELS,
            hypnogram_scaffold,
            simulate_night,
            write_edf,
        )
    except ImportError:
        from nachtwacht.psg.synthetic import write_night

        write_night(path, hours=hours, sf=256.0, seed=1)
        return "EEG C4-M1", "EOG E1-M2", "EMG Chin"
    hyp = hypnogram_scaffold(hours=hours, seed=1)
    rec, _ = simulate_night(hyp, sf={c: 256.0 for c in DEFAULT_CHANNELS}, seed=1)
    write_edf(rec, path)
    return "C4-M1", "E1-M2", "Chin"


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds) of ``cmd`` in a fresh process."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True,
                         check=True)
    wall, rss, rc, cpu = out.stdout.split()
    if rc != "0":
        raise RuntimeError(f"{cmd[:4]} failed: {out.stderr}")
    return float(wall), float(rss), float(cpu)


def crafted_files(tmp: Path) -> dict[str, Path]:
    """The crafted headers of (c), written with the tests' raw EDF writer."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "psg"))
    from edf_craft import craft_edf

    def gap(n: int, at: int, g: float) -> list[float]:
        return [float(k) if k < at else k + g for k in range(n)]

    cases = {
        "5000-s gap": dict(labels=["EEG C3-M2", "EMG chin"], samples=[256, 256], n_records=600,
                           onsets=gap(600, 300, 5000.0)),
        "maximal 36-h gap": dict(labels=["EEG C3-M2"], samples=[50_000], n_records=2,
                                 onsets=[0.0, 36 * 3600 - 2.0]),
        "record count 99999999": dict(labels=["EEG C3-M2"] * 4, samples=[256] * 4, n_records=600,
                                      header_records=99_999_999),
        "NUL/control labels": dict(labels=[b"EEG\x00C3-M2", b"Leg\x1bL"], samples=[256, 256],
                                   n_records=600),
        "short gap (read)": dict(labels=["EEG C3-M2", "Leg L"], samples=[256, 256],
                                 n_records=1200, onsets=gap(1200, 600, 300.0)),
    }
    return {name: craft_edf(tmp / f"crafted{i}.edf", **kw) for i, (name, kw) in enumerate(cases.items())}


def bounded_reader(tmp: Path) -> list[dict]:
    """(c): peak RSS of reading each crafted file, above an import-only process."""
    _, base, _ = measure([sys.executable, "-c", READ_SNIPPET, "-"])
    rows = []
    for name, path in crafted_files(tmp).items():
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, "-c", READ_SNIPPET,
                              str(path)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
        rss = float(out.stdout.split()[1])
        size_mb = path.stat().st_size / 2**20
        limit = 4 * size_mb + 50
        rows.append({"case": name, "file_mb": round(size_mb, 2), "extra_peak_mb": round(rss - base, 1),
                     "limit_mb": round(limit, 1), "wall_s": round(wall, 2),
                     "ok": rss - base <= limit and wall < 10})
        path.unlink(missing_ok=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--keep", type=Path, help="Write the EDF here and keep it.")
    ap.add_argument("--edf", type=Path, help="Use this existing EDF instead of simulating.")
    ap.add_argument("--check", action="store_true", help="Exit 1 when a target is missed.")
    ap.add_argument("--per-detector", action="store_true",
                    help="Also print the CPU seconds of each step and detector.")
    ap.add_argument("--skip-night", action="store_true", help="Only (c), the crafted headers.")
    args = ap.parse_args()
    tmp0 = Path(tempfile.mkdtemp(prefix="bench_psg_c_"))
    crafted = bounded_reader(tmp0)
    print("(c) bounded reader, crafted headers (peak above an import-only process):")
    for r in crafted:
        print(f"    {r['case']:<24} {r['file_mb']:7.2f} MB file: +{r['extra_peak_mb']:6.1f} MB "
              f"(limit {r['limit_mb']:.0f}), {r['wall_s']:.1f} s {'ok' if r['ok'] else 'FAIL'}")
    if args.skip_night:
        sys.exit(1 if args.check and not all(r["ok"] for r in crafted) else 0)
    tmp = Path(tempfile.mkdtemp(prefix="bench_psg_"))
    edf = args.edf or (args.keep or tmp) / "night.edf"
    if args.edf:
        names = ("C4-M1", "E1-M2", "Chin")
    else:
        t = time.perf_counter()
        names = make_night(edf, args.hours)
        print(f"simulated {args.hours:g} h night in {time.perf_counter() - t:.1f} s -> {edf}")
    size_mb = os.path.getsize(edf) / 2**20
    nproc = os.cpu_count()
    print(f"EDF {size_mb:.0f} MB, {nproc} CPUs, load {os.getloadavg()[0]:.1f}")

    a_wall, a_rss, a_cpu = measure([sys.executable, "-c", YASA_SNIPPET, str(edf), *names])
    out_json = tmp / "out.json"
    b_wall, b_rss, b_cpu = measure([sys.executable, "-m", "nachtwacht", "psg", "analyse", str(edf),
                                    "--json", str(out_json), "--lang", "en"])
    d = json.loads(out_json.read_text())
    mem_limit = 2 * size_mb + 300
    res = {
        "yasa_predict_s": round(a_wall, 2), "yasa_peak_mb": round(a_rss),
        "analyse_s": round(b_wall, 2), "analyse_peak_mb": round(b_rss),
        "time_ratio_vs_yasa": round(b_wall / a_wall, 3),
        "yasa_cpu_s": round(a_cpu, 2), "analyse_cpu_s": round(b_cpu, 2),
        "cpu_ratio_vs_yasa": round(b_cpu / a_cpu, 3),
        "edf_mb": round(size_mb), "aim_mem_mb": round(size_mb + 200),
        "mem_limit_mb": round(mem_limit), "mem_ratio_vs_limit": round(b_rss / mem_limit, 3),
        "epochs": len(d["hypnogram"]["stages"]) if d["hypnogram"] else 0,
        "detectors_run": sorted(d["events"]), "skipped": d["skipped"],
        "crafted": crafted,
    }
    print(f"(a) YASA SleepStaging.predict alone: {a_wall:6.1f} s wall, {a_cpu:6.1f} s CPU, "
          f"peak {a_rss:5.0f} MB")
    print(f"(b) nachtwacht psg analyse (all):   {b_wall:6.1f} s wall, {b_cpu:6.1f} s CPU, "
          f"peak {b_rss:5.0f} MB")
    print(f"time (b)/(a) = {res['time_ratio_vs_yasa']:.2f} wall, {res['cpu_ratio_vs_yasa']:.2f} CPU "
          f"(target <= 1, aim 0.4); memory (b) / (2 x EDF + 300 MB = {mem_limit:.0f} MB) = "
          f"{res['mem_ratio_vs_limit']:.2f} (target <= 1; aim EDF + 200 MB = {size_mb + 200:.0f} MB)")
    if args.per_detector:
        out = subprocess.run([sys.executable, "-c", STEPS_SNIPPET, str(edf)], capture_output=True,
                             text=True, check=True)
        steps = {k: float(v) for k, v in (ln.split() for ln in out.stdout.split("\n") if ln)}
        res["cpu_s_by_step"] = steps
        print("CPU s by step: " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
              + f" (detectors {sum(v for k, v in steps.items() if k not in ('read', 'staging')):.2f})")
    print(json.dumps(res))
    if not args.keep and not args.edf:
        edf.unlink(missing_ok=True)
    ok = (min(res["time_ratio_vs_yasa"], res["cpu_ratio_vs_yasa"]) <= 1
          and res["mem_ratio_vs_limit"] <= 1 and all(r["ok"] for r in crafted))
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
