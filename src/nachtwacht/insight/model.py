"""Regression models of a person's nights: Firth logistic, shrunk display, rank OLS, AR(1) GLS.

Why these models (see ``docs/insight.md``):

* **Firth-penalised logistic regression** (Jeffreys prior, Firth 1993; Heinze &
  Schemper 2002) for yes/no outcomes (an episode that night). A diary of four
  weeks often has *separation* (no episode on any night without the factor), where
  ordinary maximum likelihood runs off to infinity; Firth's penalty keeps the
  estimate finite and removes its first-order bias. Tests use the penalised
  likelihood ratio (as R's ``logistf``): the model is refitted with the
  coefficient held at zero *under the full model's penalty*. statsmodels has no
  Firth option; the Newton iteration is short, so it is written here.
* **Shrunk effect sizes** for what people are shown: a MAP fit with a normal prior
  (sd :data:`PRIOR_SD` on each factor's log odds ratio) and a Laplace interval.
  A link that was *selected* because it looked strong is pulled back towards "no
  effect" (the winner's curse), more so when it rests on few nights.
* **Rank OLS** for sleep numbers (minutes to fall asleep, efficiency, 0-10
  scores): ordinary least squares on normal scores of the outcome, a robust
  choice for skewed minutes, with t tests.
* **Linear model with AR(1) errors** (GLS with a fixed correlation) for
  experiments: night-to-night correlation and a time trend are in the model.

Everything works on small dense NumPy arrays (a diary has at most a few thousand
nights and a dozen columns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

#: Prior standard deviation of a factor's log odds ratio in the display model:
#: odds ratios beyond about 7 (e^(2 x 1)) need strong evidence to be shown.
PRIOR_SD = 1.0
#: Newton iterations and tolerance.
MAX_ITER = 40
TOL = 1e-6
#: Largest Newton step (log-odds units): keeps the iteration stable under separation.
MAX_STEP = 5.0


@dataclass(frozen=True)
class Fit:
    """A fitted penalised logistic model."""

    beta: np.ndarray
    #: Penalised log likelihood (log likelihood + 0.5 log det of the information).
    loglik: float
    #: Covariance (inverse information) of the coefficients.
    cov: np.ndarray
    converged: bool


def _logdet_inv(info: np.ndarray) -> tuple[float, np.ndarray]:
    """log det and inverse of a symmetric positive (semi)definite matrix (tiny ridge if needed)."""
    sign, logdet = np.linalg.slogdet(info)
    if sign > 0 and np.isfinite(logdet):
        try:
            return float(logdet), np.linalg.inv(info)
        except np.linalg.LinAlgError:
            pass
    # Singular (a column constant on the nights used): a tiny ridge keeps it usable.
    ridged = info + 1e-8 * np.eye(info.shape[0])
    sign, logdet = np.linalg.slogdet(ridged)
    return (float(logdet) if sign > 0 else -math.inf), np.linalg.pinv(ridged)


def _firth_state(x: np.ndarray, y: np.ndarray, beta: np.ndarray):
    eta = np.clip(x @ beta, -30, 30)
    pi = special.expit(eta)
    xw = x * np.sqrt(pi * (1 - pi))[:, None]
    logdet, inv = _logdet_inv(xw.T @ xw)
    # Bernoulli log likelihood y * eta - log(1 + e^eta), stable for large |eta|.
    ll = float(y @ eta - np.logaddexp(0.0, eta).sum())
    return pi, xw, inv, ll + 0.5 * logdet


def firth(x: np.ndarray, y: np.ndarray, fixed: np.ndarray | None = None,
          start: np.ndarray | None = None) -> Fit:
    """Firth-penalised logistic regression; coefficients in ``fixed`` are held at zero.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Design matrix (first column usually the intercept).
    y : ndarray, shape (n,)
        0/1 outcome.
    fixed : ndarray of bool, shape (p,), optional
        Coefficients constrained to zero; the penalty still uses the full ``x``
        (profile penalised likelihood, as ``logistf``).
    start : ndarray, optional
        Starting values.

    Returns
    -------
    Fit
    """
    n, p = x.shape
    free = np.ones(p, dtype=bool) if fixed is None else ~fixed
    if start is None:
        beta = np.zeros(p)
        if free[0] and np.all(x[:, 0] == 1):
            # Start from the overall rate: fewer Newton steps than from 50 %.
            m = (y.sum() + 0.5) / (len(y) + 1.0)
            beta[0] = math.log(m / (1 - m))
    else:
        beta = np.where(free, start, 0.0)
    pi, xw, inv, lpen = _firth_state(x, y, beta)
    all_free = bool(free.all())
    converged = False
    for _ in range(MAX_ITER):
        h = ((xw @ inv) * xw).sum(axis=1)
        score = x.T @ (y - pi + h * (0.5 - pi))
        info = xw.T @ xw
        if all_free:
            step_f = inv @ score
        else:
            fi = info[np.ix_(free, free)]
            try:
                step_f = np.linalg.solve(fi, score[free])
            except np.linalg.LinAlgError:
                step_f = np.linalg.lstsq(fi, score[free], rcond=None)[0]
        big = float(np.abs(step_f).max()) if len(step_f) else 0.0
        if big > MAX_STEP:
            step_f *= MAX_STEP / big
        step = np.zeros(p)
        step[free] = step_f
        # Step halving: the penalised likelihood must not fall.
        for _ in range(12):
            cand = beta + step
            pi_c, xw_c, inv_c, l_c = _firth_state(x, y, cand)
            if l_c >= lpen - 1e-10:
                break
            step /= 2
        gain = l_c - lpen
        beta, pi, xw, inv, lpen = cand, pi_c, xw_c, inv_c, l_c
        # Converged when the step is tiny or the penalised likelihood no longer moves
        # (under separation a coefficient creeps on without changing any conclusion).
        if float(np.abs(step).max()) < TOL or 0 <= gain < 1e-9:
            converged = True
            break
    return Fit(beta, lpen, inv, converged)


def firth_test(x: np.ndarray, y: np.ndarray, j: int, full: Fit | None = None,
               sided: str = "two") -> tuple[float, float, Fit]:
    """Penalised likelihood-ratio test of coefficient ``j``.

    Returns
    -------
    (p, z, full_fit)
        ``z`` is the signed root of the statistic (sign of the estimate);
        ``sided="up"`` gives the one-sided p for a positive coefficient.
    """
    if full is None:
        full = firth(x, y)
    fixed = np.zeros(x.shape[1], dtype=bool)
    fixed[j] = True
    reduced = firth(x, y, fixed=fixed, start=full.beta)
    stat = max(0.0, 2.0 * (full.loglik - reduced.loglik))
    z = math.copysign(math.sqrt(stat), full.beta[j])
    p = float(special.ndtr(-z)) if sided == "up" else float(special.chdtrc(1, stat))
    return p, z, full


def conditional_p(x: np.ndarray, y: np.ndarray, j: int, mid: bool = True) -> float:
    """One-sided exact conditional p that coefficient ``j`` (a 0/1 factor) is positive.

    The nights are split into strata by the values of the other columns of ``x``
    (the engine passes the intercept and the companions, not the night before);
    given how many nights with the factor and how many with the outcome each
    stratum has, the number of nights with both follows a sum of hypergeometric
    distributions (the exact test of conditional logistic regression with those
    columns as categories; one stratum gives Fisher's one-sided test).
    ``mid=True`` counts half the probability of the observed count (Lancaster's
    mid-p; the plain exact p is conservative, about half the nominal rate here).

    Why: with few nights with the factor or with the outcome, the signed root of
    the Firth likelihood ratio is too liberal on the "raises it" side (about
    1.2-1.6x the nominal rate at p < 0.01 in 40-90 nights with 10-30 % factor and
    outcome, 3000 simulated tables per setting); the mid-p is at or below nominal
    there (0.5-1.1x). Returns ``nan`` when column ``j`` is not 0/1.
    """
    f = x[:, j]
    if not np.all((f == 0) | (f == 1)):
        return math.nan
    others = np.delete(x, j, axis=1)
    _, strata = np.unique(np.round(others, 9), axis=0, return_inverse=True)
    strata = strata.ravel()
    dist = np.ones(1)
    observed = 0
    for s in range(int(strata.max()) + 1):
        m = strata == s
        n, n1, k = int(m.sum()), int(f[m].sum()), int(y[m].sum())
        if n1 in (0, n) or k in (0, n):
            continue  # no information in this stratum: the count is fixed
        lo, hi = max(0, k - (n - n1)), min(k, n1)
        c = np.arange(lo, hi + 1)
        logp = (special.gammaln(n1 + 1) - special.gammaln(c + 1) - special.gammaln(n1 - c + 1)
                + special.gammaln(n - n1 + 1) - special.gammaln(k - c + 1)
                - special.gammaln(n - n1 - k + c + 1)
                - special.gammaln(n + 1) + special.gammaln(k + 1) + special.gammaln(n - k + 1))
        pmf = np.zeros(hi + 1)
        pmf[lo:] = np.exp(logp)
        dist = np.convolve(dist, pmf)
        observed += int(f[m] @ y[m])
    if len(dist) == 1:
        return 1.0
    tail = float(dist[observed:].sum())
    return min(1.0, tail - 0.5 * float(dist[observed]) if mid else tail)


def map_normal(x: np.ndarray, y: np.ndarray, prior_sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MAP logistic regression with independent normal priors; returns (beta, covariance).

    ``prior_sd`` per coefficient (``inf`` = flat, e.g. for the intercept). The
    covariance is the Laplace approximation (inverse of the posterior Hessian).
    """
    p = x.shape[1]
    prec = np.where(np.isfinite(prior_sd), 1.0 / np.square(prior_sd), 0.0)
    beta = np.zeros(p)
    cov = np.eye(p)
    for _ in range(MAX_ITER):
        pi = special.expit(np.clip(x @ beta, -30, 30))
        w = pi * (1 - pi)
        grad = x.T @ (y - pi) - prec * beta
        hess = (x * w[:, None]).T @ x + np.diag(prec)
        _, cov = _logdet_inv(hess)
        step = cov @ grad
        big = np.max(np.abs(step))
        if big > MAX_STEP:
            step *= MAX_STEP / big
        beta = beta + step
        if big < TOL:
            break
    return beta, cov


def normal_scores(v: np.ndarray) -> np.ndarray:
    """Van der Waerden normal scores of ``v`` (mid-ranks for ties)."""
    order = np.argsort(v, kind="mergesort")
    ranks = np.empty(len(v))
    ranks[order] = np.arange(1, len(v) + 1)
    # Mid-ranks for ties, so equal values get equal scores.
    uniq, inv = np.unique(v, return_inverse=True)
    sums = np.bincount(inv, weights=ranks)
    counts = np.bincount(inv)
    mid = (sums / counts)[inv]
    return special.ndtri(mid / (len(v) + 1))


def ols_test(x: np.ndarray, y: np.ndarray, j: int) -> tuple[float, float, float, float]:
    """OLS t test of coefficient ``j``: (two-sided p, t, estimate, standard error)."""
    n, p = x.shape
    df = n - p
    if df < 2:
        return 1.0, 0.0, 0.0, math.inf
    xtx = x.T @ x
    _, inv = _logdet_inv(xtx)
    beta = inv @ (x.T @ y)
    resid = y - x @ beta
    s2 = float(resid @ resid) / df
    se = math.sqrt(max(s2 * inv[j, j], 1e-300))
    t = float(beta[j]) / se
    p_val = float(2 * special.stdtr(df, -abs(t)))
    return p_val, t, float(beta[j]), se


def ar1_gls(x: np.ndarray, y: np.ndarray, t: np.ndarray, rho: float
            ) -> tuple[np.ndarray, np.ndarray, int]:
    """GLS with AR(1) errors of known ``rho`` on calendar positions ``t`` (gaps allowed).

    Each observation is whitened against the previous one with ``rho ** gap``
    (Prais-Winsten for the first). Returns (beta, covariance, residual df).
    """
    n, p = x.shape
    xs, ys = np.empty_like(x, dtype=float), np.empty(n)
    xs[0], ys[0] = x[0], y[0]
    for i in range(1, n):
        r = rho ** float(t[i] - t[i - 1])
        scale = 1.0 / math.sqrt(max(1e-12, 1 - r * r))
        xs[i] = (x[i] - r * x[i - 1]) * scale
        ys[i] = (y[i] - r * y[i - 1]) * scale
    _, inv = _logdet_inv(xs.T @ xs)
    beta = inv @ (xs.T @ ys)
    resid = ys - xs @ beta
    df = max(1, n - p)
    s2 = float(resid @ resid) / df
    return beta, inv * s2, df


def residual_rho(x: np.ndarray, y: np.ndarray) -> float:
    """Lag-1 autocorrelation of OLS residuals, with the usual small-sample correction."""
    n = len(y)
    if n < 6:
        return 0.0
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    r = y - x @ beta
    den = float(r @ r)
    if den <= 0:
        return 0.0
    rho = float(r[1:] @ r[:-1]) / den
    # Residual autocorrelation is biased down by about (1 + 3 rho) / n plus p / n from the fit.
    return float(np.clip(rho + (1 + 3 * rho) / n + x.shape[1] / n, 0.0, 0.95))
