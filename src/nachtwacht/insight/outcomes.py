"""What the trigger analysis looks at per night: episodes and sleep numbers.

Outcomes per night (the diary's nights are the rows; an episode logged on a date
without a diary night is not used, because the factors of that night are unknown):

* ``episode:<type>`` -- binary: at least one episode of that type (sleeper or
  partner), for every type that occurs in the diary;
* ``episode_count`` -- count: all episodes that night (``count`` field, else 1);
* ``sol_min``, ``se_pct`` -- continuous, from the diary metrics;
* ``tension``, ``pain`` -- 0-10 scores on waking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from nachtwacht.diary.fields import spec
from nachtwacht.diary.types import Episode, Night

from ._sleep import SleepNumbers


@dataclass(frozen=True)
class Outcome:
    """One outcome over the diary's nights (NaN = not recorded)."""

    code: str
    kind: Literal["binary", "count", "continuous"]
    label_nl: str
    label_en: str
    #: Unit words used in texts ("minuten", "%", "van 10").
    unit_nl: str
    unit_en: str
    #: Which direction is better for the sleeper ("down": less is better).
    better: Literal["up", "down"]
    values: np.ndarray = field(repr=False)
    #: Nights on which the outcome was recorded (not NaN).
    recorded: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "recorded", ~np.isnan(self.values))

    def label(self, lang: str = "nl") -> str:
        return self.label_en if lang == "en" else self.label_nl


def episode_type_label(code: str, lang: str = "nl") -> str:
    """Label of an episode type from the field registry."""
    return spec("episode", "type").choice_label(code, lang)


def build_outcomes(
    nights: Sequence[Night],
    episodes: Sequence[Episode],
    sleep: Sequence[SleepNumbers],
) -> list[Outcome]:
    """Build every outcome for ``nights`` (sorted, one per date)."""
    index = {n.date: i for i, n in enumerate(nights)}
    n = len(nights)
    per_type: dict[str, np.ndarray] = {}
    count = np.zeros(n)
    for e in episodes:
        i = index.get(e.date)
        if i is None:
            continue
        per_type.setdefault(e.type, np.zeros(n))[i] = 1.0
        count[i] += e.n
    out: list[Outcome] = []
    for t in sorted(per_type):
        out.append(Outcome(f"episode:{t}", "binary", episode_type_label(t, "nl"),
                           episode_type_label(t, "en"), "", "", "down", per_type[t]))
    if per_type:
        out.append(Outcome("episode_count", "count", "episodes per nacht", "episodes per night",
                           "", "", "down", count))

    def column(values: Sequence[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else float(v) for v in values])

    out.append(Outcome("sol_min", "continuous", "tijd tot inslapen", "time to fall asleep",
                       "minuten", "minutes", "down", column([s.sol_min for s in sleep])))
    out.append(Outcome("se_pct", "continuous", "slaapefficiëntie (deel van de tijd in bed dat u sliep)",
                       "sleep efficiency (share of time in bed asleep)", "%", "%", "up",
                       column([s.se_pct for s in sleep])))
    for name in ("tension", "pain"):
        f = spec("night", name)
        out.append(Outcome(name, "continuous", f.label_nl.lower(), f.label_en.lower(),
                           "van 10", "out of 10", "down", column([getattr(x, name) for x in nights])))
    return out
