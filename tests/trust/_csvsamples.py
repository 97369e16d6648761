"""Valid diary CSV texts to mutate, written by the core's own writers."""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache

from nachtwacht.diary import csvio
from nachtwacht.diary.demo import demo_diary

END = dt.date(2026, 11, 1)


@lru_cache(maxsize=1)
def samples() -> dict[str, str]:
    """``nights``, ``episodes`` and ``profile`` text of the demo household."""
    diary = demo_diary(seed=7, weeks=3, end=END)
    out = {}
    buf = io.StringIO()
    csvio.write_nights(diary.nights, buf)
    out["nights"] = buf.getvalue()
    buf = io.StringIO()
    csvio.write_episodes(diary.episodes, buf)
    out["episodes"] = buf.getvalue()
    buf = io.StringIO()
    csvio.write_profile(diary.profile, buf)
    out["profile"] = buf.getvalue()
    json.loads(out["profile"])  # the writer's output must itself be valid
    return out
