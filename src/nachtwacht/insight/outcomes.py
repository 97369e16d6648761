"""What the trigger analysis looks at per night: episodes and sleep numbers.

Outcomes per night (the diary's nights are the rows; an episode logged on a date
without a diary night cannot be used, because the factors of that night are
unknown: :func:`unmatched_episodes` counts them so the result can say so):

* ``episode:<type>`` -- binary: at least one episode of that type, for every
  type that occurs in the diary, **only on nights on which it could have been
  seen** (the observation model below; other nights are missing, not zero);
* ``episode_count`` -- count: all episodes that night (``count`` field, else 1);
  kept for callers, not tested by the trigger analysis;
* ``sol_min``, ``se_pct`` -- continuous, from the diary metrics;
* ``tension``, ``pain`` -- 0-10 scores on waking;
* ``device_tst_min``, ``device_waso_min`` -- continuous, total sleep time and wake
  after sleep onset as a watch or actigraph measured them (:func:`device_outcomes`),
  only when the caller passes device nights. Nights without device data are missing
  (the watch was not worn), not zero.

Observation model. Who can see an episode depends on its type and on who
reports it in this diary:

* types a sleeper usually knows about themselves (a nightmare, a hypnic jerk,
  restless legs): when the sleeper reports the type at least once, every diary
  night is observed;
* types mostly seen by someone else (:data:`WITNESS_TYPES`: sexsomnia,
  sleepwalking, sleep talking, teeth grinding, ...) and any type only the partner
  reports: when the partner reports the type at least once, only nights in the
  same bed are observed (``slept_apart`` not "yes"); the nights apart are missing,
  because nobody was there to see. A witness type the sleeper alone reports
  (someone living alone who finds the signs) is observed on every night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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
    #: Who could see it: ``all_nights``, ``together_nights`` (episode types the partner
    #: reports) or ``device_nights`` (device outcomes: nights the device was worn).
    observed_by: str = "all_nights"
    #: Device outcomes: what the texts call the device ("horloge", "actigraaf").
    device_nl: str = ""
    device_en: str = ""
    #: Nights on which the outcome was recorded (not NaN).
    recorded: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "recorded", ~np.isnan(self.values))

    def label(self, lang: str = "nl") -> str:
        return self.label_en if lang == "en" else self.label_nl


def episode_type_label(code: str, lang: str = "nl") -> str:
    """Label of an episode type from the field registry."""
    return spec("episode", "type").choice_label(code, lang)


#: Episode types mostly seen by someone else (the sleeper does not remember them).
WITNESS_TYPES = frozenset({
    "sexsomnia", "sleepwalking", "sleep_talking", "confusional_arousal", "dream_enactment",
    "leg_movements", "bruxism", "breathing_pause", "sleep_eating",
})


def observed_nights(nights: Sequence[Night], etype: str,
                    reporters: set[str]) -> tuple[np.ndarray, str]:
    """Nights on which an episode of ``etype`` could have been seen, and the rule used.

    The rule is ``all_nights`` (the sleeper's own report) or ``together_nights``
    (a partner in the same bed); see the module docstring.
    """
    n = len(nights)
    self_enough = "self" in reporters and (etype not in WITNESS_TYPES or "partner" not in reporters)
    if self_enough:
        return np.ones(n, dtype=bool), "all_nights"
    # Only a recorded "yes" makes a night unobserved; unknown counts as together.
    return (np.array([x.slept_apart is None or not bool(x.slept_apart) for x in nights],
                     dtype=bool), "together_nights")


def unmatched_episodes(nights: Sequence[Night], episodes: Sequence[Episode]) -> list[Episode]:
    """Episodes logged on a date without a diary night (they cannot be analysed)."""
    dates = {n.date for n in nights}
    return [e for e in episodes if e.date not in dates]


def build_outcomes(
    nights: Sequence[Night],
    episodes: Sequence[Episode],
    sleep: Sequence[SleepNumbers],
) -> list[Outcome]:
    """Build every outcome for ``nights`` (sorted, one per date)."""
    index = {n.date: i for i, n in enumerate(nights)}
    n = len(nights)
    per_type: dict[str, np.ndarray] = {}
    reporters: dict[str, set[str]] = {}
    count = np.zeros(n)
    for e in episodes:
        i = index.get(e.date)
        if i is None:
            continue
        per_type.setdefault(e.type, np.zeros(n))[i] = 1.0
        reporters.setdefault(e.type, set()).add(e.reporter)
        count[i] += e.n
    out: list[Outcome] = []
    for t in sorted(per_type):
        seen, rule = observed_nights(nights, t, reporters[t])
        out.append(Outcome(f"episode:{t}", "binary", episode_type_label(t, "nl"),
                           episode_type_label(t, "en"), "", "", "down",
                           np.where(seen, per_type[t], np.nan), rule))
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


#: Device outcomes and the device night's attribute they are read from.
DEVICE_OUTCOMES = {"device_tst_min": "tst_min", "device_waso_min": "waso_min"}
#: What to call the device in texts, by the device night's ``source`` (reader format or
#: consumer export): actigraph formats, then consumer devices. Unknown: "slaapmeter".
_DEVICE_WORDS: dict[str, tuple[str, str]] = {
    **{f: ("actigraaf", "actigraph") for f in ("awd", "mtn", "agd", "atr", "rpx")},
    **{f: ("horloge", "watch") for f in ("apple", "fitbit", "garmin")},
    "oura": ("ring", "ring"), "sleep_as_android": ("telefoon", "phone"),
    "withings": ("slaapmeter", "sleep tracker"),
}


def device_word(sources: Sequence[str]) -> tuple[str, str]:
    """How the texts name the device ("horloge", "actigraaf", "horloge/actigraaf")."""
    words = sorted({_DEVICE_WORDS.get(s, ("slaapmeter", "sleep tracker")) for s in sources})
    if not words:
        return "horloge/actigraaf", "watch/actigraph"
    return "/".join(w[0] for w in words), "/".join(w[1] for w in words)


def device_values(device: Any) -> tuple[dict[dt.date, dict[str, float | None]], list[str]]:
    """Per date the device outcome values, and the device sources seen.

    ``device`` is a sequence of device nights (objects with ``date``, ``tst_min``,
    ``waso_min`` and optionally ``source``, e.g. :class:`nachtwacht.device.DeviceNight`)
    or a mapping date -> ``{"device_tst_min": ..., "device_waso_min": ...}``. A later
    entry for the same date wins.
    """
    out: dict[dt.date, dict[str, float | None]] = {}
    sources: list[str] = []
    if isinstance(device, Mapping):
        for d, v in device.items():
            date = dt.date.fromisoformat(d) if isinstance(d, str) else d
            out[date] = {code: _number(v.get(code)) for code in DEVICE_OUTCOMES}
            if v.get("source"):
                sources.append(str(v["source"]))
        return out, sources
    for n in device:
        out[n.date] = {code: _number(getattr(n, attr, None))
                       for code, attr in DEVICE_OUTCOMES.items()}
        if getattr(n, "source", None):
            sources.append(str(n.source))
    return out, sources


def _number(v: Any) -> float | None:
    if v is None:
        return None
    x = float(v)
    return x if np.isfinite(x) else None


def device_outcomes(nights: Sequence[Night], device: Any) -> tuple[list[Outcome], int]:
    """The device outcomes over the diary's nights, and how many device nights had no diary night.

    Nights without a device value are NaN (missing): a night the watch was not worn
    says nothing about sleep. Device nights on dates without a diary night cannot be
    used (their factors are unknown); they are counted.
    """
    values, sources = device_values(device)
    nl, en = device_word(sources)
    dates = {n.date for n in nights}
    unmatched = sum(1 for d in values if d not in dates)
    labels = {"device_tst_min": (f"slaaptijd volgens uw {nl}", f"sleep time according to your {en}",
                                 "up"),
              "device_waso_min": (f"tijd wakker na het inslapen volgens uw {nl}",
                                  f"time awake after falling asleep according to your {en}",
                                  "down")}
    out = []
    for code in DEVICE_OUTCOMES:
        col = np.array([np.nan if (v := values.get(n.date, {}).get(code)) is None else v
                        for n in nights])
        if np.isnan(col).all():
            continue
        label_nl, label_en, better = labels[code]
        out.append(Outcome(code, "continuous", label_nl, label_en, "minuten", "minutes",
                           better, col, "device_nights", nl, en))  # type: ignore[arg-type]
    return out, unmatched
