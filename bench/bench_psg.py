"""Benchmark: full ``nachtwacht psg analyse`` vs YASA's ``SleepStaging.predict()`` alone.

A simulated 8-hour, 12-channel night at 256 Hz is written as EDF to a temporary
directory (``nachtwacht.psg.simulate`` when present, else the small generator in
``nachtwacht.psg.synthetic``). Each measurement runs in a fresh Python process,
so imports and Numba compilation count, as they do for a user:

(a) YASA alone: ``mne.io.read_raw_edf`` of EEG/EOG/EMG + ``SleepStaging(...).predict()``;
(b) ``nachtwacht psg analyse FILE --json out.json`` (read, roles, staging,
    architecture, every detector, JSON).

Wall time and peak RSS are printed, with the targets: (b) wall <= (a) wall, and
(b) peak RSS <= 2 x EDF size + 300 MB.

Usage: ``python bench/bench_psg.py [--hours 8] [--keep DIR]``
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

# Children's peak RSS: run the child under a tiny wrapper that reports its own maxrss,
# so each measurement is one fresh process and nothing else is counted.
WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{wall:.3f} {rss:.1f} {r.returncode}")
sys.stderr.write(r.stderr[-2000:] if r.returncode else "")
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


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of ``cmd`` in a fresh process."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True,
                         check=True)
    wall, rss, rc = out.stdout.split()
    if rc != "0":
        raise RuntimeError(f"{cmd[:4]} failed: {out.stderr}")
    return float(wall), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--keep", type=Path, help="Write the EDF here and keep it.")
    ap.add_argument("--edf", type=Path, help="Use this existing EDF instead of simulating.")
    args = ap.parse_args()
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

    a_wall, a_rss = measure([sys.executable, "-c", YASA_SNIPPET, str(edf), *names])
    out_json = tmp / "out.json"
    b_wall, b_rss = measure([sys.executable, "-m", "nachtwacht", "psg", "analyse", str(edf),
                             "--json", str(out_json), "--lang", "en"])
    d = json.loads(out_json.read_text())
    mem_limit = 2 * size_mb + 300
    res = {
        "yasa_predict_s": round(a_wall, 2), "yasa_peak_mb": round(a_rss),
        "analyse_s": round(b_wall, 2), "analyse_peak_mb": round(b_rss),
        "time_ratio_vs_yasa": round(b_wall / a_wall, 3),
        "mem_limit_mb": round(mem_limit), "mem_ratio_vs_limit": round(b_rss / mem_limit, 3),
        "epochs": len(d["hypnogram"]["stages"]) if d["hypnogram"] else 0,
        "detectors_run": sorted(d["events"]), "skipped": d["skipped"],
    }
    print(f"(a) YASA SleepStaging.predict alone: {a_wall:6.1f} s, peak {a_rss:5.0f} MB")
    print(f"(b) nachtwacht psg analyse (all):   {b_wall:6.1f} s, peak {b_rss:5.0f} MB")
    print(f"time (b)/(a) = {res['time_ratio_vs_yasa']:.2f} (target <= 1); "
          f"memory (b) / (2 x EDF + 300 MB = {mem_limit:.0f} MB) = {res['mem_ratio_vs_limit']:.2f} "
          "(target <= 1)")
    print(json.dumps(res))
    if not args.keep and not args.edf:
        edf.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
