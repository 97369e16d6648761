"""Errors found in diary input, as values a user interface can show.

A :class:`RowError` says *where* (row and field) and *what* (a code plus parameters);
:mod:`nachtwacht.diary.messages` turns it into a Dutch or English sentence. Imports are
all-or-nothing: a reader collects every error of a file and raises one
:class:`DiaryImportError` listing them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Record = Literal["night", "episode", "profile"]


@dataclass(frozen=True)
class RowError:
    """One problem in one row (and usually one field) of diary input.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the first data
    row is row 2); ``None`` for a single form or the profile. ``field`` is the field
    name (CSV header / JSON key) or ``None`` for file-level problems. ``params`` fill
    the message template. ``lang`` picks the language of :attr:`message`.
    """

    row: int | None
    field: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    record: Record = "night"
    lang: str = "nl"

    @property
    def message(self) -> str:
        """The full message in :attr:`lang`, naming row and field."""
        return self.text(self.lang)

    def text(self, lang: str = "nl") -> str:
        """The full message in ``lang`` (``nl`` or ``en``)."""
        from .messages import render

        return render(self, lang)

    def with_(self, **changes: Any) -> RowError:
        """Copy with some attributes replaced (e.g. the row number or language)."""
        values = {
            "row": self.row, "field": self.field, "code": self.code, "params": self.params,
            "record": self.record, "lang": self.lang,
        }
        values.update(changes)
        return RowError(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: row, field, code, message."""
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class FieldValueError(ValueError):
    """A single value could not be read (raised by ``parse_value``).

    Carries the error ``code`` and message ``params``; callers add row and field.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class DiaryImportError(ValueError):
    """A diary file was rejected; nothing of it was imported.

    ``errors`` lists every problem found (not only the first), in row order.
    """

    def __init__(self, errors: Iterable[RowError], lang: str = "nl") -> None:
        self.errors: list[RowError] = [e.with_(lang=lang) for e in errors]
        self.lang = lang
        first = self.errors[0].message if self.errors else ""
        n = len(self.errors)
        if lang == "en":
            head = f"{n} problem{'s' if n != 1 else ''} found; nothing was imported."
        else:
            head = f"{n} {'probleem' if n == 1 else 'problemen'} gevonden; er is niets ingelezen."
        super().__init__(f"{head} {first}" if first else head)

    def messages(self, lang: str | None = None) -> list[str]:
        """Every error as a sentence in ``lang`` (default: the language of the import)."""
        return [e.text(lang or self.lang) for e in self.errors]
