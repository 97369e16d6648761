"""Oakley scoring and nights against Actiware's own results in an Actiware export.

pyActigraphy ships ``test_sample_rpx_eng.csv``, an Actiware 5 export with the activity per
30-s epoch, Actiware's own sleep/wake per epoch and its SLEEP intervals: a direct check of
our Oakley implementation and of the night rule.
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
# Actiware's SLEEP intervals in the same file: start, end, sleep time (min), wake time (min).
ACTIWARE = {
    dt.date(2015, 7, 5): ("21:20:30", "06:56:30", 531.5, 44.5),
    dt.date(2015, 7, 6): ("20:10:30", "06:08:30", 519.5, 78.5),
    dt.date(2015, 7, 10): ("20:35:00", "06:50:30", 554.5, 61.0),
    dt.date(2015, 7, 11): ("00:43:30", "06:10:30", 297.0, 30.0),
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
    start, end, tst, wake = ACTIWARE[date]
    n = nights[date]
    day = date - dt.timedelta(days=1) if start > "12" else date
    a = dt.datetime.combine(day, dt.time.fromisoformat(start))
    b = dt.datetime.combine(date, dt.time.fromisoformat(end))
    assert abs((n.onset - a).total_seconds()) <= 5 * 60
    assert abs((n.offset - b).total_seconds()) <= 2 * 60
    assert n.tst_min == pytest.approx(tst, abs=5) and n.waso_min == pytest.approx(wake, abs=2)
