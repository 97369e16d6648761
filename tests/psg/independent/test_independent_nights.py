"""Independent check of the sleep-study detectors (issue #13, deliverable 8).

Three 1.5-hour stretches of a real expert-scored Dreem night (the richest window:
N3, REM, N2 and sleep onsets), simulated by :mod:`indsim` (written from SCORING.md,
not from the detectors or ``psg.simulate``) and analysed through the pipeline with
the true hypnogram:

- ``clean``: no artefacts, healthy REM (~5 % phasic chin activity);
- ``heavy_noise``: ECG of 10-20 µV on every EMG, mains hum, baseline wander, electrode
  pops and brief twitches on the legs, noisier breathing and oximetry; healthy REM;
- ``short_event``: many 10-13 s apneas, periodic-breathing runs with LMs at the event
  ends, short LMs and arousals, theta arousals out of N3, RBD-like REM, ECG of 4-8 µV
  on the EMG.

Targets (issue #13): F1 ≥ 0.85 per event kind, every headline index within 15 % of
the planted value (3 points for percentages), RSWA verdicts right where the planted
value is clearly on one side of the cut-off. Full nights and the definitions of the
planted values: ``bench/psg_independent`` (README).
The ``truth`` tests check the simulator itself (planted events meet their rule by a
margin on plain reference measurements), so a failure elsewhere is the detector's.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("scipy")

from indsim import adapter, reference, score  # noqa: E402
from indsim.nights import make_night  # noqa: E402

HOURS = 1.5
SEEDS = {"clean": 11, "heavy_noise": 12, "short_event": 13}
NIGHTS = tuple(SEEDS)
KINDS = ("apnea_obstructive", "apnea_central", "hypopnea", "desaturation", "lm", "plm",
         "lm_respiratory", "arousal", "arousal_n3", "rswa_burst", "rmma", "sleep_start")
INDICES = ("ahi", "oai", "cai", "odi3", "lm_index", "plms_index", "plms_arousal_index",
           "arousal_index", "n3_arousal_index", "rswa_phasic_pct", "rswa_tonic_pct",
           "rswa_any_pct", "montreal_phasic_pct", "rmma_index")


@functools.cache
def night(name: str):
    try:
        n = make_night(name, hours=HOURS, seed=SEEDS[name])
    except FileNotFoundError as exc:  # the real hypnograms live in ../shared
        pytest.skip(f"no Dreem hypnograms: {exc}")
    return n


@functools.cache
def outcome(name: str):
    n = night(name)
    res = adapter.analyse(n)
    return (score.score_kinds(n.plan, adapter.detected(res)),
            score.score_indices(n.plan, adapter.indices(res)), adapter.skipped(res),
            adapter.rswa_verdicts(res))


# --- the simulator is right -------------------------------------------------------------

@pytest.mark.parametrize("name", NIGHTS)
def test_truth_breathing_meets_the_rules(name):
    for r in reference.breathing_ratios(night(name)):
        e = r["event"]
        if e.kind == "apnea":  # ≥ 90 % thermal drop, effort by type
            assert r["Flow"] <= 0.08, (e, r)
            assert (r["Thorax"] <= 0.1) if e.type == "central" else (r["Thorax"] >= 0.9), (e, r)
        else:  # ≥ 30 % pressure drop, clearly not an apnea
            assert 0.3 <= r["Nasal Pressure"] <= 0.68 and r["Flow"] >= 0.3, (e, r)


@pytest.mark.parametrize("name", NIGHTS)
def test_truth_desaturations_are_unambiguous(name):
    for e, drop in reference.spo2_drops(night(name)):
        assert drop >= 4 if e.extra["depth"] >= 3 else drop <= 2, (e, drop)


@pytest.mark.parametrize("name", NIGHTS)
def test_truth_leg_movements_rise_8uv(name):
    rises = [v for _e, v in reference.lm_rises(night(name))]
    assert rises and min(rises) >= 9.0


@pytest.mark.parametrize("name", NIGHTS)
def test_truth_has_every_kind(name):
    tr = score.truth(night(name).plan)
    want = set(KINDS) - {"sleep_start"} - ({"lm_respiratory"} if name != "short_event" else set())
    assert all(tr[k] for k in want), {k: len(tr[k]) for k in want}


# --- the detectors meet the targets ---------------------------------------------

@pytest.mark.parametrize("name", NIGHTS)
def test_no_detector_skipped(name):
    assert outcome(name)[2] == {}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NIGHTS)
def test_event_f1(name, kind):
    k = outcome(name)[0][kind]
    if k.f1 is None:  # nothing planted, nothing detected
        return
    assert k.f1 >= score.F1_TARGET, (
        f"{name} {kind}: planted {k.n_true}, detected {k.n_det}, matched {k.tp}, "
        f"F1 {k.f1:.2f}, onset bias {k.onset_bias}, offset bias {k.offset_bias}")


@pytest.mark.parametrize("index", INDICES)
@pytest.mark.parametrize("name", NIGHTS)
def test_headline_index(name, index):
    s = outcome(name)[1][index]
    assert np.isfinite(s.planted)
    assert s.ok, f"{name} {index}: planted {s.planted:.2f}, detected {s.detected}, error {s.error}"


@pytest.mark.parametrize("name", NIGHTS)
def test_rswa_verdicts(name):
    """Healthy REM (~5 % phasic) must not be called RSWA; RBD-like REM must."""
    want = score.expected_verdicts(night(name).plan)
    got = outcome(name)[3]
    assert want and {k: got.get(k) for k in want} == want, (want, got)
