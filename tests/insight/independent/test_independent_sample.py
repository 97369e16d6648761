"""A small, seeded sample of the independent insight simulation (``bench/insight_sim``).

The full harness (200 people per scenario) lives in ``bench/``; this is a fast
sample with bounds that the targets of issue #12 imply. Each bound is set so that
an analysis sitting *exactly* on its target still passes with probability >= 99.6 %
(binomial tail, computed with ``scipy.stats.binom``), so a failure means the target
is very probably missed, not bad luck:

- null (nothing linked), 40 people: at most 6 with any false "likely"
  (target <= 5 %; P(X >= 7 | n=40, p=0.05) = 0.34 %);
- alcohol raising an episode from 10 % to 50 % of nights, 30 people at 56 nights:
  at least 18 found (target >= 80 %; P(X <= 17 | n=30, p=0.8) = 0.31 %);
- the same, 40 people at 28 nights: at least 9 found (target >= 40 %;
  P(X <= 8 | n=40, p=0.4) = 0.61 %);
- screens riding along with drinking, 30 people at 56 nights: at most 5 with
  screens "likely" (target <= 5 %; P(X >= 6 | n=30, p=0.05) = 0.33 %);
- experiments with nothing changed, 40 people each with lag-1 correlation 0.6
  and with a slow improving trend (28 + 28 nights): at most 6 verdicts declaring
  a change (target <= 5 %; 0.34 %).

The diaries are the same for every run (fixed seeds); only a change in the
analysis can change the counts.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.insight_sim.scenarios import (  # noqa: E402
    scenario_a,
    scenario_b,
    scenario_c,
    scenario_d,
    scenario_f,
    scenario_h,
)
from bench.insight_sim.score import declares_change, score_insight  # noqa: E402

SEED = 424242


def _count(cases, measure: str) -> int:
    from nachtwacht.insight import analyse

    return sum(score_insight(analyse(c.diary, lang="nl"), c.truth).get(measure, False)
               for c in cases)


def test_simulated_diary_is_a_valid_csv_diary():
    """The simulator writes real diaries: valid, and unchanged by a CSV round trip."""
    from nachtwacht.diary.csvio import load_diary, write_episodes, write_nights

    case = scenario_b(SEED, 1, 56)[0]
    nights, episodes = io.StringIO(), io.StringIO()
    write_nights(case.diary.nights, nights)
    write_episodes(case.diary.episodes, episodes)
    back = load_diary(nights.getvalue().encode(), episodes.getvalue().encode(),
                      today=dt.date(2026, 12, 1))
    assert back.nights == case.diary.nights
    assert back.episodes == case.diary.episodes
    assert any(e.reporter == "partner" for e in back.episodes)
    assert any(n.slept_apart for n in back.nights)


def test_null_few_false_likely():
    # A mix of the three null scenarios: plain, partner apart after drinking, spells.
    cases = scenario_a(SEED, 14, 56) + scenario_b(SEED, 13, 56) + scenario_c(SEED, 13, 56)
    assert len(cases) == 40
    assert _count(cases, "any_false") <= 6


def test_trigger_found_at_56_nights():
    assert _count(scenario_d(SEED, 30, 56), "found") >= 18


def test_trigger_found_at_28_nights():
    assert _count(scenario_d(SEED, 40, 28), "found") >= 9


def test_ride_along_not_likely():
    assert _count(scenario_f(SEED, 30, 56), "ride_along") <= 5


@pytest.mark.parametrize("mode", ["ar0.6", "trend"])
def test_experiment_nothing_changed_few_verdicts(mode):
    from nachtwacht.insight.experiments import compare, make

    cases = scenario_h(SEED, 40, 28, mode)
    declared = sum(declares_change(compare(c.diary, make(c.code, c.start), lang="nl"))
                   for c in cases)
    assert declared <= 6
