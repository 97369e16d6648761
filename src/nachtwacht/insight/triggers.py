"""Trigger analysis: which factors go together with which night outcomes.

A model, not a pile of tests (details in :mod:`.engine`, :mod:`.model` and
``docs/insight.md``):

* **What could be seen.** An episode type the partner reports is only observed
  on nights in the same bed; the other nights are missing, not "no episode"
  (:mod:`.outcomes`). Every finding says how many nights it rests on
  (``n_nights``).
* **One model per question, with what rides along.** Each factor is judged in a
  regression model of the person's nights together with the factors that move
  with it, the night before's outcome (spells, bad weeks) and, for substances and
  medicines, the use or the nights after stopping. Episodes: Firth logistic
  regression; sleep numbers: least squares on normal scores.
* **A hierarchy of questions.** The primary family -- same-night factors the
  seed articles name, times the person's episode types, "does it raise it?" --
  has its own false-discovery control at ``q_max``; the same factors on earlier
  days, withdrawal, other factor forms and the sleep numbers are secondary
  families, each at :data:`.engine.Q_SECONDARY`.
* **One question asked in advance** (:func:`ask`, ``nachtwacht insight
  --question alcohol_any:sexsomnia``) is tested alone at the full 5 % level.
* **Shrunk effect sizes** (:mod:`.describe`): what people see is pulled towards
  "no difference", so a link picked because it looked strong is not overstated.

A factor is only tested with at least ``min_exposed`` nights with it and
``min_unexposed`` without (among nights where the outcome could be seen);
factors recorded on too few nights are listed under ``skipped`` with how many
more nights they need. Findings say "probably not chance", never "the cause".

Speed: every question is one or two small Newton fits; the full description
(shrunk effect, texts) is made for the headlines and "possible" signals, the
other forms when ``InsightResult.all_findings`` is first read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from nachtwacht.diary.types import Diary, Night

from . import codes, engine
from ._sleep import sleep_numbers
from .describe import binary_effect, continuous_effect, texts
from .engine import MIN_EVENT_NIGHTS, Analysis, Test, factor_family
from .factors import Exposure, build_exposures
from .outcomes import (
    Outcome,
    build_outcomes,
    device_outcomes,
    episode_type_label,
    unmatched_episodes,
)

__all__ = ["MIN_EVENT_NIGHTS", "Answer", "Finding", "InsightResult", "Skipped", "analyse", "ask",
           "factor_family", "headlines", "pair_pvalues"]

#: Fewer diary nights than this: "not enough data yet" (defined in .codes for the CLI).
MIN_NIGHTS = codes.MIN_NIGHTS
#: A factor must be present on at least this many compared nights ...
MIN_EXPOSED = 5
#: ... and absent on at least this many.
MIN_UNEXPOSED = 5
#: False-discovery level of the primary family (the secondary ones: engine.Q_SECONDARY).
#: 0.035 rather than 0.10: with several families, someone with no link at all should
#: get a false "likely" in at most about 5 % of diaries overall, in every scenario of
#: the independent simulation (bench/insight_sim). It was 0.03 with the Firth
#: likelihood-ratio p, which is too liberal with few nights; with the exact conditional
#: mid-p (engine.Analysis.test) 0.035 keeps every null row at or below 5 % on three
#: fresh seeds and wins back part of the power the stricter test costs (docs/insight.md).
Q_MAX = 0.035
#: Weaker signals ("might be, not sure yet"): primary questions with p below this ...
P_POSSIBLE = 0.02
#: ... and q below this (without it, ten questions would always yield chance "maybe"s),
Q_POSSIBLE = 0.20
#: secondary ones with q below this.
Q_POSSIBLE_SECONDARY = 0.05
#: At most this many weaker signals are shown, strongest first.
MAX_POSSIBLE = 5
#: Level of a single question asked in advance (:func:`ask`).
ALPHA_QUESTION = 0.05


@dataclass(frozen=True)
class Finding:
    """One factor-outcome pair worth telling the person about.

    ``lag`` is 0, 1 or 2 (days) or ``"withdrawal"``; ``exposed_label`` is the
    sentence opening in the analysis language ("Na avonden met ...");
    ``effect["measure"]`` names the estimate that ``ci_low``/``ci_high`` belong
    to (a shrunk, adjusted risk difference, or a difference in the outcome's unit).
    ``n_exposed``/``n_unexposed`` and ``events_*`` are the raw counts;
    ``n_nights`` is how many nights the conclusion rests on (both the factor and
    the outcome known, the outcome observable).
    """

    factor: str
    outcome: str
    lag: int | str
    exposed_label: str
    kind: str
    n_exposed: int
    n_unexposed: int
    events_exposed: int | None
    events_unexposed: int | None
    effect: dict[str, Any]
    ci_low: float | None
    ci_high: float | None
    p: float
    q: float
    significant: bool
    direction: Literal["up", "down"]
    text_nl: str
    text_en: str
    #: Nights the conclusion rests on.
    n_nights: int = 0
    #: Question family: primary, lag, withdrawal, other, sleep or question.
    family: str = "primary"
    #: Codes of the factors the model adjusted for (besides the night before).
    adjusted_for: tuple[str, ...] = ()
    #: ``likely`` (significant) or ``possible``.
    strength: str = "possible"
    #: Episode outcomes: ``all_nights`` (own report) or ``together_nights`` (partner).
    observed_by: str = "all_nights"

    def text(self, lang: str = "nl") -> str:
        return self.text_en if lang == "en" else self.text_nl

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


@dataclass(frozen=True)
class Skipped:
    """A factor left out because it was recorded on too few nights."""

    factor: str
    lag: int | str
    label: str
    n_exposed: int
    n_unexposed: int
    nights_needed: int
    #: ``never_present`` (nothing to compare, e.g. someone who does not smoke),
    #: ``too_few_with`` or ``too_few_without`` nights.
    reason: str = "too_few_with"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """The answer to one question asked in advance (:func:`ask`)."""

    factor: str
    outcome: str
    #: ``likely`` (p < 0.05), ``not_shown`` (no clear link) or ``cant_tell`` (too few nights).
    verdict: str
    finding: Finding | None
    text_nl: str
    text_en: str

    def to_dict(self) -> dict[str, Any]:
        return _clean({"factor": self.factor, "outcome": self.outcome, "verdict": self.verdict,
                       "finding": None if self.finding is None else self.finding.to_dict(),
                       "text_nl": self.text_nl, "text_en": self.text_en})


@dataclass(frozen=True)
class InsightResult:
    """Outcome of :func:`analyse`. ``status`` is ``"ok"`` or ``"not_enough_data"``."""

    status: Literal["ok", "not_enough_data"]
    lang: str
    n_nights: int
    min_nights: int
    nights_needed: int
    n_tests: int
    #: Likely links, one per factor family and outcome (the strongest form, see
    #: :func:`headlines`), sorted by family then q value.
    findings: list[Finding] = field(default_factory=list)
    possible: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    message_nl: str = ""
    message_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    #: Episodes logged on dates without a diary night (not analysed, but counted).
    unmatched_episodes: int = 0
    #: Per episode outcome and device outcome: who or what could see it and on how
    #: many nights (``device_nights``: the nights the device was worn).
    observation: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per question family: number of questions and its false-discovery level.
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The answer to a question asked in advance (``analyse(..., question=...)``).
    question: Answer | None = None
    _forms: tuple[tuple[Test, Finding | None], ...] = field(default=(), repr=False,
                                                            compare=False)

    @cached_property
    def all_findings(self) -> list[Finding]:
        """Every likely question, including other forms of the same link
        (other thresholds, lags), in family and q order."""
        return [done if done is not None else describe(t, True, self.lang)
                for t, done in self._forms]

    @property
    def message(self) -> str:
        return self.message_en if self.lang == "en" else self.message_nl

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no NaN or infinity)."""
        def one(f: Finding) -> dict[str, Any]:
            return f.to_dict() | {"text": f.text(self.lang)}

        return _clean({
            "status": self.status, "lang": self.lang, "n_nights": self.n_nights,
            "min_nights": self.min_nights, "nights_needed": self.nights_needed,
            "n_tests": self.n_tests, "message": self.message, "message_nl": self.message_nl,
            "message_en": self.message_en,
            "findings": [one(f) for f in self.findings],
            "possible": [one(f) for f in self.possible],
            "skipped": [s.to_dict() for s in self.skipped],
            "all_findings": [one(f) for f in self.all_findings],
            "params": self.params, "unmatched_episodes": self.unmatched_episodes,
            "observation": self.observation, "families": self.families,
            "question": None if self.question is None else self.question.to_dict(),
        })


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None so the result is strict JSON."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


class _Linked(Protocol):
    factor: str
    lag: int | str
    outcome: str


_L = TypeVar("_L", bound=_Linked)


def headlines(findings: Sequence[_L]) -> list[_L]:
    """The strongest finding per factor family and outcome, in the given order.

    One link shows up many times: as "any alcohol" and "3+ drinks", on the same
    night and the next. The headlines keep the first of each group, and drop the
    episode count when an episode type of the same factor family is already there.
    """
    with_type = {factor_family(f.factor, f.lag) for f in findings
                 if f.outcome.startswith("episode:")}
    out: list[_L] = []
    seen: set[tuple[str, str]] = set()
    for f in findings:
        family = factor_family(f.factor, f.lag)
        if (family, f.outcome) in seen or (f.outcome == "episode_count" and family in with_type):
            continue
        seen.add((family, f.outcome))
        out.append(f)
    return out


def _nights_sorted(nights: Sequence[Night]) -> list[Night]:
    by_date: dict = {}
    for n in nights:
        by_date[n.date] = n  # a later row for the same date wins
    return [by_date[d] for d in sorted(by_date)]


def describe(t: Test, significant: bool, lang: str = "nl") -> Finding:
    """The full finding (shrunk effect, interval, texts) of one answered question."""
    e, o = t.exposure, t.outcome
    x, y = t.split()
    if o.kind == "binary":
        effect = binary_effect(t)
        lo, hi = effect["rd_low"], effect["rd_high"]
        events: tuple[int | None, int | None] = (int(x.sum()), int(y.sum()))
    else:
        effect = continuous_effect(t)
        lo, hi = effect["low"], effect["high"]
        events = (None, None)
    effect["adjusted_for"] = [a.code for a in t.adjusted_for]
    effect["z"] = t.z
    if e.window is not None:
        effect["window_nights"] = e.window
    direction, text_nl, text_en = texts(t, effect, significant)
    return Finding(
        factor=e.factor, outcome=o.code, lag=e.lag,
        exposed_label=e.prefix_en if lang == "en" else e.prefix_nl, kind=o.kind,
        n_exposed=len(x), n_unexposed=len(y), events_exposed=events[0],
        events_unexposed=events[1], effect=_clean(effect), ci_low=_clean(lo), ci_high=_clean(hi),
        p=t.p, q=t.q, significant=significant, direction=direction,  # type: ignore[arg-type]
        text_nl=text_nl, text_en=text_en, n_nights=t.n_nights, family=t.family,
        adjusted_for=tuple(a.code for a in t.adjusted_for),
        strength="likely" if significant else "possible", observed_by=o.observed_by)


def _prepare(nights: list[Night], diary: Diary, min_exposed: int, min_unexposed: int,
             lang: str, device: Any = None) -> tuple[Analysis, list[Skipped]]:
    sleep = sleep_numbers(nights, tz=diary.tz)
    exposures = build_exposures(nights, sleep, tz=diary.tz)
    outcomes = [o for o in build_outcomes(nights, diary.episodes, sleep) if o.kind != "count"]
    if device is not None:
        # Device numbers join the diary's sleep numbers as outcomes (the same "sleep"
        # family and BH pool, see engine.SLEEP_PAIRS); they never become factors.
        outcomes += device_outcomes(nights, device)[0]
    skipped: list[Skipped] = []
    for e in exposures:
        n1, n0 = e.n_exposed, e.n_unexposed
        if e.lag in (0, "withdrawal") and (n1 < min_exposed or n0 < min_unexposed):
            need = max(0, min_exposed - n1) + max(0, min_unexposed - n0)
            reason = ("never_present" if n1 == 0 else
                      "too_few_with" if n1 < min_exposed else "too_few_without")
            skipped.append(Skipped(e.code, e.lag, e.prefix_en if lang == "en" else e.prefix_nl,
                                   n1, n0, need, reason))
    analysis = Analysis([n.date for n in nights], exposures, outcomes, min_exposed,
                        min_unexposed)
    return analysis, skipped


def pair_pvalues(diary: Diary, min_exposed: int = MIN_EXPOSED,
                 min_unexposed: int = MIN_UNEXPOSED,
                 device_nights: Any = None) -> dict[tuple[str, str], float]:
    """Unadjusted-for-multiplicity p of every question :func:`analyse` asks.

    Keyed by (exposure code, outcome code). For checks and benchmarks; people
    should see :func:`analyse`'s findings.
    """
    analysis, _ = _prepare(_nights_sorted(diary.nights), diary, min_exposed, min_unexposed, "nl",
                           device_nights)
    return {(t.exposure.code, t.outcome.code): t.p for t in analysis.run(Q_MAX)}


# ---------------------------------------------------------------------------
# A question asked in advance
# ---------------------------------------------------------------------------
def _parse_question(question: str, analysis: Analysis) -> tuple[Exposure, Outcome]:
    """``"alcohol_any:sexsomnia"`` -> (exposure, outcome).

    Factor codes may hold a colon (``substances:cannabis``) and outcomes may be
    written with or without ``episode:``, so every split point is tried.
    """
    text = question.strip()
    if ":" not in text:
        raise ValueError(f"a question looks like 'factor:outcome' (e.g. alcohol_any:sexsomnia), "
                         f"not {question!r}")
    outcomes = {o.code: o for o in analysis.outcomes}
    factor_seen = None
    parts = text.split(":")
    for i in range(1, len(parts)):
        factor, outcome = ":".join(parts[:i]), ":".join(parts[i:])
        e = analysis.by_code.get(factor)
        if e is None:
            continue
        factor_seen = factor
        o = outcomes.get(outcome) or outcomes.get(f"episode:{outcome}")
        if o is not None:
            return e, o
    if factor_seen is None:
        known = sorted({x.code for x in analysis.exposures})
        raise ValueError(f"unknown or unrecorded factor in {question!r}; this diary has: "
                         f"{', '.join(known) or 'none'}")
    raise ValueError(f"unknown outcome in {question!r}; this diary has: {', '.join(outcomes)}")


def _answer(analysis: Analysis, question: str, lang: str) -> Answer:
    e, o = _parse_question(question, analysis)
    # One question, asked before looking: tested alone at the full level, one-sided
    # ("does it set it off / make it worse?").
    t = analysis.test(e, o, "question", sided="up")
    o_nl = o.label_nl if o.kind != "binary" else episode_type_label(o.code.split(":", 1)[1], "nl")
    o_en = o.label_en if o.kind != "binary" else episode_type_label(o.code.split(":", 1)[1], "en")
    if t is None:
        return Answer(e.code, o.code, "cant_tell", None,
                      f"Uw vraag ({e.prefix_nl.lower()} meer {o_nl}?) kunnen we nog niet "
                      f"beantwoorden: er zijn te weinig nachten met en zonder, of te weinig "
                      f"nachten met {o_nl}.",
                      f"Your question ({e.prefix_en.lower()}, more {o_en}?) cannot be answered "
                      f"yet: too few nights with and without it, or too few nights with {o_en}.")
    t.q = t.p
    likely = t.p < ALPHA_QUESTION
    f = describe(t, likely, lang)
    if likely:
        nl = (f"Uw vraag, apart getoetst: ja, {e.prefix_nl.lower()} was {o_nl} waarschijnlijk "
              f"vaker of erger. Dit rust op {t.n_nights} nachten en is waarschijnlijk geen "
              "toeval (maar het zegt niet zeker dat het de oorzaak is).")
        en = (f"Your question, tested on its own: yes, {e.prefix_en.lower()}, {o_en} was "
              f"probably more frequent or worse. This rests on {t.n_nights} nights and is "
              "probably not chance (but it does not prove it is the cause).")
    else:
        nl = (f"Uw vraag, apart getoetst: in {t.n_nights} nachten zien we niet duidelijk dat "
              f"{e.prefix_nl.lower()} {o_nl} vaker of erger was. Dat kan betekenen dat er geen "
              "verband is, of dat er meer nachten nodig zijn.")
        en = (f"Your question, tested on its own: in {t.n_nights} nights we do not clearly see "
              f"that {e.prefix_en.lower()}, {o_en} was more frequent or worse. There may be no "
              "link, or more nights may be needed.")
    return Answer(e.code, o.code, "likely" if likely else "not_shown", f, nl, en)


def ask(diary: Diary, question: str, lang: str = "nl", min_exposed: int = MIN_EXPOSED,
        min_unexposed: int = MIN_UNEXPOSED, device_nights: Any = None) -> Answer:
    """Test one question asked in advance, alone, at the full 5 % level.

    Parameters
    ----------
    question : str
        ``"factor:outcome"``, e.g. ``"alcohol_any:sexsomnia"``,
        ``"substances:cannabis@withdrawal:nightmare"``, ``"stress_high:sol_min"`` or,
        with ``device_nights``, ``"alcohol_any:device_tst_min"``.
    device_nights : optional
        As in :func:`analyse`.

    Raises
    ------
    ValueError
        For an unknown factor or outcome.
    """
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    analysis, _ = _prepare(_nights_sorted(diary.nights), diary, min_exposed, min_unexposed, lang,
                           device_nights)
    return _answer(analysis, question, lang)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def _messages(n: int, k: int, unmatched: int) -> tuple[str, str]:
    if k:
        nl = (f"In {n} nachten vonden we {k} verband{'en die' if k > 1 else ' dat'} "
              f"waarschijnlijk geen toeval {'zijn' if k > 1 else 'is'}. Een verband is nog "
              "geen oorzaak: bespreek het gerust met uw huisarts.")
        en = (f"In {n} nights we found {k} link{'s that are' if k > 1 else ' that is'} "
              "probably not chance. A link is not proof of a cause: feel free to discuss "
              "it with your GP.")
    else:
        nl = (f"In {n} nachten vonden we geen verband dat duidelijk meer is dan toeval. "
              "Dat kan betekenen dat er geen is, of dat er meer nachten nodig zijn.")
        en = (f"In {n} nights we found no link that is clearly more than chance. "
              "There may be none, or more nights may be needed.")
    if unmatched:
        nl += (f" Let op: {unmatched} episode{'s staan' if unmatched > 1 else ' staat'} op een "
               "datum zonder ingevulde nacht en kon" + ("den" if unmatched > 1 else "") +
               " daarom niet meetellen. Vul die nachten aan als u ze nog weet.")
        en += (f" Note: {unmatched} episode{'s are' if unmatched > 1 else ' is'} on a date "
               "without a diary night and could not be counted. Fill in those nights if you "
               "still remember them.")
    return nl, en


def analyse(
    diary: Diary,
    lang: str = "nl",
    min_nights: int = MIN_NIGHTS,
    min_exposed: int = MIN_EXPOSED,
    min_unexposed: int = MIN_UNEXPOSED,
    q_max: float = Q_MAX,
    question: str | None = None,
    device_nights: Any = None,
) -> InsightResult:
    """Look for factors that go together with episodes and worse sleep.

    Parameters
    ----------
    diary : Diary
        Nights (with factors), episodes and profile.
    lang : {"nl", "en"}
        Language of ``message`` and ``text`` in the result (both are always present).
    min_nights : int
        Below this number of diary nights nothing is tested.
    min_exposed, min_unexposed : int
        Minimum nights with and without a factor before it is tested.
    q_max : float
        False-discovery level of the primary family (likely below it).
    question : str, optional
        A question asked in advance (``"alcohol_any:sexsomnia"``), answered
        alone at the full 5 % level in ``result.question`` (see :func:`ask`).
    device_nights : sequence of DeviceNight or mapping, optional
        Nights measured by a watch or actigraph (:class:`nachtwacht.device.DeviceNight`,
        or any objects with ``date``, ``tst_min``, ``waso_min`` and ``source``), or a
        mapping date -> ``{"device_tst_min": ..., "device_waso_min": ...}``. Adds device
        total sleep time and wake after sleep onset as outcomes in the ``sleep`` family
        (the same false-discovery pool as the diary's sleep numbers); nights without
        device data are missing for them, not zero. ``None``: diary only.

    Returns
    -------
    InsightResult
        Likely findings (one per factor family and outcome), every form of them
        in ``all_findings``, weaker "possible" signals, factors skipped for too
        few nights, the observation model per episode type.
    """
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    for name, v in (("min_nights", min_nights), ("min_exposed", min_exposed),
                    ("min_unexposed", min_unexposed)):
        if not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {v!r}")
    if not 0 < q_max < 1:
        raise ValueError(f"q_max must be between 0 and 1, not {q_max!r}")
    params = {"min_nights": min_nights, "min_exposed": min_exposed,
              "min_unexposed": min_unexposed, "q_max": q_max, "q_secondary": engine.Q_SECONDARY,
              "p_possible": P_POSSIBLE, "q_possible": Q_POSSIBLE,
              "q_possible_secondary": Q_POSSIBLE_SECONDARY,
              "min_event_nights": MIN_EVENT_NIGHTS, "adjust_min_corr": engine.ADJUST_MIN_CORR,
              "primary_factors": list(engine.PRIMARY_FACTORS),
              "device_nights": 0 if device_nights is None else len(device_nights)}
    nights = _nights_sorted(diary.nights)
    n = len(nights)
    unmatched = len(unmatched_episodes(nights, diary.episodes))
    if n < min_nights:
        need = min_nights - n
        return InsightResult(
            "not_enough_data", lang, n, min_nights, need, 0,
            message_nl=(f"Er zijn nog te weinig nachten om patronen te zoeken: {n} van de "
                        f"minstens {min_nights}. Nog {need} nacht{'en' if need != 1 else ''} "
                        "invullen, dan kijken we opnieuw."),
            message_en=(f"Not enough nights yet to look for patterns: {n} of at least "
                        f"{min_nights}. Fill in {need} more night{'s' if need != 1 else ''} "
                        "and we will look again."),
            params=params, unmatched_episodes=unmatched)
    analysis, skipped = _prepare(nights, diary, min_exposed, min_unexposed, lang, device_nights)
    answer = _answer(analysis, question, lang) if question else None
    tests = analysis.run(q_max)
    order = {f: i for i, f in enumerate(engine.FAMILIES)}
    tests.sort(key=lambda t: (order[t.family], t.q, t.p))
    likely = [t for t in tests if t.q < engine.level(t.family, q_max)]
    head_tests = headlines(_Keyed.wrap(likely))
    heads = [describe(k.test, True, lang) for k in head_tests]
    known = {(factor_family(t.exposure.factor, t.exposure.lag), t.outcome.code) for t in likely}
    weak = [t for t in tests if t not in likely and (
        (t.family == "primary" and t.p < P_POSSIBLE and t.q < Q_POSSIBLE)
        or (t.family != "primary" and t.q < Q_POSSIBLE_SECONDARY))
        and (factor_family(t.exposure.factor, t.exposure.lag), t.outcome.code) not in known]
    weak.sort(key=lambda t: t.p)
    possible = [describe(k.test, False, lang) for k in headlines(_Keyed.wrap(weak))][:MAX_POSSIBLE]
    described = {id(k.test): f for k, f in zip(head_tests, heads, strict=True)}
    msg_nl, msg_en = _messages(n, len(heads), unmatched)
    observation = {o.code: {"observed_by": o.observed_by, "n_observed": int(o.recorded.sum()),
                            "n_unobserved": int((~o.recorded).sum())}
                   for o in analysis.outcomes
                   if o.kind == "binary" or o.observed_by == "device_nights"}
    families = {f: {"n_tests": sum(t.family == f for t in tests),
                    "q_level": engine.level(f, q_max),
                    "sided": "up" if f in ("primary", "lag", "withdrawal") else "two"}
                for f in engine.FAMILIES}
    return InsightResult("ok", lang, n, min_nights, 0, len(tests), heads, possible, skipped,
                         message_nl=msg_nl, message_en=msg_en, params=params,
                         unmatched_episodes=unmatched, observation=observation,
                         families=families, question=answer,
                         _forms=tuple((t, described.get(id(t))) for t in likely))


@dataclass(frozen=True)
class _Keyed:
    """A test seen through the (factor, lag, outcome) keys :func:`headlines` groups by."""

    test: Test

    @property
    def factor(self) -> str:
        return self.test.exposure.factor

    @property
    def lag(self) -> int | str:
        return self.test.exposure.lag

    @property
    def outcome(self) -> str:
        return self.test.outcome.code

    @staticmethod
    def wrap(tests: Sequence[Test]) -> list[_Keyed]:
        return [_Keyed(t) for t in tests]
