"""The independent simulator's own tools: matching, F1, index errors, determinism."""

from __future__ import annotations

import numpy as np
from indsim import score
from indsim.events import Plan, Planted
from indsim.nights import make_night


def test_match_is_one_to_one_closest_first():
    true = [(10.0, 12.0), (30.0, 31.0)]
    det = [(10.4, 12.0), (10.1, 11.0), (50.0, 51.0)]
    assert score.match(true, det, 1.0) == [(0, 1)]


def test_match_needs_overlap_and_onset_tolerance():
    assert score.match([(10.0, 11.0)], [(11.5, 12.0)], 2.0) == []   # no overlap
    assert score.match([(10.0, 30.0)], [(16.0, 30.0)], 5.0) == []   # onset 6 s off


def test_kind_score_figures():
    k = score.KindScore("lm", n_true=10, n_det=8, tp=7, onset_bias=0.0, offset_bias=0.0)
    assert (k.sensitivity, k.precision) == (0.7, 7 / 8)
    assert abs(k.f1 - 14 / 18) < 1e-12
    assert score.KindScore("lm", 0, 0, 0, None, None).f1 is None


def test_index_error_points_for_percentages():
    assert score.IndexScore("rswa_phasic_pct", 5.0, 7.9).ok
    assert not score.IndexScore("rswa_phasic_pct", 5.0, 8.1).ok
    assert score.IndexScore("ahi", 20.0, 17.1).ok
    assert not score.IndexScore("ahi", 20.0, 16.9).ok
    assert not score.IndexScore("ahi", 20.0, None).ok


def test_planted_indices_per_hour_of_sleep():
    plan = Plan(np.array([0] * 20 + [2] * 120, dtype=np.int8))  # 10 min wake, 1 h N2
    for t in (700, 900, 1100):
        plan.add(Planted("apnea", t, t + 15, "obstructive"))
    plan.add(Planted("apnea", 100, 115, "central"))  # in wake: does not count
    idx = score.planted_indices(plan)
    assert idx["ahi"] == 3.0 and idx["oai"] == 3.0 and idx["cai"] == 0.0


def test_simulator_is_deterministic():
    stages = np.array([0, 0, 1, 2, 2, 2, 3, 3, 3, 2, 4, 4, 4, 2], dtype=np.int8)
    a = make_night("short_event", seed=4, stages=stages)
    b = make_night("short_event", seed=4, stages=stages)
    assert [(e.kind, e.onset) for e in a.plan.events] == [(e.kind, e.onset) for e in b.plan.events]
    for name, (x, *_rest) in a.signals.items():
        assert np.array_equal(x, b.signals[name][0]), name
