"""Automatic staging: one stage per epoch with a confidence, equal to YASA's own staging."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nachtwacht.psg import staging
from nachtwacht.psg.channels import assign_roles
from nachtwacht.psg.errors import NoEEG, TooShort
from nachtwacht.psg.read import read_recording
from nachtwacht.psg.types import Channel, Recording

pytest.importorskip("yasa")


@pytest.fixture(scope="module")
def rec(synth_night: tuple[Path, np.ndarray]) -> Recording:
    r = read_recording(synth_night[0])
    assign_roles(r)
    return r


def test_one_stage_per_epoch_with_confidence(rec: Recording, synth_night) -> None:
    hyp = staging.stage(rec)
    assert len(hyp) == len(synth_night[1]) == 80
    assert hyp.confidence is not None and len(hyp.confidence) == len(hyp)
    assert np.all((hyp.confidence >= 0) & (hyp.confidence <= 1))
    assert set(np.unique(hyp.stages)) <= {0, 1, 2, 3, 4}
    assert hyp.start == rec.start


def test_perm_entropy_and_higuchi_match_definitions() -> None:
    # A monotonic ramp has a single ordinal pattern (entropy 0); noise is near 1.
    ramp = np.arange(300, dtype=float)[None, :]
    assert staging._perm_entropy3(ramp)[0] == 0.0
    noise = np.random.default_rng(0).standard_normal((2, 3000))
    assert staging._perm_entropy3(noise).min() > 0.99
    # Higuchi FD of white noise is about 2, of a smooth sine about 1.
    assert staging._higuchi(noise).mean() == pytest.approx(2.0, abs=0.1)
    sine = np.sin(np.linspace(0, 20, 3000))[None, :]
    assert staging._higuchi(sine)[0] == pytest.approx(1.0, abs=0.05)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_features_and_stages_equal_yasa(rec: Recording) -> None:
    """Our NumPy features feed YASA's classifier exactly as YASA's own do (antropy: ~20 s)."""
    mne = pytest.importorskip("mne")
    yasa = pytest.importorskip("yasa")
    ch = staging.pick_channels(rec)
    names = [ch.eeg, ch.eog, ch.emg]
    sf = rec.channels[ch.eeg].sf
    data = np.vstack([rec.channels[n].data.astype(np.float64) * 1e-6 for n in names])
    raw = mne.io.RawArray(data, mne.create_info(names, sf, ["eeg", "eog", "emg"]), verbose=False)
    sls = yasa.SleepStaging(raw, eeg_name=ch.eeg, eog_name=ch.eog, emg_name=ch.emg)
    pred = sls.predict()
    ref = sls._features
    ours = staging.features({t: staging.resample_to_100(rec.channels[n].data, sf, exact=True)
                             for t, n in zip(["eeg", "eog", "emg"], names, strict=True)})
    assert sorted(ref.columns) == sorted(ours.columns)
    for c in ref.columns:
        a, b = ref[c].to_numpy(float), ours[c].to_numpy(float)
        # Zero-crossing counts may differ by one where float32 and float64 disagree on a sign.
        tol = 0.2 if "nzc" in c else 1e-3
        np.testing.assert_allclose(b, a, rtol=tol, atol=1e-6, err_msg=c)
    hyp = staging.stage(rec, exact_resample=True)
    codes = {"WAKE": 0, "N1": 1, "N2": 2, "N3": 3, "REM": 4}
    ref_stages = [codes[v] for v in pred.hypno]
    assert ref_stages == hyp.stages.tolist()
    # The default, memory-light resampling gives the same stages nearly everywhere.
    assert np.mean(staging.stage(rec).stages == np.array(ref_stages)) >= 0.95
    # The few zero-crossing differences move a probability by at most ~0.01.
    np.testing.assert_allclose(hyp.confidence, pred.proba.max(axis=1).to_numpy(), atol=0.02)


def test_no_eeg_explains_the_alternative() -> None:
    x = np.random.default_rng(0).standard_normal(3000).astype(np.float32)
    r = Recording({"SpO2": Channel("SpO2", x + 95, 1.0, "%", role="spo2")})
    with pytest.raises(NoEEG) as exc:
        staging.stage(r)
    assert "--hypnogram" in exc.value.text("en") and "--hypnogram" in exc.value.text("nl")


def test_under_five_minutes_is_too_short() -> None:
    x = np.random.default_rng(0).standard_normal(100 * 240).astype(np.float32)
    r = Recording({"C3-M2": Channel("C3-M2", x, 100.0, "uV", role="eeg")})
    with pytest.raises(TooShort, match="4.0 minutes"):
        staging.stage(r)
