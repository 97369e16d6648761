"""The trigger questions, their models and their error control (used by :mod:`.triggers`).

Per outcome, every question "does factor F go with outcome O?" is answered by one
regression model of the person's nights (:mod:`.model`) with, together:

* the factor F itself;
* the primary factors (and withdrawals) that move with F in this diary
  (:data:`ADJUST_MIN_CORR` or more correlation on the nights compared, and at
  least 2 / sqrt(nights) so chance correlations of a short diary do not count; at
  most :data:`MAX_ADJUST`) and that come before F in :data:`PRECEDENCE`: a factor
  that only rides along with the real trigger (screens on drinking evenings) then
  gets no credit of its own. Which factors enter depends on the factors alone,
  never on the outcome, so the test keeps its level;
* forced companions: the same-night form of a lagged factor (so "the night after"
  is not an echo of "the same night"); the use itself for a withdrawal factor,
  and the withdrawal nights for a use factor (so "nights with the pill" and
  "nights after stopping it" are told apart);
* the outcome of the night before (episodes come in spells, sleep has good and
  bad weeks): with it in the model, nights are close to independent given the
  past, so the test does not mistake two rhythms for a link.

Yes/no outcomes use Firth logistic regression with a penalised likelihood-ratio
test; a one-sided question must also pass the exact conditional test on the counts
(mid-p, :func:`.model.conditional_p`), because the Firth test is too liberal with few
nights. Sleep numbers use least squares on normal scores with a t test.

Questions come in families, each with its own Benjamini-Hochberg control:

``primary``
    same-night factors the seed articles name as triggers (:data:`PRIMARY_FACTORS`
    and every substance and medicine) x the person's episode types, one-sided
    (does it *raise* the episode?) at ``q_max``;
``lag``, ``withdrawal``, ``sleep``
    the named pairs with the factor on the day before; the nights after stopping
    a substance or medicine; and the named factors x the sleep numbers
    (:data:`SLEEP_PAIRS`). Each at its own level in :data:`Q_SECONDARY`, so the
    secondary families together add only a small share of false "likely"
    findings for someone with no link at all.

Other factor forms (3+ drinks, caffeine after 15:00, naps, ...) and pairs the
articles do not name are not asked by default: each extra question costs the
named ones power or adds chance findings. A person can ask any of them as a
pre-registered question.

A pre-registered question (:func:`ask_one`) is one test at the full 5 % level.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import model, stats
from .factors import Exposure
from .outcomes import Outcome

#: The main same-night factors the seed articles name as triggers; with every substance
#: and medicine they are the companions a model may adjust for. (Shift work and travel
#: are named for hypnic jerks only, and "a day shift" mostly marks weekdays, which
#: would make every weekend habit look confounded.)
PRIMARY_FACTORS = ("alcohol_any", "caffeine_after_14", "stress_high", "short_sleep_before",
                   "late_exercise", "screens_last_hour")
#: Episode types the seed articles discuss together (NREM parasomnias: one group).
_NREM = ("sexsomnia", "sleepwalking", "sleep_talking", "confusional_arousal", "night_terror",
         "sleep_eating")
#: Which same-night factor the seed articles name as a trigger of which episode type
#: (``*`` = every substance or medicine). Primary questions are these pairs; other
#: factor-episode pairs are asked in the secondary ``other`` family.
#: Sources (shared/seeds): sexsomnia article -- short nights, medicines, alcohol,
#: drugs, stress; hypnic-jerk article -- stress, caffeine and nicotine, short nights,
#: jet lag, shift work, late hard exercise, screens, alcohol and sleeping pills;
#: muscle-tension article -- stress, screens, late hard exercise; ketamine article --
#: nightmares (REM rebound).
SEED_PAIRS: dict[str, tuple[str, ...]] = {
    **{t: ("alcohol_any", "short_sleep_before", "stress_high", "*") for t in _NREM},
    "hypnic_jerk": ("stress_high", "caffeine_after_14", "nicotine", "short_sleep_before",
                    "travel", "shift_work", "late_exercise", "screens_last_hour", "alcohol_any",
                    "medication:*"),
    "bruxism": ("stress_high", "screens_last_hour", "late_exercise"),
    "muscle_tension": ("stress_high", "screens_last_hour", "late_exercise"),
    "nightmare": ("substances:*",),
}
#: Share of the primary family's error rate per episode type, relative to 1: the NREM
#: parasomnias (sexsomnia, sleepwalking, ...) count double, because for them knowing the
#: trigger matters most (the partner's safety, injuries) and the seed articles name their
#: triggers most plainly. Fixed in advance; weights still average 1 over the family.
OUTCOME_PRIORITY: dict[str, float] = {t: 2.0 for t in _NREM}
#: The same for the sleep numbers: which factor the articles say keeps people awake,
#: makes sleep lighter or muscles tense. Only these pairs form the ``sleep`` family.
SLEEP_PAIRS: dict[str, tuple[str, ...]] = {
    "sol_min": ("caffeine_after_14", "stress_high", "screens_last_hour", "late_exercise", "*"),
    "se_pct": ("alcohol_any", "caffeine_after_14", "stress_high", "*"),
    "tension": ("stress_high", "screens_last_hour", "late_exercise"),
    # Device outcomes (only when device nights are passed): the factors named for
    # efficiency, since total sleep time and waking in the night are what efficiency is
    # made of. Same family, same BH pool as the diary's numbers: each adds its share.
    "device_tst_min": ("alcohol_any", "caffeine_after_14", "stress_high", "*"),
    "device_waso_min": ("alcohol_any", "caffeine_after_14", "stress_high", "*"),
}
#: A factor moving with the tested one at least this much (|correlation|) enters its model.
#: 0.4: a strong companion (screens on 80 % of drinking evenings, r about 0.6) always
#: enters; the loose everyday links between habits mostly do not, each of which would
#: cost power (in simulations about a quarter of the power at four weeks for 0.3).
ADJUST_MIN_CORR = 0.4
#: At most this many such companions per model (the most correlated).
MAX_ADJUST = 3
#: False-discovery level of each secondary family (sleep numbers and withdrawal: few,
#: named questions; lags and other forms: many, so stricter).
Q_SECONDARY = {"lag": 0.002, "withdrawal": 0.01, "sleep": 0.004}
#: Binary outcomes need at least this many nights with (and without) the outcome.
MIN_EVENT_NIGHTS = 3
FAMILIES = ("primary", "lag", "withdrawal", "sleep")


def is_list_factor(code: str) -> bool:
    return code.startswith(("substances:", "medication:"))


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


def question_family(e: Exposure, o: Outcome) -> str | None:
    """The family a (factor, outcome) question belongs to, or ``None`` if it is not asked."""
    if o.code in e.not_against:
        return None
    if o.kind == "continuous":
        if e.lag == "withdrawal":
            return "withdrawal"
        return "sleep" if e.lag == 0 and _named(e.factor, SLEEP_PAIRS.get(o.code, ())) else None
    if o.kind != "binary":
        return None
    if e.lag == "withdrawal":
        return "withdrawal"
    if not is_seed_pair(e.factor, o.code):
        # Not asked unless the person asks (:func:`.triggers.ask`): every extra question
        # costs the ones that matter power, or adds false "likely" findings.
        return None
    if e.lag != 0:
        # The night after (lag 1) only: lag 2 doubles the family for little (kept as an
        # exposure for :func:`ask`).
        return "lag" if e.lag == 1 else None
    return "primary"


#: Precedence among companions that move together (see :func:`rank`).
PRECEDENCE = ("withdrawal", "substances:", "medication:", "alcohol_any", "short_sleep_before",
              "stress_high", "caffeine_after_14", "late_exercise", "screens_last_hour")


def rank(e: Exposure) -> int:
    """Precedence of an exposure when two habits go together (lower = adjusted for first).

    When two habits move together so closely that a diary can hardly tell them
    apart (screens on drinking evenings), only the one that comes *later* here is
    adjusted for the other: the screens are judged over and above the alcohol, not
    the alcohol over and above the screens. Adjusting both ways would cost the
    real trigger most of its power in a month of nights (in simulations of everyday
    habits, screens go with drinking in most diaries). The order follows the seed
    articles: stopping a substance, substances and medicines, alcohol, short
    nights, stress, caffeine, late exercise, screens; other factor forms come last.
    The order is fixed in advance and never looks at the outcomes.
    """
    key = "withdrawal" if e.lag == "withdrawal" else e.factor
    for i, p in enumerate(PRECEDENCE):
        if key == p or (p.endswith(":") and key.startswith(p)):
            return i
    return len(PRECEDENCE)


def _named(factor: str, named: tuple[str, ...]) -> bool:
    if factor in named or (is_list_factor(factor) and "*" in named):
        return True
    return is_list_factor(factor) and f"{factor.split(':', 1)[0]}:*" in named


def is_seed_pair(factor: str, outcome: str) -> bool:
    """Whether the seed articles name ``factor`` as a trigger of episode ``outcome``."""
    return _named(factor, SEED_PAIRS.get(outcome.removeprefix("episode:"), ()))


@dataclass
class Test:
    """One question answered by one model."""

    family: str
    exposure: Exposure
    outcome: Outcome
    #: Nights used (outcome and factor both recorded).
    rows: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    adjusted_for: tuple[Exposure, ...]
    sided: str
    p: float = 1.0
    z: float = 0.0
    q: float = 1.0

    @property
    def n_nights(self) -> int:
        return int(self.rows.sum())

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcome values on exposed and on unexposed nights among the rows used."""
        e = self.exposure.values[self.rows]
        v = self.outcome.values[self.rows]
        return v[e == 1], v[e == 0]


def _previous(dates: Sequence[dt.date]) -> np.ndarray:
    """Row of the previous calendar night (-1 when it is not in the diary)."""
    index = {d: i for i, d in enumerate(dates)}
    return np.array([index.get(d - dt.timedelta(days=1), -1) for d in dates], dtype=int)


class Analysis:
    """The models of one diary; build once, then ask questions (:meth:`test`)."""

    def __init__(self, dates: Sequence[dt.date], exposures: Sequence[Exposure],
                 outcomes: Sequence[Outcome], min_exposed: int, min_unexposed: int) -> None:
        self.n = len(dates)
        self.prev = _previous(dates)
        self.exposures = list(exposures)
        self.outcomes = list(outcomes)
        self.min_exposed, self.min_unexposed = min_exposed, min_unexposed
        self.by_code = {e.code: e for e in exposures}
        # Companions a model may adjust for: the primary same-night factors and every
        # withdrawal. Not every factor form: in a month of nights a dozen more candidates
        # would each pass the correlation bar by chance now and then, costing power.
        self.pool = [e for e in exposures if e.lag == "withdrawal"
                     or (e.lag == 0 and (e.factor in PRIMARY_FACTORS or is_list_factor(e.factor)))]
        self.pool_values = np.vstack([e.values for e in self.pool]) if self.pool else \
            np.zeros((0, self.n))
        self._y: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._pool_cache: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # -- outcome side -------------------------------------------------------
    def _outcome(self, o: Outcome) -> tuple[np.ndarray, np.ndarray]:
        """Modelled outcome values (normal scores for sleep numbers) and the previous night's."""
        if o.code not in self._y:
            rec = o.recorded
            y = np.full(self.n, np.nan)
            if o.kind == "binary":
                y[rec] = o.values[rec]
            elif rec.any():
                y[rec] = model.normal_scores(o.values[rec])
            fill = float(np.nanmean(y)) if rec.any() else 0.0
            prev = np.where(self.prev >= 0, y[np.maximum(self.prev, 0)], np.nan)
            self._y[o.code] = (y, np.where(np.isnan(prev), fill, prev))
        return self._y[o.code]

    # -- one question ---------------------------------------------------------
    def _forced(self, e: Exposure) -> list[Exposure]:
        out = []
        if e.lag not in (0, "withdrawal") and e.factor in self.by_code:
            out.append(self.by_code[e.factor])  # same-night form of a lagged factor
        if e.lag == "withdrawal" and e.factor in self.by_code:
            out.append(self.by_code[e.factor])  # the use itself
        if e.lag == 0 and f"{e.factor}@withdrawal" in self.by_code:
            out.append(self.by_code[f"{e.factor}@withdrawal"])
        return out

    def design(self, e: Exposure, o: Outcome) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         tuple[Exposure, ...]] | None:
        """Rows, design matrix (intercept, factor, companions, previous night) and outcome."""
        y_all, prev = self._outcome(o)
        rows = o.recorded & ~np.isnan(e.values)
        if o.code in e.not_against:
            return None
        ev = e.values[rows]
        n1 = int((ev == 1).sum())
        if n1 < self.min_exposed or len(ev) - n1 < self.min_unexposed:
            return None
        y = y_all[rows]
        if o.kind == "binary":
            k = int(y.sum())
            if k < MIN_EVENT_NIGHTS or len(y) - k < MIN_EVENT_NIGHTS:
                return None
        elif np.ptp(o.values[rows]) == 0:
            return None
        forced = [f for f in self._forced(e) if f.code != e.code]
        chosen = list(forced)
        fam = factor_family(e.factor, e.lag)
        if len(self.pool):
            centred, sd = self._pool_on(rows)
            ec = ev - ev.mean()
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = centred @ ec / (len(ec) * sd * ec.std())
            corr = np.nan_to_num(corr)
            order = np.argsort(-np.abs(corr))
            # The bar rises for short diaries, where chance correlations are larger.
            bar = max(ADJUST_MIN_CORR, 2.0 / np.sqrt(len(ec)))
            extra = 0
            for i in order:
                if abs(corr[i]) < bar or extra >= MAX_ADJUST:
                    break
                c = self.pool[i]
                if c.code == e.code or c in chosen or factor_family(c.factor, c.lag) == fam \
                        or o.code in c.not_against or rank(c) >= rank(e):
                    continue
                if c.lag == "withdrawal" and e.lag == 0 and c.factor == e.factor:
                    continue
                chosen.append(c)
                extra += 1
        cols = [np.ones(len(y)), ev]
        kept: list[Exposure] = []
        for c in chosen:
            v = c.values[rows]
            v = np.where(np.isnan(v), np.nanmean(v) if (~np.isnan(v)).any() else 0.0, v)
            if np.ptp(v) > 0:
                cols.append(v)
                kept.append(c)
        cols.append(prev[rows])
        return rows, np.column_stack(cols), y, tuple(kept)

    def _pool_on(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Companion values on ``rows`` (missing filled with the mean), centred, and their sd.

        Cached: most questions of one diary use the same nights.
        """
        key = rows.tobytes()
        if key not in self._pool_cache:
            vals = self.pool_values[:, rows]
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                means = np.nan_to_num(np.nanmean(vals, axis=1))
            filled = np.where(np.isnan(vals), means[:, None], vals)
            self._pool_cache[key] = (filled - filled.mean(axis=1)[:, None], filled.std(axis=1),
                                     filled)
        centred, sd, _ = self._pool_cache[key]
        return centred, sd

    def test(self, e: Exposure, o: Outcome, family: str, sided: str | None = None) -> Test | None:
        """Answer one question; ``None`` when there are too few nights to ask it."""
        d = self.design(e, o)
        if d is None:
            return None
        rows, x, y, adj = d
        if sided is None:
            sided = "up" if o.kind == "binary" and family in ("primary", "lag", "withdrawal") \
                else "two"
        if o.kind == "binary":
            p, z, _ = model.firth_test(x, y, 1, sided=sided)
            if sided == "up":
                # "Does it raise it?" must also pass the exact conditional test on the
                # counts (mid-p, within the companions' strata): the signed root of the
                # Firth likelihood ratio is too liberal with few nights with the factor or
                # the outcome (model.conditional_p). The night before stays in the Firth
                # model only: as strata it would throw away most of the information when
                # the factor comes in runs (three nights after stopping, stress weeks).
                p_exact = model.conditional_p(x[:, :-1], y, 1)
                if not math.isnan(p_exact):
                    p = max(p, p_exact)
        else:
            p, z, _, _ = model.ols_test(x, y, 1)
            if sided == "up":  # "up" means "worse" for a sleep number whose better is down
                z_bad = z if o.better == "down" else -z
                p = p / 2 if z_bad > 0 else 1 - p / 2
        return Test(family, e, o, rows, x, y, adj, sided, p, z)

    # -- all questions ------------------------------------------------------
    def run(self, q_primary: float) -> list[Test]:
        """Every question of every family, with q values within each family."""
        tests: list[Test] = []
        for o in self.outcomes:
            for e in self.exposures:
                fam = question_family(e, o)
                if fam is None:
                    continue
                t = self.test(e, o, fam)
                if t is not None:
                    tests.append(t)
        for fam in FAMILIES:
            members = [t for t in tests if t.family == fam]
            w = np.ones(len(members))
            if fam == "primary" and members:
                # Each episode type is one question, its share of the error rate split
                # among the factors named for it: someone who also keeps track of hypnic
                # jerks (ten named factors) does not lose the power to find what sets off
                # their sleepwalking (three). Weighted BH (Genovese, Roeder & Wasserman
                # 2006): weights average 1, so the false-discovery rate stays at q.
                per: dict[str, int] = {}
                for t in members:
                    per[t.outcome.code] = per.get(t.outcome.code, 0) + 1
                share = {o: OUTCOME_PRIORITY.get(o.removeprefix("episode:"), 1.0) for o in per}
                total = sum(share.values())
                w = np.array([len(members) * share[t.outcome.code] / (total * per[t.outcome.code])
                              for t in members])
            q_values = stats.bh_qvalues([min(1.0, t.p / wi) for t, wi in zip(members, w,
                                                                              strict=True)])
            for t, q in zip(members, q_values, strict=True):
                t.q = float(q)
        return tests


def level(family: str, q_primary: float) -> float:
    """False-discovery level of a family."""
    return q_primary if family == "primary" else Q_SECONDARY.get(family, 0.005)
