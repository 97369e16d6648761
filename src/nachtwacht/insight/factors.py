"""Binary exposures per night, derived from the diary's factor fields.

Every factor field of :func:`nachtwacht.diary.fields.factor_fields` is turned
into one or more yes/no exposures with a named, documented threshold (below).
A night on which the needed fields were not recorded gets *no value* (NaN) for
that exposure, so it is left out of every comparison with it instead of being
counted as unexposed.

Night ``d`` is dated by its morning; its factors describe the day and evening
before. Lagged exposures look further back by calendar date:

* lag 0 -- the evening before this night,
* lag 1 -- one day earlier (the evening before the previous night),
* lag 2 -- two days earlier.

Withdrawal: for each substance, the 1-:data:`WITHDRAWAL_NIGHTS` nights after the
last night of a run of at least :data:`WITHDRAWAL_MIN_RUN` consecutive use nights
(and without use themselves) are exposed; the other non-use nights are the
comparison, use nights are left out.

Clock times: the diary anchors ``caffeine_last`` and ``exercise_end`` to the
evening (times before 12:00 fall after midnight). For a *last* coffee that is
wrong in the common case of a single morning coffee, so here only times before
:data:`AFTER_MIDNIGHT_UNTIL_HOUR` count as after midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nachtwacht.diary.fields import factor_fields, spec
from nachtwacht.diary.types import Night

from . import codes
from ._sleep import SleepNumbers, sleep_numbers

#: Alcohol units from which an evening counts as "drinking more" (Dutch guideline: 1 glass = 1 unit).
ALCOHOL_HEAVY_UNITS = 3.0
#: Caffeine at or after these clock hours counts as late caffeine.
CAFFEINE_LATE_HOURS = (14, 15)
#: Caffeine in milligrams from which a day counts as high intake (about 3-4 cups of coffee).
CAFFEINE_HIGH_MG = 300.0
#: Clock times before this hour are taken as after midnight (the night itself).
AFTER_MIDNIGHT_UNTIL_HOUR = 5
#: Stress score (0-10) from which a day counts as stressful.
STRESS_HIGH = 7
#: The previous night counts as short below this total sleep time (minutes) ...
SHORT_SLEEP_MIN = 360.0
#: ... or when it was at least this many minutes below the person's median.
SHORT_SLEEP_BELOW_MEDIAN_MIN = 60.0
#: Exercise that ended less than this many minutes before lights out counts as late.
LATE_EXERCISE_WINDOW_MIN = 180.0
#: Exercise intensities that count for "late exercise".
LATE_EXERCISE_INTENSITIES = ("moderate", "vigorous")
#: A nap counts from this many minutes.
NAP_LONG_MIN = 30.0
#: Last alcoholic drink less than this many minutes before lights out counts as late.
ALCOHOL_LATE_WINDOW_MIN = 120.0
#: Nights after stopping a substance that count as withdrawal nights.
WITHDRAWAL_NIGHTS = 3
#: Consecutive use nights needed before stopping counts as withdrawal.
WITHDRAWAL_MIN_RUN = 2
#: Lags (in days) tested for every factor that allows them.
LAGS = (0, 1, 2)


@dataclass(frozen=True)
class FactorDef:
    """One named yes/no exposure derived from one or more night fields.

    ``phrase_nl``/``phrase_en`` complete "Na ..."/"After ..." (e.g. "avonden met
    3 of meer glazen alcohol").
    """

    code: str
    fields: tuple[str, ...]
    phrase_nl: str
    phrase_en: str
    rule: Callable[[Night, dict], bool | None] = field(repr=False)
    lagged: bool = True


@dataclass(frozen=True)
class Exposure:
    """Values of one exposure (1, 0 or NaN = not recorded) over the diary's nights."""

    factor: str
    lag: int | str
    code: str
    prefix_nl: str
    prefix_en: str
    values: np.ndarray = field(repr=False)

    @property
    def n_exposed(self) -> int:
        return int(np.nansum(self.values == 1))

    @property
    def n_unexposed(self) -> int:
        return int(np.sum(self.values == 0))


# ---------------------------------------------------------------------------
# Helpers on clock values
# ---------------------------------------------------------------------------
def _clock(t: dt.time | dt.datetime | None) -> dt.time | None:
    if isinstance(t, dt.datetime):
        return t.time()
    return t


def _evening_minutes(t: dt.time) -> int:
    """Minutes after the evening's noon (times before 12:00 fall after midnight)."""
    m = t.hour * 60 + t.minute
    return m - 720 if m >= 720 else m + 720


def _is_late(t: dt.time, hour: int) -> bool:
    return t.hour >= hour or t.hour < AFTER_MIDNIGHT_UNTIL_HOUR


def _minutes_before_sleep(n: Night, t: dt.time | dt.datetime | None) -> float | None:
    """Minutes from ``t`` to lights out (or bedtime); ``None`` if unknown."""
    t = _clock(t)
    sleep = _clock(n.lights_out) or _clock(n.bedtime)
    if t is None or sleep is None:
        return None
    return _evening_minutes(sleep) - _evening_minutes(t)


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------
def _alcohol_any(n: Night, ctx: dict) -> bool | None:
    return None if n.alcohol_units is None else n.alcohol_units > 0


def _alcohol_heavy(n: Night, ctx: dict) -> bool | None:
    return None if n.alcohol_units is None else n.alcohol_units >= ALCOHOL_HEAVY_UNITS


def _alcohol_late(n: Night, ctx: dict) -> bool | None:
    if n.alcohol_units == 0:
        return False
    gap = _minutes_before_sleep(n, n.alcohol_last)
    if gap is None:
        return None
    return gap < ALCOHOL_LATE_WINDOW_MIN


def _caffeine_after(hour: int) -> Callable[[Night, dict], bool | None]:
    def rule(n: Night, ctx: dict) -> bool | None:
        if n.caffeine_mg == 0:
            return False
        t = _clock(n.caffeine_last)
        return None if t is None else _is_late(t, hour)
    return rule


def _caffeine_high(n: Night, ctx: dict) -> bool | None:
    return None if n.caffeine_mg is None else n.caffeine_mg >= CAFFEINE_HIGH_MG


def _stress_high(n: Night, ctx: dict) -> bool | None:
    return None if n.stress is None else n.stress >= STRESS_HIGH


def _short_sleep_before(n: Night, ctx: dict) -> bool | None:
    prev = ctx["tst_by_date"].get(n.date - dt.timedelta(days=1))
    if prev is None:
        return None
    median = ctx["median_tst"]
    below = median is not None and prev <= median - SHORT_SLEEP_BELOW_MEDIAN_MIN
    return prev < SHORT_SLEEP_MIN or below


def _late_exercise(n: Night, ctx: dict) -> bool | None:
    if n.exercise_intensity is None:
        return None
    if n.exercise_intensity not in LATE_EXERCISE_INTENSITIES:
        return False
    gap = _minutes_before_sleep(n, n.exercise_end)
    if gap is None:
        return None
    # A negative gap means the time was earlier in the day, not after lights out.
    return 0 <= gap < LATE_EXERCISE_WINDOW_MIN


def _shift(n: Night, ctx: dict) -> bool | None:
    return None if n.shift is None else n.shift != "none"


def _nap(n: Night, ctx: dict) -> bool | None:
    return None if n.nap_min is None else n.nap_min >= NAP_LONG_MIN


def _bool_rule(name: str) -> Callable[[Night, dict], bool | None]:
    def rule(n: Night, ctx: dict) -> bool | None:
        return getattr(n, name)
    return rule


# Phrases for the yes/no factor fields; any other bool factor field is named by its label.
_BOOL_PHRASES = {
    "nicotine": ("dagen met nicotine (roken, vapen, snus)", "days with nicotine (smoking, vaping, snus)"),
    "screens_last_hour": ("avonden met schermen in het laatste uur", "evenings with screens in the last hour"),
    "late_work": ("avonden met laat werk of een ruzie", "evenings with late work or an argument"),
    "travel": ("dagen met reizen of jetlag", "days with travel or jet lag"),
    "wind_down": ("avonden met een afbouwroutine", "evenings with a wind-down routine"),
    "relaxation": ("avonden met een ontspannings- of ademoefening",
                   "evenings with a relaxation or breathing exercise"),
    "slept_apart": ("nachten apart van uw partner", "nights apart from your partner"),
}

FACTORS: tuple[FactorDef, ...] = (
    FactorDef("alcohol_any", ("alcohol_units",), "avonden met alcohol", "evenings with alcohol",
              _alcohol_any),
    FactorDef("alcohol_3plus", ("alcohol_units",),
              f"avonden met {ALCOHOL_HEAVY_UNITS:g} of meer glazen alcohol",
              f"evenings with {ALCOHOL_HEAVY_UNITS:g} or more drinks", _alcohol_heavy),
    FactorDef("alcohol_late", ("alcohol_units", "alcohol_last"),
              "avonden met alcohol minder dan 2 uur voor het slapen",
              "evenings with alcohol less than 2 hours before sleep", _alcohol_late),
    *(FactorDef(f"caffeine_after_{h}", ("caffeine_last", "caffeine_mg"),
                f"dagen met cafeïne na {h}:00", f"days with caffeine after {h}:00",
                _caffeine_after(h)) for h in CAFFEINE_LATE_HOURS),
    FactorDef("caffeine_300mg", ("caffeine_mg",),
              f"dagen met {CAFFEINE_HIGH_MG:g} mg cafeïne of meer (3 à 4 koppen koffie)",
              f"days with {CAFFEINE_HIGH_MG:g} mg caffeine or more (3 to 4 cups of coffee)",
              _caffeine_high),
    FactorDef("stress_high", ("stress",), f"dagen met stress {STRESS_HIGH} of hoger",
              f"days with stress {STRESS_HIGH} or higher", _stress_high),
    FactorDef("short_sleep_before", ("date",),
              "een korte nacht (minder dan 6 uur slaap, of een uur minder dan gewoonlijk)",
              "a short night (under 6 hours of sleep, or an hour less than usual)",
              _short_sleep_before, lagged=False),
    FactorDef("late_exercise", ("exercise_end", "exercise_intensity"),
              "avonden met stevig sporten minder dan 3 uur voor het slapen",
              "evenings with moderate or hard exercise less than 3 hours before sleep",
              _late_exercise),
    FactorDef("shift_work", ("shift",), "dagen met een dienst (dag, avond of nacht)",
              "days with a work shift (day, evening or night)", _shift),
    FactorDef("nap_30", ("nap_min",), f"dagen met een dutje van {NAP_LONG_MIN:g} minuten of langer",
              f"days with a nap of {NAP_LONG_MIN:g} minutes or more", _nap),
    *(FactorDef(f.name, (f.name,),
                _BOOL_PHRASES.get(f.name, (f"dagen met '{f.label_nl}'", ""))[0],
                _BOOL_PHRASES.get(f.name, ("", f"days with '{f.label_en}'"))[1],
                _bool_rule(f.name))
      for f in factor_fields() if f.kind == "bool"),
)

#: Factor fields handled per name (substances, medication) rather than by a FactorDef.
NAMED_LIST_FIELDS = ("substances", "medication")


def covered_fields() -> set[str]:
    """Factor fields that at least one exposure is derived from (for tests)."""
    used = {f for d in FACTORS for f in d.fields}
    return used | set(NAMED_LIST_FIELDS)


def _check_registry() -> None:
    names = {f.name for f in factor_fields()}
    for d in FACTORS:
        for f in d.fields:
            if f != "date" and f not in names:
                raise ImportError(f"factor {d.code} uses {f}, which is not a factor field")


_check_registry()
if tuple(d.code for d in FACTORS) != codes.FACTOR_CODES:  # pragma: no cover - import-time guard
    raise ImportError("factors.FACTORS differs from codes.FACTOR_CODES")


# ---------------------------------------------------------------------------
# Building the exposure table
# ---------------------------------------------------------------------------
def _norm(name: str) -> str:
    return " ".join(name.strip().lower().split())


_ORDINAL_NL = {1: "tweede", 2: "derde", 3: "vierde"}
_ORDINAL_EN = {1: "second", 2: "third", 3: "fourth"}


def _lag_prefix(phrase_nl: str, phrase_en: str, lag: int) -> tuple[str, str]:
    """Sentence opening for an exposure at ``lag`` days, e.g. "In de tweede nacht na ..."."""
    if lag == 0:
        return f"Na {phrase_nl}", f"After {phrase_en}"
    nl = _ORDINAL_NL.get(lag, f"{lag + 1}e")
    en = _ORDINAL_EN.get(lag, f"{lag + 1}th")
    return f"In de {nl} nacht na {phrase_nl}", f"On the {en} night after {phrase_en}"


def _lag_index(dates: Sequence[dt.date], lag: int) -> np.ndarray:
    """Row of the night ``lag`` days before each night (-1 if not in the diary)."""
    index = {d: i for i, d in enumerate(dates)}
    return np.array([index.get(d - dt.timedelta(days=lag), -1) for d in dates], dtype=int)


def _lagged(base: np.ndarray, lag_index: np.ndarray) -> np.ndarray:
    return np.where(lag_index >= 0, base[lag_index], np.nan)


def _to_array(values: Sequence[bool | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(bool(v)) for v in values])


def _withdrawal(use: np.ndarray, dates: Sequence[dt.date]) -> np.ndarray:
    """1 on non-use nights 1-3 days after a run of >= 2 use nights, 0 on other non-use nights."""
    used_dates = {d for d, u in zip(dates, use, strict=True) if u == 1}
    out = np.where(use == 1, np.nan, 0.0)
    for i, d in enumerate(dates):
        if use[i] == 1:
            continue
        for k in range(1, WITHDRAWAL_NIGHTS + 1):
            last = d - dt.timedelta(days=k)
            if last not in used_dates:
                continue
            # The first use night found walking back is the most recent one.
            if all(last - dt.timedelta(days=j) in used_dates for j in range(WITHDRAWAL_MIN_RUN)):
                out[i] = 1.0
            break
    return out


def build_exposures(
    nights: Sequence[Night],
    sleep: Sequence[SleepNumbers] | None = None,
    lags: Sequence[int] = LAGS,
    tz: str = "Europe/Amsterdam",
) -> list[Exposure]:
    """Derive every exposure (all factors, lags and withdrawal) for ``nights``.

    Parameters
    ----------
    nights : sequence of Night
        The diary's nights, sorted by date (one per date).
    sleep : sequence of SleepNumbers, optional
        Precomputed sleep numbers (for "short sleep the night before").
    lags : sequence of int
        Day lags to derive for every lagged factor.

    Returns
    -------
    list of Exposure
        Values are 1 (exposed), 0 (not exposed) or NaN (not recorded).
    """
    dates = [n.date for n in nights]
    if sleep is None:
        sleep = sleep_numbers(nights, tz=tz)
    tst = {n.date: s.tst_min for n, s in zip(nights, sleep, strict=True) if s.tst_min is not None}
    ctx = {"tst_by_date": tst, "median_tst": float(np.median(list(tst.values()))) if tst else None}
    out: list[Exposure] = []
    lag_index = {lag: _lag_index(dates, lag) for lag in lags if lag}

    def add(code: str, nl: str, en: str, base: np.ndarray, lagged: bool) -> None:
        for lag in lags if lagged else (0,):
            values = base if lag == 0 else _lagged(base, lag_index[lag])
            pre_nl, pre_en = _lag_prefix(nl, en, lag)
            out.append(Exposure(code, lag, code if lag == 0 else f"{code}@lag{lag}",
                                pre_nl, pre_en, values))

    for d in FACTORS:
        base = _to_array([d.rule(n, ctx) for n in nights])
        if np.all(np.isnan(base)):
            continue
        add(d.code, d.phrase_nl, d.phrase_en, base, d.lagged)

    for list_field, word_nl, word_en in (("substances", "gebruik van", "use of"),
                                         ("medication", "inname van", "taking")):
        names = sorted({_norm(s) for n in nights for s in getattr(n, list_field) if _norm(s)})
        for name in names:
            # An empty list is "none of them": the list fields have no separate "not recorded".
            base = np.array([float(name in {_norm(s) for s in getattr(n, list_field)})
                             for n in nights])
            code = f"{list_field}:{name}"
            add(code, f"dagen met {word_nl} {name}", f"days with {word_en} {name}", base, True)
            if list_field == "substances":
                w = _withdrawal(base, dates)
                out.append(Exposure(
                    code, "withdrawal", f"{code}@withdrawal",
                    f"In de 1 tot {WITHDRAWAL_NIGHTS} nachten na stoppen met {name} "
                    f"(na minstens {WITHDRAWAL_MIN_RUN} dagen achter elkaar gebruik)",
                    f"In the 1 to {WITHDRAWAL_NIGHTS} nights after stopping {name} "
                    f"(after at least {WITHDRAWAL_MIN_RUN} days of use in a row)", w))
    return out


def field_label(name: str, lang: str = "nl") -> str:
    """Label of a night field from the registry (for texts)."""
    return spec("night", name).label(lang)
