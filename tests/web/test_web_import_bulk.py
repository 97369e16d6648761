"""Large CSV imports: a constant number of queries, still all-or-nothing, clear per-row errors.

Before ``bulk_create`` every row cost a query and an insert (~1.5 ms CPU); a 5 MB
file would outrun the server's 30 s request timeout.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nachtwacht.diary.errors import DiaryImportError
from nachtwacht.web.diary.models import Episode, Night
from nachtwacht.web.views.uploads import BULK_BATCH, import_csv

START = dt.date(2020, 1, 1)


def _nights_csv(n: int, start: dt.date = START, quality: int = 3) -> str:
    rows = ["date,bedtime,final_wake,out_of_bed,quality"]
    rows += [f"{start + dt.timedelta(days=i)},23:00,06:30,07:00,{quality}" for i in range(n)]
    return "\n".join(rows) + "\n"


def _in_range(user, n: int):
    return Night.objects.filter(sleeper=user, date__gte=START, date__lt=START + dt.timedelta(days=n))


def _queries(ctx) -> tuple[int, int]:
    """(INSERTs, other statements) of a captured import."""
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    inserts = sum(1 for q in sql if q.startswith("INSERT"))
    return inserts, len(sql) - inserts


def test_query_count_does_not_grow_with_rows(household):
    n = 3 * BULK_BATCH + 7
    with CaptureQueriesContext(connection) as ctx:
        assert import_csv(household["sleeper"], "nights", _nights_csv(n), "nl") == n
    inserts, other = _queries(ctx)
    # Was a SELECT and an INSERT per row. Now one SELECT of the stored dates (plus
    # savepoints) and multi-row INSERTs (SQLite caps them at 999 parameters).
    assert other <= 4 and inserts <= n // 20
    assert _in_range(household["sleeper"], n).count() == n


def test_nights_already_stored_are_refused_row_by_row_and_nothing_is_saved(household):
    user = household["sleeper"]
    import_csv(user, "nights", _nights_csv(3, start=START + dt.timedelta(days=1000)), "nl")
    before = Night.objects.count()
    # rows 2..1201; the stored nights are days 1000-1002, i.e. rows 1002-1004
    with pytest.raises(DiaryImportError) as info:
        import_csv(user, "nights", _nights_csv(1200), "nl")
    got = [(e.row, e.field, e.code, e.params["value"]) for e in info.value.errors]
    assert got == [(1002 + k, "date", "already_stored", str(START + dt.timedelta(days=1000 + k)))
                   for k in range(3)]
    assert Night.objects.count() == before


def test_another_sleepers_nights_do_not_count_as_stored(household):
    import_csv(household["stranger"], "nights", _nights_csv(5), "nl")
    assert import_csv(household["sleeper"], "nights", _nights_csv(5), "nl") == 5


def test_duplicate_date_in_file_is_named(household):
    text = _nights_csv(600) + f"{START + dt.timedelta(days=10)},22:00,06:00,06:30,2\n"
    with pytest.raises(DiaryImportError) as info:
        import_csv(household["sleeper"], "nights", text, "nl")
    # The CSV reader names it (duplicate_night); the import's own check is the fallback.
    assert [(e.row, e.code) for e in info.value.errors] in ([(602, "duplicate_night")], [(602, "duplicate_date")])
    assert not _in_range(household["sleeper"], 600).exists()


def test_replace_overwrites_stored_nights_and_keeps_their_identity(household):
    user = household["sleeper"]
    import_csv(user, "nights", _nights_csv(700, quality=3), "nl")
    first = Night.objects.get(sleeper=user, date=START)
    Night.objects.filter(pk=first.pk).update(notes="OUDE-NOTITIE")
    # 700 stored nights replaced plus 50 new ones, in one go
    assert import_csv(user, "nights", _nights_csv(750, quality=5), "nl", replace=True) == 750
    nights = _in_range(user, 750)
    assert nights.count() == 750 and set(nights.values_list("quality", flat=True)) == {5}
    again = Night.objects.get(sleeper=user, date=START)
    assert again.pk == first.pk and again.created == first.created and again.updated > first.updated
    assert again.notes is None or again.notes == ""  # the whole night is replaced, as before


def test_large_episode_import_is_bulk(household):
    rows = ["date,type,reporter"] + [f"{START + dt.timedelta(days=i // 2)},hypnic_jerk,self"
                                     for i in range(1200)]
    with CaptureQueriesContext(connection) as ctx:
        assert import_csv(household["sleeper"], "episodes", "\n".join(rows) + "\n", "nl") == 1200
    inserts, other = _queries(ctx)
    assert other <= 3 and inserts <= 1200 // 20
    assert Episode.objects.filter(sleeper=household["sleeper"], date__gte=START,
                                  date__lt=START + dt.timedelta(days=600)).count() == 1200


def test_upload_page_shows_the_stored_night_row(household, as_user):
    day = household["day"]
    text = _nights_csv(2, start=day - dt.timedelta(days=1))  # second row is the stored night
    c = as_user(household["sleeper"])
    r = c.post("/upload/", {"kind": "nights", "file": SimpleUploadedFile("d.csv", text.encode())})
    body = r.content.decode()
    assert r.status_code == 200 and f"Regel 3: voor {day.isoformat()} is al een nacht opgeslagen" in body
