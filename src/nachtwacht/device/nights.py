"""Per-night device figures and their place beside the diary.

An actigraph night is found in the scored minutes between noon and noon (dated by the
morning, like a diary night): the *rest interval* is the longest block of sleep in which
wake gaps shorter than :data:`MAX_GAP_MIN` are bridged (the usual "main sleep period"
rule); sleep onset and offset are its first and last sleep minute; TST is the sleep
minutes in it, WASO the wake minutes in it, efficiency TST / rest interval. Without an
event marker the rest interval starts at sleep onset, so efficiency here is the
*sleep-period* efficiency (it cannot see sleep latency); the docs say so. When the
export carries its own rest intervals (Actiware's REST intervals), the nights are found
inside them instead, as Actiware does: then latency and efficiency are the real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..diary.metrics import night_metrics
from ..diary.types import Night
from .scoring import OAKLEY_WEIGHTS, auto_method, oakley, score
from .types import SLEEP_STATES, DeviceNight, Epochs, SleepRecord

#: Wake shorter than this inside sleep is part of the night (minutes).
MAX_GAP_MIN = 60
#: Sleep onset/offset need this many minutes of unbroken sleep (Actiware's rule).
RUN_MIN = 10
#: A main sleep shorter than this is no night (a nap, or the watch on a table).
MIN_SLEEP_MIN = 120
#: A consumer record longer than this is not one night.
MAX_RECORD = dt.timedelta(hours=36)
#: This many minutes of exactly zero counts is a watch off the wrist (not sleep: even
#: deep sleep moves the wrist now and then), as in pyActigraphy's inactivity mask.
OFF_WRIST_MIN = 120
#: Formats whose software marks off-wrist epochs itself (missing activity).
OWN_OFF_WRIST = frozenset({"rpx"})
#: Diary and device differing by more than this many minutes of TST is a "large gap".
LARGE_GAP_MIN = 60


def _night_date(t: dt.datetime) -> dt.date:
    # Sleep after noon belongs to the next morning's night.
    return (t + dt.timedelta(hours=12)).date()


def _runs(sleep: np.ndarray) -> np.ndarray:
    """1 where a minute belongs to a run of at least :data:`RUN_MIN` sleep minutes."""
    s = (sleep == 1).astype(np.int8)
    edges = np.diff(np.r_[0, s, 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = np.zeros_like(s)
    for a, b in zip(starts, ends, strict=True):
        if b - a >= RUN_MIN:
            out[a:b] = 1
    return out


def _main_block(sleep: np.ndarray) -> tuple[int, int] | None:
    """Longest stretch of sleep runs (>= RUN_MIN) with wake gaps <= MAX_GAP_MIN bridged."""
    idx = np.flatnonzero(_runs(sleep) == 1)
    if idx.size == 0:
        return None
    breaks = np.flatnonzero(np.diff(idx) > MAX_GAP_MIN)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]]
    sums = [int((sleep[s:e + 1] == 1).sum()) for s, e in zip(starts, ends, strict=True)]
    k = int(np.argmax(sums))
    return int(starts[k]), int(ends[k]) + 1


def off_wrist_to_nan(counts: np.ndarray) -> np.ndarray:
    """Counts with runs of >= :data:`OFF_WRIST_MIN` zero minutes set to NaN (missing)."""
    z = (counts == 0).astype(np.int8)
    edges = np.diff(np.r_[0, z, 0])
    out = counts.astype(float).copy()
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if b - a >= OFF_WRIST_MIN:
            out[a:b] = np.nan
    return out


def nights_from_epochs(rec: Epochs, method: str = "auto") -> list[DeviceNight]:
    """Score an actigraph recording and summarise each noon-to-noon night.

    ``method``: ``auto`` (see :func:`nachtwacht.device.scoring.auto_method`), ``oakley``,
    ``cole_kripke`` or ``sadeh``; a raw-accelerometer recording is always scored with its
    own ``van_hees`` sleep/wake. A night cut off by the start or end of the recording
    is left out: its figures would be wrong.
    """
    if rec.sleep is not None:
        # Raw accelerometry: sleep/wake came with the recording (van Hees 2015, from the
        # arm angle); its ENMO is no count, so the count methods do not apply to it.
        method = "van_hees"
    elif method in ("auto", "van_hees"):
        method = auto_method(rec.fmt)
    m = rec.per_minute()
    # Raw data bring their own non-wear detection; an Actiware export its own off-wrist
    # marking (NaN activity): a still sleeper's two hours of zero counts stay sleep there.
    own = rec.sleep is not None or rec.fmt in OWN_OFF_WRIST
    counts = m.counts if own else off_wrist_to_nan(m.counts)
    if method == "van_hees":
        state = np.asarray(rec.sleep, dtype=np.int8)
        frac = (state == 1).astype(float)
    elif method == "oakley" and rec.epoch_s in OAKLEY_WEIGHTS and rec.epoch_s <= 60:
        # Actiware scores each native epoch; a minute is sleep only if all its epochs are.
        k = 60 // rec.epoch_s
        native = oakley(rec.counts, epoch_s=rec.epoch_s)[: len(counts) * k].reshape(-1, k)
        state = np.where(native.min(axis=1) == 1, 1, 0).astype(np.int8)
        state[np.isnan(counts)] = -1
        # TST counts every sleeping epoch, as Actiware does, not only whole minutes.
        frac = (native == 1).mean(axis=1)
    else:
        if rec.fmt == "agd" and method != "oakley":
            # ActiGraph counts are ~100x Cole-Kripke's scale: ActiLife divides by 100 and
            # caps at 300 before scoring; so do we.
            counts = np.minimum(counts / 100.0, 300.0)
        state = score(counts, method)
        frac = (state == 1).astype(float)
    t0 = m.start.replace(second=0, microsecond=0)
    if rec.rest:
        if method == "oakley" and rec.epoch_s < 60 and 60 % rec.epoch_s == 0:
            # Actiware finds the sleep interval at its own epoch, not on whole minutes.
            ep = np.where(np.repeat(state, 60 // rec.epoch_s) < 0, -1, native.ravel())
            return _nights_in_rest(rec, method, ep.astype(np.int8), rec.epoch_s, m.start)
        return _nights_in_rest(rec, method, state, 60, t0)
    first_noon = dt.datetime.combine(t0.date(), dt.time(12))
    if first_noon > t0:
        first_noon -= dt.timedelta(days=1)
    out = []
    day = first_noon
    while day < m.end:
        a = int((day - t0).total_seconds() // 60)
        b = a + 1440
        seg = state[max(a, 0):max(b, 0)]
        day_next = day + dt.timedelta(days=1)
        if seg.size >= 720 and (seg >= 0).mean() > 0.8:
            blk = _main_block(seg)
            if blk and (seg[blk[0]:blk[1]] == 1).sum() >= MIN_SLEEP_MIN:
                s, e = blk
                base = max(a, 0)
                if base + s <= 1 or base + e >= len(state) - 1:
                    day = day_next
                    continue  # cut off by the recording
                onset = t0 + dt.timedelta(minutes=base + s)
                offset = t0 + dt.timedelta(minutes=base + e)
                fr = frac[base + s:base + e]
                tst = float(fr.sum())
                waso = float(((seg[s:e] >= 0) * (1.0 - fr)).sum())
                out.append(DeviceNight(day_next.date(), rec.fmt, method, onset, offset, onset,
                                       offset, tst, waso, 100.0 * tst / (e - s)))
        day = day_next
    return out


def _nights_in_rest(rec: Epochs, method: str, state: np.ndarray, epoch_s: int,
                    t0: dt.datetime) -> list[DeviceNight]:
    """Nights inside the rest intervals the export carries (Actiware's rule): sleep onset
    is the start of the first run of >= :data:`RUN_MIN` minutes of sleep epochs in the
    interval, sleep offset the end of the last; TST and WASO between them; efficiency is
    TST over the whole rest interval, latency the time from its start to sleep onset.
    ``state`` is 1/0/-1 per epoch of ``epoch_s`` seconds from ``t0``."""
    per_min = 60 / epoch_s
    run = int(RUN_MIN * per_min)
    best: dict[dt.date, DeviceNight] = {}
    for a, b in rec.rest:
        # Whole epochs inside the interval.
        i = max(int(np.ceil((a - t0).total_seconds() / epoch_s)), 0)
        j = min(int((b - t0).total_seconds() // epoch_s), len(state))
        if j - i < run:
            continue
        seg = state[i:j]
        if (seg >= 0).mean() <= 0.8:
            continue  # mostly off the wrist or missing: no figures
        sl = (seg == 1).astype(np.int8)
        edges = np.diff(np.r_[0, sl, 0])
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long = (ends - starts) >= run
        if not long.any():
            continue
        s, e = int(starts[long][0]), int(ends[long][-1])
        tst = float((seg[s:e] == 1).sum()) / per_min
        waso = float((seg[s:e] == 0).sum()) / per_min
        onset = t0 + dt.timedelta(seconds=(i + s) * epoch_s)
        offset = t0 + dt.timedelta(seconds=(i + e) * epoch_s)
        rest_min = (b - a).total_seconds() / 60
        n = DeviceNight(_night_date(a), rec.fmt, method, a, b, onset, offset, tst, waso,
                        100.0 * tst / rest_min, (onset - a).total_seconds() / 60)
        if n.date not in best or tst > (best[n.date].tst_min or 0):
            best[n.date] = n  # a nap and a night on one date: the longer sleep
    return [best[d] for d in sorted(best)]


def night_from_record(r: SleepRecord) -> DeviceNight | None:
    """Summarise one consumer record with the device's own staging."""
    onset = offset = None
    tst, waso = r.tst_min, r.waso_min
    stages = dict(r.stages_min)
    if r.intervals:
        start = min(i.start for i in r.intervals)
        if max(i.end for i in r.intervals) - start > MAX_RECORD:
            return None  # not one night (a crafted or broken export): never a giant grid
        n = int((max(i.end for i in r.intervals) - start).total_seconds() // 60) + 1
        # Minute grid with a priority: a sleep stage beats awake beats in bed, so two
        # sources (phone and watch) overlapping never count a minute twice.
        grid = np.zeros(n, dtype=np.int8)
        stage_grid = np.full(n, "", dtype=object)
        rank = {"in_bed": 1, "awake": 2}
        for i in r.intervals:
            a = int((i.start - start).total_seconds() // 60)
            b = int((i.end - start).total_seconds() // 60)
            v = 3 if i.state in SLEEP_STATES else rank.get(i.state, 0)
            if b <= a:
                continue
            sl = slice(a, b)
            upd = grid[sl] < v
            grid[sl] = np.where(upd, v, grid[sl])
            if v == 3:
                stage_grid[sl] = np.where(upd | (stage_grid[sl] == ""), i.state, stage_grid[sl])
        asleep = np.flatnonzero(grid == 3)
        if asleep.size:
            onset = start + dt.timedelta(minutes=int(asleep[0]))
            offset = start + dt.timedelta(minutes=int(asleep[-1]) + 1)
            tst = float(asleep.size)
            waso = float((grid[asleep[0]:asleep[-1] + 1] != 3).sum())
            for st in ("light", "deep", "rem"):
                k = float((stage_grid == st).sum())
                if k:
                    stages[st] = k
    rs, re_ = r.in_bed_start, r.in_bed_end
    if onset is None and rs is not None and r.sol_min is not None:
        onset = rs + dt.timedelta(minutes=r.sol_min)
    if offset is None and re_ is not None and onset is not None and tst is not None:
        offset = re_ if waso is None else min(re_, onset + dt.timedelta(minutes=tst + waso))
    if tst is None or (rs is None and onset is None):
        return None
    anchor = onset or rs
    rest = (re_ - rs).total_seconds() / 60 if rs and re_ else None
    se = 100.0 * tst / rest if rest else None
    sol = r.sol_min if r.sol_min is not None else (
        (onset - rs).total_seconds() / 60 if onset and rs else None)
    return DeviceNight(_night_date(anchor), r.source, r.source, rs, re_, onset, offset, tst,
                       waso, se, sol, stages)


def nights_from_records(records: Iterable[SleepRecord]) -> list[DeviceNight]:
    """One night per date (the longest sleep when a date has more than one record)."""
    best: dict[dt.date, DeviceNight] = {}
    for r in records:
        n = night_from_record(r)
        if n and (n.date not in best or (n.tst_min or 0) > (best[n.date].tst_min or 0)):
            best[n.date] = n
    return [best[d] for d in sorted(best)]


def device_nights(data: Epochs | list[SleepRecord], method: str = "auto") -> list[DeviceNight]:
    """Nights of either kind of device data."""
    if isinstance(data, Epochs):
        return nights_from_epochs(data, method)
    return nights_from_records(data)


@dataclass(frozen=True)
class Comparison:
    """One date: the device night, the diary's figures and the difference (device - diary)."""

    date: dt.date
    device: DeviceNight | None
    diary: dict[str, Any] | None
    diff: dict[str, float | None]
    large_gap: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"date": self.date.isoformat(),
                "device": self.device.to_dict() if self.device else None,
                "diary": self.diary, "diff": self.diff, "large_gap": self.large_gap}


def compare(nights: Sequence[Night], dev: Sequence[DeviceNight], tz: str = "Europe/Amsterdam") -> list[Comparison]:
    """Set device nights beside diary nights of the same date."""
    diary = {n.date: night_metrics(n, tz) for n in nights}
    devs = {d.date: d for d in dev}
    out = []
    for date in sorted(set(diary) | set(devs)):
        m, d = diary.get(date), devs.get(date)
        dd = None
        diff: dict[str, float | None] = {}
        if m is not None:
            dd = {k: (round(v, 1) if isinstance(v, float) else v)
                  for k, v in (("tst_min", m.tst_min), ("waso_min", m.waso_min),
                               ("se_pct", m.se_pct), ("sol_min", m.sol_min))}
        if m is not None and d is not None:
            for k in ("tst_min", "waso_min", "se_pct", "sol_min"):
                a, b = getattr(d, k), dd.get(k) if dd else None
                diff[k] = None if a is None or b is None else round(float(a) - float(b), 1)
        gap = diff.get("tst_min")
        out.append(Comparison(date, d, dd, diff, gap is not None and abs(gap) > LARGE_GAP_MIN))
    return out


def draft_nights(nights: Sequence[Night], dev: Sequence[DeviceNight]) -> list[Night]:
    """Pre-filled diary drafts for device nights the diary does not have.

    Only dates without any diary entry get a draft, so nothing the person wrote is ever
    replaced; the person confirms a draft before it counts. Quality, feelings and
    substances stay empty: a device cannot know them.
    """
    have = {n.date for n in nights}
    out = []
    for d in dev:
        if d.date in have or d.onset is None or d.offset is None:
            continue
        lo = d.rest_start or d.onset
        sol = (d.onset - lo).total_seconds() / 60 if d.rest_start else None
        out.append(Night(date=d.date, bedtime=d.rest_start.time() if d.rest_start else None,
                         lights_out=lo.time(), sol_min=sol,
                         waso_min=None if d.waso_min is None else round(d.waso_min),
                         final_wake=d.offset.time(),
                         out_of_bed=d.rest_end.time() if d.rest_end else None,
                         notes=f"concept uit apparaat ({d.method})"))
    return out
