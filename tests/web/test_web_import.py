"""CSV import is all-or-nothing, with errors per row and field in the user's language."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from nachtwacht.web.diary.models import Episode, Night

GOOD = "date,bedtime,final_wake,out_of_bed,quality\n2026-10-01,23:00,06:30,07:00,4\n2026-10-02,23:30,06:40,07:05,3\n"
BAD = "date,bedtime,final_wake,out_of_bed,quality\n2026-10-01,23:00,06:30,07:00,4\n2026-10-02,25:99,06:40,07:05,9\n"


def _upload(c, text, kind="nights", replace=False):
    data = {"kind": kind, "file": SimpleUploadedFile("d.csv", text.encode(), content_type="text/csv")}
    if replace:
        data["replace"] = "on"
    return c.post("/upload/", data)


def test_good_file_is_imported(household, as_user):
    c = as_user(household["sleeper"])
    r = _upload(c, GOOD)
    assert r.status_code == 302
    assert Night.objects.filter(sleeper=household["sleeper"], date__month=10).count() == 2


def test_one_bad_row_imports_nothing_and_names_row_and_field(household, as_user):
    c = as_user(household["sleeper"])
    before = Night.objects.count()
    r = _upload(c, BAD)
    assert r.status_code == 200
    body = r.content.decode()
    assert Night.objects.count() == before  # not even the good first row
    assert "Er is niets ingelezen" in body or "Nothing was imported" in body or "Niets" in body
    assert "<td>3</td>" in body and "<td>bedtime</td>" in body and "<td>quality</td>" in body


def test_errors_follow_the_user_language(household, as_user):
    u = household["sleeper"]
    u.language = "en"
    u.save()
    body = _upload(as_user(u), BAD).content.decode()
    assert "Please fix these problems" in body


def test_existing_nights_are_not_lost(household, as_user):
    c = as_user(household["sleeper"])
    text = f"date,quality\n{household['day'].isoformat()},1\n2026-10-05,3\n"
    r = _upload(c, text)
    assert r.status_code == 200
    assert Night.objects.get(sleeper=household["sleeper"], date=household["day"]).notes == "NOTITIE-NACHT"
    assert not Night.objects.filter(date=dt.date(2026, 10, 5)).exists()
    assert _upload(c, text, replace=True).status_code == 302
    assert Night.objects.get(sleeper=household["sleeper"], date=household["day"]).quality == 1


def test_episode_import(household, as_user):
    c = as_user(household["sleeper"])
    r = _upload(c, "date,type,reporter\n2026-10-01,hypnic_jerk,self\n2026-10-02,sleepwalking,partner\n",
                kind="episodes")
    assert r.status_code == 302
    assert Episode.objects.filter(sleeper=household["sleeper"], date__month=10).count() == 2


def test_too_large_csv_is_refused(household, as_user, settings):
    settings.CSV_MAX_BYTES = 10
    body = _upload(as_user(household["sleeper"]), GOOD).content.decode()
    assert "MB" in body
