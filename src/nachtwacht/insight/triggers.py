"""Trigger analysis: which factors go together with which night outcomes.

Every exposure of :mod:`.factors` (all factors, at lags 0, 1 and 2, and
withdrawal) is compared with every outcome of :mod:`.outcomes`, using the tests
of :mod:`.stats`. Benjamini-Hochberg q values are taken across *all* pairs
tested, so looking at hundreds of pairs does not produce a stream of chance
"triggers".

A pair is tested only when, among nights where both were recorded, the factor
was present on at least ``min_exposed`` and absent on at least
``min_unexposed`` nights; factors recorded on too few nights are listed under
``skipped`` with how many more nights they need, and are never reported.
Binary outcomes seen on fewer than :data:`MIN_EVENT_NIGHTS` of the compared
nights are not tested either: such a table cannot reach significance, and
leaving it out (a choice that does not look at the factor) keeps the
multiple-testing burden honest.

Findings say "probably not chance", never "the cause": diaries are
observational, consecutive nights are correlated (see :mod:`.stats`), and a
third thing (a stressful week) can drive both factor and outcome.

Autocorrelation: two unrelated habits that both come in runs (a busy fortnight,
a sticky mood) can look linked to the rank and exact tests, which assume
exchangeable nights. Each finding therefore carries a circular-shift p value
(``effect["shift_p"]``, :func:`.stats.shift_p`) that keeps runs intact; a link
with q < ``q_max`` but shift p >= :data:`SHIFT_P_MAX` is shown as "possible"
with a caution (``effect["rhythm_caution"]``) instead of as a likely link, in
diaries of at least :data:`SHIFT_MIN_DAYS` days (shorter ones allow too few
shifts). This is a partial remedy only: in simulations of two unrelated
habits that both come in runs of about two weeks (84 nights), a false "likely"
same-night link between them appeared in about 23 % of diaries without the
check and 15 % with it (more across lags). A strictly
periodic factor (every Saturday) cannot be told
apart from the weekly rhythm itself and is cautioned too.

Speed: every pair with q < q_max gets the (cheap) rhythm check, because it
decides what is shown; the full description with its bootstrap interval is made
only for the headlines and "possible" signals. The other forms in
``InsightResult.all_findings`` are described the first time that attribute is
read (the CLI's JSON does, the report does not). On a three-year diary this
takes the analysis from about 1.1 s to 0.3-0.4 s of CPU time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from nachtwacht.diary.types import Diary, Night

from . import codes, stats
from ._sleep import sleep_numbers
from .factors import Exposure, build_exposures
from .outcomes import Outcome, build_outcomes

#: Fewer diary nights than this: "not enough data yet" (defined in .codes for the CLI).
MIN_NIGHTS = codes.MIN_NIGHTS
#: A factor must be present on at least this many compared nights ...
MIN_EXPOSED = 5
#: ... and absent on at least this many.
MIN_UNEXPOSED = 5
#: Binary outcomes need at least this many nights with the outcome to be tested.
MIN_EVENT_NIGHTS = 3
#: A finding is reported as likely (not chance) below this false-discovery rate.
Q_MAX = 0.10
#: Weaker signals ("might be, not sure yet") have p below this but q >= Q_MAX ...
P_POSSIBLE = 0.05
#: ... and q below this. Without it, hundreds of pairs would always yield a dozen
#: chance "maybe"s with p < 0.05; this keeps only those that survive a loose FDR.
Q_POSSIBLE = 0.25
#: A link with q < Q_MAX whose circular-shift p (runs of similar nights kept intact)
#: is at least this is shown as "possible" with a caution that a rhythm (work weeks,
#: a busy month) may explain it.
SHIFT_P_MAX = 0.10
#: The rhythm check is only applied to diaries of at least this many days: shorter
#: ones allow too few shifts for it to tell a rhythm from a link (with 4 weeks, one
#: chance re-alignment already gives p = 0.125).
SHIFT_MIN_DAYS = 53
#: At most this many weaker signals are shown, strongest first.
MAX_POSSIBLE = 5


@dataclass(frozen=True)
class Finding:
    """One factor-outcome pair worth telling the person about.

    ``lag`` is 0, 1 or 2 (days) or ``"withdrawal"``; ``exposed_label`` is the
    sentence opening in the analysis language ("Na avonden met ...");
    ``effect["measure"]`` names the estimate that ``ci_low``/``ci_high`` belong
    to (risk difference, rate ratio or median difference).
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
class InsightResult:
    """Outcome of :func:`analyse`. ``status`` is ``"ok"`` or ``"not_enough_data"``."""

    status: Literal["ok", "not_enough_data"]
    lang: str
    n_nights: int
    min_nights: int
    nights_needed: int
    n_tests: int
    #: Likely links, one per factor family and outcome (the strongest form, see
    #: :func:`headlines`), sorted by q value.
    findings: list[Finding] = field(default_factory=list)
    possible: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    message_nl: str = ""
    message_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    #: The forms behind :attr:`all_findings`, described only when someone asks:
    #: on a long diary most of the time would otherwise go into bootstrap intervals
    #: of forms nobody is shown. Entries are ``(form, finding already described or None)``.
    _forms: tuple[tuple[_Form, Finding | None], ...] = field(default=(), repr=False,
                                                             compare=False)

    @cached_property
    def all_findings(self) -> list[Finding]:
        """Every pair with q < q_max, including other forms of the same link
        (other thresholds, lags, the episode count), in q order."""
        return [done if done is not None else _describe(form, self.lang)
                for form, done in self._forms]

    @property
    def message(self) -> str:
        return self.message_en if self.lang == "en" else self.message_nl

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no NaN or infinity)."""
        return {
            "status": self.status,
            "lang": self.lang,
            "n_nights": self.n_nights,
            "min_nights": self.min_nights,
            "nights_needed": self.nights_needed,
            "n_tests": self.n_tests,
            "message": self.message,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            "findings": [f.to_dict() | {"text": f.text(self.lang)} for f in self.findings],
            "possible": [f.to_dict() | {"text": f.text(self.lang)} for f in self.possible],
            "skipped": [s.to_dict() for s in self.skipped],
            "all_findings": [f.to_dict() | {"text": f.text(self.lang)}
                             for f in self.all_findings],
            "params": self.params,
        }


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


def factor_family(factor: str, lag: int | str = 0) -> str:
    """Factors that measure the same thing in different ways ("alcohol_any", "alcohol_3plus").

    Withdrawal from a substance is its own family, apart from using it.
    """
    if lag == "withdrawal":
        return f"{factor}@withdrawal"
    if ":" in factor:
        return factor
    for family in ("alcohol", "caffeine"):
        if factor.startswith(family):
            return family
    return factor


class _Linked(Protocol):
    factor: str
    lag: int | str
    outcome: str


_L = TypeVar("_L", bound=_Linked)


def headlines(findings: Sequence[_L]) -> list[_L]:
    """The strongest finding per factor family and outcome, in the given (q) order.

    One link shows up many times: as "any alcohol" and "3+ drinks", on the same
    night and the next, as episodes of one type and as the episode count. The
    headlines keep the first of each group, and drop the episode count when an
    episode type of the same factor family is already there.
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


# ---------------------------------------------------------------------------
# Pair testing
# ---------------------------------------------------------------------------
@dataclass
class _Pair:
    exposure: Exposure
    outcome: Outcome
    p: float
    q: float = 1.0

    @property
    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcome values on exposed and on unexposed nights (both recorded)."""
        e, o = self.exposure.values, self.outcome
        ok = o.recorded & ~np.isnan(e)
        return o.values[ok & (e == 1)], o.values[ok & (e == 0)]


def _test_outcome(o: Outcome, exposures: Sequence[Exposure], matrix: np.ndarray,
                  min_exposed: int, min_unexposed: int) -> list[_Pair]:
    """Test one outcome against every exposure (rows of ``matrix``; NaN = not recorded).

    Exposures are grouped by which nights they were recorded on, so the outcome
    is ranked once per group and rank sums come from one matrix product.
    """
    pairs: list[_Pair] = []
    recorded = np.isnan(matrix)
    # Group rows by their pattern of recorded nights (most share the same one).
    groups: dict[bytes, list[int]] = {}
    for i in range(len(exposures)):
        groups.setdefault(recorded[i].tobytes(), []).append(i)
    for rows in groups.values():
        ok = o.recorded & ~recorded[rows[0]]
        m = int(ok.sum())
        if m < min_exposed + min_unexposed:
            continue
        vals = o.values[ok]
        sub = matrix[np.ix_(rows, np.flatnonzero(ok))] == 1  # exposed, within compared nights
        n1 = sub.sum(axis=1)
        n0 = m - n1
        keep = (n1 >= min_exposed) & (n0 >= min_unexposed)
        if not keep.any():
            continue
        if o.kind == "binary":
            total = int(vals.sum())
            if total < MIN_EVENT_NIGHTS or total == m:
                continue
            events = sub.astype(float) @ vals
            for r, k1, a in zip(np.flatnonzero(keep), n1[keep], events[keep], strict=True):
                p = stats.fisher_exact_p(int(a), int(k1), total - int(a), m - int(k1))
                pairs.append(_Pair(exposures[rows[r]], o, p))
            continue
        ranks, counts = stats.midranks(vals)
        if len(counts) == 1:
            continue
        for r, p in zip(np.flatnonzero(keep), stats.rank_sum_p_many(ranks, counts, sub[keep]),
                        strict=True):
            pairs.append(_Pair(exposures[rows[r]], o, float(p)))
    return pairs


def _fmt(v: float, lang: str, digits: int = 0) -> str:
    s = f"{v:.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s


def _on_calendar(values: np.ndarray, day_offsets: np.ndarray) -> np.ndarray:
    """Place per-night values on consecutive calendar days (NaN for days not in the diary)."""
    out = np.full(int(day_offsets[-1]) + 1, np.nan)
    out[day_offsets] = values
    return out


@dataclass(frozen=True)
class _Form:
    """A tested pair with its rhythm check done: all that is needed to pick what to show."""

    pair: _Pair
    #: Reported as likely (q < q_max and, in long diaries, not explained by a rhythm).
    significant: bool
    shift_p: float | None
    rhythm: bool

    @property
    def factor(self) -> str:
        return self.pair.exposure.factor

    @property
    def lag(self) -> int | str:
        return self.pair.exposure.lag

    @property
    def outcome(self) -> str:
        return self.pair.outcome.code


def _check_rhythm(pair: _Pair, significant: bool, day_offsets: np.ndarray) -> _Form:
    """Attach the circular-shift p value; a link that does not survive it is not significant."""
    # Runs of similar nights: a link that does not survive rotating the two series
    # against each other may come from a shared rhythm (see stats.shift_p).
    sp = stats.shift_p(_on_calendar(pair.exposure.values, day_offsets),
                       _on_calendar(pair.outcome.values, day_offsets))
    rhythm = (significant and sp is not None and sp >= SHIFT_P_MAX
              and int(day_offsets[-1]) + 1 >= SHIFT_MIN_DAYS)
    return _Form(pair, significant and not rhythm, sp, rhythm)


def _describe(form: _Form, lang: str = "nl") -> Finding:
    """The full finding (effect size, interval, texts) of one checked pair."""
    pair, significant, sp, rhythm = form.pair, form.significant, form.shift_p, form.rhythm
    e, o = pair.exposure, pair.outcome
    x, y = pair.xy
    n1, n2 = len(x), len(y)
    events_x = events_y = None
    if o.kind == "binary":
        a, c = int(x.sum()), int(y.sum())
        events_x, events_y = a, c
        rd, lo, hi = stats.risk_difference(a, n1, c, n2)
        rr, rr_lo, rr_hi = stats.risk_ratio(a, n1, c, n2)
        effect = {"measure": "risk_difference", "risk_exposed": a / n1, "risk_unexposed": c / n2,
                  "risk_difference": rd, "risk_ratio": rr, "rr_low": rr_lo, "rr_high": rr_hi,
                  "interval": "Newcombe hybrid score (RD); Katz log (RR)"}
        direction = "up" if rd > 0 else "down"
        body_nl = f"{o.label_nl} in {a} van de {n1} nachten; anders in {c} van de {n2}."
        body_en = f"{o.label_en} on {a} of {n1} nights; otherwise on {c} of {n2}."
    elif o.kind == "count":
        events_x, events_y = int(x.sum()), int(y.sum())
        rr = stats.rate_ratio(x, y)
        lo, hi = rr["low"], rr["high"]
        effect = {"measure": "rate_ratio", **rr,
                  "interval": "exact conditional (Clopper-Pearson), widened for clustering"}
        direction = "up" if rr["rate_exposed"] > rr["rate_unexposed"] else "down"
        body_nl = (f"gemiddeld {_fmt(x.mean(), 'nl', 1)} episodes per nacht "
                   f"({events_x} in {n1} nachten); anders {_fmt(y.mean(), 'nl', 1)} "
                   f"({events_y} in {n2} nachten).")
        body_en = (f"on average {_fmt(x.mean(), 'en', 1)} episodes per night "
                   f"({events_x} in {n1} nights); otherwise {_fmt(y.mean(), 'en', 1)} "
                   f"({events_y} in {n2} nights).")
    else:
        diff, lo, hi = stats.median_difference(x, y)
        mdiff = float(x.mean() - y.mean())
        effect = {"measure": "median_difference", "median_exposed": float(np.median(x)),
                  "median_unexposed": float(np.median(y)), "difference": diff,
                  "mean_exposed": float(x.mean()), "mean_unexposed": float(y.mean()),
                  "interval": "percentile bootstrap, fixed seed"}
        direction = "up" if (diff > 0 or (diff == 0 and mdiff > 0)) else "down"
        unit_nl = o.unit_nl if o.unit_nl == "%" else f" {o.unit_nl}"
        unit_en = o.unit_en if o.unit_en == "%" else f" {o.unit_en}"
        body_nl = (f"{o.label_nl} meestal {_fmt(np.median(x), 'nl')}{unit_nl}; "
                   f"anders {_fmt(np.median(y), 'nl')}{unit_nl} "
                   f"({n1} tegen {n2} nachten).")
        body_en = (f"{o.label_en} typically {_fmt(np.median(x), 'en')}{unit_en}; "
                   f"otherwise {_fmt(np.median(y), 'en')}{unit_en} "
                   f"({n1} vs {n2} nights).")
    effect["shift_p"] = sp
    effect["rhythm_caution"] = rhythm
    if rhythm:
        tail_nl = ("Het verschil is groot, maar het kan ook komen door reeksen van gelijke dagen "
                   "(zoals werkweken, weekenden of een drukke periode); daarom nog niet zeker.")
        tail_en = ("The difference is large, but it may also come from runs of similar days "
                   "(such as work weeks, weekends or a busy spell), so it is not certain yet.")
    elif significant:
        tail_nl = ("Dat verschil is waarschijnlijk geen toeval (maar het zegt niet zeker "
                   "dat het de oorzaak is).")
        tail_en = ("That difference is probably not chance (but it does not prove "
                   "it is the cause).")
    else:
        tail_nl = "Dit kan nog toeval zijn; houd het in de gaten, het is nog niet zeker."
        tail_en = "This may still be chance; keep an eye on it, it is not certain yet."
    if e.factor == "slept_apart" and o.code.startswith("episode"):
        # A partner who sleeps elsewhere cannot see what happens: fewer reports, not fewer episodes.
        tail_nl += " Let op: als u apart slaapt, kan uw partner ook minder zien."
        tail_en += " Note: when you sleep apart, your partner can also see less."
    return Finding(
        factor=e.factor, outcome=o.code, lag=e.lag, exposed_label=e.prefix_en if lang == "en" else e.prefix_nl,
        kind=o.kind,
        n_exposed=n1, n_unexposed=n2, events_exposed=events_x, events_unexposed=events_y,
        effect=_clean(effect), ci_low=_clean(lo), ci_high=_clean(hi), p=pair.p, q=pair.q,
        significant=significant, direction=direction,
        text_nl=f"{e.prefix_nl}: {body_nl} {tail_nl}",
        text_en=f"{e.prefix_en}: {body_en} {tail_en}",
    )


def _tested_pairs(nights: list[Night], diary: Diary, min_exposed: int, min_unexposed: int,
                  lang: str) -> tuple[list[_Pair], list[Skipped]]:
    sleep = sleep_numbers(nights, tz=diary.tz)
    exposures = build_exposures(nights, sleep, tz=diary.tz)
    outcomes = build_outcomes(nights, diary.episodes, sleep)
    skipped: list[Skipped] = []
    tested: list[Exposure] = []
    for e in exposures:
        n1, n0 = e.n_exposed, e.n_unexposed
        if n1 >= min_exposed and n0 >= min_unexposed:
            tested.append(e)
        elif e.lag in (0, "withdrawal"):
            need = max(0, min_exposed - n1) + max(0, min_unexposed - n0)
            reason = ("never_present" if n1 == 0 else
                      "too_few_with" if n1 < min_exposed else "too_few_without")
            skipped.append(Skipped(e.code, e.lag, e.prefix_en if lang == "en" else e.prefix_nl,
                                   n1, n0, need, reason))
    pairs: list[_Pair] = []
    if tested:
        matrix = np.vstack([e.values for e in tested])
        for o in outcomes:
            pairs.extend(_test_outcome(o, tested, matrix, min_exposed, min_unexposed))
    return pairs, skipped


def pair_pvalues(diary: Diary, min_exposed: int = MIN_EXPOSED,
                 min_unexposed: int = MIN_UNEXPOSED) -> dict[tuple[str, str], float]:
    """Unadjusted p of every pair that :func:`analyse` tests, keyed by (exposure, outcome).

    For checks and benchmarks; people should see :func:`analyse`'s findings.
    """
    pairs, _ = _tested_pairs(_nights_sorted(diary.nights), diary, min_exposed, min_unexposed, "nl")
    return {(p.exposure.code, p.outcome.code): p.p for p in pairs}


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def analyse(
    diary: Diary,
    lang: str = "nl",
    min_nights: int = MIN_NIGHTS,
    min_exposed: int = MIN_EXPOSED,
    min_unexposed: int = MIN_UNEXPOSED,
    q_max: float = Q_MAX,
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
        False-discovery rate below which a finding is reported as likely.

    Returns
    -------
    InsightResult
        Findings (one per factor family and outcome) sorted by q value then p
        value, every form of them in ``all_findings``, weaker "possible"
        signals, factors skipped for too few nights.
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
              "min_unexposed": min_unexposed, "q_max": q_max, "p_possible": P_POSSIBLE,
              "q_possible": Q_POSSIBLE, "min_event_nights": MIN_EVENT_NIGHTS,
              "shift_p_max": SHIFT_P_MAX, "shift_min_days": SHIFT_MIN_DAYS}
    nights = _nights_sorted(diary.nights)
    n = len(nights)
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
            params=params)
    pairs, skipped = _tested_pairs(nights, diary, min_exposed, min_unexposed, lang)
    q = stats.bh_qvalues([p.p for p in pairs])
    for pair, qv in zip(pairs, q, strict=True):
        pair.q = float(qv)
    pairs.sort(key=lambda p: (p.q, p.p))
    day_offsets = np.array([(nt.date - nights[0].date).days for nt in nights])
    # Only the rhythm check runs on every form; the full description (with its
    # bootstrap interval) is made for the forms shown, the rest when asked for.
    checked = [_check_rhythm(p, True, day_offsets) for p in pairs if p.q < q_max]
    every = [f for f in checked if f.significant]
    head_forms = headlines(every)
    heads = [_describe(f, lang) for f in head_forms]
    # Weaker signals, leaving out links already reported in another form: first the
    # strong ones that a rhythm may explain, then p < 0.05 with a loose q.
    known = {(factor_family(f.factor, f.lag), f.outcome) for f in every}
    rhythm = [f for f in headlines([f for f in checked if not f.significant])
              if (factor_family(f.factor, f.lag), f.outcome) not in known]
    known |= {(factor_family(f.factor, f.lag), f.outcome) for f in rhythm}
    weak = [p for p in pairs if q_max <= p.q < Q_POSSIBLE and p.p < P_POSSIBLE
            and (factor_family(p.exposure.factor, p.exposure.lag), p.outcome.code) not in known]
    room = max(0, MAX_POSSIBLE - len(rhythm))
    possible = [_describe(f, lang) for f in
                (rhythm + [_check_rhythm(p, False, day_offsets) for p in weak[:room]])
                [:MAX_POSSIBLE]]
    described = {id(f): d for f, d in zip(head_forms, heads, strict=True)}
    if heads:
        k = len(heads)
        msg_nl = (f"In {n} nachten vonden we {k} verband{'en die' if k > 1 else ' dat'} "
                  f"waarschijnlijk geen toeval {'zijn' if k > 1 else 'is'}. Een verband is nog "
                  "geen oorzaak: bespreek het gerust met uw huisarts.")
        msg_en = (f"In {n} nights we found {k} link{'s that are' if k > 1 else ' that is'} "
                  "probably not chance. A link is not proof of a cause: feel free to discuss "
                  "it with your GP.")
    else:
        msg_nl = (f"In {n} nachten vonden we geen verband dat duidelijk meer is dan toeval. "
                  "Dat kan betekenen dat er geen is, of dat er meer nachten nodig zijn.")
        msg_en = (f"In {n} nights we found no link that is clearly more than chance. "
                  "There may be none, or more nights may be needed.")
    return InsightResult("ok", lang, n, min_nights, 0, len(pairs), heads, possible, skipped,
                         message_nl=msg_nl, message_en=msg_en, params=params,
                         _forms=tuple((f, described.get(id(f))) for f in every))
