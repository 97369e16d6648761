"""IS, IV, L5, M10, RA against pyActigraphy 1.2.2 on its own example recordings."""

import datetime as dt
from pathlib import Path

import pytest

from nachtwacht.device import read_device
from nachtwacht.device.nights import device_nights
from nachtwacht.device.rhythm import (
    interdaily_stability,
    intradaily_variability,
    l5,
    m10,
    relative_amplitude,
    rhythm,
    social_jet_lag,
)
from nachtwacht.device.types import DeviceNight

DATA = Path(__file__).parent / "data"
# Output of make_reference.py (pyActigraphy's _interdaily_stability, _intradaily_variability
# and _lmx on the same data, its defaults: binarised at > 4, hourly bins from the start).
REFERENCE = {
    "example_01.AWD": {"is": 0.527656245354158, "iv": 0.32913524895082263, "l5": 0.10512820512820513,
                       "m10": 0.7624465811965813, "ra": 0.7576503909857768},
    "test_sample_aw7.AWD": {"is": 0.913004991640348, "iv": 0.3387333545685312, "l5": 0.03852777777777778,
                            "m10": 0.7993055555555556, "ra": 0.9080299714873018},
    "test_sample_atr.txt": {"is": 0.34995215198618146, "iv": 0.68359499905389, "l5": 0.6416666666666667,
                            "m10": 0.9666666666666667, "ra": 0.2020725388601036},
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_rhythm_matches_pyactigraphy(name):
    rec = read_device(DATA / name)
    ref = REFERENCE[name]
    assert interdaily_stability(rec) == pytest.approx(ref["is"], abs=1e-9)
    assert intradaily_variability(rec) == pytest.approx(ref["iv"], abs=1e-9)
    assert l5(rec)[1] == pytest.approx(ref["l5"], abs=1e-9)
    assert m10(rec)[1] == pytest.approx(ref["m10"], abs=1e-9)
    assert relative_amplitude(rec) == pytest.approx(ref["ra"], abs=1e-9)


def test_rhythm_summary_of_a_recording():
    rec = read_device(DATA / "example_01.AWD")
    r = rhythm(device_nights(rec), rec)
    assert r["is"] == pytest.approx(0.528, abs=1e-3)
    assert r["sri"] is not None and 0 < r["sri"] <= 100
    assert r["l5_start"] and r["m10_start"]


def _night(date, onset_h):
    on = dt.datetime.combine(date - dt.timedelta(days=1), dt.time(0)) + dt.timedelta(hours=onset_h)
    off = on + dt.timedelta(hours=8)
    return DeviceNight(date, "t", "t", on, off, on, off, 450, 30, 90)


def test_social_jet_lag_two_hours_later_on_weekends():
    start = dt.date(2026, 3, 2)  # a Monday
    nights = []
    for i in range(14):
        d = start + dt.timedelta(days=i)
        nights.append(_night(d, 25.0 if d.weekday() >= 5 else 23.0))
    assert social_jet_lag(nights) == pytest.approx(120, abs=1)
