"""Channel roles from channel names, checked against signal properties, overridable.

Detectors ask for roles ("eeg", "leg_l", "spo2" ...), never for names, so one
table here decides which signal is which for every montage we know. The user can
override any decision with a ``{"channel name": "role"}`` map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from nachtwacht.psg.errors import ChannelMapError
from nachtwacht.psg.types import ROLES, Recording

#: (role, pattern) in the order they are tried; the first match wins. Order matters:
#: "Nasal Pressure" must be nasal pressure before "nasal" makes it airflow, leg EMG
#: before generic "EMG" makes it chin, and EOG (E1/E2) before EEG electrode parsing.
_TABLE: tuple[tuple[str, str], ...] = (
    ("other", r"snore|mic|temp|event|marker|light|pleth|pulse(?!.*ox)|hr\b|heart ?rate|cpap|pap\b"),
    ("ecg", r"\b(ecg|ekg)"),
    ("spo2", r"spo2|sao2|sp02|\bsat\b|saturation|oxim|pulse ?ox"),
    ("position", r"\bpos\b|position|body"),
    ("nasal_pressure", r"nasal ?pres|pflow|pres|cannula|ptaf|npt"),
    ("airflow", r"flow|therm|oro-?nasal|nasal|oral|\bresp\b(?!.*(thor|abd|chest))"),
    ("thorax", r"thor|chest|\bthx\b|rip ?t\b|\bresp.*(thor|chest)"),
    ("abdomen", r"abd|abdo|belly|rip ?a\b|\bresp.*abd"),
    ("leg_l", r"leg ?l\b|l ?leg|\blat\b|tib ?l|l ?tib|left ?leg|\blleg|plm ?l"),
    ("leg_r", r"leg ?r\b|r ?leg|\brat\b|tib ?r|r ?tib|right ?leg|\brleg|plm ?r"),
    ("arm", r"\bfds\b|flexor|\barm\b"),
    ("emg_masseter", r"masseter|\bmass\b"),
    ("eog_r", r"\be2\b|\broc\b|right ?eye|eog ?r\b|reog"),
    ("eog", r"eog|\be1\b|\bloc\b|left ?eye|leog|horizontal"),
    ("emg_chin", r"chin|submental|mentalis|\bemg\b"),
)
_COMPILED = tuple((role, re.compile(p, re.IGNORECASE)) for role, p in _TABLE)

#: First electrode of an EEG derivation -> role.
_ELECTRODE = re.compile(r"\b(fp[12z]|f[34z78]|c[34z]|o[12z]|p[34z]|t[3-8])\b", re.IGNORECASE)
_ELECTRODE_ROLE = {"f": "eeg_frontal", "c": "eeg", "o": "eeg_occipital", "p": "eeg_occipital"}

#: Minimum sampling rate at which a role's signal is still usable.
_MIN_SF = {
    "eeg": 50.0,
    "eeg_frontal": 50.0,
    "eeg_occipital": 50.0,
    "eog": 50.0,
    "eog_r": 50.0,
    "emg_chin": 50.0,
    "emg_masseter": 50.0,
    "leg_l": 50.0,
    "leg_r": 50.0,
    "arm": 50.0,
    "ecg": 50.0,
    "airflow": 4.0,
    "nasal_pressure": 4.0,
    "thorax": 4.0,
    "abdomen": 4.0,
    "spo2": 0.25,
    "position": 0.1,
}
BIOELECTRIC = frozenset(
    {"eeg", "eeg_frontal", "eeg_occipital", "eog", "eog_r", "emg_chin", "emg_masseter",
     "leg_l", "leg_r", "arm", "ecg"}
)


def guess_role(name: str) -> str:
    """Role of a channel from its label alone ("other" when nothing matches)."""
    label = name.strip()
    for role, rx in _COMPILED:
        if rx.search(label):
            return role
    m = _ELECTRODE.search(label)
    if m:
        return _ELECTRODE_ROLE[m.group(1)[0].lower()]
    if re.search(r"\beeg\b", label, re.IGNORECASE):
        return "eeg"
    return "other"


@dataclass
class RoleReport:
    """What :func:`assign_roles` decided, for the user and the JSON output."""

    roles: dict[str, str] = field(default_factory=dict)  # channel name -> role
    unusable: dict[str, str] = field(default_factory=dict)  # channel name -> why
    notes: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        return [n for n, r in self.roles.items() if r == "other" and n not in self.unusable]

    def to_json(self) -> dict:
        return {"roles": self.roles, "unusable": self.unusable, "notes": self.notes,
                "unknown": self.unknown}


def signal_problem(data: np.ndarray, phys_range: tuple[float, float] | None) -> str | None:
    """Why a signal cannot be used (flat, or clipped most of the time), else None."""
    if data.size == 0:
        return "empty"
    finite = data[np.isfinite(data)] if np.isnan(data).any() else data
    if finite.size == 0:
        return "no data (only gaps)"
    step = max(1, finite.size // 200_000)  # a sample of the signal is enough to judge
    sample = finite[::step]
    if float(np.ptp(sample)) == 0.0:
        return "flat (all samples equal, e.g. all zeros)"
    if phys_range is not None:
        lo, hi = phys_range
        span = abs(hi - lo) or 1.0
        at_rail = (sample <= lo + 1e-4 * span) | (sample >= hi - 1e-4 * span)
        if at_rail.mean() > 0.5:
            return "clipped (more than half the samples at the edge of the range)"
    return None


def assign_roles(rec: Recording, overrides: dict[str, str] | None = None) -> RoleReport:
    """Set ``Channel.role`` for every channel of ``rec`` and return what was decided.

    Names decide first; then the signal must fit the role (sampling rate, SpO2 in
    50-100 %, not flat, not clipped); unusable channels get role "other" with the
    reason. If no central EEG is present, a frontal (else occipital) EEG takes the
    "eeg" role, so staging can still run. ``overrides`` win over everything except
    an unknown role name, which raises :class:`ChannelMapError`.
    """
    overrides = dict(overrides or {})
    for name, role in overrides.items():
        if role not in ROLES:
            raise ChannelMapError(
                (f"Onbekende rol '{role}' voor kanaal '{name}'.", f"Kies uit: {', '.join(ROLES)}."),
                (f"Unknown role '{role}' for channel '{name}'.", f"Choose from: {', '.join(ROLES)}."),
            )
        if name not in rec.channels:
            raise ChannelMapError(
                (f"Kanaal '{name}' staat niet in de opname.",
                 f"Kanalen: {', '.join(rec.channels)}."),
                (f"Channel '{name}' is not in the recording.",
                 f"Channels: {', '.join(rec.channels)}."),
            )
    report = RoleReport()
    for name, ch in rec.channels.items():
        if name in overrides:
            role = overrides[name]
            report.notes.append(f"{name}: role {role} set by the user")
        else:
            role = guess_role(name)
            if role != "other":
                min_sf = _MIN_SF.get(role, 0.0)
                if ch.sf < min_sf:
                    report.unusable[name] = (
                        f"named like {role} but sampled at {ch.sf:g} Hz (needs >= {min_sf:g} Hz)"
                    )
                    role = "other"
                elif role == "spo2":
                    med = float(np.nanmedian(ch.data[:: max(1, ch.data.size // 10_000)]))
                    if not 50.0 <= med <= 100.5:
                        report.unusable[name] = f"named like SpO2 but median {med:.3g} is not 50-100 %"
                        role = "other"
            problem = signal_problem(ch.data, getattr(ch, "phys_range", None))
            if problem and role != "other":
                report.unusable[name] = f"{role} signal is {problem}"
                role = "other"
        ch.role = role
        report.roles[name] = role
    if not any(r == "eeg" for r in report.roles.values()):
        for alt in ("eeg_frontal", "eeg_occipital"):
            cand = [n for n, r in report.roles.items() if r == alt and n not in overrides]
            if cand:
                rec.channels[cand[0]].role = "eeg"
                report.roles[cand[0]] = "eeg"
                report.notes.append(f"{cand[0]}: no central EEG, so this {alt} EEG is used as EEG")
                break
    return report
