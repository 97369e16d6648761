"""Place episodes on the hypnogram: technician/video marks and diary episodes with a clock time.

Each placed episode gets the stage at its time, the stage it came out of (the last
different scored stage in the two minutes before, so "out of N3" for a
confusional arousal straight from deep sleep, "in REM" for an episode inside REM),
the minutes since sleep onset and the third of the night it fell in. Episodes
outside the recording are kept and say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from nachtwacht.psg.architecture import lights_window
from nachtwacht.psg.hypnogram_io import is_lights_annotation, is_stage_annotation
from nachtwacht.psg.types import N1, STAGE_LABELS, UNSCORED, WAKE, Annotation, Hypnogram

#: How far back to look for the stage an episode came out of.
LOOKBACK_S = 120.0


@dataclass(frozen=True)
class EpisodeMark:
    """Something that happened at ``onset_s`` seconds from the recording start."""

    label: str
    onset_s: float | None
    duration_s: float = 0.0
    source: str = "annotation"  # or "diary"
    reporter: str = ""
    clock: str = ""


def marks_from_annotations(annotations: Iterable[Annotation]) -> list[EpisodeMark]:
    """Annotations that are not stages or lights (technician and video marks)."""
    return [
        EpisodeMark(a.description.strip(), a.onset_s, a.duration_s, "annotation")
        for a in annotations
        if not is_stage_annotation(a.description) and not is_lights_annotation(a.description)
    ]


def marks_from_diary(
    episodes: Iterable[Any], start: dt.datetime | None, tz: str = "Europe/Amsterdam"
) -> list[EpisodeMark]:
    """Diary episodes with a clock time, placed relative to the recording start.

    ``start`` is the recording's local start time (naive EDF clock, taken as ``tz``).
    Episodes without a time, or when the start is unknown, get ``onset_s=None``.
    """
    from nachtwacht.diary.clock import resolve

    zi = ZoneInfo(tz)
    t0 = None
    if start is not None:
        t0 = start if start.tzinfo else start.replace(tzinfo=zi)
    out: list[EpisodeMark] = []
    for ep in episodes:
        if ep.time is None:
            continue
        when = resolve(ep.date, ep.time, "evening", tz)
        onset = (when - t0).total_seconds() if t0 is not None else None
        out.append(
            EpisodeMark(str(ep.type), onset, float(ep.duration_min or 0) * 60, "diary",
                        str(getattr(ep, "reporter", "")), when.strftime("%Y-%m-%d %H:%M"))
        )
    return out


def place(marks: Iterable[EpisodeMark], hyp: Hypnogram) -> list[dict[str, Any]]:
    """Stage context of each mark on ``hyp`` (JSON-ready dicts, in time order)."""
    stages = hyp.stages
    win = lights_window(hyp)
    sleep_idx = np.flatnonzero(stages > 0)
    onset_epoch = int(sleep_idx[0]) if sleep_idx.size else None
    span = (win.stop - win.start) * hyp.epoch_s
    look = int(round(LOOKBACK_S / hyp.epoch_s))
    placed = []
    for m in sorted(marks, key=lambda m: (m.onset_s is None, m.onset_s or 0.0)):
        d: dict[str, Any] = {
            "label": m.label,
            "source": m.source,
            "reporter": m.reporter,
            "clock": m.clock,
            "onset_s": None if m.onset_s is None else round(m.onset_s, 2),
            "duration_s": round(m.duration_s, 2),
        }
        if m.onset_s is None:
            d.update(in_recording=False, note="no clock time relative to the recording start")
            placed.append(d)
            continue
        i = int(m.onset_s // hyp.epoch_s)
        if m.onset_s < 0 or i >= len(stages):
            d.update(in_recording=False, note=(
                "before the recording started" if m.onset_s < 0 else "after the recording ended"
            ))
            placed.append(d)
            continue
        cur = int(stages[i])
        before = None
        for j in range(i - 1, max(-1, i - look - 1), -1):
            s = int(stages[j])
            if s != cur and s != UNSCORED:
                before = s
                break
        if before is not None and before > 0 and cur in (WAKE, N1, UNSCORED):
            context = f"out of {STAGE_LABELS[before]}"
        else:
            context = f"in {STAGE_LABELS[cur]}"
        third = None
        if span > 0:
            rel = (m.onset_s - win.start * hyp.epoch_s) / span
            third = int(min(3, max(1, int(rel * 3) + 1))) if 0 <= rel <= 1 else None
        d.update(
            in_recording=True,
            stage=STAGE_LABELS[cur],
            stage_before=STAGE_LABELS[before] if before is not None else None,
            context=context,
            min_since_sleep_onset=(
                round((m.onset_s - onset_epoch * hyp.epoch_s) / 60, 1)
                if onset_epoch is not None and i >= onset_epoch else None
            ),
            night_third=third,
        )
        placed.append(d)
    return placed
