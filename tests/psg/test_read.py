"""Reading EDF/EDF+/BDF: the real crop, units, repaired headers and files that cannot be nights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from psg_helpers import write_edf

from nachtwacht.psg.channels import assign_roles, guess_role
from nachtwacht.psg.errors import TooLong, TruncatedFile, UnreadableFile
from nachtwacht.psg.read import read_recording


def test_real_crop_channels_roles_units_duration(short_psg: Path) -> None:
    rec = read_recording(short_psg)
    rep = assign_roles(rec)
    assert rec.duration_s == 300.0
    assert rec.start.isoformat() == "1989-04-24T16:13:00"
    assert list(rec.channels) == ["EEG Fpz-Cz", "EEG Pz-Oz", "EOG horizontal", "Resp oro-nasal",
                                  "EMG submental", "Temp rectal", "Event marker"]
    fpz = rec.channels["EEG Fpz-Cz"]
    assert fpz.sf == 100.0 and fpz.unit == "uV" and len(fpz.data) == 30000
    assert 20 < float(np.std(fpz.data)) < 40  # MANIFEST: SD 28 µV, so µV not V
    assert rep.roles["EEG Fpz-Cz"] == "eeg"  # no central EEG: frontal takes the staging role
    assert rep.roles["EEG Pz-Oz"] == "eeg_occipital"
    assert rep.roles["EOG horizontal"] == "eog"
    # The 1-Hz EMG is an envelope, not EMG: it must not be used as chin EMG.
    assert rep.roles["EMG submental"] == "other" and "1 Hz" in rep.unusable["EMG submental"]
    assert abs(float(np.mean(rec.channels["Temp rectal"].data)) - 37.2) < 0.2
    assert set(rep.unknown) == {"Temp rectal", "Event marker"}


@pytest.mark.parametrize(
    ("label", "role"),
    [("EEG C3-A2", "eeg"), ("C4-M1", "eeg"), ("EEG Fpz-Cz", "eeg_frontal"), ("O2-M1", "eeg_occipital"),
     ("EOG horizontal", "eog"), ("E1-M2", "eog"), ("E2-M1", "eog_r"), ("EMG submental", "emg_chin"),
     ("Chin1-Chin2", "emg_chin"), ("LAT", "leg_l"), ("RAT", "leg_r"), ("Leg L", "leg_l"),
     ("Tib R", "leg_r"), ("Flow", "airflow"), ("Airflow", "airflow"), ("Therm", "airflow"),
     ("Nasal Pressure", "nasal_pressure"), ("PFlow", "nasal_pressure"), ("Thor", "thorax"),
     ("Chest", "thorax"), ("Abdo", "abdomen"), ("ABD", "abdomen"), ("SpO2", "spo2"),
     ("SaO2", "spo2"), ("Sat", "spo2"), ("ECG", "ecg"), ("EKG II", "ecg"), ("Pos", "position"),
     ("Masseter L", "emg_masseter"), ("Snore", "other"), ("Ch7", "other")],
)
def test_role_table(label: str, role: str) -> None:
    assert guess_role(label) == role


def test_user_override_wins(short_psg: Path) -> None:
    rec = read_recording(short_psg)
    rep = assign_roles(rec, {"EEG Pz-Oz": "eeg", "EEG Fpz-Cz": "eeg_frontal"})
    assert rec.roles["eeg"] == "EEG Pz-Oz"
    assert rep.roles["EEG Fpz-Cz"] == "eeg_frontal"


def test_units_converted_to_microvolt(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100 * 60) * 30  # µV
    p = write_edf(tmp_path / "units.edf", {
        "EEG C3-M2": (x * 1e-6, 100.0, "V"),
        "EEG C4-M1": (x * 1e-3, 100.0, "mV"),
        "EOG E1-M2": (x * 1e-6, 100.0, ""),  # no unit: inferred from the amplitude
        "SpO2": (np.full(60, 95.0) + rng.standard_normal(60) * 0.1, 1.0, "%"),
    })
    rec = read_recording(p)
    for name in ("EEG C3-M2", "EEG C4-M1", "EOG E1-M2"):
        ch = rec.channels[name]
        assert ch.unit == "uV"
        assert np.std(ch.data) == pytest.approx(np.std(x), rel=0.01)
    assert any("EOG E1-M2" in w and "unit" in w for w in rec.warnings)
    assert rec.channels["SpO2"].unit == "%"


def test_bdf_reads(tmp_path: Path) -> None:
    import edfio

    x = np.sin(np.linspace(0, 100, 256 * 60)) * 50
    sig = edfio.BdfSignal(x, 256.0, label="EEG C3-M2", physical_dimension="uV",
                          physical_range=(-100, 100))
    edfio.Bdf([sig]).write(tmp_path / "a.bdf")
    rec = read_recording(tmp_path / "a.bdf")
    assert rec.channels["EEG C3-M2"].data.max() == pytest.approx(50, abs=0.1)


def test_truncated_file_reads_complete_records_and_warns(short_psg: Path, tmp_path: Path) -> None:
    data = short_psg.read_bytes()
    p = tmp_path / "cut.edf"
    p.write_bytes(data[: len(data) - 5000])  # the last 30-s record is incomplete
    rec = read_recording(p)
    assert rec.duration_s == 270.0
    assert any("repaired" in w or "record count" in w for w in rec.warnings)


def test_file_without_any_complete_record(short_psg: Path, tmp_path: Path) -> None:
    data = short_psg.read_bytes()
    header_len = int(data[184:192])
    p = tmp_path / "empty.edf"
    p.write_bytes(data[: header_len + 100])
    with pytest.raises((TruncatedFile, UnreadableFile)) as exc:
        read_recording(p)
    assert "empty.edf" in exc.value.text("en")


def test_header_cut_short(short_psg: Path, tmp_path: Path) -> None:
    p = tmp_path / "head.edf"
    p.write_bytes(short_psg.read_bytes()[:100])
    with pytest.raises(TruncatedFile, match="header"):
        read_recording(p)


@pytest.mark.parametrize("count", [b"-1      ", b"20      "])
def test_header_lying_about_record_count(short_psg: Path, tmp_path: Path, count: bytes) -> None:
    data = short_psg.read_bytes()
    p = tmp_path / "lie.edf"
    p.write_bytes(data[:236] + count + data[244:])
    rec = read_recording(p)
    assert rec.duration_s == 300.0
    assert any("record count was wrong" in w for w in rec.warnings)


def test_forty_hour_night_is_refused_with_advice(short_psg: Path, tmp_path: Path) -> None:
    data = short_psg.read_bytes()
    p = tmp_path / "long.edf"
    # 10 records of 4 h each: the header claims a 40-hour recording.
    p.write_bytes(data[:244] + b"14400   " + data[252:])
    with pytest.raises(TooLong) as exc:
        read_recording(p)
    assert "40.0" in exc.value.text("en") and "Split" in exc.value.text("en")
    assert "uur" in exc.value.text("nl")


def test_not_an_edf(tmp_path: Path) -> None:
    p = tmp_path / "x.edf"
    p.write_bytes(b"hello" * 100)
    with pytest.raises(UnreadableFile, match="not a readable EDF"):
        read_recording(p)


def test_flat_and_clipped_signals_are_not_used(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    clipped = np.clip(rng.standard_normal(100 * 120) * 100, -20, 20)
    p = write_edf(tmp_path / "bad.edf", {
        "EEG C3-M2": (np.zeros(100 * 120), 100.0, "uV"),
        "EEG C4-M1": (clipped, 100.0, "uV"),
        "EOG E1-M2": (rng.standard_normal(100 * 120) * 20, 100.0, "uV"),
    })
    rec = read_recording(p)
    rep = assign_roles(rec)
    assert "flat" in rep.unusable["EEG C3-M2"]
    assert "clipped" in rep.unusable["EEG C4-M1"]
    assert rec.roles.get("eeg") is None
