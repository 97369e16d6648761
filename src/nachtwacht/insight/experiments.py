"""Try one change for a while and compare it honestly with the weeks before.

A person picks one change from :data:`LIBRARY` (or a custom one based on any
factor of :mod:`.factors`), for a period. :func:`compare` sets the experiment
nights against a baseline (by default the same number of days just before the
start) on the same metrics, each with a difference and an interval, and gives
a plain-language verdict:

``better`` / ``worse``
    at least one of the change's *primary* metrics moved clearly (its interval
    excludes no change) in that direction, and none moved clearly the other way;
``no_clear_difference``
    enough nights, but no clear change;
``cant_tell_yet``
    fewer than :data:`MIN_NIGHTS_PER_PERIOD` nights in either period.

Inference: each metric is modelled over the nights of both periods as

    value = level + slope x day + change x (night of the change) + error,

with AR(1) errors (a good night tends to follow a good night). The *change* is
the jump when the change starts, over and above a slow trend that was already
going on; consecutive nights are not counted as independent evidence. The
correlation is the diary's own lag-1 estimate from the model's residuals,
bias-corrected; because 14-56 nights estimate it poorly, the widest interval
over a range of about two standard errors either side (:data:`RHO_MARGIN`)
counts (GLS with Prais-Winsten whitening, t distribution). The test
is one-sided in spirit: of the 5 % error, 4 % is spent on "better" (what the
person asks) and 1 % on "worse", so the interval is a 95 % interval placed
towards "better". In simulations with nothing changed this keeps wrong verdicts
at or below 5 % with independent nights, with a lag-1 correlation of 0.6 and
with a slow trend. Power: with alternating periods (ABAB) a real change is
found far more often than with the worst case over a fixed grid of
correlations; a plain before/after comparison gains little, because the trend
term it needs leaves only the nights around the start to show a jump (see
``docs/insight.md`` and ``bench/bench_experiments.py``).

The verdict looks at several primary metrics, so their intervals are widened
with a Bonferroni correction (e.g. 97.5 % for two metrics). A before/after
comparison is not a trial: other things change too (season, work, stress),
which the texts say. When a trend is likely, :func:`.design.design` proposes
alternating periods (ABAB: a week with, a week without, and again), which
separate a change from a trend far better; :class:`Experiment` accepts such
``phases``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import special

from nachtwacht.diary.types import Diary, Night

from . import codes, model
from ._sleep import SleepNumbers, sleep_numbers
from .factors import FACTORS

#: Fewer nights than this in the experiment or the baseline: "can't tell yet".
MIN_NIGHTS_PER_PERIOD = 7
#: The default baseline is as long as the change, but at least this many days.
MIN_BASELINE_DAYS = 14
#: AR(1) correlations :func:`.design.design` tests a trend over (the widest counts).
RHO_GRID = (0.0, 0.3, 0.6)
#: Half-width of the range of AR(1) correlations around the diary's own
#: bias-corrected estimate, as ``RHO_MARGIN / sqrt(nights)`` (about two standard
#: errors); the widest interval over the range counts. The plain estimate gave 6-9 %
#: wrong verdicts with correlation 0.6 at 14-28 nights; 1.5 still 5.5 % with
#: correlation and trend together at 7+7 nights (``bench/bench_experiments.py``).
RHO_MARGIN = 2.0
#: Highest correlation used (beyond this the nights are nearly one long run).
RHO_MAX = 0.95
#: Share of the 5 % error allowed on the side of "better": the person asks whether
#: the change helps, so most of the test looks that way; "worse" keeps 1 %.
BETTER_SHARE = 0.8
#: Family-wise confidence of the verdict over the primary metrics.
CONFIDENCE = 0.95
#: Out-of-bed times within this many minutes of the target count as "fixed".
RISE_TOLERANCE_MIN = 30
#: Below this share of nights following the rule, the verdict carries a warning.
LOW_ADHERENCE = 0.5

Verdict = Literal["better", "worse", "no_clear_difference", "cant_tell_yet"]
Rule = Callable[[Night, dict], bool | None]


@dataclass(frozen=True)
class Metric:
    """A per-night number compared between the periods."""

    code: str
    label_nl: str
    label_en: str
    unit_nl: str
    unit_en: str
    better: Literal["up", "down"]


METRICS: tuple[Metric, ...] = (
    Metric("sol_min", "Tijd tot inslapen", "Time to fall asleep", "minuten", "minutes", "down"),
    Metric("waso_min", "Wakker in de nacht", "Awake during the night", "minuten", "minutes", "down"),
    Metric("tst_min", "Totale slaaptijd", "Total sleep time", "minuten", "minutes", "up"),
    Metric("se_pct", "Slaapefficiëntie", "Sleep efficiency", "%", "%", "up"),
    Metric("quality", "Slaapkwaliteit (1-5)", "Sleep quality (1-5)", "", "", "up"),
    Metric("episodes", "Episodes per nacht", "Episodes per night", "", "", "down"),
    Metric("tension", "Spierspanning bij wakker worden (0-10)", "Muscle tension on waking (0-10)",
           "", "", "down"),
)
_METRIC_BY_CODE = {m.code: m for m in METRICS}


@dataclass(frozen=True)
class Experiment:
    """One change tried from ``start`` to ``end`` (inclusive; ``None`` = last diary night).

    ``rule(night, ctx)`` says whether a night followed the change (``None``:
    not recorded, or the change does not apply that night). ``primary`` are the
    metrics the verdict is based on.
    """

    code: str
    title_nl: str
    title_en: str
    start: dt.date
    end: dt.date | None = None
    rule: Rule = field(default=lambda n, ctx: None, repr=False, compare=False)
    primary: tuple[str, ...] = ("sol_min", "se_pct")
    #: Alternating design (ABAB): the periods *with* the change, (first, last) morning
    #: each. The nights in between (and the baseline before the first) are without it.
    phases: tuple[tuple[dt.date, dt.date], ...] = ()

    def title(self, lang: str = "nl") -> str:
        return self.title_en if lang == "en" else self.title_nl


def factor_codes() -> list[str]:
    """Factor codes a custom experiment can be built on."""
    return sorted(f.code for f in FACTORS)


def _factor_rule(code: str, want: bool) -> Rule:
    by_code = {f.code: f for f in FACTORS}
    if code not in by_code:
        raise ValueError(f"unknown factor {code!r}; choose one of {', '.join(sorted(by_code))}")
    f = by_code[code]

    def rule(n: Night, ctx: dict) -> bool | None:
        v = f.rule(n, ctx)
        return None if v is None else bool(v) == want
    return rule


def _no_alcohol_weeknights(n: Night, ctx: dict) -> bool | None:
    # Weeknights: evenings Sunday to Thursday (a work or school day follows).
    if (n.date - dt.timedelta(days=1)).weekday() not in (6, 0, 1, 2, 3):
        return None
    return None if n.alcohol_units is None else n.alcohol_units == 0


def _fixed_rise(n: Night, ctx: dict) -> bool | None:
    target = ctx.get("rise_target")
    rise = ctx["rise_by_date"].get(n.date)
    if target is None or rise is None:
        return None
    diff = abs(rise - target)
    return min(diff, 1440 - diff) <= RISE_TOLERANCE_MIN


@dataclass(frozen=True)
class _Template:
    title_nl: str
    title_en: str
    rule: Rule
    primary: tuple[str, ...]


LIBRARY: dict[str, _Template] = {
    "no_caffeine_after_14": _Template(
        "Geen cafeïne na 14:00", "No caffeine after 14:00",
        _factor_rule("caffeine_after_14", False), ("sol_min", "se_pct", "episodes")),
    "wind_down_45": _Template(
        "Elke avond 45 minuten afbouwen zonder schermen of werk",
        "45 minutes of wind-down every evening, without screens or work",
        _factor_rule("wind_down", True), ("sol_min", "quality")),
    "no_alcohol_weeknights": _Template(
        "Geen alcohol door de week (zondag- tot donderdagavond)",
        "No alcohol on weeknights (Sunday to Thursday evening)",
        _no_alcohol_weeknights, ("waso_min", "episodes", "quality")),
    "fixed_rise_time": _Template(
        "Elke dag op dezelfde tijd opstaan (binnen een half uur)",
        "Get up at the same time every day (within half an hour)",
        _fixed_rise, ("sol_min", "se_pct")),
    "relaxation_daily": _Template(
        "Elke avond een ontspannings- of ademoefening",
        "A relaxation or breathing exercise every evening",
        _factor_rule("relaxation", True), ("sol_min", "tension")),
    "no_screens_last_hour": _Template(
        "Geen schermen in het laatste uur voor het slapen",
        "No screens in the last hour before sleep",
        _factor_rule("screens_last_hour", False), ("sol_min", "quality")),
}


if tuple(LIBRARY) != codes.EXPERIMENT_CODES:  # pragma: no cover - import-time guard
    raise ImportError("experiments.LIBRARY differs from codes.EXPERIMENT_CODES")


def make(code: str, start: dt.date, end: dt.date | None = None) -> Experiment:
    """Build a library experiment by ``code`` (see :data:`LIBRARY`)."""
    if code not in LIBRARY:
        raise ValueError(f"unknown experiment {code!r}; choose one of {', '.join(LIBRARY)}")
    t = LIBRARY[code]
    return Experiment(code, t.title_nl, t.title_en, start, end, t.rule, t.primary)


def custom(title: str, start: dt.date, end: dt.date | None, factor: str, want: bool,
           primary: Sequence[str] = ("sol_min", "se_pct", "quality"),
           title_en: str | None = None) -> Experiment:
    """A custom experiment: keep ``factor`` (a code of :data:`.factors.FACTORS`) at ``want``.

    ``title`` is the person's own words (used in both languages unless ``title_en``).
    """
    for m in primary:
        if m not in _METRIC_BY_CODE:
            raise ValueError(f"unknown metric {m!r}; choose from {', '.join(_METRIC_BY_CODE)}")
    if not primary:
        raise ValueError("an experiment needs at least one primary metric")
    return Experiment("custom", title, title_en or title, start, end,
                      _factor_rule(factor, want), tuple(primary))


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricComparison:
    """One metric in the experiment period against the baseline."""

    code: str
    label: str
    primary: bool
    n_experiment: int
    n_baseline: int
    mean_experiment: float | None
    mean_baseline: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    verdict: Verdict
    text_nl: str
    text_en: str
    #: Two-sided p of the change (the widest over the AR(1) grid), if computed.
    p: float | None = None
    #: Slow trend per week in the metric's unit, as estimated by the model.
    trend_per_week: float | None = None
    #: AR(1) correlation behind the reported interval.
    rho: float | None = None


@dataclass(frozen=True)
class ExperimentResult:
    """Outcome of :func:`compare`."""

    code: str
    title: str
    title_nl: str
    title_en: str
    lang: str
    experiment_period: tuple[dt.date, dt.date]
    baseline_period: tuple[dt.date, dt.date]
    n_experiment: int
    n_baseline: int
    adherence: float | None
    adherence_nights: tuple[int, int]
    baseline_adherence: float | None
    metrics: list[MetricComparison]
    verdict: Verdict
    text_nl: str
    text_en: str

    @property
    def text(self) -> str:
        return self.text_en if self.lang == "en" else self.text_nl

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = asdict(self)
        d["experiment_period"] = [x.isoformat() for x in self.experiment_period]
        d["baseline_period"] = [x.isoformat() for x in self.baseline_period]
        d["adherence_nights"] = list(self.adherence_nights)
        d["text"] = self.text
        for m, mc in zip(d["metrics"], self.metrics, strict=True):
            m["text"] = mc.text_en if self.lang == "en" else mc.text_nl
        return d


def _fmt(v: float, lang: str, digits: int = 0) -> str:
    s = f"{v:.{digits}f}"
    if s in ("-0", "-0.0"):
        s = s[1:]
    return s.replace(".", ",") if lang == "nl" else s


def _metric_values(code: str, nights: Sequence[Night], sleep: Sequence[SleepNumbers],
                   episodes_by_date: dict[dt.date, int] | None) -> list[float | None]:
    if code == "episodes":
        if episodes_by_date is None:
            return [None] * len(nights)
        return [float(episodes_by_date.get(n.date, 0)) for n in nights]
    if code in ("quality", "tension"):
        return [None if getattr(n, code) is None else float(getattr(n, code)) for n in nights]
    return [getattr(s, code) for s in sleep]


def change_model(days: np.ndarray, on: np.ndarray, y: np.ndarray, confidence: float,
                 better: Literal["up", "down"] = "down",
                 ) -> tuple[float, float, float, float, float, float]:
    """The jump at the change, over a trend, with AR(1) errors (see the module docstring).

    Parameters
    ----------
    days : ndarray
        Calendar day of every night (gaps allowed).
    on : ndarray of bool
        Nights with the change.
    y : ndarray
        The metric per night.
    confidence : float
        Coverage of the interval; :data:`BETTER_SHARE` of the rest lies on the
        side of "better" (a one-sided test in the direction the person hopes for).
    better : {"up", "down"}
        Which direction of the metric is better.

    Returns
    -------
    (change, low, high, p, trend_per_week, rho)
        ``p`` is two-sided; ``rho`` is the correlation used: the one giving the widest interval over the range around the diary's own
        bias-corrected estimate (:data:`RHO_MARGIN`).
    """
    t = (days - days.mean()) / 7.0
    x = np.column_stack([np.ones(len(y)), t, on.astype(float)])
    # Not the worst of a fixed grid (which always paid for 0.6 and left no power), but
    # the worst over a range around the diary's own estimate, about two standard
    # errors either side: a short series estimates it poorly, so its range is wide.
    # Both ends count, since a higher rho does not always widen the interval of a jump.
    own = model.residual_rho(x, y)
    half = RHO_MARGIN / math.sqrt(len(y))
    rhos = sorted({own, max(0.0, own - half), min(RHO_MAX, own + half)})
    best: tuple[float, float, np.ndarray, int, float] | None = None
    for rho in rhos:
        beta, cov, df = model.ar1_gls(x, y, days, rho)
        se = math.sqrt(max(float(cov[2, 2]), 0.0))
        est = float(beta[2])
        z = abs(est) / se if se > 0 else (0.0 if est == 0 else math.inf)
        if best is None or z < best[0]:
            best = (z, se, beta, df, rho)
    assert best is not None
    _, se, beta, df, rho = best
    est = float(beta[2])
    alpha = 1 - confidence
    a_better, a_worse = alpha * BETTER_SHARE, alpha * (1 - BETTER_SHARE)
    # Upper bound of the interval: how far up the change could be.
    a_up, a_down = (a_better, a_worse) if better == "down" else (a_worse, a_better)
    if se == 0:
        return est, est, est, (1.0 if est == 0 else 0.0), float(beta[1]), rho
    p = float(2 * special.stdtr(df, -abs(est) / se))
    lo = est - float(special.stdtrit(df, 1 - a_down)) * se
    hi = est + float(special.stdtrit(df, 1 - a_up)) * se
    return est, lo, hi, p, float(beta[1]), rho


def _compare_metric(m: Metric, days: np.ndarray, on: np.ndarray, values: np.ndarray,
                    primary: bool, confidence: float, min_nights: int) -> MetricComparison:
    x, y = values[on], values[~on]
    n1, n2 = len(x), len(y)
    label_nl, label_en = m.label_nl, m.label_en
    unit_nl = f" {m.unit_nl}" if m.unit_nl and m.unit_nl != "%" else m.unit_nl
    unit_en = f" {m.unit_en}" if m.unit_en and m.unit_en != "%" else m.unit_en
    if n1 < min_nights or n2 < min_nights:
        return MetricComparison(
            m.code, label_nl, primary, n1, n2, float(x.mean()) if n1 else None,
            float(y.mean()) if n2 else None, None, None, None, confidence, "cant_tell_yet",
            f"{label_nl}: nog te weinig nachten ({n1} tijdens de proef, {n2} ervoor).",
            f"{label_en}: not enough nights yet ({n1} during the change, {n2} before).")
    diff, lo, hi, p, trend, rho = change_model(days, on, values, confidence, m.better)
    if lo > 0 or hi < 0:
        up = diff > 0
        verdict: Verdict = "better" if up == (m.better == "up") else "worse"
    else:
        verdict = "no_clear_difference"
    digits = 1 if m.code in ("quality", "episodes", "tension") else 0
    pct = f"{confidence * 100:.1f}".removesuffix(".0")
    text_nl = (f"{label_nl}: gemiddeld {_fmt(x.mean(), 'nl', digits)}{unit_nl} tijdens de proef, "
               f"{_fmt(y.mean(), 'nl', digits)}{unit_nl} ervoor (verandering bij de start, los "
               f"van een geleidelijke trend: {_fmt(diff, 'nl', digits)}{unit_nl}, "
               f"{pct.replace('.', ',')}%-interval "
               f"{_fmt(lo, 'nl', digits)} tot {_fmt(hi, 'nl', digits)}).")
    text_en = (f"{label_en}: on average {_fmt(x.mean(), 'en', digits)}{unit_en} during the change, "
               f"{_fmt(y.mean(), 'en', digits)}{unit_en} before (change at the start, apart "
               f"from a gradual trend: {_fmt(diff, 'en', digits)}{unit_en}, {pct}% interval "
               f"{_fmt(lo, 'en', digits)} to {_fmt(hi, 'en', digits)}).")
    return MetricComparison(m.code, label_nl, primary, n1, n2, float(x.mean()), float(y.mean()),
                            diff, lo, hi, confidence, verdict, text_nl, text_en, p,
                            trend, rho)


def _verdict_texts(verdict: Verdict, title_nl: str, title_en: str, better: list[MetricComparison],
                   worse: list[MetricComparison], n_exp: int, n_base: int,
                   min_nights: int) -> tuple[str, str]:
    if verdict == "cant_tell_yet":
        need = max(0, min_nights - n_exp)
        more_nl = (f" Nog {need} nacht{'en' if need != 1 else ''} in de proef invullen."
                   if need else "")
        more_en = (f" Record {need} more night{'s' if need != 1 else ''} of the change."
                   if need else "")
        if n_base < min_nights:
            more_nl += " Er zijn ook te weinig ingevulde nachten van vóór de proef om mee te vergelijken."
            more_en += " There are also too few recorded nights before the change to compare with."
        return (
            f"We kunnen nog niet zeggen of '{title_nl}' helpt: er zijn minstens {min_nights} "
            f"ingevulde nachten nodig in de proef én in de periode ervoor (nu {n_exp} en "
            f"{n_base}).{more_nl}",
            f"We can't tell yet whether '{title_en}' helps: at least {min_nights} recorded "
            f"nights are needed both during the change and before it (now {n_exp} and "
            f"{n_base}).{more_en}")
    caveat_nl = ("Let op: dit is een voor-en-navergelijking; ook andere dingen kunnen in die "
                 "weken veranderd zijn.")
    caveat_en = ("Keep in mind this is a before-and-after comparison; other things may have "
                 "changed in those weeks too.")
    if verdict == "better":
        names_nl = ", ".join(m.label.lower() for m in better)
        names_en = ", ".join(_METRIC_BY_CODE[m.code].label_en.lower() for m in better)
        return (f"'{title_nl}' lijkt te helpen: {names_nl} werd duidelijk beter dan ervoor. "
                f"Goed om mee door te gaan. {caveat_nl}",
                f"'{title_en}' seems to help: {names_en} clearly improved compared with before. "
                f"Worth keeping up. {caveat_en}")
    if verdict == "worse":
        names_nl = ", ".join(m.label.lower() for m in worse)
        names_en = ", ".join(_METRIC_BY_CODE[m.code].label_en.lower() for m in worse)
        return (f"Tijdens '{title_nl}' werd {names_nl} duidelijk slechter dan ervoor. Dat hoeft "
                f"niet door de verandering te komen, maar het is geen reden om door te zetten. "
                f"{caveat_nl}",
                f"During '{title_en}', {names_en} got clearly worse than before. That need not be "
                f"caused by the change, but it is no reason to persist. {caveat_en}")
    return (f"Geen duidelijk verschil tussen '{title_nl}' en de periode ervoor. Misschien helpt "
            f"het niet, of is het effect te klein om in deze nachten te zien. Zekerder wordt "
            f"het als u afwisselt: een week wel, een week niet, en dat nog eens.",
            f"No clear difference between '{title_en}' and the period before. It may not help, "
            f"or the effect is too small to see in these nights. Alternating gives a surer "
            f"answer: a week with the change, a week without, and once more.")


def compare(
    diary: Diary,
    experiment: Experiment,
    baseline_days: int | Literal["all"] | None = None,
    lang: str = "nl",
    min_nights: int = MIN_NIGHTS_PER_PERIOD,
) -> ExperimentResult:
    """Compare the experiment period with the baseline before it.

    Parameters
    ----------
    diary : Diary
        The person's diary.
    experiment : Experiment
        From :func:`make` or :func:`custom` (optionally with ``phases``, ABAB).
    baseline_days : int, "all" or None
        Days before the start used as the baseline: ``None`` = as many days as
        the experiment lasts but at least :data:`MIN_BASELINE_DAYS`, ``"all"`` =
        every diary night before the start.
    lang : {"nl", "en"}
        Language of ``text`` (``text_nl`` and ``text_en`` are always there).
    min_nights : int
        Minimum recorded nights in each period for a verdict.

    Returns
    -------
    ExperimentResult
        ``cant_tell_yet`` (not an error) when the change starts after the last
        diary night.
    """
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    if not isinstance(min_nights, int) or min_nights < 2:
        raise ValueError(f"min_nights must be a whole number of at least 2, not {min_nights!r}")
    nights = sorted({n.date: n for n in diary.nights}.values(), key=lambda n: n.date)
    if not nights:
        raise ValueError("the diary has no nights")
    phases = tuple(sorted(experiment.phases))
    for a, b in phases:
        if b < a:
            raise ValueError(f"a period of the change ends ({b}) before it starts ({a})")
    start = phases[0][0] if phases else experiment.start
    if phases:
        end = phases[-1][1]
    elif experiment.end is not None:
        end = experiment.end
    else:
        # Open-ended: up to the last diary night (or the start itself when the change
        # begins after it: nothing to compare yet, which is "can't tell yet").
        end = max(nights[-1].date, start)
    if end < start:
        raise ValueError(f"the experiment ends ({end}) before it starts ({start})")
    length = (end - start).days + 1
    if baseline_days == "all":
        base_start = min(nights[0].date, start - dt.timedelta(days=1))
    elif baseline_days is None:
        days = max(length if not phases else (phases[0][1] - phases[0][0]).days + 1,
                   MIN_BASELINE_DAYS)
        # Counted back from the last diary night before the start, so a change that
        # starts after a gap (or after the last night) still has its full baseline.
        before = [n.date for n in nights if n.date < start]
        anchor = before[-1] if before else start - dt.timedelta(days=1)
        base_start = anchor - dt.timedelta(days=days - 1)
    elif isinstance(baseline_days, int) and baseline_days >= 1:
        base_start = start - dt.timedelta(days=baseline_days)
    else:
        raise ValueError(f"baseline_days must be a positive number of days, 'all' or None, "
                         f"not {baseline_days!r}")
    base_end = start - dt.timedelta(days=1)

    def is_on(d: dt.date) -> bool:
        if phases:
            return any(a <= d <= b for a, b in phases)
        return start <= d <= end

    exp_nights = [n for n in nights if is_on(n.date)]
    # With phases, the nights between them are "without" too (the B in ABAB).
    base_nights = [n for n in nights if base_start <= n.date <= end and not is_on(n.date)]

    sleep = dict(zip([n.date for n in nights], sleep_numbers(nights, tz=diary.tz), strict=True))
    episodes_by_date: dict[dt.date, int] | None = None
    if diary.episodes:
        episodes_by_date = {}
        for e in diary.episodes:
            episodes_by_date[e.date] = episodes_by_date.get(e.date, 0) + e.n

    # Adherence: share of applicable experiment nights that followed the rule.
    rise_by_date = {d: s.out_of_bed_min for d, s in sleep.items() if s.out_of_bed_min is not None}
    exp_rises = [rise_by_date[n.date] for n in exp_nights if n.date in rise_by_date]
    ctx = {"rise_by_date": rise_by_date,
           "rise_target": float(np.median(exp_rises)) if exp_rises else None}

    def adherence(ns: Sequence[Night]) -> tuple[float | None, int, int]:
        marks = [experiment.rule(n, ctx) for n in ns]
        applicable = [m for m in marks if m is not None]
        if not applicable:
            return None, 0, 0
        return sum(applicable) / len(applicable), sum(applicable), len(applicable)

    adh, followed, applicable = adherence(exp_nights)
    base_adh, _, _ = adherence(base_nights)

    primary = [c for c in experiment.primary if c != "episodes" or episodes_by_date is not None]
    level = 1 - (1 - CONFIDENCE) / max(1, len(primary))
    both = sorted(exp_nights + base_nights, key=lambda n: n.date)
    both_sleep = [sleep[n.date] for n in both]
    days_all = np.array([(n.date - nights[0].date).days for n in both], dtype=float)
    on_all = np.array([is_on(n.date) for n in both], dtype=bool)
    comparisons: list[MetricComparison] = []
    for m in METRICS:
        if m.code == "episodes" and episodes_by_date is None:
            continue
        vals = _metric_values(m.code, both, both_sleep, episodes_by_date)
        ok = np.array([v is not None for v in vals], dtype=bool)
        values = np.array([v for v in vals if v is not None], dtype=float)
        is_primary = m.code in primary
        comparisons.append(_compare_metric(m, days_all[ok], on_all[ok], values, is_primary,
                                           level if is_primary else CONFIDENCE, min_nights))

    n_exp, n_base = len(exp_nights), len(base_nights)
    prim = [c for c in comparisons if c.primary]
    better = [c for c in prim if c.verdict == "better"]
    worse = [c for c in prim if c.verdict == "worse"]
    verdict: Verdict
    if n_exp < min_nights or n_base < min_nights or all(c.verdict == "cant_tell_yet"
                                                          for c in prim):
        verdict = "cant_tell_yet"
    elif better and not worse:
        verdict = "better"
    elif worse and not better:
        verdict = "worse"
    else:
        verdict = "no_clear_difference"
    text_nl, text_en = _verdict_texts(verdict, experiment.title_nl, experiment.title_en, better,
                                      worse, n_exp, n_base, min_nights)
    if adh is not None and adh < LOW_ADHERENCE and verdict != "cant_tell_yet":
        text_nl += (f" U hield de verandering vol op {followed} van de {applicable} nachten; "
                    "daardoor zegt de vergelijking minder.")
        text_en += (f" You kept to the change on {followed} of {applicable} nights, so the "
                    "comparison says less.")
    return ExperimentResult(
        experiment.code, experiment.title(lang), experiment.title_nl, experiment.title_en, lang,
        (start, end), (base_start, base_end),
        n_exp, n_base, adh, (followed, applicable), base_adh, comparisons, verdict,
        text_nl, text_en)

