"""What an EDF+ file carries is used: technician stages, lights, scored events (issue #13).

Stages and lights inside the recording replace automatic staging unless
``auto_staging``; scored events are compared with the detectors' events and never
become diary episodes; other marks (video, technician notes) still do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from nachtwacht.psg import pipeline
from nachtwacht.psg.hypnogram_io import (
    hypnogram_from_annotations,
    is_stage_annotation,
    scored_event_kind,
    stage_code,
)
from nachtwacht.psg.read import read_recording
from nachtwacht.psg.types import N1, N2, N3, REM, UNSCORED, WAKE, DetectorResult, Event
from nachtwacht.psg.validate import compare_scored_events, match_onsets


@pytest.mark.parametrize(("text", "code"), [
    ("Sleep stage W", WAKE), ("Sleep stage 1", N1), ("Sleep stage 2", N2), ("Sleep stage 3", N3),
    ("Sleep stage 4", N3), ("Sleep stage R", REM), ("Sleep stage ?", UNSCORED),
    ("Sleep stage N1", N1), ("Sleep stage N3", N3), ("Sleep_stage_N2", N2), ("Sleep_stage_W", WAKE),
    ("Sleep_stage_R", REM), ("Sleep Stage REM", REM), ("Stage 2", N2), ("Stage - N3", N3),
    ("SLEEP-S0", WAKE), ("SLEEP-S3", N3), ("SLEEP-S4", N3), ("SLEEP-REM", REM),
    ("SLEEP-MT", UNSCORED), ("N2", N2), ("REM", REM), ("Wake", WAKE), ("Movement time", UNSCORED),
])
def test_stage_annotation_variants(text: str, code: int) -> None:
    assert is_stage_annotation(text)
    assert stage_code(text) == code


@pytest.mark.parametrize(("text", "kind"), [
    ("Obstructive Apnea", "apnea"), ("Central apnea", "apnea"), ("Apnea Mixed", "apnea"),
    ("Apnoea", "apnea"), ("Hypopnea", "hypopnea"), ("Obstructive Hypopnoea", "hypopnea"),
    ("RERA", "rera"), ("SpO2 desaturation", "desaturation"), ("Oxygen Desaturation", "desaturation"),
    ("Arousal", "arousal"), ("EEG arousal", "arousal"), ("Arousal (ARO SPONT)", "arousal"),
    ("Limb Movement (Left)", "lm"), ("Leg movement", "lm"), ("PLM", "lm"), ("LM", "lm"),
    ("Periodic leg movement", "lm"), ("Bruxism", "rmma"),
    ("Sleep stage N2", None), ("Lights off", None), ("video: sits up", None),
    ("Sleep onset", None), ("Technician note: patient to toilet", None),
])
def test_scored_event_kinds(text: str, kind: str | None) -> None:
    assert scored_event_kind(text) == kind


def test_real_scorings_become_hypnograms(psg_dir: Path) -> None:
    hmc = read_recording(psg_dir / "hmc" / "test_edfann.edf")
    hyp = hypnogram_from_annotations(hmc.annotations)
    assert len(hyp) == 854 and hyp.lights_off_s == pytest.approx(33.43, abs=0.01)
    assert hyp.lights_on_s == pytest.approx(25618.74, abs=0.01)
    counts = {lab: hyp.labels().count(lab) for lab in ("W", "N1", "N2", "N3", "R")}
    assert counts == {"W": 151, "N1": 109, "N2": 430, "N3": 23, "R": 141}
    sedf = read_recording(psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf")
    assert len(hypnogram_from_annotations(sedf.annotations)) == 2650
    assert not [a for a in sedf.annotations + hmc.annotations
                if scored_event_kind(a.description)]


def test_match_onsets_one_to_one() -> None:
    assert match_onsets(np.array([10.0, 20.0, 30.0]), np.array([11.0, 12.0, 29.0, 80.0]), 2.0) == 2
    assert match_onsets(np.array([10.0, 10.5]), np.array([10.2]), 1.0) == 1
    assert match_onsets(np.array([]), np.array([1.0]), 1.0) == 0


def test_compare_scored_events_per_kind() -> None:
    resp = DetectorResult("respiratory", events=[
        Event("apnea", 100.0, 15.0), Event("hypopnea", 203.0, 12.0), Event("hypopnea", 400.0, 11.0)])
    out = compare_scored_events(
        {"apnea": [101.0, 600.0], "hypopnea": [200.0], "rera": [50.0], "lm": [5.0]},
        {"respiratory": resp, "leg_movements": DetectorResult("leg_movements", skipped="no leg")})
    assert out["apnea"] == {"scored": 2, "detector": "respiratory", "detected": 1, "matched": 1,
                            "tolerance_s": 5.0, "sensitivity": 0.5, "precision": 1.0, "f1": 0.667}
    assert out["hypopnea"]["matched"] == 1 and out["hypopnea"]["precision"] == 0.5
    assert out["apnea_hypopnea"]["scored"] == 3 and out["apnea_hypopnea"]["matched"] == 2
    assert "note" in out["rera"] and "did not run" in out["lm"]["note"]


def _night_with_annotations(path: Path, minutes: int = 10) -> Path:
    """An EDF+ with EEG/EOG/chin/legs/flow/SpO2 and a technician's scoring inside."""
    import edfio

    rng = np.random.default_rng(7)
    n = minutes * 60
    sigs = []
    for label, sf, scale, unit in (("C4-M1", 100, 20, "uV"), ("E1-M2", 100, 20, "uV"),
                                   ("Chin", 100, 5, "uV"), ("Leg L", 100, 3, "uV"),
                                   ("Flow", 32, 1, ""), ("SpO2", 1, 0.3, "%")):
        x = rng.standard_normal(int(n * sf)) * scale
        if label == "Flow":
            x += np.sin(2 * np.pi * 0.25 * np.arange(x.size) / sf) * 5
        if label == "SpO2":
            x += 96
        lo, hi = float(x.min()) - 1, float(x.max()) + 1
        sigs.append(edfio.EdfSignal(x, sf, label=label, physical_dimension=unit,
                                    physical_range=(lo, hi)))
    anns = [edfio.EdfAnnotation(30.0 * k, 30.0, "Sleep stage " + ("W" if k < 2 else "N2"))
            for k in range(n // 30)]
    anns += [edfio.EdfAnnotation(12.0, None, "Lights off"),
             edfio.EdfAnnotation(n - 20.0, None, "Lights on"),
             edfio.EdfAnnotation(200.0, 14.0, "Obstructive Apnea"),
             edfio.EdfAnnotation(320.0, 12.0, "Hypopnea"),
             edfio.EdfAnnotation(330.0, 5.0, "Arousal"),
             edfio.EdfAnnotation(400.0, 1.0, "Limb Movement (Left)"),
             edfio.EdfAnnotation(250.0, None, "video: sits up")]
    start = dt.datetime(2026, 11, 1, 23, 0)
    edfio.Edf(sigs, recording=edfio.Recording(startdate=start.date()), starttime=start.time(),
              annotations=anns, data_record_duration=1.0).write(path)
    return path


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _night_with_annotations(tmp_path_factory.mktemp("edfplus") / "night.edf")


def test_technician_stages_lights_and_events_used(annotated: Path) -> None:
    res = pipeline.analyse(annotated, lang="en")
    d = res.to_json()
    assert d["stats"]["hypnogram_source"] == "expert"
    assert d["hypnogram"]["stages"][:3] == ["W", "W", "N2"] and len(d["hypnogram"]["stages"]) == 20
    assert d["hypnogram"]["lights_off_s"] == 12.0 and d["hypnogram"]["lights_on_s"] == 580.0
    assert d["confidence"] is None
    labels = [e["label"] for e in d["episodes"]]
    assert labels == ["video: sits up"]  # no stage, lights or scored event among them
    assert set(d["scored_events"]) >= {"apnea", "hypopnea", "apnea_hypopnea", "arousal", "lm"}
    assert d["scored_events"]["apnea"]["scored"] == 1
    for row in d["scored_events"].values():
        assert "f1" in row or "note" in row


def test_auto_staging_on_request_is_compared(annotated: Path) -> None:
    pytest.importorskip("yasa")
    res = pipeline.analyse(annotated, lang="en", auto_staging=True, detectors=["desaturation"])
    assert res.stats["hypnogram_source"] == "automatic" and res.hypnogram.confidence is not None
    assert res.hypnogram.lights_off_s == 12.0  # the technician's lights still apply
    assert set(res.staging_agreement) >= {"kappa", "accuracy"}


def test_params_parsed_typed_and_echoed(annotated: Path) -> None:
    p = pipeline.parse_params(["respiratory.hypopnea_rule=1b", "leg_movements.min_interval_s=10",
                               "leg_movements.min_series=4", "respiratory.band_hz=0.1,0.9",
                               "respiratory.apnea_drop=0,9"])
    assert p["respiratory"]["hypopnea_rule"] == "1B"
    assert p["leg_movements"] == {"min_interval_s": 10.0, "min_series": 4}
    assert p["respiratory"]["band_hz"] == (0.1, 0.9)
    assert p["respiratory"]["apnea_drop"] == 0.9  # a Dutch decimal comma is understood
    res = pipeline.analyse(annotated, params=["respiratory.hypopnea_rule=1B"],
                           detectors=["desaturation", "arousal", "respiratory"])
    assert res.to_json()["parameters"] == {"respiratory": {"hypopnea_rule": "1B"}}
    if not res.results["respiratory"].skipped:
        assert res.results["respiratory"].params["hypopnea_rule"] == "1B"


@pytest.mark.parametrize(("pair", "words"), [
    ("respiratry.hypopnea_rule=1B", ("Unknown detector 'respiratry'", "Did you mean 'respiratory'")),
    ("respiratory.hypopnea_rul=1B", ("no parameter 'hypopnea_rul'", "Did you mean 'hypopnea_rule'")),
    ("leg_movements.min_series=abc", ("'abc'", "whole number")),
    ("leg_movements.min_interval_s=ten", ("'ten'", "a number")),
    ("respiratory.band_hz=0.1", ("band_hz",)),
    ("leg_movements", ("DETECTOR.FIELD=VALUE",)),
])
def test_bad_params_explained(pair: str, words: tuple[str, ...]) -> None:
    with pytest.raises(pipeline.ParameterError) as info:
        pipeline.parse_params([pair])
    for w in words:
        assert w in info.value.text("en")
    assert "Bedoelt u" in info.value.text("nl") or "Did you" not in info.value.text("en")


def test_cli_param_error_and_echo(annotated: Path, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from nachtwacht.cli import main

    r = CliRunner().invoke(main, ["psg", "analyse", str(annotated), "--param",
                                  "leg_movements.min_intervl_s=10", "--lang", "nl"])
    assert r.exit_code == 2 and "Bedoelt u 'min_interval_s'?" in r.output
    assert "Traceback" not in r.output
    out = tmp_path / "o.json"
    r = CliRunner().invoke(main, ["psg", "analyse", str(annotated), "--json", str(out),
                                  "--param", "leg_movements.min_interval_s=10",
                                  "--detector", "leg_movements"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["parameters"] == {"leg_movements": {"min_interval_s": 10.0}}
