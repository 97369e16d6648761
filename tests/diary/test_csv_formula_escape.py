"""CSV export safe to open in a spreadsheet: free-text cells that a spreadsheet would run
as a formula are written with a leading ``'`` and restored exactly on import."""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import given
from hypothesis import strategies as st

from nachtwacht.diary.csvio import _escape_cell, _unescape_cell, read_nights, write_nights
from nachtwacht.diary.types import Night


def test_formula_notes_are_escaped_and_restored() -> None:
    notes = ['=HYPERLINK("http://x","klik")', "+31 6 123", "-slecht", "@SUM(A1)", "'=al", "gewoon"]
    nights = [Night(date=dt.date(2026, 3, 1) + dt.timedelta(days=i), quality=3, notes=n) for i, n in enumerate(notes)]
    buf = io.StringIO()
    write_nights(nights, buf)
    text = buf.getvalue()
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), line
    back = read_nights(io.StringIO(text), today=dt.date(2026, 4, 1))
    assert [n.notes for n in back] == notes


@given(st.text(max_size=30))
def test_escape_round_trips(s: str) -> None:
    assert _unescape_cell(_escape_cell(s)) == s
    assert not _escape_cell(s).startswith(("=", "+", "-", "@", "\t", "\r"))
