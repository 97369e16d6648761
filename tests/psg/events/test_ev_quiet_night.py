"""A night with nothing planted: the detectors must not invent events (specificity)."""

from __future__ import annotations

import pytest
from evtools import night

from nachtwacht.psg.events import run_all
from nachtwacht.psg.simulate import DEFAULT_CHANNELS


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_quiet_night_stays_quiet(noise):
    rec, truth = night(7, noise, 2.0, DEFAULT_CHANNELS + ("Masseter", "Arm"), ())
    res = run_all(rec, truth.hypnogram)
    assert not any(r.skipped for r in res.values()), {k: r.skipped for k, r in res.items()}
    s = {k: r.summary for k, r in res.items()}
    assert s["leg_movements"]["lm_count"] == 0
    assert s["respiratory"]["ahi_3a"] < 1.0
    assert s["desaturation"]["odi3"] < 1.0
    assert s["desaturation"]["t90_min"] == 0
    assert s["arousal"]["arousal_index"] < 2.0
    assert s["rswa"]["rswa_any_pct"] < 3.0
    assert s["rswa"]["rswa_positive"]["sinbar_any_mentalis_18pct"] in (False, None)
    assert s["bruxism"]["rmma_episodes"] == 0
    assert s["sleep_starts"]["sleep_start_count"] == 0
