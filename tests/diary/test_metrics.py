"""Consensus Sleep Diary metrics on hand-computed nights."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.metrics import (
    circular_mean_time,
    circular_sd_minutes,
    night_metrics,
    period_metrics,
    sleep_regularity_index,
)
from nachtwacht.diary.types import Night

T = dt.time


def test_ordinary_night_across_midnight() -> None:
    n = Night(date=dt.date(2026, 1, 15), bedtime=T(23, 0), lights_out=T(23, 15), sol_min=15,
              awakenings=2, waso_min=30, final_wake=T(6, 30), out_of_bed=T(7, 0))
    m = night_metrics(n)
    assert m.tib_min == 480
    assert m.tst_min == 435 - 15 - 30
    assert m.se_pct == pytest.approx(390 / 480 * 100)
    assert m.nwak == 2
    assert m.terminal_wake_min == 30
    assert m.midpoint == T(3, 0)  # onset 23:30, final wake 06:30
    assert m.onset_dt.date() == dt.date(2026, 1, 14)


def test_bedtime_after_midnight() -> None:
    n = Night(date=dt.date(2026, 1, 15), bedtime=T(0, 30), sol_min=30, waso_min=0,
              final_wake=T(8, 0), out_of_bed=T(8, 30))
    m = night_metrics(n)
    assert m.tib_min == 480
    assert m.tst_min == 420  # lights out falls back to into bed
    assert m.se_pct == pytest.approx(87.5)
    assert m.midpoint == T(4, 30)
    assert m.lights_out_dt is None


def test_spring_forward_night_is_one_hour_shorter() -> None:
    n = Night(date=dt.date(2026, 3, 29), bedtime=T(23, 0), lights_out=T(23, 0), sol_min=0,
              waso_min=0, final_wake=T(7, 0), out_of_bed=T(7, 0))
    m = night_metrics(n)
    assert (m.tib_min, m.tst_min, m.se_pct) == (420, 420, 100)
    assert m.midpoint == T(3, 30)  # 22:00 UTC + 3.5 h = 01:30 UTC = 03:30 CEST


def test_fall_back_night_is_one_hour_longer() -> None:
    n = Night(date=dt.date(2026, 10, 25), bedtime=T(23, 0), sol_min=20, waso_min=10,
              final_wake=T(7, 0), out_of_bed=T(7, 0))
    m = night_metrics(n)
    assert m.tib_min == 540
    assert m.tst_min == 510
    # onset 23:20 CEST (21:20 UTC) to 06:00 UTC: midpoint 01:40 UTC = 02:40 CET
    assert m.midpoint == T(2, 40)


def test_naps_do_not_enter_total_sleep() -> None:
    base = dict(date=dt.date(2026, 1, 15), bedtime=T(23, 0), sol_min=10, waso_min=0,
                final_wake=T(7, 0), out_of_bed=T(7, 0))
    with_nap = night_metrics(Night(**base, nap_min=45))
    assert with_nap.tst_min == night_metrics(Night(**base)).tst_min == 470
    assert with_nap.nap_min == 45


def test_missing_optional_fields_only_blank_their_metrics() -> None:
    m = night_metrics(Night(date=dt.date(2026, 1, 15), bedtime=T(22, 30), out_of_bed=T(6, 30)))
    assert m.tib_min == 480
    assert m.tst_min is None and m.se_pct is None and m.midpoint is None and m.sol_min is None
    only_date = night_metrics(Night(date=dt.date(2026, 1, 15)))
    assert only_date.tib_min is None and only_date.to_dict()["date"] == "2026-01-15"


def test_day_sleeper_with_full_datetimes() -> None:
    n = Night(date=dt.date(2026, 3, 2), bedtime=dt.datetime(2026, 3, 2, 13, 0), sol_min=20,
              waso_min=10, final_wake=dt.datetime(2026, 3, 2, 20, 0),
              out_of_bed=dt.datetime(2026, 3, 2, 20, 30))
    m = night_metrics(n)
    assert (m.tib_min, m.tst_min) == (450, 390)
    assert m.midpoint == T(16, 40)


def test_to_dict_is_json_ready() -> None:
    n = Night(date=dt.date(2026, 1, 15), bedtime=T(23, 0), sol_min=15, waso_min=0,
              final_wake=T(7, 0), out_of_bed=T(7, 10))
    d = night_metrics(n).to_dict()
    assert d["midpoint"] == "03:07"
    assert d["bed_dt"] == "2026-01-14T23:00+01:00"
    assert d["se_pct"] == round(465 / 490 * 100, 1)


def test_circular_sd_handles_midnight() -> None:
    assert circular_sd_minutes([T(23, 30), T(0, 30)]) == pytest.approx(42.43, abs=0.01)
    assert circular_sd_minutes([T(23, 30), T(0, 30)]) == circular_sd_minutes([T(11, 30), T(12, 30)])
    assert circular_mean_time([T(23, 30), T(0, 30)]) == T(0, 0)
    assert circular_sd_minutes([T(23, 0)]) is None


def _regular(days: int, start: dt.date = dt.date(2026, 1, 1), shift=None) -> list[Night]:
    out = []
    for i in range(days):
        bed = T(23, 0) if shift is None else shift(i)
        out.append(Night(date=start + dt.timedelta(days=i), bedtime=bed, sol_min=0, waso_min=0,
                         final_wake=T(7, 0), out_of_bed=T(7, 0)))
    return out


def test_sri_is_100_for_identical_days_and_lower_for_irregular_ones() -> None:
    assert period_metrics(_regular(10))["sri"] == pytest.approx(100.0)
    # Alternating bedtimes 23:00 and 03:00: 4 h of 24 differ each day -> 200*(20/24)-100
    alt = _regular(10, shift=lambda i: T(23, 0) if i % 2 else T(3, 0))
    assert period_metrics(alt)["sri"] == pytest.approx(200 * 20 / 24 - 100, abs=0.5)


def test_sri_needs_five_consecutive_pairs() -> None:
    assert period_metrics(_regular(5))["sri"] is None  # 4 pairs
    gappy = _regular(12)[::2]  # no two nights on consecutive dates
    assert sleep_regularity_index([]) is None
    assert period_metrics(gappy)["sri"] is None
    assert period_metrics(_regular(6))["sri"] is not None


def test_period_means_sds_and_regularity() -> None:
    nights = _regular(4, shift=lambda i: [T(23, 30), T(0, 30), T(23, 30), T(0, 30)][i])
    p = period_metrics(nights)
    assert p["n_nights"] == 4
    assert p["tib_min"]["mean"] == pytest.approx(420)  # 450 and 390
    assert p["tib_min"]["n"] == 4
    assert p["tib_min"]["sd"] == pytest.approx(34.64, abs=0.01)
    assert p["sd_bedtime_min"] == pytest.approx(34.64, abs=0.01)  # not ~12 h
    assert p["sd_risetime_min"] == 0
    assert p["mean_bedtime"] == T(0, 0)
    assert p["first"] == dt.date(2026, 1, 1) and p["last"] == dt.date(2026, 1, 4)
