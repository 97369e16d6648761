"""The CBT-I sleep window: where to start and how to adjust it week by week.

Standard sleep-restriction titration: start with a window equal to the mean total sleep
time of the last two weeks (never under 5 hours), keep the rise time fixed, and each week
lengthen the window by 15 minutes when sleep efficiency is 90 % or more, shorten it by
15 minutes when it is below 85 %, and keep it in between. Only offered when nothing
speaks against it (see ``contraindications`` in ``plan.yaml``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from .facts import Facts, clock_minutes

MIN_WINDOW_MIN = 300
STEP_MIN = 15
SE_LENGTHEN = 90.0
SE_SHORTEN = 85.0
BASELINE_NIGHTS = 14


@dataclass(frozen=True)
class SleepWindow:
    """A prescribed sleep window."""

    window_min: int
    bedtime: str
    rise_time: str
    mean_tst_min: float
    mean_se_pct: float | None
    nights: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"window_min": self.window_min, "bedtime": self.bedtime, "rise_time": self.rise_time,
                "mean_tst_min": round(self.mean_tst_min), "nights": self.nights,
                "mean_se_pct": None if self.mean_se_pct is None else round(self.mean_se_pct, 1)}


def start_window(mean_tst_min: float) -> int:
    """Starting window: mean sleep time rounded to 15 min, at least 5 hours."""
    if mean_tst_min < 0:
        raise ValueError(f"mean total sleep time cannot be negative: {mean_tst_min}")
    return max(MIN_WINDOW_MIN, int(round(mean_tst_min / STEP_MIN)) * STEP_MIN)


def titrate(window_min: int, se_pct: float) -> int:
    """Next week's window given this week's mean sleep efficiency."""
    if not 0 <= se_pct <= 100:
        raise ValueError(f"sleep efficiency must be 0-100 %, got {se_pct}")
    if se_pct >= SE_LENGTHEN:
        return window_min + STEP_MIN
    if se_pct < SE_SHORTEN:
        return max(MIN_WINDOW_MIN, window_min - STEP_MIN)
    return window_min


def _hhmm(minutes: float) -> str:
    m = int(round(minutes)) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def from_diary(facts: Facts) -> SleepWindow | None:
    """Compute the starting window from the last two weeks of the diary (None if too few nights)."""
    recent = [n for n in facts.nights if facts.metric(n, "tst_min") is not None][-BASELINE_NIGHTS:]
    if len(recent) < 7:
        return None
    tst = statistics.fmean(facts.metric(n, "tst_min") for n in recent)  # type: ignore[misc]
    ses = [facts.metric(n, "se_pct") for n in recent]
    se = statistics.fmean(s for s in ses if s is not None) if any(s is not None for s in ses) else None
    rises = [clock_minutes(n.out_of_bed or n.final_wake, "morning") for n in recent
             if (n.out_of_bed or n.final_wake) is not None]
    rise = statistics.median(rises) if rises else 7 * 60.0
    rise = round(rise / STEP_MIN) * STEP_MIN
    window = start_window(tst)
    return SleepWindow(window, _hhmm(rise - window), _hhmm(rise), tst, se, len(recent))


def window_hours(window_min: int, lang: str) -> str:
    """``6 uur en 15 minuten`` / ``6 hours 15 minutes``."""
    h, m = divmod(window_min, 60)
    if lang == "nl":
        return f"{h} uur" + (f" en {m} minuten" if m else "")
    return f"{h} hours" + (f" {m} minutes" if m else "")
