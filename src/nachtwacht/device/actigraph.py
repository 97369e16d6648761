"""Readers for research and clinical actigraphs: Actiwatch .AWD, MotionWatch .mtn,
ActiGraph .agd and Condor ActTrust text.

pyActigraphy (the reference library for these formats) does not install here: it pulls
in ``accelerometer``, whose scikit-learn pin fails to build on Python 3.11 with current
NumPy, and it imports lmfit, numba, statsmodels and plotly at start-up. So these are
small readers written to pyActigraphy's own reading rules (same header lines, same
epoch codes, same channel choices) and tested against the example recordings that ship
with pyActigraphy 1.2.2 (copied into ``tests/device/data``, GPL-3.0).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from .errors import broken
from .types import Epochs

#: AWD header frequency code -> epoch seconds (pyActigraphy ``RawAWD.frequency_code``).
AWD_EPOCH_S = {"1": 15, "2": 30, "4": 60, "8": 120, "20": 300, "81": 2, "C1": 5, "C2": 10}
#: Two weeks of 2-s epochs is 600 000 lines; refuse far beyond what a device can hold.
MAX_EPOCHS = 5_000_000


def read_awd(path: Path) -> Epochs:
    """Read an Actiwatch ``.AWD`` file (7 header lines, then one epoch per line).

    The first number on each line is the activity count; a trailing ``M`` is a marker,
    a second number (light, temperature, ...) is ignored.
    """
    with open(path, encoding="latin-1") as f:
        head = [f.readline() for _ in range(7)]
        try:
            start = dt.datetime.strptime(f"{head[1].strip()} {head[2].strip()}", "%d-%b-%Y %H:%M")
            epoch_s = AWD_EPOCH_S[head[3].strip()]
        except (ValueError, KeyError, IndexError) as exc:
            raise broken(path.name, "Actiwatch (.AWD)", "kop") from exc
        counts: list[float] = []
        for line in f:
            tok = line.split(",")[0].split()
            if not tok:
                continue
            try:
                counts.append(float(tok[0]))
            except ValueError as exc:
                raise broken(path.name, "Actiwatch (.AWD)", f"regel {len(counts) + 8}") from exc
            if len(counts) > MAX_EPOCHS:
                raise broken(path.name, "Actiwatch (.AWD)", "te lang")
    device = head[5].strip()
    return Epochs(start, epoch_s, np.asarray(counts, dtype=float), "awd", device)


def read_mtn(path: Path) -> Epochs:
    """Read a CamNtech MotionWatch ``.mtn`` XML file (``motion`` channel, its epoch)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise broken(path.name, "MotionWatch (.mtn)", "XML") from exc
    props = {}
    for p in root.iter("property"):
        name, content = p.findtext("name"), p.findtext("content")
        if name and content is not None:
            props[name] = content
    for ch in root.iter("channel"):
        if ch.findtext("name") == "motion":
            epoch_s = int(ch.findtext("epoch") or 0)
            text = ch.findtext("data") or ""
            break
    else:
        raise broken(path.name, "MotionWatch (.mtn)", "geen bewegingskanaal")
    try:
        start = dt.datetime.fromisoformat(props["=StartTime"].strip())
        counts = np.array([float(x) for x in text.replace("\n", "").split(",") if x.strip()])
    except (KeyError, ValueError) as exc:
        raise broken(path.name, "MotionWatch (.mtn)", "starttijd of data") from exc
    if epoch_s <= 0:
        raise broken(path.name, "MotionWatch (.mtn)", "epoch")
    device = f"{props.get('=Device', '')} {props.get('=SerialNo', '')}".strip()
    return Epochs(start, epoch_s, counts, "mtn", device)


def _ticks(t: int) -> dt.datetime:
    # .NET ticks: 100 ns since 0001-01-01 (pyActigraphy's ``__to_timestamps``).
    return dt.datetime(1, 1, 1) + dt.timedelta(microseconds=t // 10)


def read_agd(path: Path) -> Epochs:
    """Read an ActiGraph ``.agd`` (SQLite) file; activity is the vector magnitude of
    the three axes, as pyActigraphy uses it."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise broken(path.name, "ActiGraph (.agd)", "SQLite") from exc
    try:
        settings = dict(con.execute("SELECT settingName, settingValue FROM settings").fetchall())
        epoch_s = int(settings["epochlength"])
        start = _ticks(int(settings["startdatetime"]))
        rows = con.execute("SELECT dataTimestamp, axis1, axis2, axis3 FROM data "
                           "ORDER BY dataTimestamp LIMIT ?", (MAX_EPOCHS,)).fetchall()
    except (sqlite3.Error, KeyError, ValueError) as exc:
        raise broken(path.name, "ActiGraph (.agd)", "tabellen") from exc
    finally:
        con.close()
    if not rows:
        raise broken(path.name, "ActiGraph (.agd)", "geen data")
    arr = np.asarray(rows, dtype=float)
    step = epoch_s * 10_000_000
    idx = np.round((arr[:, 0] - arr[0, 0]) / step).astype(np.int64)
    if idx[-1] >= MAX_EPOCHS or (np.diff(idx) < 0).any():
        # Timestamps spread over centuries would make a giant array: refuse them.
        raise broken(path.name, "ActiGraph (.agd)", "tijdstempels")
    counts = np.full(idx[-1] + 1, np.nan)
    counts[idx] = np.sqrt((arr[:, 1:] ** 2).sum(axis=1))
    first = _ticks(int(arr[0, 0]))
    return Epochs(first if first >= start else start, epoch_s, counts, "agd",
                  settings.get("devicename", ""))


def read_atr(path: Path, mode: str = "PIM") -> Epochs:
    """Read a Condor ActTrust text export (``;``-separated, ``DATE/TIME`` then channels);
    ``mode`` picks the activity channel (PIM, the pyActigraphy default)."""
    with open(path, encoding="latin-1") as f:
        head: dict[str, str] = {}
        for line in f:
            if line.startswith("DATE/TIME"):
                cols = line.strip().split(";")
                break
            m = re.match(r"\s*([A-Z_]+)\s*:\s*(.*)", line)
            if m:
                head[m.group(1)] = m.group(2).strip()
        else:
            raise broken(path.name, "ActTrust", "geen kolomkop")
        if mode not in cols:
            raise broken(path.name, "ActTrust", f"geen kolom {mode}")
        ci = cols.index(mode)
        times, vals = [], []
        for line in f:
            parts = line.split(";")
            if len(parts) <= ci:
                continue
            times.append(parts[0])
            vals.append(float(parts[ci].replace(",", ".")))
            if len(vals) > MAX_EPOCHS:
                raise broken(path.name, "ActTrust", "te lang")
    if not vals:
        raise broken(path.name, "ActTrust", "geen data")
    fmt = "%d/%m/%Y %H:%M:%S"
    t0 = dt.datetime.strptime(times[0], fmt)
    epoch_s = int(head.get("INTERVAL", "60"))
    if len(times) > 1:
        epoch_s = int((dt.datetime.strptime(times[1], fmt) - t0).total_seconds())
    return Epochs(t0, epoch_s, np.asarray(vals), "atr", head.get("DEVICE_MODEL", ""))


def read_rpx(path: Path) -> Epochs:
    """Read an Actiware (Philips Respironics) CSV export with English headers.

    The epoch-by-epoch table starts at the ``"Line","Date","Time","Activity",...`` row;
    dates are day/month/year as Actiware writes them outside the US. ``NaN`` activity
    (off the wrist) stays missing. The REST intervals of its statistics table (from
    event markers, the scorer's edits or Actiware's own rest detection) are kept: the
    nights are found inside them, as Actiware does. French and German exports (other headers) are not read.
    """
    import csv

    rows: list[tuple[str, str, str]] = []
    rest: list[tuple[str, str, str, str]] = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(f)
        cols: list[str] | None = None
        for row in reader:
            if cols is None:
                if row[:1] == ["REST"] and len(row) >= 6:
                    rest.append((row[2], row[3], row[4], row[5]))
                if row[:3] == ["Line", "Date", "Time"] and "Activity" in row:
                    cols = row
                continue
            if len(row) < len(cols) - 1 or not row[0].strip().isdigit():
                continue
            rows.append((row[1], row[2], row[cols.index("Activity")]))
            if len(rows) > MAX_EPOCHS:
                raise broken(path.name, "Actiware (CSV)", "te lang")
    if cols is None or len(rows) < 2:
        raise broken(path.name, "Actiware (CSV)", "geen tabel per epoch")
    fmt = "%d/%m/%Y %H:%M:%S"
    try:
        t0 = dt.datetime.strptime(f"{rows[0][0]} {rows[0][1]}", fmt)
        t1 = dt.datetime.strptime(f"{rows[1][0]} {rows[1][1]}", fmt)
    except ValueError as exc:
        raise broken(path.name, "Actiware (CSV)", "datum") from exc
    counts = np.array([float(a) if a not in ("", "NaN") else np.nan for _, _, a in rows])
    try:
        intervals = tuple((dt.datetime.strptime(f"{a} {b}", fmt), dt.datetime.strptime(f"{c} {d}", fmt))
                          for a, b, c, d in rest)
    except ValueError:
        intervals = ()  # an unreadable statistics table: find the nights without it
    return Epochs(t0, int((t1 - t0).total_seconds()), counts, "rpx", "Actiwatch",
                  rest=tuple(iv for iv in intervals if iv[1] > iv[0]))
