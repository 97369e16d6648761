"""Experiments: a clear improvement, too few nights, and noise each get the right verdict."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

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
    """Alternating weeks (ABAB, as :func:`design` proposes): a trend cannot mimic this."""
    rng = np.random.default_rng(4)
    off = [(i // 7) % 2 == 1 for i in range(42)]  # weeks 2, 4 and 6 without alcohol
    nights = random_nights(rng, 42, alcohol_units=lambda i: 0.0 if off[i] else 4.0)
    eps = [Episode(date=n.date, type="sexsomnia", reporter="partner", count=2)
           for i, n in enumerate(nights) if not off[i] and i % 3 != 0]
    phases = tuple((nights[w * 7].date, nights[w * 7 + 6].date) for w in (1, 3, 5))
    exp = replace(make("no_alcohol_weeknights", phases[0][0]), phases=phases)
    res = compare(Diary(nights=tuple(nights), episodes=tuple(eps)), exp)
    ep = next(m for m in res.metrics if m.code == "episodes")
    assert res.n_experiment == 21 and res.n_baseline == 21  # weeks 1, 3 and 5
    assert ep.primary and ep.mean_experiment == 0 and ep.verdict == "better"
    assert res.verdict == "better" and res.adherence == 1.0


def test_four_of_seven_against_none_is_not_yet_better() -> None:
    """Episodes on 4 of 7 nights before, 0 of 7 during: exact p = 0.07, not 'seems to help'."""
    rng = np.random.default_rng(12)
    nights = random_nights(rng, 14, alcohol_units=lambda i: 2.0 if i < 7 else 0.0)
    eps = [Episode(date=nights[i].date, type="sexsomnia", reporter="partner")
           for i in (0, 2, 3, 5)]
    res = compare(Diary(nights=tuple(nights), episodes=tuple(eps)),
                  make("no_alcohol_weeknights", nights[7].date))
    ep = next(m for m in res.metrics if m.code == "episodes")
    assert ep.verdict == "no_clear_difference" and res.verdict != "better"
    assert "lijkt te helpen" not in res.text_nl


def test_no_change_with_correlated_nights_or_a_trend_rarely_gives_a_verdict() -> None:
    """Small seeded simulation: nothing changes; AR(1) 0.6 nights, or a slow trend."""
    def diary(seed: int, rho: float, trend: float) -> Diary:
        rng = np.random.default_rng(seed)
        z = np.zeros(28)
        for i in range(1, 28):
            z[i] = rho * z[i - 1] + np.sqrt(1 - rho * rho) * rng.normal()
        z -= trend * np.arange(28)
        nights = random_nights(rng, 28, sol_min=lambda i: float(max(0, round(20 + 8 * z[i]))),
                               quality=lambda i: int(np.clip(round(3 - z[i]), 1, 5)))
        return Diary(nights=tuple(nights))
    for rho, trend in ((0.6, 0.0), (0.0, 0.06)):
        verdicts = [compare(diary(s, rho, trend), make("wind_down_45", START + dt.timedelta(14))
                            ).verdict for s in range(40)]
        assert sum(v in ("better", "worse") for v in verdicts) <= 4, (rho, trend, verdicts)


def test_start_after_the_last_night_is_cant_tell_yet() -> None:
    d = _diary(30, 30, n=28)
    res = compare(d, make("wind_down_45", START + dt.timedelta(days=40)))
    assert res.verdict == "cant_tell_yet" and res.n_experiment == 0
    # The 14 nights before are enough: only the change itself still needs nights.
    assert "Nog 7 nachten" in res.text_nl and "te weinig ingevulde nachten van vóór" \
        not in res.text_nl


def test_design_proposes_abab_when_a_trend_is_likely() -> None:
    from nachtwacht.insight.design import design

    rng = np.random.default_rng(3)
    falling = random_nights(rng, 28, sol_min=lambda i: float(60 - 2 * i + rng.integers(0, 4)))
    d = design(Diary(nights=tuple(falling)))
    assert d.kind == "ABAB" and d.trend_likely and "sol_min" in d.trending
    assert len(d.phases) == 2 and [k for _, _, k in d.blocks] == ["A", "B", "A", "B"]
    assert d.blocks[0][0] == falling[-1].date + dt.timedelta(days=1)
    assert "Wissel" in d.text_nl and "alternate" in d.text_en
    flat = design(_diary(25, 25, n=28))
    assert flat.kind == "AB" and not flat.trend_likely


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


def test_change_model_finds_a_real_change_in_alternating_weeks() -> None:
    """Power where it can be had: ABAB, 14-night blocks, a change of 1 SD (bench: ~78 %)."""
    from nachtwacht.insight.experiments import change_model

    days = np.arange(56, dtype=float)
    on = (np.arange(56) // 14) % 2 == 1
    hits = 0
    for seed in range(30):
        y = np.random.default_rng(seed).normal(size=56) - 1.0 * on
        _, lo, hi, p, _, rho = change_model(days, on, y, 0.95, "down")
        assert lo < hi and 0 <= p <= 1 and 0 <= rho <= 0.95
        hits += hi < 0
    assert hits >= 15  # the earlier worst-of-0/.3/.6 rule: ~32 %


def test_interval_leans_towards_better() -> None:
    """4 % of the 5 % on 'better', 1 % on 'worse': the bound on the 'better' side is nearer."""
    from nachtwacht.insight.experiments import change_model

    days = np.arange(28, dtype=float)
    on = days >= 14
    y = np.random.default_rng(1).normal(size=28)
    est, lo, hi, *_ = change_model(days, on, y, 0.95, "down")
    assert hi - est < est - lo  # lower is better: the upper bound is the 'better' one
    est2, lo2, hi2, *_ = change_model(days, on, -y, 0.95, "up")
    assert abs(est2 + est) < 1e-9 and abs((hi2 - est2) - (est - lo)) < 1e-9
