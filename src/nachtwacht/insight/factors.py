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

Substances and medication (list fields): a blank cell is *not recorded*, not
"none" -- unless the person filled in the rest of the substances part of that
night (alcohol, caffeine or nicotine), or wrote an explicit "geen"/"none". A
person who writes "geen" on some nights is taken to leave a cell blank only when
they did not fill it in.

Withdrawal ("since you stopped"), for every substance and medicine: a night
without use counts as a withdrawal night when it falls within the person's own
window after the last use, *and* that last use ended a stretch of regular use
(at least :data:`REGULAR_USE_MIN` of the :data:`REGULAR_USE_DAYS` days up to it).
The window is a third of the person's typical break (the median length of
breaks of at least three nights), clamped to :data:`WITHDRAWAL_MIN_NIGHTS` -
:data:`WITHDRAWAL_MAX_NIGHTS` nights; it is chosen from the use pattern alone,
never from the outcomes. The withdrawal exposure is 1 on those nights and 0 on
every other night (use nights included); the trigger models always adjust it
for the use itself, so "nights with the pill" and "nights after stopping the
pill" are separated in one model.

Outcome-derived factors: "a short night before" is built from the previous
night's sleep, so it is never tested against a sleep number (see
:attr:`FactorDef.not_against`).

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
#: Shortest and longest withdrawal window (nights after the last use).
WITHDRAWAL_MIN_NIGHTS = 3
WITHDRAWAL_MAX_NIGHTS = 14
#: Regular use before stopping: at least this many use days among the last ...
REGULAR_USE_MIN = 4
#: ... this many days up to and including the last use.
REGULAR_USE_DAYS = 7
#: Cell words that mean "none" in the substances and medication lists.
NONE_WORDS = frozenset({"geen", "none", "nee", "no", "niets", "nothing", "-", "0", "n/a", "nvt"})
#: Sleep numbers that "a short night before" must never be tested against (built from them).
SLEEP_OUTCOMES = ("sol_min", "se_pct", "tst_min", "waso_min", "quality", "device_tst_min",
                  "device_waso_min")
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
    #: Outcome codes this factor is built from, so never tested against.
    not_against: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exposure:
    """Values of one exposure (1, 0 or NaN = not recorded) over the diary's nights."""

    factor: str
    lag: int | str
    code: str
    prefix_nl: str
    prefix_en: str
    values: np.ndarray = field(repr=False)
    #: Outcome codes this exposure must never be tested against (it is built from them).
    not_against: tuple[str, ...] = ()
    #: Withdrawal window in nights (withdrawal exposures only).
    window: int | None = None

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
              _short_sleep_before, lagged=False, not_against=SLEEP_OUTCOMES),
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


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of every run of True in ``flags``."""
    out, i, n = [], 0, len(flags)
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            out.append((i, j - i))
            i = j
        else:
            i += 1
    return out


def withdrawal_window(use: np.ndarray) -> int:
    """The person's withdrawal window: a third of their typical break, 3-14 nights.

    ``use`` is 1 / 0 / NaN per consecutive calendar day. Breaks are runs of days
    without use of at least three days (a single skipped day is not a break); a
    break still going on at the end of the diary counts too.
    """
    breaks = [length for _, length in _runs(use == 0) if length >= 3]
    if not breaks:
        return WITHDRAWAL_MIN_NIGHTS
    typical = float(np.median(breaks))
    return int(min(WITHDRAWAL_MAX_NIGHTS, max(WITHDRAWAL_MIN_NIGHTS, round(typical / 3))))


def _withdrawal(use: np.ndarray, dates: Sequence[dt.date]) -> tuple[np.ndarray, int]:
    """Withdrawal exposure per night and the window used (see the module docstring).

    1 on non-use nights within the window after a last use that ended regular use;
    0 on every other night with a known use value; NaN where use is unknown.
    """
    if not len(dates):
        return np.zeros(0), WITHDRAWAL_MIN_NIGHTS
    d0 = dates[0]
    offsets = np.array([(d - d0).days for d in dates])
    cal = np.full(int(offsets[-1]) + 1, np.nan)
    cal[offsets] = use
    window = withdrawal_window(cal)
    used = np.nan_to_num(cal, nan=0.0) == 1
    out = np.where(np.isnan(cal), np.nan, 0.0)
    last = -10**9
    for i in range(len(cal)):
        if used[i]:
            last = i
            continue
        if np.isnan(cal[i]) or i - last > window:
            continue
        lo = max(0, last - REGULAR_USE_DAYS + 1)
        if used[lo:last + 1].sum() >= REGULAR_USE_MIN:
            out[i] = 1.0
    return out[offsets], window


def _list_values(nights: Sequence[Night], list_field: str
                 ) -> tuple[list[str], list[set[str] | None]]:
    """Names in a list field and, per night, the set of names (``None`` = not recorded)."""
    explicit = any(_norm(s) in NONE_WORDS for n in nights for s in getattr(n, list_field))
    per_night: list[set[str] | None] = []
    for n in nights:
        items = [_norm(s) for s in getattr(n, list_field) if _norm(s)]
        names = {s for s in items if s not in NONE_WORDS}
        if names or items:  # something written, a name or an explicit "none"
            per_night.append(names)
        elif not explicit and any(v is not None for v in
                                  (n.alcohol_units, n.caffeine_mg, n.nicotine)):
            # Blank, but the rest of the substances part was filled in: "none of them".
            per_night.append(set())
        else:
            per_night.append(None)
    names = sorted({s for x in per_night if x for s in x})
    return names, per_night


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

    def add(code: str, nl: str, en: str, base: np.ndarray, lagged: bool,
            not_against: tuple[str, ...] = ()) -> None:
        for lag in lags if lagged else (0,):
            values = base if lag == 0 else _lagged(base, lag_index[lag])
            pre_nl, pre_en = _lag_prefix(nl, en, lag)
            out.append(Exposure(code, lag, code if lag == 0 else f"{code}@lag{lag}",
                                pre_nl, pre_en, values, not_against))

    for d in FACTORS:
        base = _to_array([d.rule(n, ctx) for n in nights])
        if np.all(np.isnan(base)):
            continue
        add(d.code, d.phrase_nl, d.phrase_en, base, d.lagged, d.not_against)

    for list_field, word_nl, word_en in (("substances", "gebruik van", "use of"),
                                         ("medication", "inname van", "taking")):
        names, per_night = _list_values(nights, list_field)
        for name in names:
            base = np.array([np.nan if x is None else float(name in x) for x in per_night])
            code = f"{list_field}:{name}"
            add(code, f"dagen met {word_nl} {name}", f"days with {word_en} {name}", base, True)
            w, window = _withdrawal(base, dates)
            if np.nansum(w) == 0:
                continue
            out.append(Exposure(
                code, "withdrawal", f"{code}@withdrawal",
                f"In de {window} nachten na stoppen met {name} (na regelmatig gebruik)",
                f"In the {window} nights after stopping {name} (after regular use)", w,
                window=window))
    return out


def field_label(name: str, lang: str = "nl") -> str:
    """Label of a night field from the registry (for texts)."""
    return spec("night", name).label(lang)
