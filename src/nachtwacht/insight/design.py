"""Design helper: how to try a change so that the answer can be trusted.

A slow trend (sleep improving anyway, a season, a calmer month at work) looks
like the effect of a change in a plain before/after comparison. Alternating
blocks -- without, with, without, with (ABAB) -- separate the two, so
:func:`design` proposes them when the recent nights show a trend, using the
same AR(1)-aware model as :func:`.experiments.compare`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special

from nachtwacht.diary.types import Diary

from . import model
from ._sleep import sleep_numbers
from .experiments import _METRIC_BY_CODE, MIN_NIGHTS_PER_PERIOD, RHO_GRID, _metric_values

#: A trend in the recent nights counts as likely below this p (per metric, AR(1)-aware).
TREND_P = 0.10
#: Recent diary nights looked at for a trend.
TREND_NIGHTS = 28


@dataclass(frozen=True)
class Design:
    """A proposed schedule for trying a change (:func:`design`)."""

    #: ``ABAB`` (alternate) or ``AB`` (before, then with the change).
    kind: Literal["ABAB", "AB"]
    trend_likely: bool
    #: Metrics with a likely trend in the recent nights.
    trending: tuple[str, ...]
    #: Periods *with* the change, (first, last) morning; pass as ``Experiment.phases``.
    phases: tuple[tuple[dt.date, dt.date], ...]
    #: Every block in order: (first morning, last morning, "A" = without, "B" = with).
    blocks: tuple[tuple[dt.date, dt.date, str], ...]
    text_nl: str
    text_en: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "trend_likely": self.trend_likely,
                "trending": list(self.trending),
                "phases": [[a.isoformat(), b.isoformat()] for a, b in self.phases],
                "blocks": [[a.isoformat(), b.isoformat(), k] for a, b, k in self.blocks],
                "text_nl": self.text_nl, "text_en": self.text_en}


def _trend_p(days: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p of a linear trend, widest over the AR(1) grid (as :func:`change_model`)."""
    t = (days - days.mean()) / 7.0
    x = np.column_stack([np.ones(len(y)), t])
    worst = 0.0
    for rho in RHO_GRID:
        beta, cov, df = model.ar1_gls(x, y, days, rho)
        se = math.sqrt(max(float(cov[1, 1]), 0.0))
        p = 1.0 if se == 0 else float(2 * special.stdtr(df, -abs(float(beta[1])) / se))
        worst = max(worst, p)
    return worst


def design(diary: Diary, start: dt.date | None = None, block_nights: int = 7,
           metrics: Sequence[str] = ("sol_min", "se_pct", "quality")) -> Design:
    """Propose how to try a change: alternating blocks (ABAB) when a trend is likely.

    A slow trend (sleep improving anyway, a season) cannot be told apart from the
    effect of a change in a plain before/after comparison. Alternating blocks of
    ``block_nights`` (without, with, without, with) can, so they are proposed
    when one of ``metrics`` shows a trend in the last :data:`TREND_NIGHTS` nights;
    otherwise two blocks (before, with) of twice that length.

    Parameters
    ----------
    start : date, optional
        First morning of the schedule (default: the day after the last diary night).
    """
    if block_nights < MIN_NIGHTS_PER_PERIOD:
        raise ValueError(f"block_nights must be at least {MIN_NIGHTS_PER_PERIOD}")
    nights = sorted({n.date: n for n in diary.nights}.values(), key=lambda n: n.date)
    recent = nights[-TREND_NIGHTS:]
    trending: list[str] = []
    if len(recent) >= 2 * MIN_NIGHTS_PER_PERIOD:
        sleep = sleep_numbers(recent, tz=diary.tz)
        for code in metrics:
            vals = _metric_values(code, recent, sleep, None)
            ok = [i for i, v in enumerate(vals) if v is not None]
            if len(ok) < 2 * MIN_NIGHTS_PER_PERIOD:
                continue
            days = np.array([(recent[i].date - recent[0].date).days for i in ok], dtype=float)
            y = np.array([vals[i] for i in ok], dtype=float)
            if np.ptp(y) > 0 and _trend_p(days, y) < TREND_P:
                trending.append(code)
    if start is None:
        start = (nights[-1].date if nights else dt.date.today()) + dt.timedelta(days=1)
    step = dt.timedelta(days=block_nights)
    if trending:
        kinds = ("A", "B", "A", "B")
        blocks = tuple((start + i * step, start + (i + 1) * step - dt.timedelta(days=1), k)
                       for i, k in enumerate(kinds))
        names_nl = ", ".join(_METRIC_BY_CODE[c].label_nl.lower() for c in trending)
        names_en = ", ".join(_METRIC_BY_CODE[c].label_en.lower() for c in trending)
        text_nl = (f"In uw laatste nachten verandert {names_nl} al geleidelijk. Een gewone "
                   "voor-en-navergelijking kan die trend dan voor een effect aanzien. Wissel "
                   f"daarom af: {block_nights} nachten zonder de verandering, {block_nights} met, "
                   f"weer {block_nights} zonder en {block_nights} met.")
        text_en = (f"In your recent nights, {names_en} is already changing gradually. A plain "
                   "before-and-after comparison could mistake that trend for an effect. So "
                   f"alternate: {block_nights} nights without the change, {block_nights} with, "
                   f"{block_nights} without again and {block_nights} with.")
        kind: Literal["ABAB", "AB"] = "ABAB"
    else:
        blocks = ((start, start + 2 * step - dt.timedelta(days=1), "A"),
                  (start + 2 * step, start + 4 * step - dt.timedelta(days=1), "B"))
        text_nl = (f"Geen duidelijke trend in uw laatste nachten. Houd eerst {2 * block_nights} "
                   f"nachten bij zoals altijd, en probeer dan {2 * block_nights} nachten de "
                   "verandering. Afwisselen (een week wel, een week niet) maakt de uitkomst nog "
                   "zekerder.")
        text_en = (f"No clear trend in your recent nights. Keep your diary as usual for "
                   f"{2 * block_nights} nights, then try the change for {2 * block_nights} "
                   "nights. Alternating (a week with, a week without) makes the answer surer "
                   "still.")
        kind = "AB"
    phases = tuple((a, b) for a, b, k in blocks if k == "B")
    return Design(kind, bool(trending), tuple(trending), phases, blocks, text_nl, text_en)
