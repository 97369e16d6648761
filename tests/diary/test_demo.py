"""The demo household is deterministic, valid, and carries the planted patterns."""

from __future__ import annotations

import datetime as dt

import pytest
from scipy.stats import fisher_exact

from nachtwacht.diary.demo import demo_diary, demo_diary_years
from nachtwacht.diary.metrics import night_metrics, period_metrics
from nachtwacht.diary.validate import validate_episode, validate_nights

END = dt.date(2026, 11, 1)


def _table(diary, exposed, outcome_type: str) -> tuple[int, int, int, int, float]:  # noqa: ANN001
    hit = {e.date for e in diary.episodes if e.type == outcome_type}
    a = sum(1 for n, x in zip(diary.nights, exposed, strict=True) if x and n.date in hit)
    c = sum(1 for n, x in zip(diary.nights, exposed, strict=True) if not x and n.date in hit)
    n_exp = sum(exposed)
    b, d = n_exp - a, len(exposed) - n_exp - c
    return a, b, c, d, fisher_exact([[a, b], [c, d]], alternative="greater")[1]


def test_same_arguments_same_diary() -> None:
    assert demo_diary(seed=7, end=END) == demo_diary(seed=7, end=END)
    assert demo_diary(seed=7, end=END) != demo_diary(seed=8, end=END)


def test_shape_and_validity(demo) -> None:  # noqa: ANN001
    assert len(demo.nights) == 56 and demo.nights[-1].date == END
    assert validate_nights(demo.nights, today=END) == []
    assert all(validate_episode(e, today=END) == [] for e in demo.episodes)
    p = demo.profile
    assert (p.bed_partner, p.children_in_home, p.drives) == (True, False, True)
    stats = period_metrics(demo.nights)
    assert 22 * 60 <= stats["mean_bedtime"].hour * 60 + stats["mean_bedtime"].minute + 1440 * (
        stats["mean_bedtime"].hour < 12) <= 24 * 60 + 30
    assert 10 <= stats["sol_min"]["mean"] <= 45
    assert stats["sri"] is not None
    # Some optional answers are left open, as in a real diary.
    assert any(n.rested is None for n in demo.nights)


def test_weekends_are_later(demo) -> None:  # noqa: ANN001
    def bed_min(n) -> int:  # noqa: ANN001
        m = night_metrics(n).bed_dt
        return m.hour * 60 + m.minute + (1440 if m.hour < 12 else 0)

    fri_sat = [bed_min(n) for n in demo.nights if n.date.weekday() in (5, 6)]
    weekdays = [bed_min(n) for n in demo.nights if n.date.weekday() in (1, 2, 3)]
    assert sum(fri_sat) / len(fri_sat) > sum(weekdays) / len(weekdays)


def test_sexsomnia_after_alcohol_and_short_sleep(demo) -> None:  # noqa: ANN001
    ms = [night_metrics(n) for n in demo.nights]
    exposed = [i > 0 and (n.alcohol_units or 0) >= 3 and ms[i - 1].tst_min < 360
               for i, n in enumerate(demo.nights)]
    a, b, c, d, p = _table(demo, exposed, "sexsomnia")
    assert a / (a + b) >= 0.55 and c / (c + d) <= 0.10 and p < 1e-3
    # Alcohol alone, the factor a trigger analysis will test first, is clear too.
    a, b, c, d, p = _table(demo, [(n.alcohol_units or 0) >= 3 for n in demo.nights], "sexsomnia")
    assert p < 1e-3
    sex = [e for e in demo.episodes if e.type == "sexsomnia"]
    assert all(e.reporter == "partner" and e.recall == "none" and e.behaviours for e in sex)
    assert sum(bool(e.left_bedroom) for e in sex) == 1


def test_hypnic_jerks_after_late_caffeine(demo) -> None:  # noqa: ANN001
    late = [n.caffeine_last is not None and n.caffeine_last >= dt.time(15) for n in demo.nights]
    a, b, c, d, p = _table(demo, late, "hypnic_jerk")
    assert a / (a + b) >= 0.6 and c / (c + d) <= 0.15 and p < 1e-3
    assert all(e.reporter == "self" for e in demo.episodes if e.type == "hypnic_jerk")


def test_jaw_tension_in_stressful_weeks(demo) -> None:  # noqa: ANN001
    stressed = [n.stress >= 6 for n in demo.nights]
    assert 10 <= sum(stressed) <= 18  # two weeks of eight
    assert all(6 <= n.tension <= 8 for n, s in zip(demo.nights, stressed, strict=True) if s)
    assert all(1 <= n.tension <= 3 for n, s in zip(demo.nights, stressed, strict=True) if not s)
    *_, p = _table(demo, stressed, "bruxism")
    assert p < 1e-3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patterns_hold_for_other_seeds(seed: int) -> None:
    d = demo_diary(seed=seed, end=END)
    *_, p_alc = _table(d, [(n.alcohol_units or 0) >= 3 for n in d.nights], "sexsomnia")
    *_, p_caf = _table(d, [n.caffeine_last >= dt.time(15) for n in d.nights], "hypnic_jerk")
    assert p_alc < 0.01 and p_caf < 0.01


def test_three_years() -> None:
    d = demo_diary_years(3, end=END)
    assert 1090 <= len(d.nights) <= 1100
    assert len({n.date for n in d.nights}) == len(d.nights)
    assert validate_nights(d.nights, today=END) == []
