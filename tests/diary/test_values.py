"""Reading cell text the way Dutch and English spreadsheets write it."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.errors import FieldValueError
from nachtwacht.diary.fields import spec
from nachtwacht.diary.validate import parse_value
from nachtwacht.diary.values import format_value

BED = spec("night", "bedtime")


@pytest.mark.parametrize(("text", "expected"), [
    ("23:15", dt.time(23, 15)), ("7:05", dt.time(7, 5)), ("23.15", dt.time(23, 15)),
    (" 06:30 ", dt.time(6, 30)), ("23:15:00", dt.time(23, 15)),
    ("2026-03-01 13:00", dt.datetime(2026, 3, 1, 13, 0)),
    ("2026-03-01T13:00", dt.datetime(2026, 3, 1, 13, 0)),
])
def test_clock_formats(text: str, expected: object) -> None:
    assert parse_value(BED, text) == expected


@pytest.mark.parametrize("text", ["25:00", "23:60", "2315", "half twaalf", "23:15:30", "12:5"])
def test_bad_clock(text: str) -> None:
    with pytest.raises(FieldValueError) as exc:
        parse_value(BED, text)
    assert exc.value.code == "bad_time"


@pytest.mark.parametrize("text", ["1", "yes", "JA", "True", "j", "Y"])
def test_true_words(text: str) -> None:
    assert parse_value(spec("night", "nicotine"), text) is True


@pytest.mark.parametrize("text", ["0", "no", "Nee", "FALSE", "n", "N"])
def test_false_words(text: str) -> None:
    assert parse_value(spec("night", "nicotine"), text) is False


def test_decimal_comma_and_point() -> None:
    units = spec("night", "alcohol_units")
    assert parse_value(units, "1,5") == 1.5
    assert parse_value(units, "1.5") == 1.5
    with pytest.raises(FieldValueError) as exc:
        parse_value(units, "1,5 glas")
    assert exc.value.code == "bad_number"


def test_empty_means_not_recorded() -> None:
    assert parse_value(BED, "") is None
    assert parse_value(spec("night", "substances"), "  ") == ()
    assert parse_value(spec("night", "notes"), "") == ""
    with pytest.raises(FieldValueError) as exc:
        parse_value(spec("night", "date"), "")
    assert exc.value.code == "required"


def test_lists_and_choices() -> None:
    assert parse_value(spec("night", "substances"), "ketamine; cannabis;") == ("ketamine", "cannabis")
    shift = spec("night", "shift")
    assert parse_value(shift, "Night") == "night"
    assert parse_value(shift, "nachtdienst") == "night"  # the Dutch label works too
    with pytest.raises(FieldValueError) as exc:
        parse_value(shift, "nigth")
    assert exc.value.code == "unknown_choice" and exc.value.params["suggestion"] == "night"


def test_dates() -> None:
    d = spec("night", "date")
    assert parse_value(d, "2026-03-29") == dt.date(2026, 3, 29)
    assert parse_value(d, "29-3-2026") == dt.date(2026, 3, 29)  # Dutch Excel re-save
    for bad in ("2026-02-30", "29/03/26", "gisteren"):
        with pytest.raises(FieldValueError):
            parse_value(d, bad)


def test_integers_and_ranges() -> None:
    q = spec("night", "quality")
    assert parse_value(q, "4") == 4 and isinstance(parse_value(q, "4"), int)
    for text, code in (("4,5", "bad_integer"), ("0", "out_of_range"), ("-1", "negative")):
        with pytest.raises(FieldValueError) as exc:
            parse_value(q, text)
        assert exc.value.code == code


@pytest.mark.parametrize(("name", "value"), [
    ("bedtime", dt.time(0, 5)), ("bedtime", dt.datetime(2026, 3, 1, 13, 0)),
    ("alcohol_units", 2.5), ("sol_min", 15.0), ("nicotine", False), ("substances", ("a", "b c")),
    ("notes", 'met "quotes", komma;\nen een nieuwe regel'), ("shift", "evening"),
])
def test_format_then_parse_round_trips(name: str, value: object) -> None:
    s = spec("night", name)
    assert parse_value(s, format_value(s, value)) == value
