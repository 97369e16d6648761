"""Read one cell of text into a typed value, and write it back.

The same rules serve CSV import and the web forms, so a value typed into a form and
the same value in a spreadsheet mean the same thing:

- empty (or only spaces) means *not recorded* (``None``, or ``()`` / ``""``);
- dates ``YYYY-MM-DD`` (also ``D-M-YYYY``, which Dutch Excel writes when it reformats);
- clock times ``HH:MM``, ``H:MM``, ``HH.MM``, ``HH:MM:SS``, or a full local date-time
  ``YYYY-MM-DD HH:MM``;
- numbers with a decimal point or a decimal comma (``1,5``);
- booleans ``1/0``, ``yes/no``, ``ja/nee``, ``true/false``, ``j/n``, ``y/n`` in any case;
- lists separated by ``;``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from .errors import FieldValueError
from .fields import FieldSpec

TRUE_WORDS = frozenset({"1", "yes", "ja", "true", "j", "y", "waar"})
FALSE_WORDS = frozenset({"0", "no", "nee", "false", "n", "onwaar"})

_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE_RE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def is_empty(text: str | None) -> bool:
    """True when a cell means *not recorded*."""
    return text is None or not str(text).strip()


def empty_value(spec: FieldSpec) -> Any:
    """The *not recorded* value of a field (``None``, ``()`` or ``""``)."""
    if spec.kind in ("list", "multichoice"):
        return ()
    if spec.kind == "text":
        return ""
    return None


def suggest(value: str, options: list[str] | tuple[str, ...]) -> str | None:
    """Closest option to a misspelt ``value`` (case-insensitive), or ``None``."""
    lowered = {o.lower(): o for o in options}
    hit = difflib.get_close_matches(value.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[hit[0]] if hit else None


def parse_date(text: str) -> dt.date:
    """Read ``YYYY-MM-DD`` (or ``D-M-YYYY``); raise :class:`FieldValueError` ``bad_date``."""
    s = text.strip()
    m = _ISO_DATE_RE.match(s)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY_DATE_RE.match(s)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise FieldValueError("bad_date", value=s)


def parse_clock(text: str) -> dt.time | dt.datetime:
    """Read a clock time or a naive local date-time; raise ``bad_time``."""
    s = text.strip()
    try:
        m = _TIME_RE.match(s)
        if m:
            if m[3] not in (None, "00"):
                raise ValueError("seconds")
            return dt.time(int(m[1]), int(m[2]))
        m = _DATETIME_RE.match(s)
        if m:
            if m[6] not in (None, "00"):
                raise ValueError("seconds")
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]))
    except ValueError:
        pass
    raise FieldValueError("bad_time", value=s)


def parse_number(text: str) -> float:
    """Read a number with a decimal point or comma; raise ``bad_number``."""
    s = text.strip().replace(" ", "")
    if not _NUMBER_RE.match(s):
        raise FieldValueError("bad_number", value=text.strip())
    return float(s.replace(",", "."))


def parse_bool(text: str) -> bool:
    """Read yes/no in Dutch or English, or 1/0; raise ``bad_bool``."""
    s = text.strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise FieldValueError("bad_bool", value=text.strip())


def check_range(spec: FieldSpec, value: float) -> None:
    """Raise ``negative`` / ``out_of_range`` when ``value`` breaks the spec's limits."""
    if value < 0 and (spec.min is None or spec.min >= 0):
        raise FieldValueError("negative", value=value)
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise FieldValueError("out_of_range", value=value, min=spec.min, max=spec.max,
                              unit=spec.unit if spec.unit != "units" else "")


def check_choice(spec: FieldSpec, code: str) -> str:
    """Return ``code`` if it is one of the spec's choices (case-insensitive), else raise."""
    for c in spec.choices:
        if code.lower() in (c.code.lower(), c.nl.lower(), c.en.lower()):
            return c.code
    raise FieldValueError("unknown_choice", value=code, suggestion=suggest(code, spec.choice_codes),
                          choices=list(spec.choice_codes))


def parse_value(spec: FieldSpec, text: str | None) -> Any:
    """Read the text of one cell or form input into the field's Python value.

    Range and choice checks are included; cross-field rules are not (see
    :mod:`nachtwacht.diary.validate`). An empty input gives the *not recorded* value,
    or raises ``required`` for a required field.

    Raises
    ------
    FieldValueError
        With ``code`` (``bad_time``, ``bad_number``, ``out_of_range``, ...) and params.
    """
    if is_empty(text):
        if spec.required:
            raise FieldValueError("required")
        return empty_value(spec)
    s = str(text)
    kind = spec.kind
    if kind == "date":
        return parse_date(s)
    if kind == "clock":
        return parse_clock(s)
    if kind in ("minutes", "float", "int"):
        value = parse_number(s)
        if kind == "int":
            if not value.is_integer():
                raise FieldValueError("bad_integer", value=s.strip())
            value = int(value)
        check_range(spec, value)
        return value
    if kind == "bool":
        return parse_bool(s)
    if kind == "choice":
        return check_choice(spec, s.strip())
    if kind in ("list", "multichoice"):
        if len(s) > spec.max_length:
            raise FieldValueError("too_long", length=len(s), max=spec.max_length)
        items = tuple(item.strip() for item in s.split(";") if item.strip())
        if kind == "multichoice":
            items = tuple(check_choice(spec, item) for item in items)
        return items
    if kind == "text":
        if len(s) > spec.max_length:
            raise FieldValueError("too_long", length=len(s), max=spec.max_length)
        return s
    raise ValueError(f"field {spec.name!r} has unknown kind {kind!r}")  # pragma: no cover


def format_value(spec: FieldSpec, value: Any) -> str:
    """Write a field value as CSV cell text that :func:`parse_value` reads back equal."""
    if value is None or value == () or value == "":
        return ""
    kind = spec.kind
    if kind == "date":
        return value.isoformat()
    if kind == "clock":
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.strftime("%H:%M")
    if kind in ("minutes", "float", "int"):
        f = float(value)
        return str(int(f)) if f.is_integer() else repr(f)
    if kind == "bool":
        return "1" if value else "0"
    if kind in ("list", "multichoice"):
        return ";".join(value)
    return str(value)
