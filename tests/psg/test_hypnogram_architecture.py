"""Expert hypnograms in every format, and sleep figures equal to YASA's on real scorings."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from nachtwacht.psg.architecture import architecture, lights_window, nrem_rem_cycles
from nachtwacht.psg.errors import HypnogramFormatError, HypnogramLengthMismatch
from nachtwacht.psg.hypnogram_io import (
    fit_to_recording,
    read_csv_hypnogram,
    read_hypnogram,
    read_json_hypnogram,
)
from nachtwacht.psg.types import N1, N2, N3, REM, UNSCORED, WAKE, Hypnogram


def _counts(h: Hypnogram) -> dict[str, int]:
    return {lab: int((np.array(h.labels()) == lab).sum()) for lab in ("W", "N1", "N2", "N3", "R", "?")}


def test_hmc_scoring_counts_and_lights(psg_dir: Path) -> None:
    h = read_hypnogram(psg_dir / "hmc" / "test_edfann.edf")
    assert len(h) == 854
    assert _counts(h) == {"W": 151, "N1": 109, "N2": 430, "N3": 23, "R": 141, "?": 0}
    assert h.lights_off_s == pytest.approx(33.43)
    assert h.lights_on_s == pytest.approx(25618.74)
    assert h.start is not None and h.start.time().isoformat() == "23:59:30"


def test_sleep_edf_rk_stages_merge_into_n3(psg_dir: Path) -> None:
    h = read_hypnogram(psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf")
    # The last scored stage ends at 79,500 s (the recording length); the "?" after it is dropped.
    assert h.duration_s == 79500
    c = _counts(h)
    assert c["N3"] > 0 and c["R"] > 0 and c["W"] > 0
    assert h.start.isoformat() == "1989-04-24T16:13:00"


def test_dreem_json(psg_dir: Path) -> None:
    f = sorted((psg_dir / "dod" / "scorers" / "dodh" / "scorer_1").glob("*.json"))[0]
    h = read_json_hypnogram(f)
    import json

    raw = json.loads(f.read_text())
    assert len(h) == len(raw)
    assert (h.stages == np.array(raw)).all()  # Dreem codes are our codes, 4 = REM


def test_csv_formats() -> None:
    h = read_csv_hypnogram("stage\nW\nN1\nN2\nN3\nR\n?\n")
    assert h.stages.tolist() == [WAKE, N1, N2, N3, REM, UNSCORED]
    h2 = read_csv_hypnogram("onset,duration,stage\n0,60,W\n60,90,N2\n150,30,REM\n")
    assert h2.stages.tolist() == [WAKE, WAKE, N2, N2, N2, REM]
    with pytest.raises(HypnogramFormatError, match="Unknown sleep stage 'X9'"):
        read_csv_hypnogram("W\nX9\n")


def test_length_mismatch_names_both_lengths_and_the_way_out() -> None:
    h = Hypnogram(np.zeros(100, dtype=np.int8))
    with pytest.raises(HypnogramLengthMismatch) as exc:
        fit_to_recording(h, 300 * 30.0)
    en = exc.value.text("en")
    assert "100 epochs" in en and "300" in en and "--pad" in en
    padded, note = fit_to_recording(h, 300 * 30.0, "pad")
    assert len(padded) == 300 and (padded.stages[100:] == UNSCORED).all() and note
    cropped, _ = fit_to_recording(Hypnogram(np.zeros(300, dtype=np.int8)), 100 * 30.0, "crop")
    assert len(cropped) == 100
    same, note = fit_to_recording(h, 100 * 30.0 + 20)  # a partial last epoch is fine
    assert len(same) == 100 and note is None


def _yasa_stats(stages: np.ndarray) -> dict[str, float]:
    yasa = pytest.importorskip("yasa")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return yasa.sleep_statistics(stages, sf_hyp=1 / 30)


def _assert_same_as_yasa(h: Hypnogram) -> None:
    ours = architecture(h)
    win = lights_window(h)
    ref = _yasa_stats(h.stages[win.start : win.stop])
    assert set(ref) <= set(ours)
    for k, v in ref.items():
        if math.isnan(v):
            assert ours[k] is None, k
        else:
            assert ours[k] == pytest.approx(v, abs=1e-9), k


def _dreem_nights(psg_dir: Path, n: int = 5) -> list[Path]:
    return sorted((psg_dir / "dod" / "scorers").glob("*/scorer_2/*.json"))[:n]


def test_architecture_equals_yasa_on_real_scorings(psg_dir: Path) -> None:
    _assert_same_as_yasa(read_hypnogram(psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf"))
    _assert_same_as_yasa(read_hypnogram(psg_dir / "hmc" / "test_edfann.edf"))
    for f in _dreem_nights(psg_dir):
        _assert_same_as_yasa(read_json_hypnogram(f))


def test_hmc_lights_window_figures(psg_dir: Path) -> None:
    s = architecture(read_hypnogram(psg_dir / "hmc" / "test_edfann.edf"))
    assert s["window_epochs"] == [1, 854]  # from the epoch holding lights off
    assert s["TIB"] == pytest.approx(853 / 2)
    assert s["TST"] == pytest.approx((109 + 430 + 23 + 141) / 2)
    assert s["rem_latency_min"] is not None and s["rem_latency_min"] >= 0
    assert s["n3_first_half_min"] + s["n3_second_half_min"] == pytest.approx(23 / 2)


def test_aasm_extras_on_a_constructed_night() -> None:
    W, A, B, C, R = WAKE, N1, N2, N3, REM  # noqa: N806 (stage letters read like a hypnogram)
    stages = ([W] * 10 + [A] * 2 + [B] * 20 + [C] * 20 + [R] * 4  # cycle 1 (first REM may be short)
              + [B] * 10 + [W] * 2 + [B] * 25 + [R] * 12  # cycle 2 (REM >= 5 min)
              + [B] * 40 + [R] * 4 + [B] * 2  # REM of 2 min is too short: incomplete third cycle
              + [W] * 6)
    h = Hypnogram(np.array(stages))
    s = architecture(h)
    assert s["SOL"] == 5.0
    assert s["rem_latency_min"] == pytest.approx((2 + 20 + 20) / 2)
    assert s["awakenings"] == 1  # the final awakening is not counted
    assert s["cycles"] == 2 and s["cycles_incomplete"] == 1
    assert s["N3"] == 10.0 and s["n3_first_half_min"] == 10.0 and s["n3_second_half_min"] == 0.0
    assert s["stage_shifts"] == 10  # counted inside the sleep period (not W->N1 at onset)


def test_no_sleep_gives_none_not_nan() -> None:
    s = architecture(Hypnogram(np.zeros(20, dtype=np.int8)))
    assert s["TST"] == 0 and s["SOL"] is None and s["rem_latency_min"] is None
    assert nrem_rem_cycles(np.zeros(0, dtype=np.int8)) == ([], 0)
