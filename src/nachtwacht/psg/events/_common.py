"""Shared plumbing for the event detectors: channel lookup, skipping, runs, sleep time.

Nothing here knows about a particular rule; the detectors hold the rule numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from nachtwacht.psg.types import (
    SLEEP_STAGES,
    STAGE_LABELS,
    Channel,
    DetectorResult,
    Hypnogram,
    Recording,
)

#: Why a detector did not run, as stable codes (the text goes in ``summary["skip_reason"]``).
SKIP_CODES = (
    "missing_channel",  # none of the channels the detector needs is in the recording
    "flat_channel",  # the channel carries no signal (constant or nearly so)
    "clipped_channel",  # most samples sit at the amplifier rails
    "low_sampling_rate",  # the channel is sampled too slowly for the rule (e.g. a 1 Hz EMG envelope)
    "no_sleep",  # the hypnogram holds no sleep, so there is nothing per hour of sleep
    "no_rem",  # RSWA needs REM sleep
    "too_short",  # the recording is shorter than the rule's windows
    "error",  # the detector failed; the message says how
)


class SkipDetector(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a detector to return a skipped result with a stated reason."""

    def __init__(self, code: str, reason: str) -> None:
        if code not in SKIP_CODES:
            raise ValueError(f"unknown skip code {code!r}; known: {', '.join(SKIP_CODES)}")
        super().__init__(reason)
        self.code = code
        self.reason = reason


def skipped(name: str, code: str, reason: str, params: object | None = None) -> DetectorResult:
    """A :class:`DetectorResult` that says why the detector did not run."""
    return DetectorResult(
        name=name,
        skipped=f"{code}: {reason}",
        summary={"skip_code": code, "skip_reason": reason},
        params=params_dict(params),
    )


def params_dict(params: object | None) -> dict:
    """The parameters as a plain dict (for the JSON output)."""
    if params is None:
        return {}
    if dataclasses.is_dataclass(params):
        return dataclasses.asdict(params)  # type: ignore[arg-type]
    return dict(params)  # type: ignore[call-overload]


def pick(rec: Recording, roles: str | Sequence[str]) -> Channel | None:
    """First channel having any of ``roles`` (in the given order of preference)."""
    for role in (roles,) if isinstance(roles, str) else roles:
        ch = rec.by_role(role)
        if ch is not None:
            return ch
    return None


def require(
    rec: Recording,
    roles: str | Sequence[str],
    *,
    min_sf: float = 0.0,
    what: str = "",
    clipping: bool = True,
) -> Channel:
    """Return a usable channel for ``roles`` or raise :class:`SkipDetector` saying why.

    Usable means present, not flat, not mostly clipped and sampled at ``min_sf`` Hz or
    faster.
    """
    names = (roles,) if isinstance(roles, str) else tuple(roles)
    ch = pick(rec, names)
    label = what or " or ".join(names)
    if ch is None:
        raise SkipDetector("missing_channel", f"no {label} channel in the recording")
    check_usable(ch, min_sf=min_sf, what=label, clipping=clipping)
    return ch


def check_usable(ch: Channel, *, min_sf: float = 0.0, what: str = "",
                 clipping: bool = True) -> None:
    """Raise :class:`SkipDetector` when ``ch`` is too slow, flat or clipped.

    ``clipping=False`` for slow integer signals such as SpO2, which sit at one value for
    long stretches without being clipped.
    """
    label = what or ch.role or ch.name
    if ch.sf < min_sf:
        raise SkipDetector(
            "low_sampling_rate",
            f"{label} channel '{ch.name}' is sampled at {ch.sf:g} Hz; this rule needs at "
            f"least {min_sf:g} Hz",
        )
    x = np.asarray(ch.data)
    if x.size == 0 or not np.isfinite(x).any():
        raise SkipDetector("flat_channel", f"{label} channel '{ch.name}' holds no samples")
    if is_flat(x):
        raise SkipDetector("flat_channel", f"{label} channel '{ch.name}' is flat (no signal)")
    if clipping and clipped_fraction(x) > 0.5:
        raise SkipDetector(
            "clipped_channel", f"{label} channel '{ch.name}' sits at its limits most of the time"
        )


def is_flat(x: np.ndarray) -> bool:
    """True when the signal barely moves (a disconnected or absent sensor)."""
    # A strided sample keeps this cheap on a whole night; flat channels are flat everywhere.
    step = max(1, x.size // 200_000)
    s = np.asarray(x[::step], dtype=np.float64)
    s = s[np.isfinite(s)]
    if s.size < 2:
        return True
    return float(np.ptp(s)) <= 1e-9 * max(1.0, float(np.abs(s).max())) or float(s.std()) < 1e-6


def clipped_fraction(x: np.ndarray) -> float:
    """Share of samples sitting exactly at the signal's minimum or maximum."""
    step = max(1, x.size // 200_000)
    s = np.asarray(x[::step])
    s = s[np.isfinite(s)]
    if s.size == 0:
        return 1.0
    lo, hi = s.min(), s.max()
    return float(((s == lo) | (s == hi)).mean())


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop indices (stop exclusive) of the True runs in a boolean array."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # int8 throughout: a Python [0] would promote a whole night's mask to int64.
    edge = np.zeros(1, dtype=np.int8)
    d = np.diff(np.concatenate((edge, m.view(np.int8), edge)))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def merge_runs(
    starts: np.ndarray, stops: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Join runs separated by at most ``max_gap`` samples."""
    if len(starts) == 0:
        return starts, stops
    gaps = starts[1:] - stops[:-1]
    keep = np.concatenate(([True], gaps > max_gap))
    new_starts = starts[keep]
    new_stops = np.concatenate((stops[:-1][keep[1:]], [stops[-1]]))
    return new_starts, new_stops


def sleep_mask_at(hyp: Hypnogram, t_s: np.ndarray) -> np.ndarray:
    """True where the hypnogram scores sleep at each time in ``t_s`` (seconds)."""
    t = np.asarray(t_s, dtype=np.float64)
    idx = np.floor(t / hyp.epoch_s).astype(np.int64)
    ok = (idx >= 0) & (idx < len(hyp.stages))
    out = np.zeros(t.shape, dtype=bool)
    out[ok] = np.isin(hyp.stages[idx[ok]], SLEEP_STAGES)
    return out


def stages_at(hyp: Hypnogram, t_s: np.ndarray) -> np.ndarray:
    """Stage code at each time (UNSCORED outside the hypnogram)."""
    t = np.asarray(t_s, dtype=np.float64)
    idx = np.floor(t / hyp.epoch_s).astype(np.int64)
    ok = (idx >= 0) & (idx < len(hyp.stages))
    out = np.full(t.shape, -1, dtype=np.int8)
    out[ok] = hyp.stages[idx[ok]]
    return out


def stage_label(hyp: Hypnogram, t_s: float) -> str:
    """Stage label ("W", "N1", ... "R", "?") at ``t_s``."""
    return STAGE_LABELS[hyp.stage_at(t_s)]


def tst_hours(hyp: Hypnogram, stages: Iterable[int] = SLEEP_STAGES) -> float:
    """Hours spent in ``stages`` (total sleep time by default)."""
    return float(np.isin(hyp.stages, tuple(stages)).sum() * hyp.epoch_s / 3600.0)


def per_hour(count: float, hours: float) -> float | None:
    """A rate per hour, or None when there is no time to divide by."""
    if hours <= 0:
        return None
    return round(float(count) / hours, 2)


def block_mean(x: np.ndarray, factor: int) -> np.ndarray:
    """Mean over consecutive blocks of ``factor`` samples (the tail is averaged too)."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if factor <= 1:
        return x
    n = x.size // factor
    head = x[: n * factor].reshape(n, factor).mean(axis=1)
    if x.size > n * factor:
        head = np.concatenate((head, [x[n * factor :].mean()]))
    return head


def overlaps(a0: float, a1: float, b0: float, b1: float, tol: float = 0.0) -> bool:
    """True when [a0, a1] and [b0, b1] overlap or lie less than ``tol`` seconds apart."""
    return a0 < b1 + tol and b0 < a1 + tol


#: Samples per chunk when filtering a whole night (2^18, about 17 min at 256 Hz): a few
#: MB of float64 per chunk instead of several full-night float64 copies at once.
CHUNK = 1 << 18


def overlapping_chunks(n: int, pad: int, chunk: int = CHUNK,
                       step: int = 1) -> Iterator[tuple[int, int, int, int]]:
    """``(a, b, lo, hi)`` covering ``range(n)``: core ``[a, b)`` inside segment ``[lo, hi)``.

    Filter each segment, keep its core: with ``pad`` at least the filter's settle length
    the joined cores equal the whole-array result to rounding (the segments that touch
    an end of the array are padded there exactly as the whole array would be). Cores
    start at multiples of ``step``, so ``y[a - lo:b - lo:step]`` joins into ``y[::step]``.
    """
    step = max(1, int(step))
    chunk = max(step, int(chunk) // step * step)
    pad = max(0, int(pad))
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        yield a, b, max(0, a - pad), min(n, b + pad)


def segment64(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``x[lo:hi]`` as float64 with NaN (gaps) as 0, ready for a filter."""
    y = np.array(x[lo:hi], dtype=np.float64)
    # One isfinite pass, and nan_to_num (four passes and a copy) only for a segment with
    # a gap: most segments have none, and this ran on every chunk of every channel.
    if not np.isfinite(y).all():
        np.nan_to_num(y, copy=False)
    return y
