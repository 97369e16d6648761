"""Read and write diary files: ``nights.csv``, ``episodes.csv`` and ``profile.json``.

Import is all-or-nothing per file: every bad row is collected and one
:class:`~nachtwacht.diary.errors.DiaryImportError` lists them all; nothing of a bad file
is returned. What is accepted:

- UTF-8 with or without a byte-order mark; ``,``, ``;`` or tab as delimiter (Dutch
  Excel saves with ``;``), detected from the header row;
- headers are the field names of :mod:`nachtwacht.diary.fields` (case and surrounding
  spaces ignored). Only ``date`` (and for episodes ``type`` and ``reporter``) must be
  present; other columns may be left out. An unknown column is an error in strict mode;
  with ``strict=False`` it is ignored, unless it looks like a misspelling of a known
  column that is absent (then it is still an error, so data is never silently lost).
  Columns without a name (a trailing delimiter) are fine as long as they stay empty;
  a row may also end in extra *empty* cells;
- cell values as in :mod:`nachtwacht.diary.values`; completely empty rows are skipped.

Row numbers in errors are spreadsheet rows: the header is row 1.

The writers produce ``,``-delimited UTF-8 with every column, and
``read(write(x)) == x`` for any valid records (list items must not contain ``;``).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from .clock import DEFAULT_TZ
from .errors import DiaryImportError, FieldValueError, Record, RowError
from .fields import (
    EPISODE_FIELDS,
    EPISODE_HEADERS,
    NIGHT_FIELDS,
    NIGHT_HEADERS,
    PROFILE_FIELDS,
    PROFILE_KEYS,
    FieldSpec,
)
from .types import Diary, Episode, Night, Profile
from .validate import today_in, validate_episode, validate_night, validate_profile
from .values import format_value, parse_value, suggest

Source = str | os.PathLike | IO[str] | IO[bytes] | bytes

__all__ = [
    "read_nights", "read_episodes", "read_profile", "write_nights", "write_episodes",
    "write_profile", "load_diary", "read_text",
]


class _NotCsvError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _looks_like_path(s: str) -> bool:
    return "\n" not in s and "," not in s and ";" not in s and not s.lstrip().startswith("{")


def read_text(source: Source) -> str:
    """Return the text of ``source`` (path, file object, bytes or text), BOM removed.

    Raises
    ------
    _NotCsvError
        Binary content or bytes that are not UTF-8.
    """
    data: str | bytes
    if isinstance(source, os.PathLike):
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    elif isinstance(source, str):
        if _looks_like_path(source) and source.strip() and (
            os.path.exists(source) or source.lower().endswith((".csv", ".json", ".txt"))
        ):
            data = Path(source).read_bytes()  # FileNotFoundError for a missing file
        else:
            data = source
    else:
        data = source.read()
    if isinstance(data, bytes):
        if b"\x00" in data[:4096]:
            raise _NotCsvError("binary")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _NotCsvError("encoding") from exc
    if "\x00" in data[:4096]:
        raise _NotCsvError("binary")
    return data.removeprefix("\ufeff")


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    if not text.strip():
        raise _NotCsvError("empty")
    if text.lstrip()[:1] in ("{", "["):
        raise _NotCsvError("json")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    # The header row decides: Dutch Excel writes ";", some tools write tabs.
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter))
    except csv.Error as exc:  # e.g. an unclosed quote at the very end
        # A cell over the csv module's limit (128 KiB) is a pasted blob, not binary data.
        reason = "huge_cell" if "field limit" in str(exc) else "binary"
        raise _NotCsvError(reason) from exc
    if not rows:
        raise _NotCsvError("no_rows")
    return rows[0], rows[1:]


def _header_map(header: list[str], specs: tuple[FieldSpec, ...], record: Record,
                strict: bool) -> tuple[dict[int, FieldSpec], list[RowError]]:
    """Map column index -> spec, with errors for unknown/duplicate/missing headers."""
    known = {s.name: s for s in specs}
    cols: dict[int, FieldSpec] = {}
    errors: list[RowError] = []
    seen: set[str] = set()
    names = [h.strip().lower() for h in header]
    for i, name in enumerate(names):
        if name in known:
            if name in seen:
                errors.append(RowError(1, name, "duplicate_header", {"value": name}, record))
            seen.add(name)
            cols[i] = known[name]
    for i, name in enumerate(names):
        if name in known or not name:  # unnamed columns are checked per row
            continue
        guess = suggest(name, [n for n in known if n not in seen])
        if strict or guess:
            errors.append(RowError(1, name, "unknown_header",
                                   {"value": header[i].strip(), "suggestion": guess}, record))
    for s in specs:
        if s.required and s.name not in seen:
            errors.append(RowError(1, s.name, "missing_header", {"value": s.name}, record))
    return cols, errors


def _read_records(source: Source, record: Record, lang: str, strict: bool,
                  ) -> tuple[list[tuple[int, dict[str, Any], set[str]]], list[RowError]]:
    """Parse a CSV into (row number, values, fields with errors) plus errors so far."""
    specs = NIGHT_FIELDS if record == "night" else EPISODE_FIELDS
    try:
        header, body = _rows(read_text(source))
    except _NotCsvError as exc:
        raise DiaryImportError([RowError(None, None, "not_csv", {"reason": exc.reason}, record)],
                               lang) from None
    cols, errors = _header_map(header, specs, record, strict)
    if any(e.code in ("missing_header", "duplicate_header") for e in errors):
        raise DiaryImportError(errors, lang)
    parsed = []
    for offset, cells in enumerate(body):
        row = offset + 2
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            errors.append(RowError(row, None, "extra_cells",
                                   {"cells": len(cells), "columns": len(header)}, record))
            continue
        unnamed = [i + 1 for i, h in enumerate(header)
                   if not h.strip() and i < len(cells) and cells[i].strip()]
        if unnamed:
            errors.append(RowError(row, None, "unnamed_column", {"column": unnamed[0]}, record))
            continue
        values: dict[str, Any] = {}
        failed: set[str] = set()
        for i, spec in cols.items():
            text = cells[i] if i < len(cells) else ""
            if spec.kind in _FREE_TEXT:
                text = _unescape_cell(text)
            try:
                values[spec.name] = parse_value(spec, text)
            except FieldValueError as exc:
                errors.append(RowError(row, spec.name, exc.code, exc.params, record))
                failed.add(spec.name)
        parsed.append((row, values, failed))
    return parsed, errors


def read_nights(source: Source, lang: str = "nl", *, strict: bool = True,
                today: Any = None, tz: str = DEFAULT_TZ) -> list[Night]:
    """Read a ``nights.csv``; return the nights in file order.

    Parameters
    ----------
    source
        Path, open file (text or binary), bytes, or the CSV text itself.
    lang
        Language of the error messages.
    strict
        Reject unknown columns (default) instead of ignoring them.
    today
        Reference date for the future-date check (default: today in ``tz``).
    tz
        IANA time zone of the clock times (for the cross-field checks).

    Raises
    ------
    DiaryImportError
        Listing every problem in the file; nothing is imported then.
    """
    parsed, errors = _read_records(source, "night", lang, strict)
    today = today or today_in(tz)
    nights: list[Night] = []
    first_row: dict[Any, int] = {}
    for row, values, failed in parsed:
        if "date" in failed:
            continue
        night = Night(**{k: v for k, v in values.items() if k not in failed})
        errors.extend(validate_night(night, row=row, today=today, tz=tz, skip_fields=failed,
                                     check_fields=False))
        if night.date in first_row:
            errors.append(RowError(row, "date", "duplicate_night",
                                   {"value": night.date.isoformat(),
                                    "first_row": first_row[night.date]}, "night"))
        else:
            first_row[night.date] = row
        nights.append(night)
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        raise DiaryImportError(errors, lang)
    return nights


def read_episodes(source: Source, lang: str = "nl", *, strict: bool = True,
                  today: Any = None, tz: str = DEFAULT_TZ) -> list[Episode]:
    """Read an ``episodes.csv``; same rules and errors as :func:`read_nights`."""
    parsed, errors = _read_records(source, "episode", lang, strict)
    today = today or today_in(tz)
    episodes: list[Episode] = []
    for row, values, failed in parsed:
        if failed & {"date", "type", "reporter"} or not {"date", "type", "reporter"} <= set(values):
            continue
        ep = Episode(**{k: v for k, v in values.items() if k not in failed})
        errors.extend(validate_episode(ep, row=row, today=today, tz=tz, skip_fields=failed,
                                       check_fields=False))
        episodes.append(ep)
    if errors:
        errors.sort(key=lambda e: (e.row or 0))
        raise DiaryImportError(errors, lang)
    return episodes


_JSON_KIND = {
    "bool": (bool,), "int": (int,), "float": (int, float), "minutes": (int, float),
    "list": (list,), "multichoice": (list,), "text": (str,), "choice": (str,),
    "date": (str,), "clock": (str,),
}


def _profile_value(spec: FieldSpec, value: Any) -> Any:
    """Convert one JSON value to the Profile attribute; raise FieldValueError."""
    if value is None:
        return () if spec.kind in ("list", "multichoice") else None
    ok = _JSON_KIND[spec.kind]
    if isinstance(value, bool) and bool not in ok or not isinstance(value, ok):
        raise FieldValueError("bad_type", expected=f"kind_{spec.kind}",
                              value=json.dumps(value, ensure_ascii=False)[:60])
    if spec.kind in ("list", "multichoice"):
        if not all(isinstance(x, str) for x in value):
            raise FieldValueError("bad_type", expected=f"kind_{spec.kind}",
                                  value=json.dumps(value, ensure_ascii=False)[:60])
        return parse_value(spec, ";".join(value))
    if spec.kind in ("int", "float", "minutes"):
        return parse_value(spec, repr(value))
    return value if spec.kind in ("bool", "text") else parse_value(spec, value)


def read_profile(source: Source, lang: str = "nl") -> Profile:
    """Read a ``profile.json`` object; every key must be a profile field.

    Raises
    ------
    DiaryImportError
        ``not_json``, ``unknown_key`` (with a suggestion), ``bad_type``, ``out_of_range``...
    """
    try:
        text = read_text(source)
    except _NotCsvError as exc:
        raise DiaryImportError([RowError(None, None, "not_json", {"reason": exc.reason},
                                         "profile")], lang) from None
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise DiaryImportError([RowError(None, None, "not_json",
                                         {"reason": f"{exc.msg} (line {exc.lineno})"}, "profile")],
                               lang) from None
    except RecursionError:  # thousands of nested brackets: no profile looks like that
        raise DiaryImportError([RowError(None, None, "not_json", {"reason": "too_deep"}, "profile")],
                               lang) from None
    if not isinstance(data, dict):
        raise DiaryImportError([RowError(None, None, "not_json", {"reason": "not_object"},
                                         "profile")], lang)
    specs = {s.name: s for s in PROFILE_FIELDS}
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        spec = specs.get(key)
        if spec is None:
            errors.append(RowError(None, key, "unknown_key",
                                   {"value": key, "suggestion": suggest(key, PROFILE_KEYS)},
                                   "profile"))
            continue
        try:
            values[key] = _profile_value(spec, value)
        except FieldValueError as exc:
            errors.append(RowError(None, key, exc.code, exc.params, "profile"))
    if errors:
        raise DiaryImportError(errors, lang)
    profile = Profile(**values)
    errors = validate_profile(profile)
    if errors:
        raise DiaryImportError(errors, lang)
    return profile


#: A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
#: injection"): a note such as ``=HYPERLINK(...)`` must stay text when the person opens
#: their export in Excel or LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = ("text", "list")


def _escape_cell(text: str) -> str:
    """Prefix ``'`` to a free-text cell a spreadsheet would read as a formula.

    Cells that already start with ``'`` before such a character get one more, so
    :func:`_unescape_cell` gives back exactly what was written.
    """
    return "'" + text if text.lstrip("'")[:1] in _FORMULA_START and text else text


def _unescape_cell(text: str) -> str:
    """Undo :func:`_escape_cell` on import."""
    if text.startswith("'") and text.lstrip("'")[:1] in _FORMULA_START and text.lstrip("'"):
        return text[1:]
    return text


def _write(records: Iterable[Any], specs: tuple[FieldSpec, ...], headers: Sequence[str],
           fileobj: IO[str]) -> None:
    # "\r\n" also makes the writer quote cells holding a lone "\r" (RFC 4180 line ends).
    w = csv.writer(fileobj, lineterminator="\r\n")
    w.writerow(headers)
    for rec in records:
        w.writerow([_escape_cell(v) if s.kind in _FREE_TEXT else v
                    for s, v in ((s, format_value(s, getattr(rec, s.name))) for s in specs)])


def write_nights(nights: Iterable[Night], fileobj: IO[str]) -> None:
    """Write nights as a ``nights.csv`` (every column, ``,``-delimited) to a text file."""
    _write(nights, NIGHT_FIELDS, NIGHT_HEADERS, fileobj)


def write_episodes(episodes: Iterable[Episode], fileobj: IO[str]) -> None:
    """Write episodes as an ``episodes.csv`` to a text file."""
    _write(episodes, EPISODE_FIELDS, EPISODE_HEADERS, fileobj)


def write_profile(profile: Profile, fileobj: IO[str]) -> None:
    """Write the profile as an indented ``profile.json`` object to a text file."""
    json.dump(profile.to_dict(), fileobj, indent=2, ensure_ascii=False)
    fileobj.write("\n")


def load_diary(nights_csv: Source, episodes_csv: Source | None = None,
               profile_json: Source | None = None, lang: str = "nl", *, strict: bool = True,
               today: Any = None, tz: str = DEFAULT_TZ) -> Diary:
    """Read a whole diary; errors of all files are raised together, nothing is loaded.

    Errors of the episode and profile files keep their ``record`` so a message says which
    kind of row it is about.
    """
    errors: list[RowError] = []
    nights: list[Night] = []
    episodes: list[Episode] = []
    profile = Profile()
    try:
        nights = read_nights(nights_csv, lang, strict=strict, today=today, tz=tz)
    except DiaryImportError as exc:
        errors.extend(exc.errors)
    if episodes_csv is not None:
        try:
            episodes = read_episodes(episodes_csv, lang, strict=strict, today=today, tz=tz)
        except DiaryImportError as exc:
            errors.extend(exc.errors)
    if profile_json is not None:
        try:
            profile = read_profile(profile_json, lang)
        except DiaryImportError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DiaryImportError(errors, lang)
    return Diary(nights=tuple(nights), episodes=tuple(episodes), profile=profile, tz=tz)
