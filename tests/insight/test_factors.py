"""Exposures follow their documented thresholds; unrecorded nights stay out."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from nachtwacht.diary.fields import factor_fields
from nachtwacht.diary.types import Night
from nachtwacht.insight.factors import build_exposures, covered_fields

D0 = dt.date(2026, 3, 2)


def _nights(*specs: dict) -> list[Night]:
    return [Night(date=D0 + dt.timedelta(days=i), **s) for i, s in enumerate(specs)]


def _values(nights: list[Night], code: str) -> list[float]:
    by_code = {e.code: e for e in build_exposures(nights)}
    return [None if np.isnan(v) else v for v in by_code[code].values]


def test_every_factor_field_feeds_an_exposure() -> None:
    assert {f.name for f in factor_fields()} <= covered_fields()


def test_alcohol_thresholds_and_missing_is_not_unexposed() -> None:
    ns = _nights({"alcohol_units": 0}, {"alcohol_units": 2}, {"alcohol_units": 3}, {})
    assert _values(ns, "alcohol_3plus") == [0, 0, 1, None]
    assert _values(ns, "alcohol_any") == [0, 1, 1, None]


@pytest.mark.parametrize("clock,after14,after15", [
    (dt.time(14, 30), 1, 0), (dt.time(16, 0), 1, 1), (dt.time(10, 0), 0, 0),
    (dt.time(1, 0), 1, 1),  # after midnight, before sleep
])
def test_late_caffeine_by_clock(clock: dt.time, after14: int, after15: int) -> None:
    ns = _nights({"caffeine_mg": 90, "caffeine_last": clock})
    assert _values(ns, "caffeine_after_14") == [after14]
    assert _values(ns, "caffeine_after_15") == [after15]


def test_no_caffeine_means_not_late_but_unknown_time_is_missing() -> None:
    ns = _nights({"caffeine_mg": 0}, {"caffeine_mg": 200})
    assert _values(ns, "caffeine_after_14") == [0, None]


def test_late_exercise_needs_moderate_effort_within_three_hours() -> None:
    ns = _nights(
        {"exercise_intensity": "vigorous", "exercise_end": dt.time(21, 0),
         "lights_out": dt.time(23, 0)},
        {"exercise_intensity": "vigorous", "exercise_end": dt.time(18, 0),
         "lights_out": dt.time(23, 0)},
        {"exercise_intensity": "light", "exercise_end": dt.time(22, 30),
         "lights_out": dt.time(23, 0)},
        {"exercise_intensity": "moderate", "exercise_end": dt.time(23, 30),
         "lights_out": dt.time(0, 30)},
        {"exercise_intensity": "moderate"},
    )
    assert _values(ns, "late_exercise") == [1, 0, 0, 1, None]


def test_short_sleep_before_uses_previous_calendar_night() -> None:
    good = {"lights_out": dt.time(23, 0), "sol_min": 10, "waso_min": 10,
            "final_wake": dt.time(7, 0), "out_of_bed": dt.time(7, 10)}
    short = good | {"lights_out": dt.time(2, 0)}
    ns = _nights(good, short, good, good, good)
    assert _values(ns, "short_sleep_before") == [None, 0, 1, 0, 0]


def test_lags_follow_calendar_dates_not_row_order() -> None:
    ns = [Night(date=D0, stress=9), Night(date=D0 + dt.timedelta(days=1), stress=1),
          Night(date=D0 + dt.timedelta(days=3), stress=8)]  # a day missing
    assert _values(ns, "stress_high@lag1") == [None, 1, None]
    assert _values(ns, "stress_high@lag2") == [None, None, 0]


def test_substances_are_normalised_and_withdrawal_follows_regular_use() -> None:
    use = [("Ketamine",), ("ketamine ",), ("ketamine",), ("ketamine",), (), (), (), (), (),
           (), ("ketamine",), (), ()]
    # nicotine recorded: the substances part was filled in, so a blank list means "none".
    ns = [Night(date=D0 + dt.timedelta(days=i), substances=s, nicotine=False)
          for i, s in enumerate(use)]
    assert _values(ns, "substances:ketamine") == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    # Window: a third of the typical break (six nights) = 2, raised to the minimum of 3;
    # only after regular use (4 of 7 days): not after the single night of day 10.
    assert _values(ns, "substances:ketamine@withdrawal") == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0,
                                                             0, 0]


def test_blank_list_cells_are_missing_unless_the_substances_part_was_filled_in() -> None:
    ns = _nights({"medication": ("zolpidem",), "alcohol_units": 0}, {"alcohol_units": 0}, {})
    # Night 3: nothing of the substances part filled in -> unknown, not "no pill".
    assert _values(ns, "medication:zolpidem") == [1, 0, None]
    # Someone who writes "geen" leaves a cell blank only when not filled in.
    ns = _nights({"medication": ("zolpidem",)}, {"medication": ("geen",)},
                 {"alcohol_units": 0})
    assert _values(ns, "medication:zolpidem") == [1, 0, None]
    assert not [e for e in build_exposures(ns) if "geen" in e.code]


def test_withdrawal_window_is_a_third_of_the_usual_break() -> None:
    from nachtwacht.insight.factors import withdrawal_window

    assert withdrawal_window(np.array([1.0] * 10 + [0.0] * 30)) == 10
    assert withdrawal_window(np.array(([1.0] * 7 + [0.0] * 60) * 2)) == 14
    assert withdrawal_window(np.array([1.0, 0.0] * 10)) == 3  # no real breaks


def test_short_night_before_is_never_tested_against_sleep_numbers() -> None:
    from nachtwacht.insight.factors import FACTORS, SLEEP_OUTCOMES

    short = next(f for f in FACTORS if f.code == "short_sleep_before")
    assert set(SLEEP_OUTCOMES) <= set(short.not_against)
