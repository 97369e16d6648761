"""Score what the public analysis says about a simulated diary against the truth.

Only public entry points are used: ``nachtwacht.insight.analyse`` (what
``nachtwacht insight`` calls) and ``nachtwacht.insight.experiments.compare`` /
``make`` (what ``nachtwacht experiment`` calls). The result's fields may grow while
the model is rewritten, so findings are read defensively (:func:`likely_findings`):

- a finding is "likely" when it carries a strength label (``strength``,
  ``verdict``, ``level``, ``category`` or ``confidence`` as text) that says
  likely/probable/strong; without such a label, when it is in ``findings`` (the
  headline list the CLI prints as probable links) or in ``all_findings`` with
  ``significant`` true. "Possible" signals are never counted as likely.
- factors are recognised by words in their code (``alcohol``, ``screen``,
  ``apart``, ``short_sleep``, the stopped medicine's name), outcomes likewise
  (``sleepwalking``; an aggregate such as ``episode_count`` counts for the
  parasomnia when no other episode type is named), withdrawal by a lag or factor
  code mentioning ``withdrawal``/``stop``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .scenarios import Truth

_STRENGTH_ATTRS = ("strength", "verdict", "level", "category", "confidence", "label_strength")
_LIKELY_WORDS = ("likely", "probable", "strong", "waarschijnlijk")
_NOT_LIKELY_WORDS = ("possible", "weak", "maybe", "unlikely", "not", "misschien", "none")
_EPISODE_TYPES = ("sexsomnia", "sleepwalking", "sleep_talking", "confusional_arousal",
                  "night_terror", "nightmare", "dream_enactment", "hypnic_jerk",
                  "restless_legs", "leg_movements", "muscle_tension", "bruxism",
                  "breathing_pause", "sleep_eating", "urge")


@dataclass(frozen=True)
class View:
    """The parts of one finding the scorer looks at."""

    factor: str
    outcome: str
    lag: str  # "0", "1", "2", "withdrawal", ...
    direction: str
    family: str  # "" when the result does not name families


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _strength_says(f: Any) -> bool | None:
    """True/False when the finding labels its own strength, None when it does not."""
    for attr in _STRENGTH_ATTRS:
        v = _get(f, attr)
        if isinstance(v, str) and v:
            low = v.lower()
            if any(w in low for w in _NOT_LIKELY_WORDS):
                return False
            if any(w in low for w in _LIKELY_WORDS):
                return True
    return None


def _view(f: Any) -> View:
    factor = str(_get(f, "factor", "") or _get(f, "exposure", "") or "")
    lag = _get(f, "lag", 0)
    if "@lag" in factor:  # "alcohol_any@lag1" style codes
        factor, _, lag = factor.partition("@lag")
    return View(factor=factor.lower(), outcome=str(_get(f, "outcome", "") or "").lower(),
                lag=str(lag if lag is not None else 0).lower(),
                direction=str(_get(f, "direction", "") or "").lower(),
                family=str(_get(f, "family", "") or "").lower())


def likely_findings(result: Any) -> list[View]:
    """Every finding the result calls likely, headlines and their other forms."""
    seen: dict[tuple[str, str, str], View] = {}
    headline = list(_get(result, "findings", None) or [])
    try:
        others = list(_get(result, "all_findings", None) or [])
    except Exception:  # noqa: BLE001 - a lazily built attribute must not stop the count
        others = []
    for f in headline:
        if _strength_says(f) is not False:
            v = _view(f)
            seen[(v.factor, v.outcome, v.lag)] = v
    for f in others:
        says = _strength_says(f)
        sig = _get(f, "significant", None)
        if says is True or (says is None and sig is True):
            v = _view(f)
            seen[(v.factor, v.outcome, v.lag)] = v
    return list(seen.values())


def is_withdrawal(v: View) -> bool:
    """A finding about stopping something (a rebound), not about using it."""
    return any(w in v.lag or w in v.factor for w in ("withdrawal", "stop", "since"))


def _episode_outcome(outcome: str, target: str) -> bool:
    if target in outcome:
        return True
    named = [t for t in _EPISODE_TYPES if t in outcome]
    return "episode" in outcome and not named


def classify(v: View, truth: Truth) -> str:
    """``found`` (the true trigger, same night), ``related`` (the true trigger at
    another lag, or the stopped medicine's rebound), or ``false``."""
    if truth.trigger and truth.trigger in v.factor and truth.outcome \
            and _episode_outcome(v.outcome, truth.outcome):
        same_night = v.lag in ("0", "none", "") or "same" in v.lag
        return "found" if same_night else "related"
    if truth.stopped and truth.stopped in v.factor and is_withdrawal(v):
        return "related"
    return "false"


def score_insight(result: Any, truth: Truth) -> dict[str, bool]:
    """Yes/no measures of one person's analysis (see ``run.MEASURES``)."""
    views = likely_findings(result)
    kinds = [classify(v, truth) for v in views]
    false = [v for v, k in zip(views, kinds, strict=True) if k == "false"]
    out = {
        "any_false": bool(false),
        # Information only: the false ones in the primary family, when families are named.
        "any_false_primary": any(v.family == "primary" for v in false),
        "found": "found" in kinds,
        "apart_false": any("apart" in v.factor for v in false),
        "short_before_false": any("short_sleep" in v.factor or "sleep_before" in v.factor
                                  for v in false),
    }
    if truth.ride_along:
        out["ride_along"] = any(truth.ride_along in v.factor for v in views)
    if truth.stopped:
        name = truth.stopped
        out["withdrawal_found"] = any(name in v.factor and is_withdrawal(v) for v in views)
        out["use_blamed"] = any(name in v.factor and not is_withdrawal(v) for v in views)
    return out


def false_factors(result: Any, truth: Truth) -> list[str]:
    """Factor codes of the false likely findings (to see what goes wrong)."""
    return [v.factor + ("" if v.lag == "0" else "@" + v.lag)
            for v in likely_findings(result) if classify(v, truth) == "false"]


def question_says_yes(answer: Any) -> bool:
    """Whether the answer to a question asked in advance says "likely" (either direction)."""
    if answer is None:
        return False
    verdict = str(_get(answer, "verdict", "") or "").lower()
    if any(w in verdict for w in _NOT_LIKELY_WORDS + ("cant", "can_t")):
        return False
    return any(w in verdict for w in _LIKELY_WORDS + ("yes",))


_NO_CHANGE = ("no_clear", "cant_tell", "can_t_tell", "not_enough", "unclear", "inconclusive",
              "no_difference", "too_few", "none", "unknown")


def declares_change(result: Any) -> bool:
    """Whether an experiment verdict says the change made a difference (either way)."""
    verdict = str(_get(result, "verdict", "") or "").lower()
    return bool(verdict) and not any(w in verdict for w in _NO_CHANGE)


def declares_better(result: Any) -> bool:
    """Whether an experiment verdict says the change helped."""
    verdict = str(_get(result, "verdict", "") or "").lower()
    return declares_change(result) and any(w in verdict for w in ("better", "help", "improv"))


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95 % interval of a proportion ``k / n``."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
