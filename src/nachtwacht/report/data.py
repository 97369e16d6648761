"""The GP report's content as plain values: one builder for HTML, PDF, JSON and FHIR.

Every number in :class:`ReportData` is traceable to the diary: episode counts keep
the dates they come from, sleep metrics keep ``n`` (the nights that had the
fields needed). Renderers only format; they never compute.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nachtwacht.diary.clock import resolve
from nachtwacht.diary.fields import (
    EPISODE_TYPES,
    PROFILE_FIELDS,
    RECALL_CHOICES,
    spec,
)
from nachtwacht.diary.metrics import night_metrics, period_metrics
from nachtwacht.diary.types import Diary, Episode, Night
from nachtwacht.psg.labels import SKIP_REASONS, detector_label, skip_reason

from .factors import cells as factor_cells
from .strings import check_lang, date_str, num, t

#: How much more an episode type weighs when choosing the main complaint: types that
#: can hurt someone or point to a condition needing care outrank harmless ones.
SEVERITY: dict[str, int] = {
    "sexsomnia": 3, "sleepwalking": 3, "dream_enactment": 3, "breathing_pause": 3,
    "night_terror": 2, "confusional_arousal": 2, "sleep_eating": 2, "urge": 2,
    "restless_legs": 2, "bruxism": 2, "muscle_tension": 2,
}
TYPE_ORDER = tuple(c.code for c in EPISODE_TYPES)
THIRDS = ("first", "middle", "last", "unknown")
#: Metrics shown in the table, in order, with their unit.
METRICS: tuple[tuple[str, str], ...] = (
    ("tib_min", "min"), ("sol_min", "min"), ("waso_min", "min"), ("nwak", ""),
    ("tst_min", "min"), ("se_pct", "%"), ("terminal_wake_min", "min"),
)
DIARY_SCORES = ("quality", "tension")
REGULARITY = ("sd_bedtime_min", "sd_risetime_min", "sd_midpoint_min", "sri")
CHART_MAX_NIGHTS = 56
MAX_FACTORS = 5
#: At most this many points to tell and questions to ask, so the list stays a prompt.
MAX_TELL = 4
MAX_QUESTIONS = 5


@dataclass
class Subject:
    """Who the report is about, without direct identifiers unless asked."""

    label: str
    birth_year: int | None = None
    about: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PeriodInfo:
    """The reported period (inclusive) and how much was recorded in it."""

    start: dt.date | None
    end: dt.date | None
    days: int
    nights_recorded: int
    episodes_recorded: int
    text: str


@dataclass
class TypeCount:
    """How often one episode type was noted: nights, times, per week, trend."""

    type: str
    label: str
    nights: int
    times: int
    per_week: float
    by_partner: int  # nights with at least one report by the partner
    dates: list[dt.date]
    first_half_per_week: float | None
    second_half_per_week: float | None
    trend: str | None
    trend_text: str


@dataclass
class WeekCount:
    """Nights with each episode type in the 7 days from ``start``."""

    start: dt.date
    counts: dict[str, int]


@dataclass
class Timing:
    """When in the night one episode type happened."""

    type: str
    label: str
    n_timed: int
    median: str | None
    q1: str | None
    q3: str | None
    thirds: dict[str, int]


@dataclass
class FactorRow:
    """One finding of the trigger analysis, with its uncertainty in words."""

    factor: str
    outcome: str
    exposed_label: str
    effect_name: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    q: float | None
    significant: bool
    direction: str
    certainty: str
    certainty_text: str
    text: str
    effect_text: str = ""
    n_exposed: int | None = None
    n_unexposed: int | None = None
    events_exposed: int | None = None
    events_unexposed: int | None = None
    #: Compact cells for the table (see :mod:`.factors`); ``counts`` empty when the
    #: finding's text was not understood (the template then shows ``text``).
    factor_text: str = ""
    outcome_text: str = ""
    counts: str = ""
    estimate_text: str = ""
    rests_on: str = ""
    together: bool = False
    n_nights: int | None = None


@dataclass
class PartnerInfo:
    """What the bed partner reported: behaviours counted, recall, safety."""

    entries: int
    nights: int
    behaviours: list[tuple[str, int]]
    recall: list[tuple[str, str, int]]
    injury_dates: list[dt.date]
    left_bedroom_dates: list[dt.date]
    unsafe_dates: list[dt.date]


@dataclass
class ChecklistItem:
    """One other-complaints question with its answer (None = not answered)."""

    name: str
    label: str
    value: bool | int | None
    answer: str


@dataclass
class MetricRow:
    """Mean, SD and range of one diary metric over the nights that have it."""

    key: str
    label: str
    unit: str
    mean: float | None
    sd: float | None
    min: float | None
    max: float | None
    n: int


@dataclass
class RegularityRow:
    """One regularity figure from the diary core's period metrics."""

    key: str
    label: str
    value: float | None
    unit: str
    text: str = ""


@dataclass
class ExperimentRow:
    """One experiment and what it did, as the insight core reports it."""

    name: str
    text: str
    details: dict[str, Any]
    meta: str = ""


@dataclass
class FlagRow:
    """One red flag from triage."""

    code: str
    level: str
    condition: str
    evidence: list[str]
    text: str
    evidence_short: str = ""


@dataclass
class TriageInfo:
    """The advice level, flags, conditions to consider and the self-help plan titles."""

    level: str
    level_text: str
    flags: list[FlagRow]
    differentials: list[str]
    plan: list[str]


@dataclass
class NightBar:
    """One row of the 24-hour chart; clock positions are hours after 18:00 the evening before."""

    date: dt.date
    bed: float | None
    onset: float | None
    final_wake: float | None
    out_of_bed: float | None
    tst_min: float | None
    se_pct: float | None


@dataclass
class EpisodeMark:
    """One episode on the 24-hour chart (hour after 18:00, None if no time noted)."""

    date: dt.date
    type: str
    hour: float | None
    reporter: str


@dataclass
class PsgInfo:
    """Key figures and the hypnogram of a sleep-study analysis."""

    source: str
    stats: list[tuple[str, str]]
    hypnogram: dict[str, Any] | None
    events: list[tuple[str, int]]
    skipped: list[tuple[str, str]]


@dataclass
class ReportData:
    """Everything the GP report shows, in order, as plain values."""

    lang: str
    generated: dt.date
    subject: Subject
    period: PeriodInfo
    complaint: str
    frequency: list[TypeCount]
    weeks: list[WeekCount]
    timing: list[Timing]
    factors: list[FactorRow]
    factors_status: str
    factors_more: int
    partner: PartnerInfo | None
    checklist: list[ChecklistItem]
    metrics: list[MetricRow]
    regularity: list[RegularityRow]
    experiments: list[ExperimentRow]
    triage: TriageInfo | None
    questions: list[str]
    psg: PsgInfo | None
    nights: list[NightBar]
    marks: list[EpisodeMark]
    include_private: bool = False
    private_notes: list[tuple[dt.date, str]] = field(default_factory=list)
    #: Things worth telling the GP (statements from the triage hints); ``questions``
    #: holds only real questions to ask.
    tell_gp: list[str] = field(default_factory=list)
    #: Device data (issue #17): :class:`nachtwacht.report.actogram.DeviceInfo` or None.
    device: Any = None

    @property
    def is_empty(self) -> bool:
        """True when the period holds no nights and no episodes."""
        return self.period.nights_recorded == 0 and self.period.episodes_recorded == 0

    def default_filename(self, ext: str = "pdf") -> str:
        """A file name with the period only, never a name or birth year."""
        p = self.period
        span = f"{p.start.isoformat()}_{p.end.isoformat()}" if p.start and p.end else "empty"
        return f"nachtwacht-report-{span}.{ext}"


# ---------------------------------------------------------------------------
# builder
# ---------------------------------------------------------------------------
def build(
    diary: Diary,
    period: tuple[dt.date | None, dt.date | None] | None = None,
    lang: str = "nl",
    psg: Any = None,
    experiments: Sequence[Any] = (),
    today: dt.date | None = None,
    subject_label: str | None = None,
    include_private: bool = False,
    include_birth_year: bool = False,
    insight: Any = None,
    triage: Any = None,
    device: Any = None,
) -> ReportData:
    """Build the GP report for ``diary`` over ``period``.

    Parameters
    ----------
    diary : Diary
        The sleeper's nights, episodes (sleeper and partner) and profile.
    period : tuple of (date or None, date or None), optional
        Inclusive first and last morning date. None (or a None end) means from the
        first to the last recorded date.
    lang : {"nl", "en"}
        Language of every text in the report.
    psg : NightAnalysis or dict, optional
        A sleep-study analysis (object with ``to_json()`` or its JSON dict).
    experiments : sequence
        Experiments to compare with :func:`nachtwacht.insight.experiments.compare`.
    today : date, optional
        Date printed as "made on" (default: today).
    subject_label : str, optional
        How to name the person; default is a neutral "sleeper (name not shown)".
    include_private : bool
        Include free-text notes and entries marked private (default False).
    include_birth_year : bool
        Show the birth year from the profile (default False).
    insight, triage : optional
        Precomputed results of :func:`nachtwacht.insight.analyse` and
        :func:`nachtwacht.triage.assess` for the same period; computed when None.
    device : DeviceSummary, optional
        Actigraph or wearable data (:func:`nachtwacht.device.summary.summarise`): adds
        the actogram and device figures (:mod:`nachtwacht.report.actogram`); its nights
        in the period are also outcomes of the trigger analysis (device TST and WASO)
        and times for the triage's body-clock rules.

    Returns
    -------
    ReportData
    """
    check_lang(lang)
    tz = diary.tz
    start, end = _resolve_period(diary, period)
    nights = [n for n in diary.nights if _in(n.date, start, end)]
    episodes = [
        e for e in diary.episodes
        if _in(e.date, start, end) and (include_private or not getattr(e, "private", False))
    ]
    nights.sort(key=lambda n: n.date)
    episodes.sort(key=lambda e: (e.date, e.time or dt.time(0)))
    days = (end - start).days + 1 if start and end else 0
    # Analyses see the period only, and without free text unless asked: then no note can
    # ever be quoted into a flag's evidence on the page.
    keep = include_private
    sub = Diary(
        nights=tuple(n if keep or not n.notes else replace(n, notes="") for n in nights),
        episodes=tuple(e if keep or not e.notes else replace(e, notes="") for e in episodes),
        profile=diary.profile, tz=tz)

    per_night = {n.date: night_metrics(n, tz=tz) for n in nights}

    period_info = PeriodInfo(
        start=start, end=end, days=days, nights_recorded=len(nights),
        episodes_recorded=len(episodes),
        text=(t("period_fmt", lang, start=date_str(start, lang), end=date_str(end, lang), days=days)
              if start and end else t("no_period", lang)),
    )
    frequency = _frequency(episodes, start, days, lang)
    metrics = _metrics(nights, per_night, lang)
    # Device nights of the period (issue #17): outcomes of the trigger analysis and times
    # for the body-clock rules of the triage, as on the advice page.
    dev_nights = [n for n in getattr(device, "nights", None) or () if _in(n.date, start, end)]
    insight_res, factors, factors_status, factors_more = _insight(sub, lang, insight, dev_nights)
    triage_info, triage_raw = _triage(sub, insight_res, lang, triage, per_night,
                                      {(f.factor, f.outcome) for f in factors}, dev_nights)

    return ReportData(
        lang=lang,
        generated=today or dt.date.today(),
        subject=_subject(diary, lang, subject_label, include_birth_year),
        period=period_info,
        complaint=_complaint(frequency, metrics, period_info, lang),
        frequency=frequency,
        weeks=_weeks(episodes, start, days),
        timing=_timing(episodes, per_night, frequency, tz, lang),
        factors=factors,
        factors_status=factors_status,
        factors_more=factors_more,
        partner=_partner(episodes, lang),
        checklist=_checklist(diary, lang),
        metrics=metrics,
        regularity=_regularity(nights, tz, lang),
        experiments=_experiments(diary, experiments, lang),
        triage=triage_info,
        questions=_questions(frequency, factors, lang),
        tell_gp=_tell_gp(triage_raw),
        psg=_psg(psg, lang),
        nights=_night_bars(nights, per_night),
        marks=_marks(episodes, tz),
        include_private=include_private,
        private_notes=_private_notes(nights, episodes) if include_private else [],
        device=_device(device, lang, start, end),
    )


def _device(summary: Any, lang: str, start: dt.date | None, end: dt.date | None) -> Any:
    if summary is None:
        return None
    from .actogram import device_info

    return device_info(summary, lang, start, end)


# ---------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------
def _in(d: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return start is not None and end is not None and start <= d <= end


def _resolve_period(
    diary: Diary, period: tuple[dt.date | None, dt.date | None] | None
) -> tuple[dt.date | None, dt.date | None]:
    dates = [n.date for n in diary.nights] + [e.date for e in diary.episodes]
    lo, hi = (period if period is not None else (None, None))
    start = lo if lo is not None else (min(dates) if dates else None)
    end = hi if hi is not None else (max(dates) if dates else None)
    if start is not None and end is None:
        end = start
    if end is not None and start is None:
        start = end
    # One bound given and the diary lies wholly on its other side: an empty period (the
    # report says so), not an error about a bound the person never typed.
    if start and end and start > end and (lo is None) != (hi is None):
        start, end = (lo, lo) if lo is not None else (hi, hi)
    if start and end and start > end:
        raise ValueError(f"period starts ({start}) after it ends ({end})")
    return start, end


def _type_label(code: str, lang: str) -> str:
    return spec("episode", "type").choice_label(code, lang)


def _subject(diary: Diary, lang: str, label: str | None, with_year: bool) -> Subject:
    prof = diary.profile
    about: list[tuple[str, str]] = []
    for name in ("bed_partner", "children_in_home", "drives", "shift_work"):
        v = getattr(prof, name)
        if v is not None:
            about.append((spec("profile", name).label(lang), t("yes" if v else "no", lang)))
    for name in ("known_conditions", "regular_medication"):
        v = getattr(prof, name)
        if v:
            about.append((spec("profile", name).label(lang), ", ".join(v)))
    return Subject(
        label=label or t("subject_default", lang),
        birth_year=prof.birth_year if with_year else None,
        about=about,
    )


def _frequency(
    episodes: list[Episode], start: dt.date | None, days: int, lang: str
) -> list[TypeCount]:
    by_type: dict[str, list[Episode]] = {}
    for e in episodes:
        by_type.setdefault(e.type, []).append(e)
    out = []
    half = days // 2
    for code in sorted(by_type, key=lambda c: TYPE_ORDER.index(c) if c in TYPE_ORDER else 99):
        eps = by_type[code]
        dates = sorted({e.date for e in eps})
        times = sum(e.n for e in eps)
        partner = len({e.date for e in eps if e.reporter == "partner"})
        a = b = None
        trend = None
        if start is not None and days >= 14:
            mid = start + dt.timedelta(days=half)
            a = 7 * sum(1 for d in dates if d < mid) / half
            b = 7 * sum(1 for d in dates if d >= mid) / (days - half)
            trend = _trend(a, b)
        ta, tb = num(a, lang), num(b, lang)
        trend_text = t(f"trend_{trend}", lang, a=ta, b=tb) if trend else t("trend_short", lang)
        out.append(TypeCount(
            type=code, label=_type_label(code, lang), nights=len(dates), times=times,
            per_week=7 * len(dates) / days if days else 0.0, by_partner=partner, dates=dates,
            first_half_per_week=a, second_half_per_week=b, trend=trend, trend_text=trend_text,
        ))
    return out


def _trend(a: float, b: float) -> str:
    # A change counts only when it is both relative (half again) and absolute
    # (half a night a week), so one extra night in a quiet month is "the same".
    if b >= 1.5 * a and b - a >= 0.5:
        return "up"
    if a >= 1.5 * b and a - b >= 0.5:
        return "down"
    return "same"


def _weeks(episodes: list[Episode], start: dt.date | None, days: int) -> list[WeekCount]:
    if start is None or days <= 0:
        return []
    n_weeks = (days + 6) // 7
    weeks = [WeekCount(start + dt.timedelta(days=7 * i), {}) for i in range(n_weeks)]
    seen: set[tuple[dt.date, str]] = set()
    for e in episodes:
        if (e.date, e.type) in seen:
            continue
        seen.add((e.date, e.type))
        w = weeks[(e.date - start).days // 7]
        w.counts[e.type] = w.counts.get(e.type, 0) + 1
    return weeks


def _hours_after_18(when: dt.datetime, morning: dt.date) -> float:
    # Wall-clock difference, so a daylight-saving night still reads as on the clock.
    origin = dt.datetime.combine(morning - dt.timedelta(days=1), dt.time(18, 0))
    return (when.replace(tzinfo=None) - origin).total_seconds() / 3600


def _clock_from_hours(h: float) -> str:
    m = int(round(h * 60)) % (24 * 60)
    return f"{(m // 60 + 18) % 24:02d}:{m % 60:02d}"


def _timing(
    episodes: list[Episode], per_night: dict[dt.date, Any], freq: list[TypeCount], tz: str,
    lang: str,
) -> list[Timing]:
    out = []
    for tc in freq:
        hours: list[float] = []
        thirds = dict.fromkeys(THIRDS, 0)
        for e in episodes:
            if e.type != tc.type:
                continue
            if e.time is None:
                thirds["unknown"] += 1
                continue
            when = resolve(e.date, e.time, "evening", tz=tz)
            hours.append(_hours_after_18(when, e.date))
            thirds[_third(when, per_night.get(e.date))] += 1
        q1 = q3 = med = None
        if hours:
            med = _clock_from_hours(statistics.median(hours))
            if len(hours) >= 4:
                qs = statistics.quantiles(hours, n=4)
                q1, q3 = _clock_from_hours(qs[0]), _clock_from_hours(qs[2])
        out.append(Timing(tc.type, tc.label, len(hours), med, q1, q3, thirds))
    return out


def _third(when: dt.datetime, nm: Any) -> str:
    if nm is None:
        return "unknown"
    lo = nm.lights_out_dt or nm.bed_dt
    hi = nm.final_wake_dt or nm.out_of_bed_dt
    if lo is None or hi is None or hi <= lo:
        return "unknown"
    # Episodes just before lights out or after waking are clamped into the
    # nearest third: diary times are rough.
    frac = (when - lo) / (hi - lo)
    return "first" if frac < 1 / 3 else ("middle" if frac < 2 / 3 else "last")


def _partner(episodes: list[Episode], lang: str) -> PartnerInfo | None:
    eps = [e for e in episodes if e.reporter == "partner"]
    if not eps:
        return None
    beh: Counter[str] = Counter()
    for e in eps:
        for b in {x.strip().lower() for x in e.behaviours if x.strip()}:
            beh[b] += 1
    rec = Counter(e.recall for e in eps if e.recall)
    recall = [(c.code, c.en if lang == "en" else c.nl, rec[c.code]) for c in RECALL_CHOICES
              if rec[c.code]]
    return PartnerInfo(
        entries=len(eps),
        nights=len({e.date for e in eps}),
        behaviours=sorted(beh.items(), key=lambda kv: (-kv[1], kv[0])),
        recall=recall,
        injury_dates=sorted({e.date for e in eps if e.injury}),
        left_bedroom_dates=sorted({e.date for e in eps if e.left_bedroom}),
        unsafe_dates=sorted({e.date for e in eps if e.partner_unsafe}),
    )


def _checklist(diary: Diary, lang: str) -> list[ChecklistItem]:
    items = []
    for f in PROFILE_FIELDS:
        if f.group != "checklist":
            continue
        v = getattr(diary.profile, f.name)
        if v is None:
            ans = t("unanswered", lang)
        elif f.kind == "bool":
            ans = t("yes" if v else "no", lang)
        elif f.name == "daytime_sleepiness" and 0 <= int(v) <= 3:
            ans = t(f"sleepiness_{int(v)}", lang)
        else:
            ans = str(v)
        items.append(ChecklistItem(f.name, f.label(lang), v, ans))
    return items


def _metrics(nights: list[Night], per_night: dict[dt.date, Any], lang: str) -> list[MetricRow]:
    rows = []
    for key, unit in METRICS:
        vals = [float(v) for nm in per_night.values() if (v := getattr(nm, key, None)) is not None]
        rows.append(_row(key, t(f"m_{key}", lang), unit, vals))
    for key in DIARY_SCORES:
        vals = [float(v) for n in nights if (v := getattr(n, key)) is not None]
        rows.append(_row(key, t(f"m_{key}", lang), "", vals))
    return rows


def _row(key: str, label: str, unit: str, vals: list[float]) -> MetricRow:
    return MetricRow(
        key=key, label=label, unit=unit,
        mean=statistics.fmean(vals) if vals else None,
        sd=statistics.stdev(vals) if len(vals) >= 2 else None,
        min=min(vals) if vals else None, max=max(vals) if vals else None, n=len(vals),
    )


def _regularity(nights: list[Night], tz: str, lang: str) -> list[RegularityRow]:
    pm: dict[str, Any] = period_metrics(nights, tz=tz) if nights else {}
    rows = []
    for key in ("mean_bedtime", "mean_risetime"):
        v = pm.get(key)
        rows.append(RegularityRow(key, t(f"r_{key}", lang), None, "",
                                  v.strftime("%H:%M") if isinstance(v, dt.time) else ""))
    for key in REGULARITY:
        v = pm.get(key)
        rows.append(RegularityRow(key, t(f"r_{key}", lang),
                                  float(v) if isinstance(v, int | float) else None,
                                  "" if key == "sri" else "min"))
    return rows


def _first_number(effect: Any) -> tuple[str, float | None]:
    if isinstance(effect, dict):
        # The insight core names the measure its ci_low/ci_high belong to.
        m = effect.get("measure")
        if isinstance(m, str) and isinstance(effect.get(m), int | float):
            return m, float(effect[m])
        for pref in ("rate_ratio", "risk_ratio", "odds_ratio", "ratio", "difference", "value",
                     "estimate"):
            if isinstance(effect.get(pref), int | float):
                return pref, float(effect[pref])
        for k, v in effect.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                return str(k), float(v)
    return "", None


def _effect_text(name: str, est: float | None, lo: float | None, hi: float | None,
                 lang: str) -> str:
    if est is None:
        return "–"
    if name == "risk_difference":
        # A difference of two proportions reads best in percentage points.
        def pp(x: float | None) -> str:
            return "–" if x is None else f"{100 * x:+.0f}"

        return t("ci_pp", lang, est=pp(est), lo=pp(lo), hi=pp(hi))
    return t("ci_fmt", lang, est=num(est, lang, 2), lo=num(lo, lang, 2), hi=num(hi, lang, 2))


def _first_sentence(text: str) -> str:
    # Self-care flags are advice for the sleeper; for the GP their first sentence
    # (what was seen) is enough, the full advice is in the app and the plan.
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", text.strip())
    return parts[0]


def _first_sentences(text: str) -> str:
    # The insight texts end with a sentence about chance; the report says that in its
    # own "how certain" column, so the last sentence is dropped to keep rows short.
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", text.strip())
    return " ".join(parts[:-1]) if len(parts) > 1 else text


def _certainty(f: Any) -> str:
    if getattr(f, "significant", False):
        return "clear"
    p = getattr(f, "p", None)
    return "possible" if p is not None and p < 0.05 else "none"


def _insight(sub: Diary, lang: str, given: Any,
             device_nights: Sequence[Any] = ()) -> tuple[Any, list[FactorRow], str, int]:
    res = given
    if res is None:
        if not sub.nights:
            return None, [], "none", 0
        try:
            from nachtwacht.insight import analyse
        except ImportError:
            return None, [], "unavailable", 0
        res = analyse(sub, lang=lang, device_nights=list(device_nights) or None)
    # The analysis lists its likely links in ``findings`` and, apart, weaker signals
    # in ``possible`` (e.g. a link a weekly rhythm could explain): those are shown as
    # "possible", never as clear.
    weak = list(getattr(res, "possible", []) or [])
    findings = [(f, _certainty(f)) for f in getattr(res, "findings", []) or []]
    findings += [(f, "possible") for f in weak if f not in [g for g, _ in findings]]
    rows = []
    for f, cert in findings:
        if cert == "none":
            continue
        name, est = _first_number(getattr(f, "effect", None))
        effect_text = _effect_text(name, est, f.ci_low, f.ci_high, lang)
        c = factor_cells(f, lang, effect_text)
        rows.append(FactorRow(
            factor=f.factor, outcome=f.outcome, exposed_label=getattr(f, "exposed_label", ""),
            effect_name=name, estimate=est, ci_low=f.ci_low, ci_high=f.ci_high, p=f.p,
            q=getattr(f, "q", None), significant=bool(f.significant), direction=f.direction,
            certainty=cert, certainty_text=t(f"certain_{cert}", lang),
            text=_first_sentences(f.text_en if lang == "en" else f.text_nl),
            effect_text=effect_text,
            n_exposed=getattr(f, "n_exposed", None), n_unexposed=getattr(f, "n_unexposed", None),
            events_exposed=getattr(f, "events_exposed", None),
            events_unexposed=getattr(f, "events_unexposed", None),
            factor_text=c.factor, outcome_text=c.outcome, counts=c.counts,
            estimate_text=c.estimate, rests_on=c.rests_on, together=c.together,
            n_nights=getattr(f, "n_nights", None),
        ))
    rows.sort(key=lambda r: (r.certainty != "clear", r.q if r.q is not None else 1.0,
                             r.p if r.p is not None else 1.0))
    # Clear links first; "possible" ones only fill up to the limit, so the GP sees the
    # strongest signals and the page stays short. The rest is counted, not hidden.
    shown = rows[:MAX_FACTORS]
    return res, shown, ("ok" if rows else "none"), len(rows) - len(shown)


def _triage(sub: Diary, insight: Any, lang: str, given: Any,
            per_night: dict[dt.date, Any],
            shown: set[tuple[str, str]] = frozenset(),
            device_nights: Sequence[Any] = ()) -> tuple[TriageInfo | None, dict]:
    res = given
    if res is None:
        try:
            from nachtwacht.triage import assess
        except ImportError:
            return None, {}
        # The insight result and the night metrics computed above are handed on, so
        # neither is computed twice for one report.
        res = assess(sub, insight=insight, lang=lang, night_figures=per_night,
                     device_nights=list(device_nights) or None)
    d = res.to_dict() if hasattr(res, "to_dict") else dict(res)
    flags = []
    for f in d.get("flags", []):
        text = (f.get("text", "") if f.get("level") != "self_care"
                else _first_sentence(f.get("text", "")))
        flags.append(FlagRow(code=f.get("code", ""), level=f.get("level", ""),
                             condition=f.get("condition", ""),
                             evidence=[_evidence_text(x) for x in f.get("evidence", [])],
                             text=text,
                             evidence_short=_evidence_short(f.get("evidence", []), lang,
                                                            text, shown)))
    order = ("urgent", "gp_soon", "gp_routine", "self_care")
    flags.sort(key=lambda f: order.index(f.level) if f.level in order else 9)
    level = d.get("level", "self_care")
    return TriageInfo(
        level=level,
        level_text=t(f"level_{level}", lang) if f"level_{level}" in _LEVEL_KEYS else level,
        flags=flags,
        differentials=[_text_of(x, ("title", "text")) for x in d.get("differentials", [])
                       if _text_of(x, ("title", "text"))],
        plan=[_text_of(x, ("title", "text")) for x in d.get("plan", []) if _text_of(x, ("title",))],
    ), d


def _evidence_short(items: list[Any], lang: str, text: str = "",
                    shown: set[tuple[str, str]] | frozenset = frozenset()) -> str:
    # The full evidence stays in the data (and JSON); the page shows answers in full
    # and the nights as a short list of dates, so a flag never fills half a page.
    # Findings (a mean over many nights) are shown as text too: they stand for all those
    # nights, not for the one date a summary used to carry (issue #11).
    # A finding that the factor table (section 4) shows is pointed to, not repeated:
    # its long sentence made one flag fill three lines of a two-page report.
    parts = []
    for x in items:
        if not isinstance(x, dict):
            continue
        if x.get("kind") == "answer":
            parts.append(_evidence_text(x))
        elif x.get("kind") == "finding":
            parts.append(t("ev_see_factors", lang) if (x.get("field"), x.get("value")) in shown
                         else _first_sentence(_evidence_text(x)))
    dates = sorted({x["date"] for x in items if isinstance(x, dict) and x.get("date")})
    if dates:
        days = [date_str(dt.date.fromisoformat(d), lang, year=False) for d in dates]
        count = t("n_nights" if len(dates) != 1 else "n_night_one", lang, n=len(dates))
        # The flag text often names the dates itself: then the count is enough. Else a
        # few dates, or the first and last: the full list is in the app and the JSON.
        if days[0] in text:
            parts.append(count)
        elif len(days) <= 3:
            parts.append(count + ": " + ", ".join(days))
        elif count in text:  # "(13 nachten). (13 nachten, ...)" said the count twice
            parts.append(t("span", lang, first=days[0], last=days[-1]))
        else:
            parts.append(t("n_nights_span", lang, n=len(days), first=days[0], last=days[-1]))
    return "; ".join(parts)


def _evidence_text(x: Any) -> str:
    if isinstance(x, dict):
        if x.get("text"):
            return str(x["text"])
        parts = [str(x[k]) for k in ("date", "field", "value") if x.get(k) not in (None, "")]
        return " ".join(parts)
    return str(x)


_LEVEL_KEYS = {f"level_{x}" for x in ("self_care", "gp_routine", "gp_soon", "urgent")}


def _text_of(x: Any, keys: tuple[str, ...] = ("text", "title", "name", "condition")) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, dict):
        for k in keys:
            if isinstance(x.get(k), str) and x[k]:
                return x[k]
    for k in keys:
        v = getattr(x, k, None)
        if isinstance(v, str) and v:
            return v
    return ""


def _tell_gp(triage: dict) -> list[str]:
    """What is worth telling the GP: the "tell your GP" sentences of the triage hints."""
    out: list[str] = []
    for d in triage.get("differentials", []) if triage else []:
        s = _text_of(d, ("tell_gp",))
        if s and s not in out:
            out.append(s)
    return out[:MAX_TELL]


def _questions(freq: list[TypeCount], factors: list[FactorRow], lang: str) -> list[str]:
    """Real questions to ask: one per episode type that has one, and one about alcohol."""
    qs: list[str] = []
    for tc in sorted(freq, key=lambda c: -c.nights * SEVERITY.get(c.type, 1)):
        key = f"q_{tc.type}"
        if key in _QUESTION_KEYS:
            qs.append(t(key, lang))
    if any(f.factor.startswith("alcohol") and f.direction == "up" for f in factors):
        qs.append(t("q_alcohol", lang))
    if not qs:
        qs.append(t("q_generic", lang))
    return list(dict.fromkeys(qs))[:MAX_QUESTIONS]


_QUESTION_KEYS = {
    f"q_{c}" for c in ("sexsomnia", "sleepwalking", "hypnic_jerk", "bruxism", "muscle_tension",
                       "breathing_pause", "restless_legs", "urge", "dream_enactment")
}


def _complaint(
    freq: list[TypeCount], metrics: list[MetricRow], period: PeriodInfo, lang: str
) -> str:
    if period.nights_recorded == 0 and period.episodes_recorded == 0:
        return t("empty_period", lang)
    if freq:
        ranked = sorted(freq, key=lambda c: (-c.nights * SEVERITY.get(c.type, 1), -c.nights))
        top = ranked[0]
        by = "by_partner" if top.by_partner * 2 > len(top.dates) else "by_self"
        label = top.label[:1].upper() + top.label[1:]
        s = t("complaint_episode", lang, label=label, nights=top.nights, days=period.days,
              times=top.times, per_week=num(top.per_week, lang), by=t(by, lang))
        rest = [f"{c.label} ({c.nights})" for c in ranked[1:4]]
        if rest:
            s += " " + t("complaint_also", lang, rest="; ".join(rest))
        return s
    m = {r.key: r for r in metrics}
    tst, se, sol = m["tst_min"], m["se_pct"], m["sol_min"]
    if tst.mean is None and sol.mean is None:
        return t("complaint_no_metrics", lang, n=period.nights_recorded)
    if sol.mean is not None and sol.mean > 30:
        return t("complaint_metric_sol", lang, sol=num(sol.mean, lang, 0), n=sol.n)
    if se.mean is not None and se.mean < 85:
        return t("complaint_metric_se", lang, tst=num(tst.mean / 60 if tst.mean else None, lang),
                 se=num(se.mean, lang, 0), n=se.n)
    return t("complaint_metric_ok", lang, tst=num(tst.mean / 60 if tst.mean else None, lang),
             se=num(se.mean, lang, 0))


def _experiments(diary: Diary, experiments: Sequence[Any], lang: str) -> list[ExperimentRow]:
    """Compare each experiment (or take an already computed result) for the report.

    The whole diary is used, not only the report period: an experiment's baseline
    is the weeks before it started, which may lie before the period.
    """
    rows = []
    for exp in experiments:
        if isinstance(exp, dict):
            d = exp
        elif hasattr(exp, "verdict") and hasattr(exp, "to_dict"):
            d = exp.to_dict()  # an ExperimentResult
        else:
            from nachtwacht.insight.experiments import compare

            d = compare(diary, exp, lang=lang).to_dict()
        name = (d.get(f"title_{lang}") or _text_of(d, ("title", "name", "code"))
                or _text_of(exp, (f"title_{lang}", "title", "code")))
        text = d.get(f"text_{lang}") or _text_of(d, ("text", "summary"))
        details = {k: v for k, v in d.items()
                   if isinstance(v, int | float | str) and not k.startswith("text")}
        for key in ("experiment_period", "baseline_period"):
            if isinstance(d.get(key), list | tuple) and len(d[key]) == 2:
                details[key] = f"{d[key][0]}/{d[key][1]}"
        meta = ""
        if isinstance(d.get("n_experiment"), int) and isinstance(d.get("n_baseline"), int):
            adh = d.get("adherence")
            meta = t("exp_meta", lang, a=d["n_experiment"], b=d["n_baseline"],
                     kept="–" if not isinstance(adh, int | float) else f"{100 * adh:.0f}")
        rows.append(ExperimentRow(name=name, text=text, details=details, meta=meta))
    return rows


#: Key figures of a sleep study: where they are in ``NightAnalysis.to_json()``, the
#: label (nl, en) and unit. Missing ones (detector skipped) are left out.
_PSG_FIGURES: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("stats", "TST"), "Totale slaaptijd", "Total sleep time", "min"),
    (("stats", "SE"), "Slaapefficiëntie", "Sleep efficiency", "%"),
    (("stats", "SOL"), "Inslaaptijd", "Sleep onset latency", "min"),
    (("stats", "WASO"), "Wakker na inslapen", "Wake after sleep onset", "min"),
    (("stats", "%N1"), "N1", "N1", "%"),
    (("stats", "%N2"), "N2", "N2", "%"),
    (("stats", "%N3"), "N3", "N3", "%"),
    (("stats", "%REM"), "REM", "REM", "%"),
    (("stats", "Lat_REM"), "REM-latentie", "REM latency", "min"),
    (("events", "respiratory", "summary", "ahi"), "AHI", "AHI", "/h"),
    (("events", "desaturation", "summary", "odi3"), "ODI 3%", "ODI 3%", "/h"),
    (("events", "desaturation", "summary", "spo2_nadir"), "Laagste SpO2", "SpO2 nadir", "%"),
    (("events", "leg_movements", "summary", "plms_index"), "PLMS-index", "PLMS index", "/h"),
    (("events", "bruxism", "summary", "rmma_index"), "Kauwspieractiviteit (RMMA)",
     "Jaw muscle activity (RMMA)", "/h"),
    (("events", "rswa", "summary", "rswa_any_pct"), "REM zonder spierverslapping",
     "REM without atonia", "%"),
    (("events", "sleep_starts", "summary", "sleep_start_count"), "Inslaapschokken",
     "Sleep starts", ""),
)


def _dig(d: Any, path: tuple[str, ...]) -> Any:
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _psg(psg: Any, lang: str) -> PsgInfo | None:
    if psg is None:
        return None
    d = psg.to_json() if hasattr(psg, "to_json") else dict(psg)
    shown = []
    for path, nl, en, unit in _PSG_FIGURES:
        v = _dig(d, path)
        if isinstance(v, int | float) and not isinstance(v, bool):
            digits = 0 if unit in ("min", "") else 1
            shown.append((en if lang == "en" else nl,
                          num(float(v), lang, digits) + (f" {unit}" if unit else "")))
    if not shown:  # an analysis in another layout: show its plain numbers
        stats = d.get("stats") or {}
        shown = [(str(k), num(float(v), lang)) for k, v in stats.items()
                 if isinstance(v, int | float) and not isinstance(v, bool)][:12]
    events = d.get("events") or {}
    ev: list[tuple[str, int]] = []
    if isinstance(events, dict):
        for name, res in events.items():
            n = len(res.get("events", [])) if isinstance(res, dict) else len(res or [])
            ev.append((str(name), n))
    elif isinstance(events, list):
        ev = sorted(Counter(str(e.get("kind", "?")) for e in events if isinstance(e, dict)).items())
    skipped = d.get("skipped") or {}
    skipped_rows = (list(skipped.items()) if isinstance(skipped, dict)
                    else [(str(x), "") for x in skipped])
    hyp = d.get("hypnogram")
    source = _dig(d, ("recording", "source")) or (hyp or {}).get("source", "") or ""
    return PsgInfo(source=str(source), stats=shown,
                   hypnogram=hyp if isinstance(hyp, dict) else None, events=ev,
                   # Names and reasons in the reader's language, never the pipeline's
                   # English codes (issue #14); the English detail stays in the JSON.
                   skipped=[(detector_label(str(a), lang), _skip_why(b, lang))
                            for a, b in skipped_rows])


def _skip_why(text: Any, lang: str) -> str:
    if not text:
        return ""
    reason, _detail = skip_reason(text, lang)
    known = str(text).partition(": ")[0].strip() in SKIP_REASONS
    # An English reader may read a note the table does not know as it is; a Dutch
    # reader gets the plain "niet geanalyseerd" instead of English machine text.
    return reason if known or lang != "en" else str(text)


def _night_bars(nights: list[Night], per_night: dict[dt.date, Any]) -> list[NightBar]:
    out = []
    for n in nights:
        nm = per_night[n.date]

        def h(x: dt.datetime | None, d: dt.date = n.date) -> float | None:
            return _hours_after_18(x, d) if x is not None else None

        out.append(NightBar(n.date, h(nm.bed_dt), h(nm.onset_dt), h(nm.final_wake_dt),
                            h(nm.out_of_bed_dt), nm.tst_min, nm.se_pct))
    return out


def _marks(episodes: list[Episode], tz: str) -> list[EpisodeMark]:
    return [
        EpisodeMark(e.date, e.type,
                    _hours_after_18(resolve(e.date, e.time, "evening", tz=tz), e.date)
                    if e.time is not None else None, e.reporter)
        for e in episodes
    ]


def _private_notes(nights: list[Night], episodes: list[Episode]) -> list[tuple[dt.date, str]]:
    return [(n.date, n.notes) for n in nights if n.notes] + [
        (e.date, e.notes) for e in episodes if e.notes]
