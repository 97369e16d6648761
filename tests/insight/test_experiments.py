"""Experiments: a clear improvement, too few nights, and noise each get the right verdict."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from insight_synth import START, random_nights

from nachtwacht.diary.types import Diary, Episode
from nachtwacht.insight.experiments import LIBRARY, compare, custom, make

EXP_START = START + dt.timedelta(days=21)


def _diary(sol_before: float, sol_during: float, seed: int = 0, n: int = 42,
           late_caffeine_during: bool = False) -> Diary:
    """Three weeks of baseline then three weeks of experiment; SOL shifted as given."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 6, n)

    def sol(i: int) -> float:
        return float(max(0, round((sol_during if i >= 21 else sol_before) + noise[i])))

    def caffeine_last(i: int) -> dt.time:
        return dt.time(10, 0) if i >= 21 and not late_caffeine_during else dt.time(16, 30)

    nights = random_nights(rng, n, sol_min=sol, caffeine_mg=lambda i: 180.0,
                           caffeine_last=caffeine_last)
    return Diary(nights=tuple(nights))


def test_clear_improvement_is_better() -> None:
    res = compare(_diary(45, 15), make("no_caffeine_after_14", EXP_START))
    assert res.verdict == "better"
    sol = next(m for m in res.metrics if m.code == "sol_min")
    assert sol.primary and sol.verdict == "better" and sol.ci_high < 0
    assert res.adherence == 1.0 and res.baseline_adherence == 0.0
    assert res.n_experiment == 21 and res.n_baseline == 21
    assert "lijkt te helpen" in res.text_nl and "before-and-after" in res.text_en


def test_clear_worsening_is_worse() -> None:
    res = compare(_diary(15, 45), make("no_caffeine_after_14", EXP_START), lang="en")
    assert res.verdict == "worse"
    assert res.text == res.text_en


def test_four_nights_cant_tell_yet() -> None:
    d = _diary(45, 15, n=25)  # only 4 experiment nights
    res = compare(d, make("no_caffeine_after_14", EXP_START))
    assert res.n_experiment == 4
    assert res.verdict == "cant_tell_yet"
    assert "Nog 3 nachten" in res.text_nl


def test_noise_gives_no_clear_difference() -> None:
    verdicts = [compare(_diary(25, 25, seed=s), make("no_caffeine_after_14", EXP_START)).verdict
                for s in range(10)]
    assert verdicts.count("no_clear_difference") >= 9


def test_low_adherence_is_said_out_loud() -> None:
    res = compare(_diary(45, 15, late_caffeine_during=True), make("no_caffeine_after_14",
                                                                   EXP_START))
    assert res.adherence == 0.0
    assert "0 van de 21 nachten" in res.text_nl


def test_baseline_choices() -> None:
    d = _diary(30, 30, n=42)
    exp = make("wind_down_45", START + dt.timedelta(days=35))  # 7 nights of change
    # The default baseline is as long as the change, but at least two weeks.
    assert compare(d, exp).n_baseline == 14
    assert compare(d, exp, baseline_days="all").n_baseline == 35
    assert compare(d, exp, baseline_days=14).n_baseline == 14
    with pytest.raises(ValueError, match="baseline_days"):
        compare(d, exp, baseline_days=0)


def test_weeknight_rule_ignores_weekends() -> None:
    d = _diary(30, 30)
    res = compare(d, make("no_alcohol_weeknights", EXP_START))
    _, applicable = res.adherence_nights
    assert applicable < res.n_experiment  # Friday and Saturday evenings are not counted


def test_custom_experiment_and_bad_input() -> None:
    d = _diary(45, 15)
    exp = custom("Geen cafeïne na 15:00", EXP_START, None, factor="caffeine_after_15", want=False,
                 primary=("sol_min",))
    assert compare(d, exp).verdict == "better"
    with pytest.raises(ValueError, match="unknown factor"):
        custom("x", EXP_START, None, factor="coffee", want=False)
    with pytest.raises(ValueError, match="unknown experiment"):
        make("no_coffee", EXP_START)
    with pytest.raises(ValueError, match="ends"):
        compare(d, make("wind_down_45", EXP_START, EXP_START - dt.timedelta(days=1)))


@pytest.mark.parametrize("code", sorted(LIBRARY))
def test_every_library_experiment_runs_and_is_json(code: str, demo: Diary) -> None:
    start = demo.nights[-1].date - dt.timedelta(days=20)
    res = compare(demo, make(code, start))
    assert res.verdict in ("better", "worse", "no_clear_difference", "cant_tell_yet")
    data = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert data["code"] == code and data["text"] == res.text_nl


def test_fewer_episodes_without_weeknight_alcohol_is_better() -> None:
    rng = np.random.default_rng(4)
    nights = random_nights(rng, 42, alcohol_units=lambda i: 0.0 if i >= 21 else 4.0)
    eps = [Episode(date=n.date, type="sexsomnia", reporter="partner", count=2)
           for i, n in enumerate(nights) if i < 21 and i % 3 != 0]
    res = compare(Diary(nights=tuple(nights), episodes=tuple(eps)),
                  make("no_alcohol_weeknights", EXP_START))
    ep = next(m for m in res.metrics if m.code == "episodes")
    assert ep.primary and ep.mean_experiment == 0 and ep.verdict == "better"
    assert res.verdict == "better" and res.adherence == 1.0


def test_fixed_rise_time_adherence() -> None:
    rng = np.random.default_rng(5)
    wobble = rng.integers(-90, 90, 42)

    def out_of_bed(i: int) -> dt.time:
        m = 7 * 60 + (int(wobble[i]) if i < 21 else int(wobble[i]) // 10)
        return dt.time(m // 60, m % 60)

    nights = random_nights(rng, 42, out_of_bed=out_of_bed, final_wake=lambda i: dt.time(6, 0))
    res = compare(Diary(nights=tuple(nights)), make("fixed_rise_time", EXP_START))
    assert res.adherence == 1.0
    assert res.baseline_adherence is not None and res.baseline_adherence < 0.6
