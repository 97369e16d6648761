"""Effect sizes people are shown, and the sentences around them (used by :mod:`.triggers`).

The numbers shown are *shrunk*: a Bayesian logistic model with a normal prior
(sd :data:`.model.PRIOR_SD` on the log odds ratio) for episodes, and a normal
prior of half the outcome's spread for sleep numbers. A link picked out because
it looked strong is pulled back towards "no difference", more when it rests on
few nights, so a true 10 % -> 30 % is not shown as 8 % -> 40 % (the winner's
curse). Raw counts are shown too, so nothing is hidden.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from . import model
from .engine import Test
from .factors import Exposure

_Z = 1.959963984540054


def _fmt(v: float, lang: str, digits: int = 0) -> str:
    s = f"{v:.{digits}f}"
    if s in ("-0", "-0.0"):
        s = s[1:]
    return s.replace(".", ",") if lang == "nl" else s


def short_label(e: Exposure, lang: str) -> str:
    """The exposure's phrase without its sentence opening ("avonden met alcohol")."""
    text = e.prefix_en if lang == "en" else e.prefix_nl
    for opening in ("Na ", "After "):
        if text.startswith(opening):
            return text[len(opening):]
    return text[0].lower() + text[1:]


def _join(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    last = " en " if lang == "nl" else " and "
    return ", ".join(words[:-1]) + last + words[-1]


def binary_effect(t: Test) -> dict[str, Any]:
    """Shrunk, adjusted risks of the outcome with and without the factor (standardised)."""
    k = t.x.shape[1]
    prior = np.full(k, model.PRIOR_SD)
    prior[0] = np.inf  # intercept: flat
    prior[-1] = 2.5  # previous night: weakly informative (Gelman's scale)
    beta, cov = model.map_normal(t.x, t.y, prior)
    x1, x0 = t.x.copy(), t.x.copy()
    x1[:, 1], x0[:, 1] = 1.0, 0.0
    base = x0 @ beta
    r0 = float(special.expit(base).mean())
    off = (x1 - x0) @ np.eye(k)[1]  # = 1 on every row

    def risk1(b: float) -> float:
        return float(special.expit(base + off * b).mean())

    b1 = float(beta[1])
    se = math.sqrt(max(float(cov[1, 1]), 0.0))
    lo_b, hi_b = b1 - _Z * se, b1 + _Z * se
    r1, r1_lo, r1_hi = risk1(b1), risk1(lo_b), risk1(hi_b)
    a_x, a_y = t.split()
    return {
        "measure": "risk_difference",
        "risk_exposed": r1, "risk_unexposed": r0, "risk_difference": r1 - r0,
        "rd_low": r1_lo - r0, "rd_high": r1_hi - r0,
        "risk_ratio": r1 / r0 if r0 > 0 else None,
        "rr_low": r1_lo / r0 if r0 > 0 else None, "rr_high": r1_hi / r0 if r0 > 0 else None,
        "odds_ratio": math.exp(b1), "or_low": math.exp(lo_b), "or_high": math.exp(hi_b),
        "raw_risk_exposed": float(a_x.mean()) if len(a_x) else None,
        "raw_risk_unexposed": float(a_y.mean()) if len(a_y) else None,
        "shrunk": True,
        "interval": (f"Bayesian logistic model, normal prior sd {model.PRIOR_SD:g} on the log "
                     "odds ratio, Laplace 95% interval; risks standardised over the nights"),
        "test": "Firth logistic regression, penalised likelihood ratio",
    }


def continuous_effect(t: Test) -> dict[str, Any]:
    """Shrunk, adjusted difference in the outcome's own unit (minutes, %, score)."""
    raw = t.outcome.values[t.rows]
    _, _, d, se = model.ols_test(t.x, raw, 1)
    tau = 0.5 * float(np.std(raw)) or 1.0
    if math.isfinite(se) and se > 0:
        post_var = 1.0 / (1.0 / tau**2 + 1.0 / se**2)
        mean = post_var * d / se**2
    else:
        post_var, mean = tau**2, 0.0
    half = _Z * math.sqrt(post_var)
    x, y = t.split()
    return {
        "measure": "difference", "difference": mean, "low": mean - half, "high": mean + half,
        "raw_difference": d,
        "median_exposed": float(np.median(x)), "median_unexposed": float(np.median(y)),
        "mean_exposed": float(x.mean()), "mean_unexposed": float(y.mean()),
        "shrunk": True,
        "interval": "least squares with the same companions, normal prior of half the "
                    "outcome's spread, 95% interval",
        "test": "least squares on normal scores, t test",
    }


def texts(t: Test, effect: dict[str, Any], significant: bool) -> tuple[str, str, str]:
    """(direction, text_nl, text_en) of a tested question."""
    e, o = t.exposure, t.outcome
    x, y = t.split()
    n1, n2 = len(x), len(y)
    adj_nl = [short_label(a, "nl") for a in t.adjusted_for]
    adj_en = [short_label(a, "en") for a in t.adjusted_for]
    if o.kind == "binary":
        a, c = int(x.sum()), int(y.sum())
        direction = "up" if t.z > 0 else "down"
        body_nl = f"{o.label_nl} in {a} van de {n1} nachten; anders in {c} van de {n2}."
        body_en = f"{o.label_en} on {a} of {n1} nights; otherwise on {c} of {n2}."
        r1, r0 = 100 * effect["risk_exposed"], 100 * effect["risk_unexposed"]
        with_nl = f"rekening houdend met {_join(adj_nl, 'nl')} en " if adj_nl else ""
        with_en = f"{_join(adj_en, 'en')} and " if adj_en else ""
        est_nl = (f" Als we {with_nl}ook het toeval meewegen, schatten we de kans op ongeveer "
                  f"{_fmt(r1, 'nl')}% tegen {_fmt(r0, 'nl')}%.")
        est_en = (f" Taking {with_en}chance into account, we estimate the chance at about "
                  f"{_fmt(r1, 'en')}% against {_fmt(r0, 'en')}%.")
        if o.observed_by == "together_nights" and not o.recorded.all():
            est_nl += (f" Dit rust op {t.n_nights} nachten: de nachten dat u apart sliep tellen "
                       "niet mee, omdat uw partner toen niets kon zien.")
            est_en += (f" This rests on {t.n_nights} nights: the nights you slept apart do not "
                       "count, because your partner could not see anything then.")
    else:
        diff = effect["difference"]
        direction = "up" if t.z > 0 else "down"
        unit_nl = o.unit_nl if o.unit_nl == "%" else f" {o.unit_nl}"
        unit_en = o.unit_en if o.unit_en == "%" else f" {o.unit_en}"
        body_nl = (f"{o.label_nl} meestal {_fmt(np.median(x), 'nl')}{unit_nl}; "
                   f"anders {_fmt(np.median(y), 'nl')}{unit_nl} ({n1} tegen {n2} nachten).")
        body_en = (f"{o.label_en} typically {_fmt(np.median(x), 'en')}{unit_en}; "
                   f"otherwise {_fmt(np.median(y), 'en')}{unit_en} ({n1} vs {n2} nights).")
        digits = 1 if abs(diff) < 10 else 0
        est_nl = (f" Voorzichtig geschat is het verschil {_fmt(diff, 'nl', digits)}{unit_nl}"
                  + (f" (rekening houdend met {_join(adj_nl, 'nl')})." if adj_nl else "."))
        est_en = (f" A cautious estimate of the difference is {_fmt(diff, 'en', digits)}{unit_en}"
                  + (f" (taking {_join(adj_en, 'en')} into account)." if adj_en else "."))
        if o.observed_by == "device_nights":
            # Measured, not written: say which nights count (the device was worn).
            est_nl += (f" Dit rust op {t.n_nights} nachten: alleen de nachten dat u uw "
                       f"{o.device_nl} droeg en ook uw dagboek invulde.")
            est_en += (f" This rests on {t.n_nights} nights: only the nights you wore your "
                       f"{o.device_en} and also filled in your diary.")
    if significant:
        tail_nl = ("Dat verschil is waarschijnlijk geen toeval (maar het zegt niet zeker "
                   "dat het de oorzaak is).")
        tail_en = ("That difference is probably not chance (but it does not prove "
                   "it is the cause).")
    else:
        tail_nl = "Dit kan nog toeval zijn; houd het in de gaten, het is nog niet zeker."
        tail_en = "This may still be chance; keep an eye on it, it is not certain yet."
    if e.factor == "slept_apart" and o.code.startswith("episode"):
        tail_nl += " Let op: als u apart slaapt, kan uw partner ook minder zien."
        tail_en += " Note: when you sleep apart, your partner can also see less."
    return (direction, f"{e.prefix_nl}: {body_nl}{est_nl} {tail_nl}",
            f"{e.prefix_en}: {body_en}{est_en} {tail_en}")
