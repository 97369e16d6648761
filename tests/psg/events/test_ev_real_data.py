"""Real-data tier: the real 5-minute PSG crop and real expert hypnograms as scaffolds.

``../shared/psg`` (or ``$NACHTWACHT_SHARED/psg``) holds public files; the tests skip
cleanly when it is absent. The crop is read with edfio directly so these tests do
not depend on the reader module.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from evtools import match

from nachtwacht.psg.events import run_all
from nachtwacht.psg.simulate import simulate_night
from nachtwacht.psg.types import (
    N1,
    N2,
    N3,
    REM,
    SLEEP_STAGES,
    UNSCORED,
    WAKE,
    Channel,
    Hypnogram,
    Recording,
)

edfio = pytest.importorskip("edfio")

_STAGE = {"W": WAKE, "1": N1, "2": N2, "3": N3, "4": N3, "R": REM, "N1": N1, "N2": N2,
          "N3": N3, "?": UNSCORED}


def _hypnogram_from_edf(path) -> Hypnogram:
    """Stage per 30-s epoch from 'Sleep stage X' annotations (R&K S3+S4 -> N3)."""
    ann = [a for a in edfio.read_edf(path).annotations if a.text.startswith("Sleep stage")]
    end = max(a.onset + a.duration for a in ann)
    st = np.full(int(end // 30), UNSCORED, dtype=np.int8)
    for a in ann:
        st[int(a.onset // 30):int((a.onset + a.duration) // 30)] = _STAGE[a.text.split()[-1]]
    return Hypnogram(st, source=str(path))


def _crop_sleep(h: Hypnogram, hours: float, offset_h: float = 0.0) -> Hypnogram:
    """``hours`` of the scoring starting ``offset_h`` after the first sleep epoch (less wake
    padding keeps the tests fast)."""
    first = int(np.flatnonzero(np.isin(h.stages, SLEEP_STAGES))[0])
    a = max(0, first - 10 + int(offset_h * 120))
    return Hypnogram(h.stages[a:a + int(hours * 120)], source=h.source)


@pytest.fixture(scope="module")
def psg_dir(shared_dir):
    d = shared_dir / "psg"
    if not d.is_dir():
        pytest.skip("no shared psg directory")
    return d


def test_real_short_psg_crop_detectors_skip_or_cope(psg_dir):
    edf = edfio.read_edf(psg_dir / "sleep-edfx" / "short_psg.edf")
    roles = {"EEG Fpz-Cz": "eeg", "EEG Pz-Oz": "eeg_occipital", "EOG horizontal": "eog",
             "Resp oro-nasal": "airflow", "EMG submental": "emg_chin"}
    chans = {s.label: Channel(s.label, np.asarray(s.data, dtype=np.float64),
                              float(s.sampling_frequency), s.physical_dimension,
                              roles.get(s.label)) for s in edf.signals}
    rec = Recording(channels=chans, source="short_psg.edf")
    assert rec.duration_s == pytest.approx(300.0)
    # The expert scoring calls these 300 s wake.
    res = run_all(rec, Hypnogram(np.full(10, WAKE, dtype=np.int8)))
    assert all(r.summary.get("skip_code") != "error" for r in res.values()), res
    # 1 Hz chin envelope and breathing: skipped with a clear reason, not garbage.
    for name in ("rswa", "bruxism"):
        assert res[name].summary["skip_code"] == "low_sampling_rate"
        assert "1 Hz" in res[name].summary["skip_reason"]
    assert res["respiratory"].summary["skip_code"] in ("low_sampling_rate", "no_sleep")
    assert res["desaturation"].summary["skip_code"] == "missing_channel"
    assert res["leg_movements"].summary["skip_code"] == "missing_channel"
    # Real 100 Hz EEG is usable; wake only means nothing per hour of sleep.
    assert res["arousal"].summary["skip_code"] == "no_sleep"
    # If the same crop were scored as N2, the arousal detector runs on real EEG.
    n2 = run_all(rec, Hypnogram(np.full(10, N2, dtype=np.int8)), only=("arousal",))
    assert n2["arousal"].skipped is None
    assert n2["arousal"].summary["arousal_index"] is not None


def _all_events_night(h: Hypnogram, seed: int):
    ev = {"plm": 3, "lm": 4, "apnea_obstructive": 6, "apnea_central": 2, "apnea_mixed": 2,
          "hypopnea": 8, "desaturation": 2, "arousal": 6, "arousal_n3": 6, "rswa": 0.25,
          "rmma": 4, "sleep_start": 0.8}
    return simulate_night(h, seed=seed, noise=0.5, events=ev)


def _check_all(rec, truth):
    hyp = truth.hypnogram
    res = run_all(rec, hyp)
    skips = {k: r.summary["skip_code"] for k, r in res.items() if r.skipped}
    no_rem = not (hyp.stages == REM).any()
    assert skips == ({"rswa": "no_rem"} if no_rem else {}), skips
    lms = [e for e in res["leg_movements"].events if e.kind in ("lm", "plm")]
    # With everything planted at once floors are a little lower than single-kind nights.
    checks = {
        "lm": (lms, truth.of("lm"), 0.5),
        "apnea": ([e for e in res["respiratory"].events if e.kind == "apnea"],
                  truth.of("apnea"), 5.0),
        "desaturation": (res["desaturation"].events, truth.of("desaturation"), 5.0),
        "arousal": (res["arousal"].events, truth.of("arousal"), 2.0),
        "rmma": ([e for e in res["bruxism"].events if e.kind == "rmma"], truth.of("rmma"), 1.0),
    }
    for kind, (det, tru, tol) in checks.items():
        if not tru:
            continue
        sens, prec = match(det, tru, tol)
        assert sens >= 0.8 and prec >= 0.8, (kind, sens, prec, len(det), len(tru))
    return res


def test_sleep_edf_expert_hypnogram_as_scaffold(psg_dir):
    h = _hypnogram_from_edf(psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf")
    # The last scored stage ends at 79,500 s (the recording length); '?' runs to 24 h.
    assert np.flatnonzero(h.stages != UNSCORED)[-1] + 1 == 79_500 // 30
    assert (h.stages == N3).sum() > 0 and (h.stages == REM).sum() > 0
    crop = _crop_sleep(h, 2.0)
    rec, truth = _all_events_night(crop, seed=11)
    res = _check_all(rec, truth)
    assert res["arousal"].summary["n3_min"] > 0


def test_hmc_aasm_hypnogram_as_scaffold(psg_dir):
    h = _hypnogram_from_edf(psg_dir / "hmc" / "test_edfann.edf")
    counts = {s: int((h.stages == s).sum()) for s in (WAKE, N1, N2, N3, REM)}
    assert counts == {WAKE: 151, N1: 109, N2: 430, N3: 23, REM: 141}
    rec, truth = _all_events_night(_crop_sleep(h, 1.5, offset_h=3.0), seed=12)
    _check_all(rec, truth)


@pytest.mark.parametrize("group", ["dodh", "dodo"])
def test_dreem_consensus_style_hypnograms_as_scaffolds(psg_dir, group):
    files = sorted((psg_dir / "dod" / "scorers" / group / "scorer_1").glob("*.json"))
    if not files:
        pytest.skip("no Dreem scorings")
    stages = np.array(json.loads(files[0].read_text()), dtype=np.int8)
    h = Hypnogram(stages, source=files[0].name)
    rec, truth = _all_events_night(_crop_sleep(h, 1.5, offset_h=1.0), seed=13)
    _check_all(rec, truth)
