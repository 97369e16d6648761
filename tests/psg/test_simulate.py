"""The night simulator: deterministic, stage-appropriate signals, honest truth, EDF out."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy import signal

from nachtwacht.psg.simulate import (
    DEFAULT_CHANNELS,
    hypnogram_scaffold,
    simulate_night,
    write_edf,
)
from nachtwacht.psg.types import N2, N3, REM, SLEEP_STAGES, WAKE, Hypnogram


def _band_rms(x, sf, lo, hi):
    sos = signal.butter(4, [lo, hi], btype="bandpass", fs=sf, output="sos")
    return float(np.sqrt(np.mean(signal.sosfiltfilt(sos, x) ** 2)))


@pytest.fixture(scope="module")
def one_hour():
    hyp = hypnogram_scaffold(hours=1.0, seed=3)
    return simulate_night(hyp, seed=3, noise=0.5)


def test_default_montage_rates_roles_and_lengths(one_hour):
    rec, truth = one_hour
    assert list(rec.channels) == list(DEFAULT_CHANNELS)
    assert len(rec.channels) == 12
    for ch in rec.channels.values():
        assert ch.role is not None
        assert ch.duration_s == pytest.approx(truth.hypnogram.duration_s, abs=1 / ch.sf)
        assert ch.data.dtype == np.float32
    assert rec.channels["C3-M2"].sf == 256 and rec.channels["SpO2"].sf == 4
    assert rec.channels["SpO2"].unit == "%" and rec.channels["Chin"].unit == "uV"


def test_seeded_and_deterministic():
    hyp = [WAKE] * 4 + [N2] * 10
    a, ta = simulate_night(hyp, seed=5, channels=("C3-M2", "Leg L"), events={"lm": 20})
    b, tb = simulate_night(hyp, seed=5, channels=("C3-M2", "Leg L"), events={"lm": 20})
    c, _ = simulate_night(hyp, seed=6, channels=("C3-M2", "Leg L"), events={"lm": 20})
    assert np.array_equal(a.channels["C3-M2"].data, b.channels["C3-M2"].data)
    assert ta.to_json() == tb.to_json()
    assert not np.array_equal(a.channels["Leg L"].data, c.channels["Leg L"].data)


def test_stage_appropriate_eeg_and_emg():
    stages = np.array([WAKE] * 10 + [N2] * 10 + [N3] * 10 + [REM] * 10, dtype=np.int8)
    rec, _ = simulate_night(Hypnogram(stages), seed=1, channels=("C3-M2", "Chin", "E1-M2"),
                            events={})
    eeg, sf = rec.channels["C3-M2"].data.astype(np.float64), 256.0
    seg = {s: eeg[int(i * 300 * sf) + 1280:int((i + 1) * 300 * sf) - 1280]
           for i, s in enumerate((WAKE, N2, N3, REM))}
    alpha = {s: _band_rms(x, sf, 8, 12) for s, x in seg.items()}
    delta = {s: _band_rms(x, sf, 0.5, 2) for s, x in seg.items()}
    sigma = {s: _band_rms(x, sf, 12, 14) for s, x in seg.items()}
    assert alpha[WAKE] > 2 * max(alpha[N2], alpha[N3], alpha[REM])  # eyes-closed alpha
    assert delta[N3] > 3 * delta[N2] and delta[N3] > 3 * delta[WAKE]
    # N3: high-amplitude slow waves (> 75 µV peak to peak) in well over 20 % of the time.
    slow = signal.sosfiltfilt(signal.butter(2, [0.5, 2], "bandpass", fs=sf, output="sos"),
                              seg[N3])
    big = np.abs(slow) > 37.5
    assert big.mean() > 0.2
    assert sigma[N2] > 1.3 * sigma[REM]  # spindles
    chin = rec.channels["Chin"].data
    tone = {s: float(np.std(chin[int(i * 300 * sf):int((i + 1) * 300 * sf)]))
            for i, s in enumerate((WAKE, N2, N3, REM))}
    assert tone[REM] < 0.5 * tone[N2] < tone[WAKE]  # REM atonia
    eog = rec.channels["E1-M2"].data
    e_rem = np.std(eog[int(900 * sf):int(1200 * sf)])
    e_n3 = np.std(eog[int(600 * sf):int(900 * sf)])
    assert e_rem > e_n3 * 0.8  # rapid eye movements in REM


def test_truth_lists_every_planted_kind_in_plausible_places():
    hyp = hypnogram_scaffold(hours=3.0, seed=2)
    _, truth = simulate_night(hyp, seed=2, channels=("SpO2",))  # default events
    for kind in ("lm", "apnea", "hypopnea", "desaturation", "arousal", "rswa_phasic", "rmma"):
        assert truth.of(kind), kind
    st = hyp.stages
    for e in truth.of("apnea") + truth.of("hypopnea") + truth.of("lm") + truth.of("rmma"):
        assert st[int(e.onset_s // 30)] in SLEEP_STAGES
    assert all(st[int(e.onset_s // 30)] == REM for e in truth.of("rswa_phasic"))
    assert {e.figures["type"] for e in truth.of("apnea")} == {"obstructive", "central", "mixed"}
    # Each respiratory event brings a desaturation that starts during it.
    resp = truth.of("apnea") + truth.of("hypopnea")
    causes = [d for d in truth.of("desaturation") if d.figures["cause"] != "isolated"]
    assert len(causes) == len(resp)
    series = [e for e in truth.of("lm") if e.figures["in_series"]]
    gaps = np.diff([e.onset_s for e in series])
    assert ((gaps >= 20) & (gaps <= 40)).mean() > 0.5


def test_planted_signals_show_the_events():
    hyp = [N2] * 40
    ev = {"apnea_obstructive": [{"onset_s": 300, "duration_s": 20}],
          "apnea_central": [{"onset_s": 700, "duration_s": 20}],
          "lm": [{"onset_s": 1000, "duration_s": 2.0, "legs": "L"}]}
    rec, truth = simulate_night(hyp, seed=1, events=ev,
                                channels=("Airflow", "Thorax", "Abdomen", "Leg L", "Leg R"))
    flow, th = rec.channels["Airflow"].data, rec.channels["Thorax"].data
    sf = 32

    def amp(x, t0, t1):
        return float(np.ptp(x[int(t0 * sf):int(t1 * sf)]))

    assert amp(flow, 305, 315) < 0.15 * amp(flow, 250, 290)  # airflow stops
    assert amp(th, 305, 315) > 0.7 * amp(th, 250, 290)  # obstructive: effort goes on
    assert amp(th, 705, 715) < 0.15 * amp(th, 650, 690)  # central: effort stops too
    leg = rec.channels["Leg L"].data
    assert np.std(leg[1000 * 256:1002 * 256]) > 5 * np.std(leg[900 * 256:990 * 256])
    assert np.std(rec.channels["Leg R"].data[1000 * 256:1002 * 256]) < 3
    assert [e.onset_s for e in truth.of("apnea")] == [300, 700]


def test_issue13_artefacts_and_short_events_are_planted():
    hyp = Hypnogram(np.array([WAKE] * 4 + [N2] * 50 + [N3] * 40 + [N2] * 26, dtype=np.int8))
    rec, truth = simulate_night(
        hyp, seed=4, channels=("C3-M2", "Chin", "Leg L", "Leg R", "Airflow", "ECG"),
        events={"apnea_short": 12, "lm_apnea_end": 1.0, "pop": 10, "twitch": 10,
                "arousal_theta": 12}, ecg_uv={"Chin": 4.0, "Leg L": 10.0})
    ap = truth.of("apnea")
    assert ap and all(10.0 <= e.duration_s <= 13.0 for e in ap)
    assert all(e.figures["type"] == "obstructive" for e in ap)
    # Every apnea gets an LM at its end, within the AASM ±0.5 s exclusion window.
    ends = np.array([e.end_s for e in ap])
    lmr = truth.of("lm_respiratory")
    assert len(lmr) == len(ap)
    assert all(np.abs(ends - e.onset_s).min() <= 0.5 for e in lmr)
    assert not truth.of("lm")  # nothing else planted on the legs
    assert all(e.duration_s < 0.25 for e in truth.of("twitch")) and truth.of("pop")
    th = [e for e in truth.of("arousal") if e.figures["shift"] == "theta"]
    assert th and all(e.stage == "N3" for e in th)
    # The ECG channel and the contamination share the R peaks.
    rp = truth.figures["r_peaks_s"]
    ecg = rec.channels["ECG"]
    assert ecg.role == "ecg" and 0.6 < np.median(np.diff(rp)) < 1.2
    idx = (rp[5:50] * ecg.sf).astype(int)
    assert np.all(ecg.data[idx] > 500)  # R waves of ~1 mV
    chin = rec.channels["Chin"].data
    quiet, _ = simulate_night(hyp, seed=4, channels=("Chin",), events={}, ecg_uv=0.0)
    diff = chin - quiet.channels["Chin"].data
    assert np.abs(diff[idx]).mean() == pytest.approx(4.0, rel=0.2)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown channel"):
        simulate_night([N2] * 4, channels=("Fp1",))
    with pytest.raises(ValueError, match="unknown event kind"):
        simulate_night([N2] * 4, events={"snoring": 3})
    with pytest.raises(ValueError, match="noise"):
        simulate_night([N2] * 4, noise=-1)


def test_write_edf_round_trip(tmp_path, one_hour):
    edfio = pytest.importorskip("edfio")
    rec, _ = one_hour
    path = write_edf(rec, tmp_path / "night.edf")
    back = edfio.read_edf(path)
    assert [s.label for s in back.signals] == list(rec.channels)
    for s in back.signals:
        ch = rec.channels[s.label]
        assert s.sampling_frequency == ch.sf
        x = np.asarray(s.data)[: ch.data.size]
        span = float(np.ptp(ch.data))
        assert np.max(np.abs(x - ch.data)) <= span / 65535 * 1.01 + 1e-6  # 16-bit resolution


@pytest.mark.slow
def test_a_full_night_is_fast():
    hyp = hypnogram_scaffold(hours=8.0, seed=0)
    t = time.perf_counter()
    rec, _ = simulate_night(hyp, seed=0)
    took = time.perf_counter() - t
    assert len(rec.channels) == 12
    assert took < 30  # a few seconds on a free core; generous for a busy CI machine
