"""Value types shared by the sleep-study reader, stager, detectors and pipeline.

Only NumPy is imported here, so detectors and the simulator can be used without
MNE or YASA installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Integer stage codes used everywhere (YASA's convention, plus -1).
UNSCORED, WAKE, N1, N2, N3, REM = -1, 0, 1, 2, 3, 4
STAGE_LABELS: dict[int, str] = {UNSCORED: "?", WAKE: "W", N1: "N1", N2: "N2", N3: "N3", REM: "R"}
LABEL_TO_STAGE: dict[str, int] = {v: k for k, v in STAGE_LABELS.items()}
SLEEP_STAGES = (N1, N2, N3, REM)

#: Channel roles a recording can carry. Detectors ask for roles, never names.
ROLES = (
    "eeg",  # central EEG (C3/C4-M), the staging channel
    "eeg_frontal",
    "eeg_occipital",
    "eog",  # left EOG (E1-M2) or horizontal EOG
    "eog_r",
    "emg_chin",  # submental / mentalis EMG
    "emg_masseter",
    "leg_l",  # left anterior tibialis EMG
    "leg_r",
    "arm",  # flexor digitorum superficialis EMG (SINBAR)
    "airflow",  # oronasal thermal sensor
    "nasal_pressure",
    "thorax",
    "abdomen",
    "spo2",
    "ecg",
    "position",
    "other",
)


@dataclass
class Channel:
    """One signal in physical units.

    ``data`` is in ``unit``: EEG, EOG and EMG are always converted to ``"uV"`` by the
    reader; SpO2 is in ``"%"``; respiratory channels keep their own unit.
    """

    name: str
    data: np.ndarray
    sf: float
    unit: str = ""
    role: str | None = None
    #: Physical (min, max) of the recorder, in ``unit``; used to spot clipping.
    phys_range: tuple[float, float] | None = None

    @property
    def duration_s(self) -> float:
        return len(self.data) / self.sf


@dataclass(frozen=True)
class Annotation:
    """An EDF+ annotation (technician mark, video mark, lights off ...), seconds from start."""

    onset_s: float
    duration_s: float
    description: str


@dataclass
class Recording:
    """A polysomnography night: channels by name, their roles, and annotations."""

    channels: dict[str, Channel]
    start: dt.datetime | None = None
    annotations: list[Annotation] = field(default_factory=list)
    source: str = ""
    #: Non-fatal problems found while reading (repaired header fields, gaps ...).
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return max((c.duration_s for c in self.channels.values()), default=0.0)

    @property
    def roles(self) -> dict[str, str]:
        """Role -> channel name, first channel per role."""
        out: dict[str, str] = {}
        for name, ch in self.channels.items():
            if ch.role and ch.role not in out:
                out[ch.role] = name
        return out

    def by_role(self, role: str) -> Channel | None:
        """Return the first channel with ``role``, or None."""
        for ch in self.channels.values():
            if ch.role == role:
                return ch
        return None


@dataclass
class Hypnogram:
    """One stage per fixed-length epoch (default 30 s), as integer codes.

    ``confidence`` holds the classifier's probability of the chosen stage per
    epoch when the hypnogram was predicted, else None (expert scoring).
    """

    stages: np.ndarray
    epoch_s: float = 30.0
    start: dt.datetime | None = None
    confidence: np.ndarray | None = None
    source: str = ""
    #: Lights off / lights on in seconds from the hypnogram start, when known.
    lights_off_s: float | None = None
    lights_on_s: float | None = None

    def __post_init__(self) -> None:
        self.stages = np.asarray(self.stages, dtype=np.int8)
        if self.stages.ndim != 1:
            raise ValueError("a hypnogram is one stage per epoch (1-D)")
        bad = set(np.unique(self.stages).tolist()) - set(STAGE_LABELS)
        if bad:
            raise ValueError(f"unknown stage codes {sorted(bad)}; allowed {sorted(STAGE_LABELS)}")

    def __len__(self) -> int:
        return len(self.stages)

    def __repr__(self) -> str:
        counts = {STAGE_LABELS[k]: int((self.stages == k).sum()) for k in STAGE_LABELS}
        return f"<Hypnogram {len(self)} epochs of {self.epoch_s:g}s {counts}>"

    @property
    def duration_s(self) -> float:
        return len(self.stages) * self.epoch_s

    def stage_at(self, t_s: float) -> int:
        """Stage code at ``t_s`` seconds from the start (UNSCORED outside)."""
        i = int(t_s // self.epoch_s)
        if t_s < 0 or i >= len(self.stages):
            return UNSCORED
        return int(self.stages[i])

    def labels(self) -> list[str]:
        return [STAGE_LABELS[int(s)] for s in self.stages]

    def upsample(self, sf: float, n: int) -> np.ndarray:
        """Stage per sample for a signal of ``n`` samples at ``sf`` Hz."""
        idx = (np.arange(n) / sf // self.epoch_s).astype(np.int64)
        out = np.full(n, UNSCORED, dtype=np.int8)
        ok = idx < len(self.stages)
        out[ok] = self.stages[idx[ok]]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "epoch_s": self.epoch_s,
            "start": self.start.isoformat() if self.start else None,
            "stages": self.labels(),
            "source": self.source,
            "lights_off_s": self.lights_off_s,
            "lights_on_s": self.lights_on_s,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Hypnogram:
        start = dt.datetime.fromisoformat(d["start"]) if d.get("start") else None
        return cls(
            np.array([LABEL_TO_STAGE[s] for s in d["stages"]], dtype=np.int8),
            epoch_s=float(d.get("epoch_s", 30.0)),
            start=start,
            source=d.get("source", ""),
            lights_off_s=d.get("lights_off_s"),
            lights_on_s=d.get("lights_on_s"),
        )


@dataclass
class Event:
    """One detected or planted event, seconds from the recording start."""

    kind: str
    onset_s: float
    duration_s: float
    channel: str = ""
    stage: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def end_s(self) -> float:
        return self.onset_s + self.duration_s

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "onset_s": round(float(self.onset_s), 3),
            "duration_s": round(float(self.duration_s), 3),
            "channel": self.channel,
            "stage": self.stage,
            **{k: _plain(v) for k, v in self.figures.items()},
        }


@dataclass
class DetectorResult:
    """What one detector returns: its events and summary, or why it was skipped."""

    name: str
    events: list[Event] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {k: _plain(v) for k, v in self.summary.items()},
            "events": [e.to_json() for e in self.events],
            "params": {k: _plain(v) for k, v in self.params.items()},
        }


def _plain(v: Any) -> Any:
    """NumPy scalars to Python numbers, for JSON."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v
