"""Per-night sleep numbers (SOL, WASO, TST, SE) for the insight analyses.

A thin view on :func:`nachtwacht.diary.metrics.night_metrics`, the single
definition of the diary metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nachtwacht.diary.metrics import night_metrics
from nachtwacht.diary.types import Night


@dataclass(frozen=True)
class SleepNumbers:
    """The sleep metrics the insight analyses use; ``None`` when not computable."""

    sol_min: float | None
    waso_min: float | None
    tst_min: float | None
    se_pct: float | None
    #: Minutes after local midnight of getting out of bed (for regular rise times).
    out_of_bed_min: float | None


def sleep_numbers(nights: Sequence[Night], tz: str = "Europe/Amsterdam") -> list[SleepNumbers]:
    """Return :class:`SleepNumbers` for every night, in order."""
    out = []
    for n in nights:
        m = night_metrics(n, tz=tz)
        ob = m.out_of_bed_dt
        out.append(SleepNumbers(m.sol_min, m.waso_min, m.tst_min, m.se_pct,
                                None if ob is None else ob.hour * 60 + ob.minute))
    return out
