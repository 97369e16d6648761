"""Every bad input gets its own message, in Dutch and English, naming row and field."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.csvio import read_episodes, read_nights, read_profile
from nachtwacht.diary.errors import DiaryImportError
from nachtwacht.diary.fields import spec
from nachtwacht.diary.messages import TEMPLATES

TODAY = dt.date(2026, 11, 1)
NH = "date,bedtime,lights_out,sol_min,awakenings,waso_min,final_wake,out_of_bed,quality,exercise_intensity,notes"
EH = "date,time,type,reporter,injury,notes"
OK = "2026-10-01,23:00,23:10,15,1,10,06:50,07:00,3,none,"


def _night(**cells: str) -> str:
    names = NH.split(",")
    base = dict(zip(names, OK.split(","), strict=True))
    base.update(cells)
    return ",".join(base[n] for n in names)


# (reader, text, row, field, code, expected words in the Dutch and English message)
CASES = [
    ("night", f"{NH}\n{OK}\n{_night(final_wake='02:00', bedtime='03:00', lights_out='03:00', out_of_bed='')}",
     3, "final_wake", "wake_before_bed", "vóór de tijd waarop u naar bed ging", "before the time you went to bed"),
    ("night", f"{NH}\n{_night(bedtime='12:00', lights_out='12:00', out_of_bed='13:00', final_wake='12:30')}",
     2, "out_of_bed", "tib_over_16h", "meer dan 16 uur", "more than 16 hours"),
    ("night", f"{NH}\n{_night(bedtime='', lights_out='', sol_min='', awakenings='', waso_min='', final_wake='', out_of_bed='', quality='')}",
     2, "date", "empty_night", "niets over uw slaap", "nothing about your sleep"),
    ("night", f"{NH}\n{_night(sol_min='-5')}", 2, "sol_min", "negative", "negatief", "negative"),
    ("night", f"{NH}\n{_night(quality='7')}", 2, "quality", "out_of_range", "1 tot en met 5", "1 to 5"),
    ("night", f"{NH}\n{_night(lights_out='23:00', final_wake='01:00', out_of_bed='01:00', sol_min='180', waso_min='0')}",
     2, "sol_min", "sol_longer_than_tib", "120 minuten", "120 minutes"),
    ("night", f"{NH}\n{_night(lights_out='23:00', final_wake='01:00', out_of_bed='01:00', sol_min='60', waso_min='90')}",
     2, "waso_min", "waso_plus_sol_exceeds_window", "samen meer", "add up to more"),
    ("night", f"{NH}\n{_night(exercise_intensity='moderat')}", 2, "exercise_intensity",
     "unknown_choice", "Bedoelt u 'moderate'?", "Did you mean 'moderate'?"),
    ("night", f"{NH}\n{_night(date='2026-11-02')}", 2, "date", "future_date", "in de toekomst", "in the future"),
    ("night", f"{NH}\n{OK}\n{OK}", 3, "date", "duplicate_night", "in rij 2", "in row 2"),
    ("night", f"{NH}\n{_night(bedtime='25:00')}", 2, "bedtime", "bad_time", "UU:MM", "HH:MM"),
    ("night", f"{NH}\n{_night(sol_min='een kwartier')}", 2, "sol_min", "bad_number", "geen getal", "not a number"),
    ("night", NH + "\n" + _night(awakenings='"2,5"'), 2, "awakenings", "bad_integer", "heel getal", "whole number"),
    ("night", f"{NH}\n{_night(date='2026-02-30')}", 2, "date", "bad_date", "JJJJ-MM-DD", "YYYY-MM-DD"),
    ("night", f"{NH}\n{_night(notes='x' * 2001)}", 2, "notes", "too_long", "maximum is 2000", "maximum is 2000"),
    ("night", f"{NH}\n{_night(lights_out='22:30')}", 2, "lights_out", "lights_out_before_bed", "licht uit", "lights out"),
    ("night", f"{NH}\n{_night(lights_out='01:30', final_wake='01:00', out_of_bed='07:00')}",
     2, "final_wake", "final_wake_before_lights_out", "licht uit (01:30)", "lights out (01:30)"),
    ("night", f"{NH}\n{_night(out_of_bed='06:30')}", 2, "out_of_bed", "out_of_bed_before_final_wake",
     "laatste keer wakker worden (06:50)", "final awakening (06:50)"),
    ("night", f"{NH}\n{OK},extra", 2, None, "extra_cells", "Rij 2", "Row 2"),
    ("night", "bedtime,quality\n23:00,3", 1, "date", "missing_header", "'date' ontbreekt", "'date' is missing"),
    ("night", "date,bedtiem\n2026-10-01,23:00", 1, "bedtiem", "unknown_header", "Bedoelt u 'bedtime'?", "Did you mean 'bedtime'?"),
    ("night", "date,date\n2026-10-01,2026-10-01", 1, "date", "duplicate_header", "twee keer", "twice"),
    ("night", "date,,bedtime\n2026-10-01,x,23:00", 2, None, "unnamed_column", "kolom 2", "column 2"),
    ("episode", f"{EH}\n2026-10-01,02:00,sexsomnia,partner,misschien,", 2, "injury", "bad_bool", "ja of nee", "yes or no"),
    ("episode", f"{EH}\n2026-10-01,02:00,,partner,0,", 2, "type", "required", "verplicht", "required"),
    ("episode", f"{EH}\n2026-10-01,02:00,slaapwandelen,buurman,0,", 2, "reporter", "unknown_choice",
     "geen bekende keuze", "not a known choice"),
]


def _read(record: str, text: str, lang: str) -> DiaryImportError:
    reader = read_nights if record == "night" else read_episodes
    with pytest.raises(DiaryImportError) as exc:
        reader(text, lang, today=TODAY)
    return exc.value


@pytest.mark.parametrize(("record", "text", "row", "field", "code", "nl", "en"), CASES,
                         ids=[c[4] for c in CASES])
def test_bad_input_message(record, text, row, field, code, nl, en) -> None:  # noqa: ANN001
    for lang, words in (("nl", nl), ("en", en)):
        err = _read(record, text, lang)
        hits = [e for e in err.errors if e.code == code]
        assert hits, f"{code} not among {[e.code for e in err.errors]}"
        e = hits[0]
        assert (e.row, e.field) == (row, field)
        assert e.message.startswith(f"{'Rij' if lang == 'nl' else 'Row'} {row}")
        assert words in e.message
        if field and code not in ("missing_header", "unknown_header", "duplicate_header"):
            assert f"'{spec(record, field).label(lang)}' ({field})" in e.message


def test_every_code_has_both_languages() -> None:
    for code, (nl, en) in TEMPLATES.items():
        assert nl and en and nl != en, code
    covered = {c[4] for c in CASES} | {"not_csv", "not_json", "unknown_key", "bad_type",
                                       "tib_over_48h", "future_date_episode",
                                       "tib_over_16h_form"}
    assert covered >= set(TEMPLATES) - set(), set(TEMPLATES) - covered


@pytest.mark.parametrize(("data", "reason_nl", "reason_en"), [
    (b"", "leeg", "empty"),
    (b"PK\x03\x04\x00\x00binary", "binaire", "binary"),
    (b'{"date": "2026-10-01"}', "JSON", "JSON"),
    ("datum\xe9".encode("latin-1"), "UTF-8", "UTF-8"),
])
def test_not_csv(data: bytes, reason_nl: str, reason_en: str) -> None:
    for lang, reason in (("nl", reason_nl), ("en", reason_en)):
        with pytest.raises(DiaryImportError) as exc:
            read_nights(data, lang)
        (e,) = exc.value.errors
        assert e.code == "not_csv" and reason in e.message and "CSV" in e.message


def test_tib_over_48h_for_explicit_datetimes() -> None:
    ok = f"{NH}\n" + _night(bedtime="2026-09-29 22:00", lights_out="2026-09-29 22:00",
                            final_wake="2026-10-01 06:00", out_of_bed="2026-10-01 07:00")
    (night,) = read_nights(ok, today=TODAY)  # 33 h written deliberately: accepted
    assert night.bedtime == dt.datetime(2026, 9, 29, 22, 0)
    bad = ok.replace("2026-09-29", "2026-09-19")
    e = _read("night", bad, "en").errors[0]
    assert e.code == "tib_over_48h" and "48" in e.message


@pytest.mark.parametrize(("text", "key", "code", "nl", "en"), [
    ('{"bed_partnr": true}', "bed_partnr", "unknown_key", "Bedoelt u 'bed_partner'?", "Did you mean 'bed_partner'?"),
    ('{"drives": "ja"}', "drives", "bad_type", "true of false", "true or false"),
    ('{"birth_year": 1800}', "birth_year", "out_of_range", "1900", "1900"),
    ('{"known_conditions": "astma"}', "known_conditions", "bad_type", "lijst", "list"),
    ('{"daytime_sleepiness": true}', "daytime_sleepiness", "bad_type", "heel getal", "whole number"),
    ("[1, 2]", None, "not_json", "geen object", "no object"),
    ('{"drives": tru}', None, "not_json", "JSON", "JSON"),
])
def test_profile_errors(text: str, key: str | None, code: str, nl: str, en: str) -> None:
    for lang, words in (("nl", nl), ("en", en)):
        with pytest.raises(DiaryImportError) as exc:
            read_profile(text, lang)
        (e,) = exc.value.errors
        assert (e.field, e.code) == (key, code)
        assert words in e.message, e.message


def test_form_validation_without_row_names_the_field() -> None:
    from nachtwacht.diary.types import Night
    from nachtwacht.diary.validate import validate_night

    night = Night(date=dt.date(2026, 10, 1), bedtime=dt.time(23, 0), quality=9,
                  final_wake=dt.time(7, 0), out_of_bed=dt.time(6, 0))
    errors = validate_night(night, today=TODAY)
    assert {(e.field, e.code) for e in errors} == {
        ("quality", "out_of_range"), ("out_of_bed", "out_of_bed_before_final_wake")}
    q = next(e for e in errors if e.field == "quality")
    assert q.row is None
    assert q.text("nl").startswith("'Slaapkwaliteit' (quality): 9 ligt buiten")
    assert q.text("en").startswith("'Sleep quality' (quality): 9 is outside")
