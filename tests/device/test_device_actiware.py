"""Oakley scoring and nights against Actiware's own results in an Actiware export.

pyActigraphy ships ``test_sample_rpx_eng.csv``, an Actiware 5 export with the activity per
30-s epoch, Actiware's own sleep/wake per epoch and its SLEEP intervals: a direct check of
our Oakley implementation and of the night rule.

Actiware finds each sleep interval inside a REST interval (from event markers, the
scorer's edits or its own rest detection, which also uses light): sleep onset is the
first 10-min run of sleep epochs in it, sleep end the last. Without the REST intervals
our main-sleep rule matched 4 of the 7 nights (it took a still evening before the rest
interval as sleep, or broke a night at a long zero-count stretch that Actiware counts as
worn); reading the REST intervals from the export, as Actiware does, all 7 match.
"""

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from nachtwacht.device import read_device
from nachtwacht.device.nights import device_nights
from nachtwacht.device.scoring import oakley

RPX = Path(__file__).parent / "data" / "test_sample_rpx_eng.csv"
# Actiware's SLEEP intervals in the same file: start, end, sleep time (min), wake time (min),
# efficiency (%: sleep time over the REST interval).
ACTIWARE = {
    dt.date(2015, 7, 5): ("21:20:30", "06:56:30", 531.5, 44.5, 89.78),
    dt.date(2015, 7, 6): ("20:10:30", "06:08:30", 519.5, 78.5, 86.80),
    dt.date(2015, 7, 7): ("20:17:30", "07:04:00", 577.0, 69.5, 89.04),
    dt.date(2015, 7, 8): ("22:40:00", "06:58:00", 455.5, 42.5, 86.11),
    dt.date(2015, 7, 9): ("19:14:30", "06:57:00", 641.0, 61.5, 89.53),
    dt.date(2015, 7, 10): ("20:35:00", "06:50:30", 554.5, 61.0, 84.21),
    dt.date(2015, 7, 11): ("00:43:30", "06:10:30", 297.0, 30.0, 88.00),
}


def _actiware_sleep_wake() -> np.ndarray:
    out, on = [], False
    with open(RPX, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if row[:4] == ["Line", "Date", "Time", "Activity"]:
                on = True
            elif on and row and row[0].isdigit():
                out.append(np.nan if row[6] == "NaN" else float(row[6]))
    return np.array(out)


def test_oakley_equals_actiware_epoch_by_epoch():
    rec = read_device(RPX)
    assert (rec.fmt, rec.epoch_s, len(rec.counts)) == ("rpx", 30, 20160)
    sw = _actiware_sleep_wake()  # Actiware: 0 = sleep, 1 = wake
    ok = ~np.isnan(sw)
    assert ok.sum() > 20000
    assert np.array_equal(oakley(rec.counts, epoch_s=30)[ok], 1 - sw[ok].astype(int))


@pytest.mark.parametrize("date", sorted(ACTIWARE))
def test_nights_match_actiware_sleep_intervals(date):
    nights = {n.date: n for n in device_nights(read_device(RPX))}
    assert len(nights) == 7
    start, end, tst, wake, se = ACTIWARE[date]
    n = nights[date]
    day = date - dt.timedelta(days=1) if start > "12" else date
    a = dt.datetime.combine(day, dt.time.fromisoformat(start))
    b = dt.datetime.combine(date, dt.time.fromisoformat(end))
    # Within 6 min (night 4 ends 6 min early, night 1 starts 5 min early: Actiware's
    # "immobile" minutes are not quite its sleep epochs); most nights to the epoch.
    assert abs((n.onset - a).total_seconds()) <= 5 * 60
    assert abs((n.offset - b).total_seconds()) <= 6 * 60
    assert n.tst_min == pytest.approx(tst, abs=6) and n.waso_min == pytest.approx(wake, abs=1)
    assert n.se_pct == pytest.approx(se, abs=1.1)
    assert n.rest_start <= n.onset and n.sol_min == (n.onset - n.rest_start).total_seconds() / 60


def test_without_rest_intervals_the_main_sleep_rule_applies():
    """An export without REST rows falls back to the noon-to-noon main sleep period."""
    import dataclasses

    rec = dataclasses.replace(read_device(RPX), rest=())
    nights = device_nights(rec)
    assert len(nights) == 7 and all(n.rest_start == n.onset for n in nights)
