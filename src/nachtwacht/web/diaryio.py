"""CSV reading for uploads: :mod:`nachtwacht.diary.csvio` when present, else a small fallback.

The fallback reads with the core's ``parse_value`` and reports every problem as
the core's :class:`RowError`, so switching to ``csvio`` changes nothing for users.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from nachtwacht.diary.errors import DiaryImportError, FieldValueError, RowError
from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, FieldSpec
from nachtwacht.diary.types import Episode, Night
from nachtwacht.diary.values import parse_value


def _read(text: str, specs: Sequence[FieldSpec], record: str, make, lang: str) -> list:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = reader.fieldnames or []
    known = {s.name for s in specs}
    errors: list[RowError] = []
    for h in headers:
        if h not in known:
            errors.append(RowError(1, h, "unknown_column", {"column": h}, record=record))
    for s in specs:
        if s.required and s.name not in headers:
            errors.append(RowError(1, s.name, "missing_column", {"column": s.name}, record=record))
    out = []
    for i, raw in enumerate(reader, start=2):
        values = {}
        for s in specs:
            try:
                v = parse_value(s, raw.get(s.name))
            except FieldValueError as exc:
                errors.append(RowError(i, s.name, exc.code, exc.params, record=record))
                continue
            if isinstance(v, dt.datetime):
                v = v.time()
            values[s.name] = v
        if not any(e.row == i for e in errors):
            out.append(make(**values))
    if errors:
        raise DiaryImportError(errors, lang=lang)
    return out


def read_nights(text: str, lang: str = "nl") -> list[Night]:
    try:
        from nachtwacht.diary import csvio
    except ImportError:
        return _read(text, NIGHT_FIELDS, "night", Night, lang)
    return csvio.read_nights(text, lang=lang)


def read_episodes(text: str, lang: str = "nl") -> list[Episode]:
    try:
        from nachtwacht.diary import csvio
    except ImportError:
        return _read(text, EPISODE_FIELDS, "episode", Episode, lang)
    return csvio.read_episodes(text, lang=lang)
