"""The one-sided test of episode questions is the exact conditional mid-p (issue #12 follow-up).

Why (``docs/insight.md``, section 2): with few nights with the factor or the episode,
the signed root of the Firth likelihood ratio was too liberal on the "raises it"
side, which put the partner-apart null scenario of ``bench/insight_sim`` (b) at
6.5 % false "likely" at a fresh seed. These tests pin the new test's arithmetic
(Fisher's test for one stratum, enumeration for several) and, on a fixed-seed
sample of scenario (b), the share of false "likely" findings.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from nachtwacht.insight import model

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _design(f: np.ndarray, *others: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(f)), f, *others])


@pytest.mark.parametrize("a,n1,c,n2", [(3, 5, 1, 33), (5, 10, 4, 34), (6, 15, 3, 30),
                                       (0, 8, 5, 40), (9, 18, 4, 38)])
def test_one_stratum_is_fishers_one_sided_test(a: int, n1: int, c: int, n2: int) -> None:
    f = np.r_[np.ones(n1), np.zeros(n2)]
    y = np.r_[np.ones(a), np.zeros(n1 - a), np.ones(c), np.zeros(n2 - c)]
    exact = sps.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="greater")[1]
    assert model.conditional_p(_design(f), y, 1, mid=False) == pytest.approx(exact, rel=1e-9)
    point = sps.hypergeom.pmf(a, n1 + n2, a + c, n1)
    assert model.conditional_p(_design(f), y, 1) == pytest.approx(exact - point / 2, rel=1e-9)


def test_strata_by_other_columns_equal_enumeration() -> None:
    # Two strata (the night before had an episode or not) and a blank companion filled
    # with its mean (a third value): the p is the share of relabellings of the factor
    # within strata that give at least as many exposed episode nights.
    rng = np.random.default_rng(3)
    n = 14
    f = (rng.random(n) < 0.4).astype(float)
    y = (rng.random(n) < 0.4).astype(float)
    prev = np.r_[0.5, y[:-1]]
    x = _design(f, prev)
    strata = [np.flatnonzero(prev == v) for v in np.unique(prev)]
    observed = f @ y
    counts = []
    for choice in itertools.product(*[itertools.combinations(s, int(f[s].sum())) for s in strata]):
        g = np.zeros(n)
        for idx in choice:
            g[list(idx)] = 1
        counts.append(g @ y)
    counts = np.array(counts)
    exact = float(np.mean(counts >= observed))
    mid = exact - 0.5 * float(np.mean(counts == observed))
    assert model.conditional_p(x, y, 1, mid=False) == pytest.approx(exact, rel=1e-9)
    assert model.conditional_p(x, y, 1) == pytest.approx(mid, rel=1e-9)


def test_not_a_yes_no_factor_gives_nan_and_no_information_gives_one() -> None:
    y = np.r_[np.ones(4), np.zeros(8)]
    assert np.isnan(model.conditional_p(_design(np.linspace(0, 1, 12)), y, 1))
    assert model.conditional_p(_design(np.ones(12)), y, 1) == 1.0


def test_calibrated_on_small_null_tables() -> None:
    # 45 nights, factor on 25 %, episodes on 20 %, nothing linked: at most the nominal
    # share below 0.01 (the Firth signed root gave about 1.3x; 1500 tables keep this fast).
    rng = np.random.default_rng(20261201)
    ps = []
    for _ in range(1500):
        f = (rng.random(45) < 0.25).astype(float)
        y = (rng.random(45) < 0.2).astype(float)
        if 5 <= f.sum() <= 40 and 3 <= y.sum() <= 42:
            ps.append(model.conditional_p(_design(f, np.r_[y.mean(), y[:-1]]), y, 1))
    ps = np.array(ps)
    assert len(ps) > 1300
    # Binomial bound: a test exactly at 1 % exceeds 24 of 1400 with probability < 0.3 %.
    assert (ps < 0.01).sum() <= 24
    assert (ps < 0.05).mean() <= 0.06


def test_partner_apart_null_sample_few_false_likely() -> None:
    """Scenario (b) of the independent harness, a fixed sample: 150 people, 56 nights.

    Nothing is linked; the partner reports the parasomnia and sleeps apart after 60 %
    of heavy evenings. Target <= 5 % with any false "likely": an analysis exactly at
    5 % has 16 or more in 150 with probability 0.36 % (binomial), so at most 15.
    The diaries are fixed, so the count is also pinned as a regression: this model
    gives 8, the Firth-only test at level 0.03 gave 12 (these are the first 150 people
    of the harness's seed-777 row, where it was 13 of 200); at most 10.
    """
    from bench.insight_sim.scenarios import scenario_b
    from bench.insight_sim.score import score_insight
    from nachtwacht.insight import analyse

    cases = scenario_b(777, 150, 56)
    false = sum(score_insight(analyse(c.diary, lang="nl"), c.truth)["any_false"] for c in cases)
    assert false <= 15
    assert false <= 10, "more false findings than the exact check gives (8 when written)"
