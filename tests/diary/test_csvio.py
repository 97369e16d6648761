"""Import and export of diary files: round trips, Dutch Excel quirks, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from nachtwacht.diary.csvio import (
    load_diary,
    read_episodes,
    read_nights,
    read_profile,
    write_episodes,
    write_nights,
    write_profile,
)
from nachtwacht.diary.demo import demo_diary_years
from nachtwacht.diary.errors import DiaryImportError
from nachtwacht.diary.fields import NIGHT_HEADERS
from nachtwacht.diary.types import Episode, Night, Profile

TODAY = dt.date(2026, 11, 1)


def _csv(writer, records) -> str:  # noqa: ANN001
    buf = io.StringIO()
    writer(records, buf)
    return buf.getvalue()


def test_round_trip_of_the_demo_household(demo) -> None:  # noqa: ANN001
    assert tuple(read_nights(_csv(write_nights, demo.nights), today=TODAY)) == demo.nights
    assert tuple(read_episodes(_csv(write_episodes, demo.episodes), today=TODAY)) == demo.episodes
    buf = io.StringIO()
    write_profile(demo.profile, buf)
    assert read_profile(buf.getvalue()) == demo.profile


def test_round_trip_of_unusual_values() -> None:
    nights = [
        Night(date=dt.date(2026, 3, 2), bedtime=dt.datetime(2026, 3, 2, 13, 0),
              final_wake=dt.datetime(2026, 3, 2, 20, 0), out_of_bed=dt.time(20, 30),
              alcohol_units=0.5, substances=("ketamine", "cannabis"), nicotine=True,
              notes='Zei "niet nu", ging toch;\nweer slapen, ñ ü é 💤'),
        Night(date=dt.date(2026, 3, 3), quality=2),
    ]
    episodes = [Episode(date=dt.date(2026, 3, 3), type="sleepwalking", reporter="partner",
                        behaviours=("liep naar de keuken",), left_bedroom=True, count=2)]
    assert read_nights(_csv(write_nights, nights), today=TODAY) == nights
    assert read_episodes(_csv(write_episodes, episodes), today=TODAY) == episodes


def test_writer_writes_the_agreed_headers() -> None:
    text = _csv(write_nights, [])
    assert text.splitlines()[0] == ",".join(NIGHT_HEADERS)
    assert _csv(write_episodes, []).splitlines()[0] == (
        "date,time,type,reporter,count,duration_min,behaviours,recall,injury,left_bedroom,"
        "partner_unsafe,notes")


def test_dutch_excel_semicolons_bom_and_decimal_comma() -> None:
    text = ("\ufeffDate;Bedtime;alcohol_units;nicotine;substances\r\n"
            '2026-10-01;23.15;1,5;Ja;"ketamine;cannabis"\r\n'
            "\r\n"
            "2026-10-02;0:30;;nee;\r\n")
    a, b = read_nights(text.encode("utf-8"), today=TODAY)
    assert (a.bedtime, a.alcohol_units, a.nicotine) == (dt.time(23, 15), 1.5, True)
    assert a.substances == ("ketamine", "cannabis")
    assert (b.bedtime, b.alcohol_units, b.nicotine, b.substances) == (dt.time(0, 30), None, False, ())


def test_sources_path_file_object_and_text(tmp_path: Path) -> None:
    text = "date,bedtime\n2026-10-01,23:00\n"
    p = tmp_path / "nights.csv"
    p.write_text(text, encoding="utf-8")
    expected = [Night(date=dt.date(2026, 10, 1), bedtime=dt.time(23, 0))]
    assert read_nights(p, today=TODAY) == expected
    assert read_nights(str(p), today=TODAY) == expected
    with p.open("rb") as fh:
        assert read_nights(fh, today=TODAY) == expected
    assert read_nights(io.StringIO(text), today=TODAY) == expected
    assert read_nights(text, today=TODAY) == expected
    with pytest.raises(FileNotFoundError):
        read_nights(str(tmp_path / "missing.csv"))


def test_unknown_column_is_an_error_unless_lenient() -> None:
    text = "date,bedtime,mood\n2026-10-01,23:00,goed\n"
    with pytest.raises(DiaryImportError) as exc:
        read_nights(text, today=TODAY)
    assert [e.code for e in exc.value.errors] == ["unknown_header"]
    (n,) = read_nights(text, strict=False, today=TODAY)
    assert n.bedtime == dt.time(23, 0)
    # A misspelt known column is refused even when lenient: its data would be lost.
    with pytest.raises(DiaryImportError):
        read_nights("date,bedtiem\n2026-10-01,23:00\n", strict=False, today=TODAY)


def test_all_errors_are_collected_not_only_the_first() -> None:
    text = "date,bedtime,quality\n2026-10-01,25:00,3\n2026-10-02,23:00,9\nnot a date,23:00,3\n"
    with pytest.raises(DiaryImportError) as exc:
        read_nights(text, "en", today=TODAY)
    assert [(e.row, e.code) for e in exc.value.errors] == [
        (2, "bad_time"), (3, "out_of_range"), (4, "bad_date")]
    assert str(exc.value).startswith("3 problems found; nothing was imported.")


def test_three_year_diary_with_a_bad_last_row_imports_nothing() -> None:
    diary = demo_diary_years(3, end=dt.date(2026, 10, 31))
    text = _csv(write_nights, diary.nights)
    assert len(read_nights(text, today=TODAY)) == len(diary.nights) > 1000
    bad = text + "2026-11-01,23:00,23:10,15,1,10,06:50,07:00,9" + "," * (len(NIGHT_HEADERS) - 9) + "\n"
    with pytest.raises(DiaryImportError) as exc:
        read_nights(bad, today=TODAY)
    (e,) = exc.value.errors
    assert (e.row, e.field, e.code) == (len(diary.nights) + 2, "quality", "out_of_range")
    with pytest.raises(DiaryImportError):
        load_diary(bad, today=TODAY)


def test_load_diary_combines_errors_of_all_files(tmp_path: Path, demo) -> None:  # noqa: ANN001
    nights = tmp_path / "nights.csv"
    nights.write_text(_csv(write_nights, demo.nights), encoding="utf-8")
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(_csv(write_episodes, demo.episodes), encoding="utf-8")
    profile = tmp_path / "profile.json"
    with profile.open("w", encoding="utf-8") as fh:
        write_profile(demo.profile, fh)
    d = load_diary(nights, episodes, profile, today=TODAY)
    assert d == demo
    profile.write_text('{"drivess": true}', encoding="utf-8")
    episodes.write_text("date,type,reporter\n2026-10-01,sleepwalking,\n", encoding="utf-8")
    with pytest.raises(DiaryImportError) as exc:
        load_diary(nights, episodes, profile, today=TODAY)
    assert {(e.record, e.code) for e in exc.value.errors} == {
        ("episode", "required"), ("profile", "unknown_key")}


def test_empty_profile_template_reads_as_unanswered() -> None:
    buf = io.StringIO()
    write_profile(Profile(), buf)
    assert read_profile(buf.getvalue()) == Profile()
    assert read_profile("{}") == Profile()
    assert read_profile('{"regular_medication": ["a", "b"], "drives": true}') == Profile(
        regular_medication=("a", "b"), drives=True)


def test_tab_separated_file_is_read_too() -> None:
    (n,) = read_nights("date\tbedtime\tnotes\n2026-10-01\t23:00\tmoe, maar ok\n", today=TODAY)
    assert (n.bedtime, n.notes) == (dt.time(23, 0), "moe, maar ok")
