"""The small-sample statistics agree with reference implementations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from nachtwacht.insight import stats


@pytest.mark.parametrize("a,n1,c,n2", [(6, 9, 2, 40), (0, 5, 7, 30), (5, 5, 0, 50), (3, 10, 3, 10)])
def test_fisher_matches_scipy(a: int, n1: int, c: int, n2: int) -> None:
    ref = sps.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
    assert stats.fisher_exact_p(a, n1, c, n2) == pytest.approx(ref, rel=1e-9)


def test_newcombe_interval_matches_statsmodels() -> None:
    est, lo, hi = stats.risk_difference(56, 70, 48, 80)
    ref = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert est == pytest.approx(0.2)
    assert (lo, hi) == pytest.approx(tuple(float(v) for v in ref), abs=1e-9)


def test_rank_sum_exact_without_ties_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = rng.normal(1, 1, 6), rng.normal(0, 1, 25)
        ref = sps.mannwhitneyu(x, y, method="exact").pvalue
        assert stats.rank_sum_p(x, y) == pytest.approx(ref, rel=1e-9)


def test_rank_sum_exact_with_ties_equals_full_enumeration() -> None:
    x = np.array([3.0, 3, 5, 7])
    y = np.array([1.0, 3, 3, 2, 2, 4, 1, 0])
    data = np.concatenate([x, y])
    ranks = sps.rankdata(data)
    observed = abs(ranks[:4].sum() - 4 * 13 / 2)
    sums = [abs(ranks[list(c)].sum() - 4 * 13 / 2)
            for c in itertools.combinations(range(12), 4)]
    brute = np.mean(np.array(sums) >= observed - 1e-9)
    assert stats.rank_sum_p(x, y) == pytest.approx(brute, rel=1e-9)


def test_rank_sum_large_samples_use_tie_corrected_normal() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 6, 25).astype(float), rng.integers(1, 7, 30).astype(float)
    ref = sps.mannwhitneyu(x, y, method="asymptotic", use_continuity=True).pvalue
    assert stats.rank_sum_p(x, y) == pytest.approx(ref, rel=1e-6)


def test_rank_sum_identical_values_is_one() -> None:
    assert stats.rank_sum_p(np.ones(6), np.ones(20)) == 1.0


def test_bh_matches_statsmodels() -> None:
    p = np.random.default_rng(2).uniform(0, 0.2, 40)
    assert stats.bh_qvalues(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])


def test_rate_ratio_interval_is_exact_conditional_without_clustering() -> None:
    x = np.array([1.0, 0, 1, 1, 0, 1, 0, 1, 1, 1])
    y = np.array([0.0] * 25 + [1.0] * 5)
    rr = stats.rate_ratio(x, y)
    assert rr["ratio"] == pytest.approx((7 / 10) / (5 / 30))
    ci = sps.binomtest(7, 12, 10 / 40).proportion_ci(0.95, "exact")
    assert rr["low"] == pytest.approx(ci.low / (1 - ci.low) * 3)
    assert rr["high"] == pytest.approx(ci.high / (1 - ci.high) * 3)


def test_rate_ratio_widens_when_episodes_cluster() -> None:
    even = stats.rate_ratio(np.array([1.0] * 10), np.array([0.0] * 20 + [1.0] * 10))
    clustered = stats.rate_ratio(np.array([0.0] * 8 + [5.0] * 2),
                                 np.array([0.0] * 28 + [5.0] * 2))
    assert clustered["dispersion"] > 1
    assert clustered["high"] / clustered["low"] > even["high"] / even["low"]


def test_bootstrap_intervals_are_reproducible() -> None:
    x, y = np.arange(10.0), np.arange(5.0, 20.0)
    assert stats.median_difference(x, y) == stats.median_difference(x, y)
    d, lo, hi = stats.mean_difference(x, y)
    assert lo < d < hi


def test_shift_p_is_small_for_a_real_link_and_none_when_too_short() -> None:
    rng = np.random.default_rng(3)
    e = (rng.random(60) < 0.4).astype(float)
    linked = e * 5 + rng.normal(0, 1, 60)
    p_linked = stats.shift_p(e, linked)
    assert p_linked == pytest.approx(1 / (1 + len(range(7, 54))))
    independent = [stats.shift_p(e, rng.normal(0, 1, 60)) for _ in range(20)]
    assert np.median(independent) > 0.2
    assert stats.shift_p(e[:10], linked[:10]) is None


def test_shift_p_respects_blocks() -> None:
    """Two independent series that both come in runs: the shift test is not fooled."""
    days = np.arange(84)
    e = ((days // 14) % 2 == 0).astype(float)  # alternating fortnights
    o = ((days // 14) % 3 == 0).astype(float) * 3  # a different block rhythm
    assert stats.shift_p(e, o) > 0.05


def test_clopper_pearson_matches_scipy_stats_exact_interval() -> None:
    # scipy.stats is no longer imported by the analysis (start-up time); the closed
    # form must give scipy's interval to within scipy's own root-search tolerance.
    for n in (1, 2, 5, 12, 40, 313):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = sps.binomtest(k, n, 0.3).proportion_ci(0.95, "exact")
            low, high = stats.clopper_pearson(k, n)
            assert abs(low - ci.low) < 1e-11 and abs(high - ci.high) < 1e-11, (k, n)
    assert float(sps.norm.ppf(0.975)) == stats._Z


def test_analysis_does_not_import_scipy_stats() -> None:
    import subprocess
    import sys

    code = ("import sys, nachtwacht.insight.stats, nachtwacht.insight.triggers; "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
