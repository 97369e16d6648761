"""Helpers for the event-detector tests: simulated nights and truth matching (imported by name)."""

from __future__ import annotations

import functools

import numpy as np

from nachtwacht.psg.simulate import hypnogram_scaffold, simulate_night
from nachtwacht.psg.types import Channel, Event, Hypnogram, Recording

SEEDS = (0, 1, 2)
NOISES = (0.0, 0.5, 1.0)


def match(detected: list[Event], truth: list[Event], tol_s: float) -> tuple[float, float]:
    """(sensitivity, precision): one-to-one matching by overlap within ``tol_s`` seconds."""
    used: set[int] = set()
    tp = 0
    for t in truth:
        for i, d in enumerate(detected):
            if i not in used and d.onset_s < t.end_s + tol_s and t.onset_s < d.end_s + tol_s:
                used.add(i)
                tp += 1
                break
    sens = tp / len(truth) if truth else 1.0
    prec = len(used) / len(detected) if detected else 1.0
    return sens, prec


@functools.lru_cache(maxsize=32)
def night(seed: int, noise: float, hours: float, channels: tuple[str, ...],
          events: tuple[tuple[str, float], ...]):
    """A cached simulated night (several tests look at the same one)."""
    hyp = hypnogram_scaffold(hours=hours, seed=seed)
    return simulate_night(hyp, seed=seed, noise=noise, channels=channels, events=dict(events))


def constant_hyp(stage: int, seconds: float) -> Hypnogram:
    return Hypnogram(np.full(int(np.ceil(seconds / 30)), stage, dtype=np.int8))


def rec_of(**channels: Channel) -> Recording:
    return Recording(channels={c.name: c for c in channels.values()})


def flat(name: str, role: str, sf: float, seconds: float, value: float = 0.0) -> Channel:
    return Channel(name, np.full(int(sf * seconds), value, dtype=np.float32), sf, "uV", role)


