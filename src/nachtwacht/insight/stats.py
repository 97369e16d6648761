"""Small-sample statistics for the trigger analysis and experiments.

Everything here works on plain NumPy arrays and is chosen for diaries of a few
weeks: exact tests where counts are small, no normal approximation on five
nights.

* Binary outcomes (an episode that night, yes/no): Fisher's exact test
  (two-sided, summing all tables no more likely than the observed one),
  the risk difference with Newcombe's hybrid score interval (method 10 in
  Newcombe 1998, built from two Wilson intervals), and the risk ratio with a
  Katz log interval (0.5 added to every cell when one is zero).
* Ordinal and continuous outcomes (minutes to fall asleep, efficiency, tension
  0-10, episodes per night): the Wilcoxon-Mann-Whitney rank-sum test. When the
  smaller group has fewer than :data:`EXACT_MWU_BELOW` nights the p value is
  the *exact* permutation distribution of the rank sum given the observed ties
  (a subset-sum count over mid-ranks), otherwise the normal approximation with
  tie and continuity correction, which is adequate from ten per group.
  The effect is the difference in medians with a percentile bootstrap interval
  (fixed seed, so the same diary always gives the same numbers). The bootstrap
  medians are read from counts of distinct values per resample rather than by
  sorting each resample: the same numbers, several times faster on long diaries.
* Counts (episodes per night): the rate ratio with the exact conditional
  (Clopper-Pearson) interval, widened on the log scale by the square root of
  the Pearson dispersion when episodes cluster within nights. The p value comes
  from the rank-sum test on per-night counts, with the *night* as the unit,
  because a Poisson test would treat five episodes in one bad night as five
  independent pieces of evidence.
* Multiple testing: Benjamini-Hochberg q values across every pair tested.

Known limitation: consecutive nights are not independent (a stressful week
gives several stressed nights and several tense mornings). All tests above
assume exchangeable nights, so p values can be somewhat too small when both
factor and outcome drift slowly over weeks. The trigger analysis therefore no
longer uses them for its findings: it models the night before inside each
question (:mod:`.engine`, :mod:`.model`). What stays in use here: the
Benjamini-Hochberg q values and the small-sample helpers; :func:`shift_p`
(a circular-shift p value that keeps runs of similar nights intact) is kept for
checks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# scipy.special only: scipy.stats costs most of a second to import (a third of a
# cold report) and was used for two functions that scipy.special has directly.
from scipy import special

#: Below this size of the smaller group the rank-sum p value is computed exactly.
EXACT_MWU_BELOW = 10
#: Two-sided confidence level of every interval.
CONFIDENCE = 0.95
#: Number of bootstrap resamples for intervals of medians and means.
N_BOOT = 2000
#: Seed of the bootstrap, so results are reproducible.
BOOT_SEED = 20240611

_Z = float(special.ndtri(0.5 + CONFIDENCE / 2))  # = scipy.stats.norm.ppf


# ---------------------------------------------------------------------------
# Binary outcomes
# ---------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _log_factorials(n: int) -> np.ndarray:
    """``log(i!)`` for ``i = 0 .. max(n, 1000)``."""
    return special.gammaln(np.arange(max(n, 1000) + 1) + 1.0)


@lru_cache(maxsize=4096)
def fisher_exact_p(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided Fisher exact p for ``a`` of ``n1`` exposed vs ``c`` of ``n2`` unexposed.

    Parameters
    ----------
    a, c : int
        Nights with the outcome among exposed and unexposed nights.
    n1, n2 : int
        Number of exposed and unexposed nights.

    Returns
    -------
    float
        The probability, given both margins, of a table at most as likely as
        the observed one (the usual "minimum likelihood" two-sided p).
    """
    k = a + c
    n = n1 + n2
    if n1 == 0 or n2 == 0 or k == 0 or k == n:
        return 1.0
    lo, hi = max(0, k - n2), min(k, n1)
    x = np.arange(lo, hi + 1)
    lf = _log_factorials(n)
    logp = (lf[n1] - lf[x] - lf[n1 - x] + lf[n2] - lf[k - x] - lf[n2 - k + x]
            - (lf[n] - lf[k] - lf[n - k]))
    p = np.exp(logp)
    p_obs = p[a - lo]
    # Relative tolerance as in R and SciPy: tables equally likely up to rounding count.
    return float(min(1.0, p[p <= p_obs * (1 + 1e-7)].sum()))


def wilson_interval(x: int, n: int, z: float = _Z) -> tuple[float, float]:
    """Wilson score interval of a proportion ``x / n``."""
    if n == 0:
        return 0.0, 1.0
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def risk_difference(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """Risk difference ``a/n1 - c/n2`` with Newcombe's hybrid score interval.

    Returns
    -------
    (estimate, low, high) : tuple of float
    """
    p1, p2 = a / n1, c / n2
    l1, u1 = wilson_interval(a, n1)
    l2, u2 = wilson_interval(c, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def risk_ratio(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """Risk ratio with a Katz log interval (0.5 added to all cells if one is zero)."""
    b, d = n1 - a, n2 - c
    if 0 in (a, b, c, d):
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    r1, r2 = a / (a + b), c / (c + d)
    rr = r1 / r2
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return rr, rr * math.exp(-_Z * se), rr * math.exp(_Z * se)


# ---------------------------------------------------------------------------
# Rank-sum test
# ---------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _rank_sum_table(ranks2: bytes, k_max: int) -> np.ndarray:
    """Number of subsets per (size, rank sum) for sizes up to ``k_max``.

    ``ranks2`` are the mid-ranks as ``int64`` bytes of the sorted values,
    doubled when there are ties (so they are whole numbers). The table is
    built item by item (0/1 knapsack), which is the exact permutation
    distribution given the ties. Cached: many factors share one outcome.
    """
    r_all = np.frombuffer(ranks2, dtype=np.int64)
    max_sum = int(r_all[-k_max:].sum())
    dp = np.zeros((k_max + 1, max_sum + 1))
    dp[0, 0] = 1.0
    # Counts below 2**53 are exact in floats whatever the order of additions; above
    # it (long diaries) the value-by-value order is kept so results stay bit-identical.
    by_group = math.comb(len(r_all), k_max) < 2**53
    values, sizes = np.unique(r_all, return_counts=True)
    # Columns above `reach` (the largest sum of k_max values seen so far; values come
    # in ascending order) are still zero, so they are left out of every update.
    done, reach = 0, 0
    csum = [0, *np.cumsum(r_all).tolist()]
    for r, c in zip(values.tolist(), sizes.tolist(), strict=True):
        if c == 1 or not by_group:
            for _ in range(c):
                width = min(reach, max_sum - r) + 1
                # Right-hand side copied first, so each value is used at most once.
                dp[1:, r:r + width] += dp[:-1, :width].copy()
                done += 1
                reach = csum[done] - csum[max(0, done - k_max)]
            continue
        # A tie group of c equal ranks at once: j of them chosen in C(c, j) ways adds
        # j items and j * r to the sum (one step per group instead of one per value;
        # diary outcomes are full of ties).
        prev = dp[:, :reach + 1].copy()
        for j in range(1, min(c, k_max) + 1):
            if j * r > max_sum:
                break
            width = min(reach, max_sum - j * r) + 1
            dp[j:, j * r:j * r + width] += math.comb(c, j) * prev[: k_max + 1 - j, :width]
        done += c
        reach = csum[done] - csum[max(0, done - k_max)]
    return dp


def midranks(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid-ranks of ``data`` (1-based) and the size of every tie group."""
    _, inv, counts = np.unique(data, return_inverse=True, return_counts=True)
    mid = np.cumsum(counts) - (counts - 1) / 2
    return mid[inv], counts


def rank_sum_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided Wilcoxon-Mann-Whitney p for samples ``x`` (exposed) and ``y``.

    Exact (permutation distribution with ties) when the smaller sample has
    fewer than :data:`EXACT_MWU_BELOW` values, else normal approximation with
    tie and continuity correction.
    """
    if len(x) == 0 or len(y) == 0:
        return 1.0
    ranks, counts = midranks(np.concatenate([x, y]))
    in_x = np.zeros(len(ranks), dtype=bool)
    in_x[: len(x)] = True
    return rank_sum_p_ranked(ranks, counts, in_x)


def rank_sum_p_ranked(ranks: np.ndarray, counts: np.ndarray, in_x: np.ndarray) -> float:
    """:func:`rank_sum_p` on precomputed mid-ranks of all values and tie-group sizes.

    ``in_x`` marks the values of the first sample.
    """
    return float(rank_sum_p_many(ranks, counts, in_x[None, :])[0])


def rank_sum_p_many(ranks: np.ndarray, counts: np.ndarray, in_x: np.ndarray) -> np.ndarray:
    """Rank-sum p values of one ranked outcome against many splits at once.

    Parameters
    ----------
    ranks : ndarray, shape (n,)
        Mid-ranks of the outcome values (from :func:`midranks`).
    counts : ndarray
        Sizes of the tie groups (from :func:`midranks`).
    in_x : ndarray of bool, shape (m, n)
        Each row marks the first sample of one comparison (e.g. exposed nights).

    Returns
    -------
    ndarray, shape (m,)
        Two-sided p values: exact where the smaller sample is below
        :data:`EXACT_MWU_BELOW`, normal approximation with tie and continuity
        correction otherwise.
    """
    n = len(ranks)
    n1 = in_x.sum(axis=1)
    w1 = in_x.astype(float) @ ranks
    small_is_x = n1 <= n - n1
    k = np.where(small_is_x, n1, n - n1)
    w = np.where(small_is_x, w1, ranks.sum() - w1)
    p = np.ones(len(n1))
    if len(counts) <= 1 or n < 2:
        return p
    tie = float((counts**3 - counts).sum()) / (n * (n - 1))
    var = k * (n - k) / 12 * ((n + 1) - tie)
    big = (k >= EXACT_MWU_BELOW) & (var > 0)
    if big.any():
        z = (np.abs(w[big] - k[big] * (n + 1) / 2) - 0.5) / np.sqrt(var[big])
        # Two-sided normal tail: 2 * sf(z) = erfc(z / sqrt 2).
        p[big] = np.minimum(1.0, special.erfc(np.maximum(z, 0.0) / math.sqrt(2)))
    small = np.flatnonzero((k < EXACT_MWU_BELOW) & (k > 0))
    if len(small):
        # Mid-ranks are whole or exactly half (a tie group of even size).
        scale = 2 if bool((ranks != np.rint(ranks)).any()) else 1
        r_int = np.rint(scale * ranks).astype(np.int64)
        table = _rank_sum_table(np.sort(r_int).tobytes(), int(k[small].max()))
        total = int(r_int.sum())
        # All small comparisons at once: row i is the distribution of the rank sum of
        # k[i] values; the p value is its mass at least as far from the mean as observed.
        dist = table[k[small]]
        expected = (k[small] * total / n)[:, None]
        dev = np.abs(np.rint(scale * w[small])[:, None] - expected)
        far = np.abs(np.arange(dist.shape[1])[None, :] - expected) >= dev - 1e-9
        if math.comb(n, int(k[small].max())) < 2**53:
            mass = np.where(far, dist, 0.0).sum(axis=1)
        else:
            # Counts beyond 2**53 are rounded: sum them in the original order so
            # results do not move in the last digit between versions.
            mass = np.array([d[f].sum() for d, f in zip(dist, far, strict=True)])
        p[small] = np.minimum(1.0, mass / dist.sum(axis=1))
    return p


def _bootstrap_medians(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Median of every resample ``values[idx[b]]``, identical to ``np.median(values[idx], axis=1)``.

    Diary outcomes take few distinct values (whole minutes, a 0-10 scale), so
    each resample is reduced to how often it drew each distinct value; the
    median is then read off the running totals. This is the same number as
    sorting every resample, at a fraction of the cost on long diaries.
    """
    uniq, code = np.unique(values, return_inverse=True)
    n_boot, n = idx.shape
    u = len(uniq)
    flat = code[idx]
    flat += (np.arange(n_boot) * u)[:, None]
    cum = np.bincount(flat.ravel(), minlength=n_boot * u).reshape(n_boot, u)
    np.cumsum(cum, axis=1, out=cum)
    # The k-th smallest draw (0-based) is the first distinct value whose running total exceeds k.
    low = uniq[(cum <= (n - 1) // 2).sum(axis=1)]
    high = uniq[(cum <= n // 2).sum(axis=1)]
    # np.median averages the two middle values (the same one twice when n is odd).
    return (low + high) / 2


def median_difference(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Difference in medians ``median(x) - median(y)`` with a bootstrap interval.

    The resamples are the ones ``rng.choice(x, size=(N_BOOT, len(x)))`` draws
    (same seed, same stream), so the interval does not depend on how the
    medians are computed.
    """
    rng = np.random.default_rng(BOOT_SEED)
    # uint32 draws the same numbers as choice's int64 for these ranges (both use
    # 32-bit bounded draws below 2**32), at a third of the cost.
    ix = rng.integers(0, len(x), size=(N_BOOT, len(x)), dtype=np.uint32)
    iy = rng.integers(0, len(y), size=(N_BOOT, len(y)), dtype=np.uint32)
    diffs = _bootstrap_medians(np.asarray(x, dtype=float), ix) - _bootstrap_medians(
        np.asarray(y, dtype=float), iy)
    alpha = (1 - CONFIDENCE) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return float(np.median(x) - np.median(y)), float(low), float(high)


def mean_difference(x: np.ndarray, y: np.ndarray,
                    confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Difference in means ``mean(x) - mean(y)`` with a percentile bootstrap interval."""
    rng = np.random.default_rng(BOOT_SEED)
    bx = rng.choice(x, size=(N_BOOT, len(x)), replace=True).mean(axis=1)
    by = rng.choice(y, size=(N_BOOT, len(y)), replace=True).mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(bx - by, [alpha, 1 - alpha])
    return float(x.mean() - y.mean()), float(low), float(high)


# ---------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------
def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval of a binomial proportion ``k / n``.

    The limits are beta quantiles, the closed form of what
    ``scipy.stats.binomtest(k, n).proportion_ci(confidence, "exact")`` finds by root
    search (that one stops at an absolute tolerance of 2e-12; this is closer still).
    """
    alpha = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha))
    return low, high


def rate_ratio(x: np.ndarray, y: np.ndarray) -> dict[str, float | None]:
    """Episodes per night in ``x`` vs ``y`` with an exact conditional interval.

    Given the total number of episodes, the exposed share is binomial with
    ``t1 / (t1 + t2)`` under equal rates, so the Clopper-Pearson interval of
    that share maps to an interval of the rate ratio. When per-night counts are
    over-dispersed (episodes cluster in bad nights), the interval is widened on
    the log scale by the square root of the Pearson dispersion.

    Returns
    -------
    dict
        ``rate_exposed``, ``rate_unexposed``, ``ratio``, ``low``, ``high``,
        ``dispersion`` (``ratio``, ``low`` or ``high`` are ``None`` or
        ``inf`` when undefined).
    """
    t1, t2 = len(x), len(y)
    e1, e2 = int(x.sum()), int(y.sum())
    out: dict[str, float | None] = {
        "rate_exposed": e1 / t1, "rate_unexposed": e2 / t2,
        "ratio": None, "low": None, "high": None, "dispersion": 1.0,
    }
    total = e1 + e2
    if total == 0:
        return out
    ci_low, ci_high = clopper_pearson(e1, total)

    def to_ratio(p: float) -> float:
        if p >= 1:
            return math.inf
        return p / (1 - p) * t2 / t1

    ratio = (e1 / t1) / (e2 / t2) if e2 else math.inf
    low, high = to_ratio(ci_low), to_ratio(ci_high)
    # Pearson dispersion of per-night counts around each group's own rate.
    resid = np.concatenate([x - x.mean(), y - y.mean()])
    fitted = np.concatenate([np.full(t1, x.mean()), np.full(t2, y.mean())])
    ok = fitted > 0
    df = max(1, int(ok.sum()) - 2)
    phi = float((resid[ok] ** 2 / fitted[ok]).sum() / df) if ok.any() else 1.0
    if phi > 1 and 0 < ratio < math.inf:
        f = math.sqrt(phi)
        if low > 0:
            low = math.exp(math.log(ratio) - f * (math.log(ratio) - math.log(low)))
        if high < math.inf:
            high = math.exp(math.log(ratio) + f * (math.log(high) - math.log(ratio)))
    out.update(ratio=ratio, low=low, high=high, dispersion=max(phi, 1.0))
    return out


# ---------------------------------------------------------------------------
# Autocorrelation check
# ---------------------------------------------------------------------------
#: Circular shifts closer than this many nights to zero are not used (they keep the pairing).
MIN_SHIFT = 7
#: At most this many shifts, evenly spread, are used (long diaries stay fast).
MAX_SHIFTS = 199


def shift_p(exposure: np.ndarray, outcome: np.ndarray, min_shift: int = MIN_SHIFT) -> float | None:
    """Circular-shift p value of a difference in outcome means, robust to runs of similar nights.

    The exposure series is rotated against the outcome series by every shift of
    at least ``min_shift`` nights (in both directions). Each rotation keeps the
    week-to-week structure of both series (a stressful fortnight stays a
    fortnight) but breaks their pairing, so the share of rotations with an
    absolute mean difference at least as large as the observed one is a p value
    that does not assume independent nights. With few nights it cannot get very
    small: at best ``1 / (1 + number of shifts)``.

    Parameters
    ----------
    exposure : ndarray
        1 / 0 / NaN per night, consecutive nights in order.
    outcome : ndarray
        Outcome per night (NaN = not recorded), same length.

    Returns
    -------
    float or None
        ``None`` when there are too few nights for any allowed shift.
    """
    idx = _shift_index(len(exposure), min_shift)
    if idx is None:
        return None
    rec = ~np.isnan(outcome)
    # Per rotation: nights (and outcome sums) with the factor present / absent, both
    # recorded. A NaN exposure is neither == 1 nor == 0, so it drops out by itself.
    cols = np.stack([rec.astype(float), np.where(rec, outcome, 0.0)], axis=1)
    e = exposure[idx]  # row 0 = observed pairing
    (n1, s1), (n0, s0) = ((e == 1) @ cols).T, ((e == 0) @ cols).T
    valid = (n1 > 0) & (n0 > 0)
    if not valid[0]:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(s1 / n1 - s0 / n0)
    stat = diff[0]
    null = diff[1:][valid[1:]]
    return float((1 + np.sum(null >= stat - 1e-12)) / (1 + len(null)))


@lru_cache(maxsize=16)
def _shift_index(n: int, min_shift: int) -> np.ndarray | None:
    """Row ``i`` holds the night indices of the ``i``-th rotation (row 0 = none).

    Cached because every finding of one diary uses the same rotations.
    """
    shifts = np.arange(min_shift, n - min_shift + 1)
    if len(shifts) == 0:
        return None
    if len(shifts) > MAX_SHIFTS:
        shifts = shifts[np.linspace(0, len(shifts) - 1, MAX_SHIFTS).round().astype(int)]
    idx = (np.arange(n)[None, :] - np.concatenate([[0], shifts])[:, None]) % n
    idx.flags.writeable = False
    return idx


# ---------------------------------------------------------------------------
# Multiple testing
# ---------------------------------------------------------------------------
def bh_qvalues(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p values (q values), in the input order."""
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q
