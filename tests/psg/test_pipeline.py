"""The whole night: JSON keys, partial results, expert hypnograms, episodes, detector failures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from psg_helpers import write_edf

from nachtwacht.psg import pipeline
from nachtwacht.psg.errors import HypnogramLengthMismatch
from nachtwacht.psg.place import EpisodeMark, marks_from_diary, place
from nachtwacht.psg.types import N2, N3, REM, WAKE, DetectorResult, Hypnogram

pytest.importorskip("yasa")


def test_json_has_all_keys(synth_night: tuple[Path, np.ndarray]) -> None:
    res = pipeline.analyse(synth_night[0])
    d = json.loads(res.dumps())
    for key in (*pipeline.JSON_KEYS, "warnings", "recording"):
        assert key in d
    assert len(d["hypnogram"]["stages"]) == len(d["confidence"]) == 80
    assert d["stats"]["TIB"] == 40.0
    assert {c["role"] for c in d["recording"]["channels"]} >= {"eeg", "eog", "emg_chin", "spo2"}
    for name, ev in d["events"].items():
        assert set(ev) >= {"summary", "events"}, name
    # Every detector either reported events or says why it was skipped.
    assert set(d["events"]) | set(d["skipped"]) == {m.NAME for m in pipeline.registry()}


def test_five_minute_real_crop_gives_sound_partial_results(short_psg: Path) -> None:
    res = pipeline.analyse(short_psg)
    d = res.to_json()
    assert d["recording"]["duration_s"] == 300.0
    assert len(d["hypnogram"]["stages"]) == 10
    assert "respiratory" in d["skipped"] or "desaturation" in d["skipped"]
    assert any("EMG submental" in w for w in d["warnings"])


def test_expert_hypnogram_of_another_length(short_psg: Path, psg_dir: Path) -> None:
    hyp = psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf"
    with pytest.raises(HypnogramLengthMismatch, match="2650 epochs"):
        pipeline.analyse(short_psg, hypnogram=hyp)
    res = pipeline.analyse(short_psg, hypnogram=hyp, fit="crop")
    assert res.stats["hypnogram_source"] == "expert"
    assert res.hypnogram.labels() == ["W"] * 10  # the crop is scored as wake (MANIFEST)
    assert any("cropped" in w for w in res.warnings)


def test_no_eeg_still_reports_channels_and_events(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 32 * 600
    t = np.arange(n) / 32
    p = write_edf(tmp_path / "resp.edf", {
        "Flow": (np.sin(2 * np.pi * 0.25 * t) + 0.01 * rng.standard_normal(n), 32.0, ""),
        "SpO2": (96 + 0.3 * rng.standard_normal(600), 1.0, "%"),
    })
    res = pipeline.analyse(p, lang="en")
    assert res.hypnogram is None and res.stats is None
    assert "No usable EEG" in res.skipped["staging"]
    assert res.to_json()["recording"]["channels"][1]["role"] == "spo2"


def test_unknown_layout_is_listed_and_can_be_mapped(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(100 * 600) * 30
    p = write_edf(tmp_path / "odd.edf", {"Ch1": (x, 100.0, "uV"), "Ch2": (x[::-1], 100.0, "uV")})
    res = pipeline.analyse(p, lang="nl")
    assert "Geen bruikbaar EEG" in res.skipped["staging"]
    assert any("Ch1" in w and "unknown" in w for w in res.warnings)
    res2 = pipeline.analyse(p, channel_map={"Ch1": "eeg"})
    assert res2.hypnogram is not None and len(res2.hypnogram) == 20


def test_failing_detector_is_skipped_not_fatal(synth_night, monkeypatch) -> None:
    from nachtwacht.psg import events

    def run_all(rec, hyp, params_by_name=None, only=None):
        return {"boom": DetectorResult("boom", skipped="error: RuntimeError: detector exploded"),
                "fine": DetectorResult("fine", summary={"n": 0})}

    monkeypatch.setattr(events, "run_all", run_all)
    res = pipeline.analyse(synth_night[0], hypnogram=Hypnogram(np.full(80, N2)))
    assert "detector exploded" in res.skipped["boom"]
    assert res.to_json()["events"]["fine"]["summary"] == {"n": 0}

    def broken(*args, **kwargs):
        raise KeyError("new registry format")

    monkeypatch.setattr(events, "run_all", broken)
    res = pipeline.analyse(synth_night[0], hypnogram=Hypnogram(np.full(80, N2)))
    assert "new registry format" in res.skipped["detectors"] and res.stats is not None


def test_episode_out_of_n3_and_in_rem() -> None:
    stages = [WAKE] * 4 + [N2] * 4 + [N3] * 10 + [WAKE] * 2 + [N2] * 4 + [REM] * 6
    hyp = Hypnogram(np.array(stages))
    marks = [
        EpisodeMark("confusional arousal", 18 * 30 + 10),  # first wake epoch right after N3
        EpisodeMark("video: talking", 27 * 30),  # inside REM
        EpisodeMark("late", 10_000.0),
        EpisodeMark("early", -50.0),
    ]
    out = {d["label"]: d for d in place(marks, hyp)}
    arousal = out["confusional arousal"]
    assert arousal["context"] == "out of N3" and arousal["stage"] == "W"
    assert arousal["min_since_sleep_onset"] == pytest.approx((14 * 30 + 10) / 60, abs=0.1)
    assert out["video: talking"]["context"] == "in R" and out["video: talking"]["night_third"] == 3
    assert out["late"]["in_recording"] is False and "after" in out["late"]["note"]
    assert out["early"]["in_recording"] is False and "before" in out["early"]["note"]


def test_diary_episode_clock_time_is_placed() -> None:
    from nachtwacht.diary.types import Episode

    start = dt.datetime(2026, 10, 31, 23, 0)
    eps = [Episode(date=dt.date(2026, 11, 1), type="sleepwalking", reporter="partner",
                   time=dt.time(1, 30)),
           Episode(date=dt.date(2026, 11, 1), type="jerk", time=None)]
    marks = marks_from_diary(eps, start)
    assert len(marks) == 1 and marks[0].onset_s == pytest.approx(2.5 * 3600)
    hyp = Hypnogram(np.full(16 * 60, N3))
    d = place(marks, hyp)[0]
    assert d["stage"] == "N3" and d["source"] == "diary" and d["reporter"] == "partner"
