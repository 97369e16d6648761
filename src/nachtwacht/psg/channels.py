"""Channel roles from channel names, checked against signal properties, overridable.

Detectors ask for roles ("eeg", "leg_l", "spo2" ...), never for names, so one
table here decides which signal is which for every montage we know. The user can
override any decision with a ``{"channel name": "role"}`` map.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from nachtwacht.psg.errors import ChannelMapError
from nachtwacht.psg.types import ROLES, Recording

#: The alias table (``channel_aliases.yaml``) is data, so a new montage needs no code;
#: its header says how a label is matched.
_ALIASES_FILE = Path(__file__).with_name("channel_aliases.yaml")
_SEPARATORS = re.compile(r"[\s\-_/().:,]+")


@dataclass(frozen=True)
class _Table:
    exact: dict[str, str]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    electrode: re.Pattern[str]
    electrode_roles: dict[str, str]


@functools.cache
def _table() -> _Table:
    """The alias table, read once and checked against :data:`ROLES`."""
    raw = yaml.safe_load(_ALIASES_FILE.read_text(encoding="utf-8"))
    exact = {str(k).lower(): str(v) for k, v in raw["exact"].items()}
    patterns = tuple((str(role), re.compile(rx, re.IGNORECASE)) for role, rx in raw["patterns"])
    roles = {str(v) for v in raw["electrode_roles"].values()}
    bad = (set(exact.values()) | {r for r, _ in patterns} | roles) - set(ROLES)
    if bad:  # a typo in the data file must fail loudly, not silently drop a channel
        raise ValueError(f"{_ALIASES_FILE.name}: unknown roles {sorted(bad)}")
    return _Table(exact, patterns, re.compile(raw["electrode"], re.IGNORECASE),
                  {str(k): str(v) for k, v in raw["electrode_roles"].items()})


def _compact(label: str) -> str:
    return _SEPARATORS.sub("", label.lower())


def _spaced(label: str) -> str:
    return _SEPARATORS.sub(" ", label.lower()).strip()


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
    """Role of a channel from its label alone ("other" when nothing matches).

    See ``channel_aliases.yaml`` for the matching order and the conventions covered.
    """
    table = _table()
    role = table.exact.get(_compact(name))
    if role:
        return role
    label = _spaced(name)
    for role, rx in table.patterns:
        if rx.search(label):
            return role
    m = table.electrode.search(label)
    if m:
        return table.electrode_roles[m.group(1)[0].lower()]
    if re.search(r"\beeg\b", label):
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
