"""Device upload (issue #17): Actiwatch file read, nights beside the diary, drafts never overwrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from nachtwacht.web.diary.models import Night
from nachtwacht.web.front.models import DeviceUpload

AWD = Path(__file__).parents[1] / "device" / "data" / "example_01.AWD"


def test_upload_detail_and_drafts(household, as_user):
    sleeper = household["sleeper"]
    # A night the person wrote on a date the device also saw: it must never change.
    Night.objects.create(sleeper=sleeper, date=dt.date(1918, 1, 27), bedtime=dt.time(22, 0),
                         final_wake=dt.time(6, 0), notes="ZELF GESCHREVEN")
    c = as_user(sleeper)
    assert c.get("/apparaat/").status_code == 200
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("example_01.AWD", AWD.read_bytes())})
    assert r.status_code == 302
    up = DeviceUpload.objects.get(sleeper=sleeper)
    page = c.get(r["Location"]).content.decode()
    assert "<svg" in page and "Lichaamsklok" in page and "Nachten zonder dagboek" in page
    assert "Body clock" not in page and "Actiware/Oakley (beweging)" in page and "0,53" in page
    r = c.post(f"/apparaat/{up.pk}/concepten/")
    assert r.status_code == 302
    mine = Night.objects.get(sleeper=sleeper, date=dt.date(1918, 1, 27))
    assert mine.notes == "ZELF GESCHREVEN" and mine.bedtime == dt.time(22, 0)
    added = Night.objects.filter(sleeper=sleeper, date__lt=dt.date(1918, 3, 1)).count()
    assert added == 10  # 9 drafts + the written night
    assert c.post(f"/apparaat/{up.pk}/concepten/").status_code == 302
    assert Night.objects.filter(sleeper=sleeper, date__lt=dt.date(1918, 3, 1)).count() == 10


def test_unknown_file_and_other_people(household, as_user):
    c = as_user(household["sleeper"])
    r = c.post("/apparaat/", {"file": SimpleUploadedFile("x.txt", b"hello\n")})
    assert r.status_code == 200 and "herkennen we niet" in r.content.decode()
    up = DeviceUpload.objects.create(sleeper=household["stranger"], original_name="x", summary={})
    assert c.get(f"/apparaat/{up.pk}/").status_code == 404
    assert c.post(f"/apparaat/{up.pk}/concepten/").status_code == 404
    assert c.post(f"/apparaat/{up.pk}/verwijderen/").status_code == 404
    mine = DeviceUpload.objects.create(sleeper=household["sleeper"], original_name="y", summary={})
    assert c.post(f"/apparaat/{mine.pk}/verwijderen/").status_code == 302
    assert not DeviceUpload.objects.filter(pk=mine.pk).exists()
    assert DeviceUpload.objects.filter(pk=up.pk).exists()
    assert as_user(household["partner"]).get("/apparaat/").status_code in (302, 403, 404)


def test_report_shows_device_data_and_clinician_needs_nights(household, as_user):
    sleeper = household["sleeper"]
    c = as_user(sleeper)
    c.post("/apparaat/", {"file": SimpleUploadedFile("example_01.AWD", AWD.read_bytes())})
    page = c.get("/rapport/", {"van": "1918-01-20", "tot": "1918-02-05", "taal": "nl"}).content.decode()
    assert 'id="device"' in page and "Apparaatgegevens" in page
    from nachtwacht.web.views.device import summary_for
    assert summary_for(sleeper, ("episodes",)) is None
    assert len(summary_for(sleeper, ("nights",)).nights) == 10


def test_settings_page_links_to_the_device_upload(household, as_user):
    page = as_user(household["sleeper"]).get("/instellingen/").content.decode()
    assert 'href="/apparaat/"' in page and "Slaaphorloge of actigraaf" in page
