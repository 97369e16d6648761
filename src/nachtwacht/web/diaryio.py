"""CSV reading for uploads, through the core reader :mod:`nachtwacht.diary.csvio`."""

from __future__ import annotations

import io

from nachtwacht.diary import csvio
from nachtwacht.diary.types import Episode, Night


def read_nights(text: str, lang: str = "nl") -> list[Night]:
    """All nights of an uploaded CSV, or :class:`DiaryImportError` listing every problem."""
    return csvio.read_nights(io.StringIO(text), lang=lang)


def read_episodes(text: str, lang: str = "nl") -> list[Episode]:
    """All episodes of an uploaded CSV, or :class:`DiaryImportError` listing every problem."""
    return csvio.read_episodes(io.StringIO(text), lang=lang)
