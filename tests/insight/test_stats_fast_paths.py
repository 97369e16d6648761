"""The fast paths of the statistics give exactly what the plain computations give.

Long diaries made the analysis slow; the shortcuts taken (counting distinct values
in bootstrap resamples, one knapsack step per tie group, one matrix product for all
circular shifts, describing only the findings shown) must not change any number a
person or their GP is shown.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nachtwacht.diary.demo import demo_diary
from nachtwacht.insight import analyse, stats


def _median_difference_plain(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    rng = np.random.default_rng(stats.BOOT_SEED)
    bx = rng.choice(x, size=(stats.N_BOOT, len(x)), replace=True)
    by = rng.choice(y, size=(stats.N_BOOT, len(y)), replace=True)
    diffs = np.median(bx, axis=1) - np.median(by, axis=1)
    alpha = (1 - stats.CONFIDENCE) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return float(np.median(x) - np.median(y)), float(low), float(high)


@pytest.mark.parametrize("kind", ["scale", "minutes", "continuous"])
def test_median_bootstrap_is_identical_to_sorting_every_resample(kind: str) -> None:
    rng = np.random.default_rng(11)
    for n1, n2 in [(1, 1), (5, 6), (7, 40), (24, 25), (130, 301)]:
        if kind == "scale":  # tension 0-10: few distinct values, many ties
            x, y = rng.integers(0, 11, n1).astype(float), rng.integers(0, 11, n2).astype(float)
        elif kind == "minutes":
            x, y = rng.integers(0, 24, n1) * 5.0, rng.integers(0, 24, n2) * 5.0
        else:  # sleep efficiency with decimals: nearly all values distinct
            x, y = np.round(rng.normal(85, 6, n1), 1), np.round(rng.normal(88, 6, n2), 1)
        assert stats.median_difference(x, y) == _median_difference_plain(x, y)


def _p_by_enumeration(data: np.ndarray, in_x: np.ndarray) -> float:
    """Two-sided rank-sum p by listing every split of the same size."""
    ranks, _ = stats.midranks(data)
    k = int(in_x.sum())
    expected = k * ranks.sum() / len(data)
    observed = abs(ranks[in_x].sum() - expected)
    sums = np.array([ranks[list(c)].sum() for c in itertools.combinations(range(len(data)), k)])
    return float(np.mean(np.abs(sums - expected) >= observed - 1e-9))


def test_exact_rank_sum_with_heavy_ties_equals_enumeration_for_many_splits() -> None:
    # A 0-3 scale over 16 nights: tie groups of up to seven nights.
    rng = np.random.default_rng(5)
    data = rng.choice([0.0, 1, 2, 3], size=16, p=[0.45, 0.3, 0.15, 0.1])
    ranks, counts = stats.midranks(data)
    assert counts.max() >= 5
    splits = np.zeros((12, 16), dtype=bool)
    for i in range(12):
        splits[i, rng.choice(16, int(rng.integers(1, 6)), replace=False)] = True
    got = stats.rank_sum_p_many(ranks, counts, splits)
    want = [_p_by_enumeration(data, s) for s in splits]
    assert got == pytest.approx(want, rel=1e-12)


def _rank_sum_table_value_by_value(r_sorted: np.ndarray, k_max: int) -> np.ndarray:
    max_sum = int(r_sorted[-k_max:].sum())
    dp = np.zeros((k_max + 1, max_sum + 1))
    dp[0, 0] = 1.0
    for r in r_sorted.tolist():
        dp[1:, r:] += dp[:-1, : max_sum + 1 - r].copy()
    return dp


@pytest.mark.parametrize("n", [12, 60, 400])
def test_rank_sum_table_by_tie_group_is_identical_to_value_by_value(n: int) -> None:
    # 400 nights with 9 in the small group: counts beyond 2**53, the plain order is kept.
    rng = np.random.default_rng(n)
    ranks, _ = stats.midranks(rng.integers(0, 12, n).astype(float))
    r2 = np.sort(np.rint(2 * ranks).astype(np.int64))
    for k_max in (1, 4, 9):
        assert np.array_equal(stats._rank_sum_table.__wrapped__(r2.tobytes(), k_max),
                              _rank_sum_table_value_by_value(r2, k_max))
    assert (math.comb(n, 9) < 2**53) == (n < 400)


def _shift_p_by_rolling(exposure: np.ndarray, outcome: np.ndarray, min_shift: int) -> float | None:
    n = len(exposure)
    shifts = np.arange(min_shift, n - min_shift + 1)
    if len(shifts) > stats.MAX_SHIFTS:
        shifts = shifts[np.linspace(0, len(shifts) - 1, stats.MAX_SHIFTS).round().astype(int)]

    def diff(e: np.ndarray) -> float | None:
        ok = ~np.isnan(e) & ~np.isnan(outcome)
        a, b = outcome[ok & (e == 1)], outcome[ok & (e == 0)]
        return abs(a.mean() - b.mean()) if len(a) and len(b) else None

    stat = diff(exposure)
    null = [d for s in shifts if (d := diff(np.roll(exposure, s))) is not None]
    return (1 + sum(d >= stat - 1e-12 for d in null)) / (1 + len(null))


@pytest.mark.parametrize("n", [40, 120, 500])
def test_shift_p_equals_rotating_one_by_one(n: int) -> None:
    rng = np.random.default_rng(n)
    exposure = (rng.random(n) < 0.3).astype(float)
    exposure[rng.random(n) < 0.1] = np.nan  # not filled in
    outcome = np.round(rng.normal(20, 8, n)) + 6 * np.nan_to_num(exposure)
    outcome[rng.random(n) < 0.1] = np.nan
    got = stats.shift_p(exposure, outcome)
    assert got == pytest.approx(_shift_p_by_rolling(exposure, outcome, stats.MIN_SHIFT), abs=1e-12)


def test_all_findings_described_on_demand_keep_the_shown_ones() -> None:
    res = analyse(demo_diary())
    assert res.findings  # the demo household has planted links
    every = res.all_findings
    assert res.all_findings is every  # described once, then kept
    # Each headline is the very same finding as its form in all_findings, and every
    # form carries its full description (shrunk effect, interval, text).
    ids = {id(f) for f in every}
    assert all(id(h) in ids for h in res.findings)
    assert all(f.significant and f.q < res.families[f.family]["q_level"] for f in every)
    assert all("adjusted_for" in f.effect and f.text_nl and f.text_en for f in every)
    order = list(res.families)
    keys = [(order.index(f.family), f.q) for f in every]
    assert keys == sorted(keys)
    assert res.to_dict()["all_findings"][0]["factor"] == every[0].factor
