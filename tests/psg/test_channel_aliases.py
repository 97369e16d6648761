"""Channel-alias table (``psg/channel_aliases.yaml``): one case per real-world label.

The labels of issue #13 (NSRR/MESA/SHHS and vendor spellings) first, then the usual
EDF, Sleep-EDF, MASS and HMC conventions, so a new row in the data file cannot
silently take a label away from its role.
"""

from __future__ import annotations

import numpy as np
import pytest

from nachtwacht.psg.channels import _table, assign_roles, guess_role
from nachtwacht.psg.types import ROLES, Channel, Recording

ISSUE_13 = [
    ("EEG1", "eeg_frontal"), ("EEG2", "eeg_occipital"), ("EEG3", "eeg"), ("C4M1", "eeg"),
    ("EMG1-EMG2", "emg_chin"), ("Subm", "emg_chin"), ("LAT1-LAT2", "leg_l"),
    ("RAT1-RAT2", "leg_r"), ("Leg/L", "leg_l"), ("Leg/R", "leg_r"), ("L-LEG", "leg_l"),
    ("R-LEG", "leg_r"), ("Leg_L", "leg_l"), ("Tib-L", "leg_l"), ("L-Tib", "leg_l"),
    ("Leg 1", "leg_l"), ("Leg 2", "leg_r"), ("Leg", "leg_l"), ("Effort THO", "thorax"),
    ("THO", "thorax"), ("NEW AIR", "nasal_pressure"), ("OSAT", "spo2"),
    ("EOG(R)", "eog_r"), ("EOG-R", "eog_r"), ("EOG(L)", "eog"), ("EOG-L", "eog"),
]

CONVENTIONS = [
    # AASM / generic EDF
    ("EEG C3-A2", "eeg"), ("C4-M1", "eeg"), ("C3-M2", "eeg"), ("F4-M1", "eeg_frontal"),
    ("O2-M1", "eeg_occipital"), ("E1-M2", "eog"), ("E2-M1", "eog_r"), ("ROC-A1", "eog_r"),
    ("LOC-A2", "eog"), ("Chin1-Chin2", "emg_chin"), ("LAT", "leg_l"), ("RAT", "leg_r"),
    ("Leg L", "leg_l"), ("Tib R", "leg_r"), ("Left Leg", "leg_l"), ("R Tib", "leg_r"),
    ("Flow", "airflow"), ("Airflow", "airflow"), ("Therm", "airflow"),
    ("Nasal Pressure", "nasal_pressure"), ("PFlow", "nasal_pressure"), ("Thor", "thorax"),
    ("Chest", "thorax"), ("Abdo", "abdomen"), ("ABD", "abdomen"), ("Effort ABD", "abdomen"),
    ("SpO2", "spo2"), ("SaO2", "spo2"), ("Sat", "spo2"), ("Pulse Ox", "spo2"), ("ECG", "ecg"),
    ("EKG II", "ecg"), ("Pos", "position"), ("Masseter L", "emg_masseter"), ("FDS", "arm"),
    ("Snore", "other"), ("Ch7", "other"), ("Pulse", "other"), ("Heart Rate", "other"),
    ("CPAP Pressure", "other"),
    # Sleep-EDF
    ("EEG Fpz-Cz", "eeg_frontal"), ("EEG Pz-Oz", "eeg_occipital"), ("EOG horizontal", "eog"),
    ("Resp oro-nasal", "airflow"), ("EMG submental", "emg_chin"), ("Temp rectal", "other"),
    ("Event marker", "other"),
    # MASS
    ("EEG C3-CLE", "eeg"), ("EOG Left Horiz", "eog"), ("EOG Right Horiz", "eog_r"),
    ("EMG Chin1", "emg_chin"), ("ECG I", "ecg"), ("Resp Belt Thor", "thorax"),
    ("Resp Belt Abdo", "abdomen"), ("Resp nasal", "airflow"),
    # HMC
    ("EEG F4-M1", "eeg_frontal"), ("EEG C4-M1", "eeg"), ("EEG O2-M1", "eeg_occipital"),
    ("EOG E1-M2", "eog"), ("EOG E2-M2", "eog_r"), ("EMG chin", "emg_chin"),
    # SHHS
    ("EEG", "eeg"), ("EEG(sec)", "eeg"), ("EMG", "emg_chin"), ("THOR RES", "thorax"),
    ("ABDO RES", "abdomen"), ("AIRFLOW", "airflow"), ("POSITION", "position"),
    ("LIGHT", "other"), ("H.R.", "other"), ("OX stat", "other"),
    # MESA
    ("EKG", "ecg"), ("Pres", "nasal_pressure"), ("Pleth", "other"), ("HR", "other"),
    ("DHR", "other"), ("OxStatus", "other"), ("Aux AC", "other"),
]


@pytest.mark.parametrize(("label", "role"), ISSUE_13)
def test_issue_13_labels(label: str, role: str) -> None:
    assert guess_role(label) == role


@pytest.mark.parametrize(("label", "role"), CONVENTIONS)
def test_usual_conventions(label: str, role: str) -> None:
    assert guess_role(label) == role


def test_table_names_only_known_roles() -> None:
    t = _table()
    used = set(t.exact.values()) | {r for r, _ in t.patterns} | set(t.electrode_roles.values())
    assert used <= set(ROLES)


def test_both_eogs_found_and_unknown_channels_named() -> None:
    x = np.random.default_rng(0).standard_normal(256 * 60).astype(np.float32) * 20
    rec = Recording({n: Channel(n, x.copy(), 256.0) for n in ("EOG(L)", "EOG(R)", "Gizmo 3")})
    rep = assign_roles(rec)
    assert rep.roles == {"EOG(L)": "eog", "EOG(R)": "eog_r", "Gizmo 3": "other"}
    assert rep.unknown == ["Gizmo 3"]
