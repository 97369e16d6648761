"""Readers for consumer sleep exports: Apple Health, Fitbit/Google Takeout, Oura,
Withings and Sleep as Android.

Each format is plain XML, JSON or CSV, so the standard library reads them; there is no
maintained Python package for these exports that would do more than ``csv``/``json``.
Apple Health exports run to hundreds of MB: the file is streamed in chunks and only
``HKCategoryTypeIdentifierSleepAnalysis`` records are parsed (see :func:`read_apple`), so
memory stays bounded. Times carrying a UTC offset are turned into the
person's local wall-clock time (``tz``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from .errors import broken
from .types import Interval, SleepRecord

APPLE_SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
APPLE_VALUES = {
    "HKCategoryValueSleepAnalysisInBed": "in_bed",
    "HKCategoryValueSleepAnalysisAsleep": "asleep",
    "HKCategoryValueSleepAnalysisAsleepUnspecified": "asleep",
    "HKCategoryValueSleepAnalysisAsleepCore": "light",
    "HKCategoryValueSleepAnalysisAsleepDeep": "deep",
    "HKCategoryValueSleepAnalysisAsleepREM": "rem",
    "HKCategoryValueSleepAnalysisAwake": "awake",
}
FITBIT_LEVELS = {"wake": "awake", "awake": "awake", "restless": "awake", "light": "light",
                 "deep": "deep", "rem": "rem", "asleep": "asleep"}
#: A night record is cut when the next interval starts this long after the last ended.
NIGHT_GAP = dt.timedelta(hours=3)
MAX_ROWS = 200_000


def local(ts: dt.datetime, tz: str) -> dt.datetime:
    """Naive local wall-clock time of ``ts`` (naive input is taken as local already)."""
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def group_intervals(source: str, ivs: Iterable[Interval]) -> list[SleepRecord]:
    """Group intervals into nights: a gap of :data:`NIGHT_GAP` starts a new record."""
    out: list[SleepRecord] = []
    cur: list[Interval] = []
    for iv in sorted(ivs, key=lambda i: (i.start, i.end)):
        if cur and iv.start - max(c.end for c in cur) > NIGHT_GAP:
            out.append(_record(source, cur))
            cur = []
        cur.append(iv)
    if cur:
        out.append(_record(source, cur))
    return out


def _record(source: str, ivs: list[Interval]) -> SleepRecord:
    return SleepRecord(source, min(i.start for i in ivs), max(i.end for i in ivs), tuple(ivs))


# -- Apple Health ------------------------------------------------------------------------
def _apple_time(s: str) -> dt.datetime:
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z")


_SLEEP_B = APPLE_SLEEP.encode()
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_CHUNK = 8 * 1024 * 1024
_MAX_TAG = 1024 * 1024


def _sleep_tags(buf: bytes, cut: int) -> Iterator[bytes]:
    """The ``<Record ...>`` start tags in ``buf[:cut]`` that mention sleep analysis.

    Searching for the type name first skips the hundreds of thousands of other records
    (steps, heart rate) without looking at them.
    """
    i = buf.find(_SLEEP_B, 0, cut)
    while i >= 0:
        a = buf.rfind(b"<", 0, i)
        b = buf.find(b">", i, cut)
        if a >= 0 and b >= 0 and buf.startswith(b"<Record", a):
            yield buf[a:b + 1]
        i = buf.find(_SLEEP_B, (b if b >= 0 else i) + 1, cut)


def read_apple(stream: IO[bytes], tz: str, name: str = "export.xml") -> list[SleepRecord]:
    """Stream an Apple Health ``export.xml`` and return its sleep nights.

    The export is read in 8 MB chunks and only ``<Record ...>`` start tags whose type is
    sleep analysis are parsed (a regular expression on the tag, then its attributes).
    A full XML parse (``iterparse``) of a 35 MB export took 2-4 s here, this takes a
    tenth of that, and memory stays at one chunk however large the export is. Apple
    writes every attribute in double quotes, which this relies on.
    """
    ivs: list[Interval] = []
    tail = b""
    seen_root = False
    while True:
        chunk = stream.read(_CHUNK)
        buf = tail + chunk
        if not seen_root and b"<HealthData" in buf:
            seen_root = True
        cut = len(buf) if not chunk else buf.rfind(b"<")
        cut = len(buf) if cut < 0 else cut
        for tag in _sleep_tags(buf, cut):
            a = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
            state = APPLE_VALUES.get(a.get("value", ""))
            if not state or a.get("type") != APPLE_SLEEP:
                continue
            try:
                ivs.append(Interval(local(_apple_time(a["startDate"]), tz),
                                    local(_apple_time(a["endDate"]), tz), state))
            except (KeyError, ValueError) as exc:
                raise broken(name, "Apple Gezondheid", "datum in een slaaprecord") from exc
            if len(ivs) > MAX_ROWS * 10:
                raise broken(name, "Apple Gezondheid", "te veel slaaprecords")
        if not chunk:
            break
        tail = buf[cut:]
        if len(tail) > _MAX_TAG:  # a single "tag" of 1 MB is no Apple export
            raise broken(name, "Apple Gezondheid", "XML")
    if not seen_root:
        raise broken(name, "Apple Gezondheid", "geen HealthData")
    return group_intervals("apple", ivs)


def read_apple_zip(path: Path, tz: str) -> list[SleepRecord]:
    """Apple Health ``export.zip``: read ``apple_health_export/export.xml`` inside it."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith("export.xml")]
            if not names:
                raise broken(path.name, "Apple Gezondheid", "geen export.xml in de zip")
            if z.getinfo(names[0]).file_size > _MAX_UNZIPPED:
                raise broken(path.name, "Apple Gezondheid", ("te groot uitgepakt", "too large unpacked"))
            with z.open(names[0]) as f:
                return read_apple(_Capped(f, _MAX_UNZIPPED), tz, path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # A damaged or cut-off zip (bad CRC, truncated stream, unknown compression):
        # the person gets the reader's message, never a traceback.
        raise broken(path.name, "Apple Gezondheid", ("beschadigde zip", "damaged zip")) from exc


#: The largest export.xml read from a zip; real exports of many years stay far below.
_MAX_UNZIPPED = 8 * 1024**3


class _Capped:
    """A read-only stream that stops a zip bomb: at most ``limit`` bytes, whatever the
    zip's directory declared."""

    def __init__(self, f: IO[bytes], limit: int) -> None:
        self.f, self.left = f, limit

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.left -= len(data)
        if self.left < 0:
            raise zipfile.BadZipFile("export.xml larger than declared or allowed")
        return data


# -- Fitbit / Google Takeout ---------------------------------------------------------------
def read_fitbit(data: Any, name: str) -> list[SleepRecord]:
    """Fitbit Takeout ``sleep-YYYY-MM-DD.json`` (a list of sleep logs with ``levels``)."""
    if not isinstance(data, list):
        raise broken(name, "Fitbit", "geen lijst")
    out = []
    for log in data[:MAX_ROWS]:
        try:
            if log.get("mainSleep") is False:
                continue  # naps are not the night's sleep
            start = dt.datetime.fromisoformat(log["startTime"])
            end = dt.datetime.fromisoformat(log["endTime"])
            ivs = []
            for row in (log.get("levels") or {}).get("data", []):
                s = dt.datetime.fromisoformat(row["dateTime"])
                ivs.append(Interval(s, s + dt.timedelta(seconds=row["seconds"]),
                                    FITBIT_LEVELS.get(row["level"], "asleep")))
        except (KeyError, TypeError, ValueError) as exc:
            raise broken(name, "Fitbit", "veld ontbreekt") from exc
        out.append(SleepRecord("fitbit", start, end, tuple(ivs),
                               tst_min=log.get("minutesAsleep"),
                               sol_min=log.get("minutesToFallAsleep")))
    return out


# -- CSV formats ---------------------------------------------------------------------------
def _norm(h: str) -> str:
    return h.strip().lower().replace(" ", "_")


def _rows(text: str) -> Iterator[dict[str, str]]:
    r = csv.DictReader(io.StringIO(text))
    r.fieldnames = [_norm(h) for h in (r.fieldnames or [])]
    for i, row in enumerate(r):
        if i >= MAX_ROWS:
            break
        yield row


def _num(row: dict[str, str], key: str, scale: float = 1.0) -> float | None:
    v = (row.get(key) or "").strip()
    try:
        return float(v) * scale if v else None
    except ValueError:
        return None


def read_oura(text: str, tz: str, name: str) -> list[SleepRecord]:
    """Oura sleep CSV (seconds; ``bedtime_start``/``bedtime_end`` with UTC offset)."""
    out = []
    for row in _rows(text):
        try:
            s = local(dt.datetime.fromisoformat(row["bedtime_start"]), tz)
            e = local(dt.datetime.fromisoformat(row["bedtime_end"]), tz)
        except (KeyError, ValueError) as exc:
            raise broken(name, "Oura", "bedtime_start/bedtime_end") from exc
        m = 1 / 60
        stages = {k: v for k, v in (("light", _num(row, "light_sleep_duration", m)),
                                    ("deep", _num(row, "deep_sleep_duration", m)),
                                    ("rem", _num(row, "rem_sleep_duration", m))) if v is not None}
        out.append(SleepRecord("oura", s, e, tst_min=_num(row, "total_sleep_duration", m),
                               waso_min=_num(row, "awake_time", m),
                               sol_min=_num(row, "sleep_latency", m), stages_min=stages))
    return out


def read_withings(text: str, tz: str, name: str) -> list[SleepRecord]:
    """Withings ``sleep.csv`` (``from``, ``to``, stage seconds)."""
    out = []
    for row in _rows(text):
        try:
            s = local(dt.datetime.fromisoformat(row["from"]), tz)
            e = local(dt.datetime.fromisoformat(row["to"]), tz)
        except (KeyError, ValueError) as exc:
            raise broken(name, "Withings", "from/to") from exc
        m = 1 / 60
        stages = {k: _num(row, f"{k}_(s)", m) or 0.0 for k in ("light", "deep", "rem")}
        sol = _num(row, "duration_to_sleep_(s)", m)
        up = _num(row, "duration_to_wake_up_(s)", m) or 0.0
        awake = _num(row, "awake_(s)", m)
        # Withings' "awake" includes falling asleep and lying awake at the end.
        waso = None if awake is None else max(0.0, awake - (sol or 0.0) - up)
        out.append(SleepRecord("withings", s, e, tst_min=sum(stages.values()), waso_min=waso,
                               sol_min=sol, stages_min=stages))
    return out


def read_sleep_as_android(text: str, name: str) -> list[SleepRecord]:
    """Sleep as Android ``sleep-export.csv``: a header row (``Id,Tz,From,To,...``) before
    each record; ``Hours`` is the sleep time, From/To the tracked time in bed."""
    out = []
    header: list[str] | None = None
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if i > MAX_ROWS:
            break
        if row and row[0] == "Id":
            header = row
            continue
        if not row or header is None or not row[0].strip().isdigit():
            continue
        rec = dict(zip(header, row, strict=False))
        try:
            s = dt.datetime.strptime(rec["From"], "%d. %m. %Y %H:%M")
            e = dt.datetime.strptime(rec["To"], "%d. %m. %Y %H:%M")
            hours = float(rec["Hours"])
        except (KeyError, ValueError) as exc:
            raise broken(name, "Sleep as Android", "From/To/Hours") from exc
        deep = float(rec.get("DeepSleep") or -1)
        stages = {"deep": deep * hours * 60} if 0 <= deep <= 1 else {}
        out.append(SleepRecord("sleep_as_android", s, e, tst_min=hours * 60, stages_min=stages))
    return out
