"""The report's numbers, checked against a diary whose every value is known by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from report_helpers import DAYS, JERK_DAYS, SEXSOMNIA_DAYS, START

from nachtwacht.diary.fields import PROFILE_FIELDS
from nachtwacht.report import build


def _by_type(data, code):
    return next(c for c in data.frequency if c.type == code)


def test_counts_per_type_keep_their_dates(household_nl):
    sex = _by_type(household_nl, "sexsomnia")
    assert sex.nights == len(SEXSOMNIA_DAYS) == 6
    assert sex.times == 6
    assert sex.by_partner == 6
    assert sex.dates == [START + dt.timedelta(days=i) for i in SEXSOMNIA_DAYS]
    assert sex.per_week == pytest.approx(7 * 6 / DAYS)
    jerk = _by_type(household_nl, "hypnic_jerk")
    assert (jerk.nights, jerk.times, jerk.by_partner) == (len(JERK_DAYS), 2 * len(JERK_DAYS), 0)


def test_trend_compares_the_two_halves(household_nl):
    jerk = _by_type(household_nl, "hypnic_jerk")
    first = sum(1 for i in JERK_DAYS if i < DAYS // 2)
    assert jerk.first_half_per_week == pytest.approx(7 * first / 14)
    assert jerk.second_half_per_week == pytest.approx(7 * (len(JERK_DAYS) - first) / 14)


def test_main_complaint_puts_the_serious_type_first(household_nl):
    # Hypnic jerks are on more nights (9) but sexsomnia (6) weighs more for a GP.
    assert household_nl.complaint.startswith("Seksueel gedrag in de slaap")
    assert "6 van de 28 nachten" in household_nl.complaint
    assert "schok bij inslapen (9)" in household_nl.complaint


def test_when_clock_time_and_part_of_night(household_nl):
    timing = {x.type: x for x in household_nl.timing}
    assert timing["sexsomnia"].median == "01:30"
    # Lights out 23:15, final wake 06:45: 01:30 is 30% into the night, the first third.
    assert timing["sexsomnia"].thirds == {"first": 6, "middle": 0, "last": 0, "unknown": 0}
    assert timing["hypnic_jerk"].median == "23:25"


def test_partner_behaviours_recall_and_safety(household_nl):
    p = household_nl.partner
    assert (p.entries, p.nights) == (6, 6)
    assert dict(p.behaviours) == {"touching": 6, "moaning": 6}
    assert [(code, n) for code, _, n in p.recall] == [("none", 6)]
    assert p.injury_dates == [START + dt.timedelta(days=10)]
    assert p.unsafe_dates == [START + dt.timedelta(days=17)]
    assert p.left_bedroom_dates == []


def test_metrics_match_a_hand_computation(household, household_nl):
    # TST = final wake - (lights out + SOL) - WASO; the household has fixed clock times.
    # The last morning, 29 March 2026, is the switch to summer time: that night is an
    # hour shorter in real time, and the diary core counts real time.
    dst = dt.date(2026, 3, 29)
    span = {n.date: (7.5 * 60 - (60 if n.date == dst else 0)) for n in household.nights}
    tst = [span[n.date] - n.sol_min - n.waso_min for n in household.nights]
    tib = [8 * 60 - (60 if n.date == dst else 0) for n in household.nights]
    m = {r.key: r for r in household_nl.metrics}
    assert m["tst_min"].n == DAYS
    assert m["tst_min"].mean == pytest.approx(sum(tst) / DAYS)
    assert m["tib_min"].mean == pytest.approx(sum(tib) / DAYS)
    assert m["se_pct"].mean == pytest.approx(
        sum(100 * x / y for x, y in zip(tst, tib, strict=True)) / DAYS)
    assert m["sol_min"].min == 15 and m["sol_min"].max == 25
    assert m["quality"].mean == pytest.approx(3.0)


def test_checklist_has_every_registry_question(household_nl):
    names = [f.name for f in PROFILE_FIELDS if f.group == "checklist"]
    items = {c.name: c for c in household_nl.checklist}
    assert list(items) == names
    assert items["snoring"].answer == "nee"
    assert items["witnessed_apneas"].answer == "niet ingevuld"
    assert items["daytime_sleepiness"].answer == "soms"
    assert items["snoring"].label == "Snurken"


def test_period_filter(household):
    data = build(household, period=(START + dt.timedelta(days=7), START + dt.timedelta(days=13)))
    assert data.period.days == 7
    assert data.period.nights_recorded == 7
    assert _by_type(data, "sexsomnia").nights == 1  # only day offset 10
    assert _by_type(data, "sexsomnia").trend is None  # a week is too short for a trend


def test_empty_period_says_so(household):
    data = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 31)))
    assert data.is_empty
    assert data.frequency == [] and data.partner is None
    assert "geen nachten en geen voorvallen" in data.complaint
    en = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 31)), lang="en")
    assert "No nights and no episodes" in en.complaint


def test_empty_diary_still_builds():
    from nachtwacht.diary.types import Diary

    data = build(Diary(), lang="en")
    assert data.is_empty and data.period.start is None
    assert data.default_filename() == "nachtwacht-report-empty.pdf"


def test_bad_input_raises_clear_errors(household):
    with pytest.raises(ValueError, match="after it ends"):
        build(household, period=(dt.date(2026, 3, 10), dt.date(2026, 3, 1)))
    with pytest.raises(ValueError, match="unknown language"):
        build(household, lang="de")


def test_no_personal_data_by_default(household_nl, household):
    assert household_nl.subject.birth_year is None
    assert household_nl.private_notes == []
    assert "1984" not in household_nl.default_filename()
    with_year = build(household, include_birth_year=True, include_private=True)
    assert with_year.subject.birth_year == 1984
    assert any("geheime" in text for _, text in with_year.private_notes)


def test_insight_findings_carry_their_uncertainty(household_nl):
    # Alcohol precedes every sexsomnia night in the household: the analysis must say so.
    rows = [f for f in household_nl.factors if f.outcome.endswith("sexsomnia")]
    assert rows, household_nl.factors
    # Clear, or "possible" when the analysis says a rhythm of similar days may explain it.
    assert rows[0].certainty in ("clear", "possible")
    assert rows[0].ci_low is not None and rows[0].ci_high is not None
    assert "95%-BI" in rows[0].effect_text


def test_experiments_use_the_whole_diary_for_their_baseline(household):
    from nachtwacht.insight.experiments import make

    exp = make("no_alcohol_weeknights", START + dt.timedelta(days=14))
    # The report covers only the experiment weeks; the baseline lies before them.
    data = build(household, period=(START + dt.timedelta(days=14), START + dt.timedelta(days=27)),
                 experiments=[exp])
    (row,) = data.experiments
    assert row.name.startswith("Geen alcohol door de week")
    assert row.details["n_baseline"] == 14 and row.details["n_experiment"] == 14
    assert "14 nachten met de proef tegen 14 nachten ervoor" in row.meta
    assert row.text


def test_numbers_round_as_by_hand():
    from nachtwacht.report.strings import num

    assert num(17.25, "nl") == "17,3"  # half up, Dutch decimal comma
    assert num(17.25, "en") == "17.3"
    assert num(-0.04, "en") == "0.0"
    assert num(None) == "–"


def test_discussion_list_keeps_statements_apart_from_questions(household_nl):
    # "Tell your GP" sentences are not questions: they get their own list, and the
    # numbered list holds only real questions.
    assert household_nl.tell_gp, "the household's hints give things to tell"
    assert all(q.endswith("?") for q in household_nl.questions)
    assert not set(household_nl.tell_gp) & set(household_nl.questions)
    assert any("inslapen" in s for s in household_nl.tell_gp)
    assert len(household_nl.questions) <= 5 and len(household_nl.tell_gp) <= 4
