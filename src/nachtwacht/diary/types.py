"""Plain value types of the diary: a night, an episode, a profile.

Field names equal the CSV headers and JSON keys in :mod:`nachtwacht.diary.fields`;
``None`` means "not recorded". Clock times are :class:`datetime.time`; which
calendar day they fall on follows the field's ``anchor`` (see
:func:`nachtwacht.diary.clock.resolve`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .fields import EPISODE_HEADERS, NIGHT_HEADERS, PROFILE_KEYS


@dataclass(frozen=True)
class Night:
    """One night of the Consensus Sleep Diary core plus factors, dated by the morning."""

    date: dt.date
    bedtime: dt.time | dt.datetime | None = None
    lights_out: dt.time | dt.datetime | None = None
    sol_min: float | None = None
    awakenings: int | None = None
    waso_min: float | None = None
    final_wake: dt.time | dt.datetime | None = None
    out_of_bed: dt.time | dt.datetime | None = None
    quality: int | None = None
    rested: int | None = None
    nap_min: float | None = None
    alcohol_units: float | None = None
    alcohol_last: dt.time | dt.datetime | None = None
    caffeine_mg: float | None = None
    caffeine_last: dt.time | dt.datetime | None = None
    nicotine: bool | None = None
    substances: tuple[str, ...] = ()
    medication: tuple[str, ...] = ()
    stress: int | None = None
    exercise_end: dt.time | dt.datetime | None = None
    exercise_intensity: str | None = None
    screens_last_hour: bool | None = None
    late_work: bool | None = None
    shift: str | None = None
    travel: bool | None = None
    wind_down: bool | None = None
    relaxation: bool | None = None
    slept_apart: bool | None = None
    tension: int | None = None
    pain: int | None = None
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (ISO dates, ``HH:MM`` times, lists)."""
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class Episode:
    """One reported event in a night, by the sleeper or the bed partner."""

    date: dt.date
    type: str
    reporter: str = "self"
    time: dt.time | dt.datetime | None = None
    count: int | None = None
    duration_min: float | None = None
    behaviours: tuple[str, ...] = ()
    recall: str | None = None
    injury: bool | None = None
    left_bedroom: bool | None = None
    partner_unsafe: bool | None = None
    notes: str = ""

    @property
    def n(self) -> int:
        """Number of occurrences this entry stands for (``count`` or 1)."""
        return self.count if self.count else 1

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with keys in CSV header order."""
        d = _jsonable(asdict(self))
        return {k: d[k] for k in EPISODE_HEADERS}


@dataclass(frozen=True)
class Profile:
    """Background and the other-complaints checklist. ``None`` means not answered."""

    birth_year: int | None = None
    bed_partner: bool | None = None
    children_in_home: bool | None = None
    drives: bool | None = None
    shift_work: bool | None = None
    known_conditions: tuple[str, ...] = ()
    regular_medication: tuple[str, ...] = ()
    snoring: bool | None = None
    witnessed_apneas: bool | None = None
    daytime_sleepiness: int | None = None
    drowsy_driving: bool | None = None
    cataplexy: bool | None = None
    sleep_paralysis: bool | None = None
    hypnagogic_hallucinations: bool | None = None
    rls_symptoms: bool | None = None
    tingling_weakness: bool | None = None
    severe_pain: bool | None = None
    breathing_problems: bool | None = None
    chest_pain: bool | None = None
    low_mood: bool | None = None
    suicidal_thoughts: bool | None = None
    new_medication: bool | None = None
    past_sleepwalking: bool | None = None
    epilepsy: bool | None = None
    urinary_complaints: bool | None = None
    strong_shame: bool | None = None
    loss_of_control: bool | None = None
    child_turns_blue: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as the ``profile.json`` object."""
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class Diary:
    """A person's nights, episodes and profile: the input of every analysis."""

    nights: tuple[Night, ...] = ()
    episodes: tuple[Episode, ...] = ()
    profile: Profile = field(default_factory=Profile)
    #: IANA time zone the clock times are in (for daylight-saving changes).
    tz: str = "Europe/Amsterdam"


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dt.datetime):
            # A clock field may hold a full local date-time (day sleepers, very long nights).
            out[k] = v.strftime("%Y-%m-%d %H:%M")
        elif isinstance(v, dt.date):
            out[k] = v.isoformat()
        elif isinstance(v, dt.time):
            out[k] = v.strftime("%H:%M")
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


# The dataclasses and the field registry must never drift apart.
if tuple(f.name for f in fields(Night)) != NIGHT_HEADERS:  # pragma: no cover - import-time guard
    raise ImportError("Night fields differ from NIGHT_HEADERS")
if {f.name for f in fields(Episode)} != set(EPISODE_HEADERS):  # pragma: no cover
    raise ImportError("Episode fields differ from EPISODE_HEADERS")
if tuple(f.name for f in fields(Profile)) != PROFILE_KEYS:  # pragma: no cover
    raise ImportError("Profile fields differ from PROFILE_KEYS")
