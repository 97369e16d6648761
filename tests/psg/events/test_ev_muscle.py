"""RSWA, bruxism (RMMA) and sleep starts against planted truth.

No published human-agreement figure exists for automatic RMMA or sleep-start scoring;
for RSWA, SINBAR reports high inter-rater reliability for "any" mentalis. The floors
below are ours: what a clean synthetic night must reach.
"""

from __future__ import annotations

import numpy as np
import pytest
from evtools import NOISES, SEEDS, constant_hyp, match, night, rec_of

from nachtwacht.psg.events import bruxism, rswa, sleep_starts
from nachtwacht.psg.simulate import simulate_night
from nachtwacht.psg.types import N2, REM, WAKE, Channel, Hypnogram

# A REM-rich two hours, so RSWA percentages rest on enough mini-epochs.
REM_NIGHT = np.array([0] * 4 + [1] * 4 + [2] * 40 + [4] * 40 + [2] * 20 + [4] * 40 + [0] * 2,
                     dtype=np.int8)


def _rswa_truth(truth):
    """SINBAR-style percentages of the planted activity over complete REM mini-epochs."""
    rem_eps = np.flatnonzero(truth.hypnogram.stages == REM)
    minis = [(e * 30 + 3 * k, e * 30 + 3 * k + 3) for e in rem_eps for k in range(10)]
    tonic = {int(e.onset_s // 30) for e in truth.of("rswa_tonic")}
    ph = truth.of("rswa_phasic")
    hit = [any(x.onset_s < b and a < x.end_s for x in ph) for a, b in minis]
    any_ = sum(h or int(a // 30) in tonic for h, (a, _) in zip(hit, minis, strict=True))
    return 100 * any_ / len(minis), 100 * sum(hit) / len(minis), 100 * len(tonic) / len(rem_eps)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("share", [0.0, 0.1, 0.4])
def test_rswa_percentages_and_verdicts(seed, noise, share):
    hyp = Hypnogram(REM_NIGHT)
    # With noise the chin carries ECG (5 µV per unit of noise); the usual montage has an
    # ECG channel, whose R peaks clean it (no-ECG-channel cases: test_ev_issue13).
    rec, truth = simulate_night(hyp, seed=seed, noise=noise, channels=("Chin", "ECG"),
                                events={"rswa": share})
    r = rswa.detect(rec, hyp)
    any_pct, phasic_pct, tonic_pct = _rswa_truth(truth)
    s = r.summary
    assert s["rswa_any_pct"] == pytest.approx(any_pct, abs=3.0)
    assert s["rswa_phasic_pct"] == pytest.approx(phasic_pct, abs=3.0)
    assert s["rswa_tonic_pct"] == pytest.approx(tonic_pct, abs=3.0)
    assert s["rswa_positive"]["sinbar_any_mentalis_18pct"] == (any_pct >= 18)
    assert s["rswa_positive"]["sinbar_any_mentalis_fds_32pct"] is None  # no arm channel
    if share == 0.0:
        assert s["rswa_positive"]["aasm_tonic_or_excessive_phasic"] is False


def test_rswa_uses_the_arm_channel_for_the_32_percent_rule():
    hyp = Hypnogram(REM_NIGHT)
    rec, _ = simulate_night(hyp, seed=4, channels=("Chin", "Arm"), events={"rswa": 0.3})
    s = rswa.detect(rec, hyp).summary
    assert s["rswa_any_fds_pct"] is not None
    assert s["rswa_any_fds_pct"] >= s["rswa_any_pct"]
    assert isinstance(s["rswa_positive"]["sinbar_any_mentalis_fds_32pct"], bool)


def test_rswa_skips_without_rem():
    rec, _ = simulate_night(constant_hyp(N2, 600), seed=1, channels=("Chin",), events={})
    r = rswa.detect(rec, constant_hyp(N2, 600))
    assert r.summary["skip_code"] == "no_rem"


BRUX_EV = (("rmma", 8.0), ("arousal", 8.0), ("rswa", 0.2))


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rmma_episodes_against_planted_truth(seed, noise):
    rec, truth = night(seed, noise, 2.0, ("C3-M2", "Chin"), BRUX_EV)
    r = bruxism.detect(rec, truth.hypnogram)
    tru = truth.of("rmma")
    det = [e for e in r.events if e.kind == "rmma"]  # REM episodes on chin are kept apart
    assert all(e.stage == "R" for e in r.events if e.kind == "rmma_rem")
    sens, prec = match(det, tru, tol_s=1.0)
    assert sens >= 0.85 and prec >= 0.85, (sens, prec)
    h = truth.tst_h
    assert r.summary["rmma_index"] == pytest.approx(len(tru) / h, rel=0.15)
    bursts = sum(e.figures["n_bursts"] for e in tru)
    assert r.summary["bursts_per_hour"] == pytest.approx(bursts / h, rel=0.15)
    assert any("chin" in n for n in r.summary["notes"])


def test_rmma_prefers_masseter_and_applies_research_cutoffs():
    rec, truth = night(1, 0.5, 2.0, ("Chin", "Masseter"), (("rmma", 8.0),))
    r = bruxism.detect(rec, truth.hypnogram)
    assert r.summary["channel"] == "Masseter"
    assert r.summary["research_cutoffs_met"]["episodes_per_h_gt_4"] == (
        r.summary["rmma_index"] > 4)
    assert r.summary["research_cutoffs_met"]["bursts_per_h_gt_25"] is True


def test_rmma_episode_rules_on_hand_built_emg():
    sf = 256.0
    rng = np.random.default_rng(0)
    n = int(300 * sf)
    env = np.full(n, 5.0, dtype=np.float32)

    def burst(on, d):
        env[int(on * sf):int((on + d) * sf)] = 40.0

    for k in range(2):  # two phasic bursts only: not an episode
        burst(50 + 1.2 * k, 0.5)
    for k in range(4):  # four phasic bursts: a phasic episode
        burst(100 + 1.2 * k, 0.5)
    burst(200, 3.0)  # a 3-s burst: a tonic episode
    for k in range(3):  # 0.1-s twitches are too short to be bursts
        burst(250 + k, 0.1)
    ch = Channel("Chin", env * rng.standard_normal(n).astype(np.float32), sf, "uV", "emg_chin")
    r = bruxism.detect(rec_of(c=ch), constant_hyp(N2, 300))
    assert [(round(e.onset_s), e.figures["type"]) for e in r.events] == [
        (100, "phasic"), (200, "tonic")]
    assert r.events[0].figures["n_bursts"] == 4


SS_HYP = np.array(([WAKE] * 10 + [1] * 6 + [N2] * 20) * 4, dtype=np.int8)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("seed", SEEDS)
def test_sleep_starts_against_planted_truth(seed, noise):
    hyp = Hypnogram(SS_HYP)
    rec, truth = simulate_night(hyp, seed=seed, noise=noise,
                                channels=("Chin", "Leg L", "Leg R"),
                                events={"sleep_start": 1.0, "plm": 3, "lm": 4, "rmma": 4})
    r = sleep_starts.detect(rec, hyp)
    tru = truth.of("sleep_start")
    sens, prec = match(r.events, tru, tol_s=0.3)
    assert sens >= 0.9 and prec >= 0.9, (sens, prec, len(r.events), len(tru))
    assert r.summary["transitions"] == 4
    assert r.summary["sleep_starts_per_transition"] == pytest.approx(len(tru) / 4)
    # LMs (>= 0.5 s, legs only) and bruxism bursts (chin only) are not sleep starts.


def test_sleep_start_needs_two_muscles_and_a_transition():
    sf = 256.0
    rng = np.random.default_rng(1)
    n = int(600 * sf)
    stages = np.array([WAKE] * 10 + [1] * 10, dtype=np.int8)  # transition at 300 s

    def emg(bursts):
        env = np.full(n, 3.0, dtype=np.float32)
        for on in bursts:
            env[int(on * sf):int((on + 0.15) * sf)] = 80.0
        return env * rng.standard_normal(n).astype(np.float32)

    chin = Channel("Chin", emg([290.0, 320.0, 500.0]), sf, "uV", "emg_chin")
    leg = Channel("Leg L", emg([290.05, 500.0]), sf, "uV", "leg_l")
    r = sleep_starts.detect(rec_of(a=chin, b=leg), Hypnogram(stages))
    # 290 s: both muscles near the transition -> a sleep start; 320 s: chin only;
    # 500 s: both muscles but 200 s from the transition -> "other".
    assert [round(e.onset_s) for e in r.events] == [290]
    assert r.summary["other_generalised_bursts"] == 1
    one = sleep_starts.detect(rec_of(a=chin), Hypnogram(stages))
    assert one.summary["skip_code"] == "missing_channel"
