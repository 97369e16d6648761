"""'Like usual': what this person's recent nights say, per field.

The quick form starts from these values and says so on the page, so a typical
night needs only the answers that differ. Numbers take the median (robust to one
odd night), clock times the circular median rounded to 5 minutes, yes/no and
choices the most common answer, lists the most common list. A value is only
"usual" when at least :data:`MIN_NIGHTS` recent nights have it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

from nachtwacht.diary.fields import spec

#: Look back this many nights (about two weeks: recent enough to follow a new routine).
WINDOW = 14
#: Fewer filled-in nights than this: no "usual" yet (one night is not a habit).
MIN_NIGHTS = 3


def _median_clock(times: Sequence[dt.time], anchor: str) -> dt.time:
    # Evening times are counted from noon so 23:30 and 00:30 have a median of 00:00.
    shift = 720 if anchor == "evening" else 0
    mins = [((t.hour * 60 + t.minute) - shift) % 1440 for t in times]
    m = int(round(statistics.median(mins))) + shift
    m = (int(round(m / 5)) * 5) % 1440
    return dt.time(m // 60, m % 60)


def usual_value(name: str, values: Iterable):
    """The usual value of night field ``name`` among ``values`` (``None`` when unknown)."""
    s = spec("night", name)
    vals = [v for v in values if v is not None and v != "" and v != ()]
    if len(vals) < MIN_NIGHTS:
        return None
    if s.kind == "clock":
        return _median_clock(vals, s.anchor)
    if s.kind in ("minutes", "float", "int"):
        med = statistics.median(vals)
        return int(round(med)) if s.kind == "int" else float(round(med * 2) / 2)
    if s.kind in ("bool", "choice"):
        return Counter(vals).most_common(1)[0][0]
    if s.kind in ("list", "multichoice"):
        return list(Counter(tuple(v) for v in vals).most_common(1)[0][0])
    return None


def usual_night(nights: Sequence, names: Iterable[str]) -> dict:
    """``{field: usual value}`` over ``nights`` (most recent first; only the first
    :data:`WINDOW` count) for the ``names`` that have one."""
    recent = list(nights)[:WINDOW]
    out = {}
    for name in names:
        val = usual_value(name, (getattr(n, name, None) for n in recent))
        if val is not None:
            out[name] = val
    return out
