"""Every reader: pyActigraphy's shipped recordings and files built to each published format."""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nachtwacht.device import DeviceFormatError, read_device
from nachtwacht.device.nights import device_nights
from nachtwacht.device.scoring import cole_kripke, sadeh

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("name", "start", "epoch_s", "n"), [
    # Start, epoch and length as pyActigraphy reads them (header lines, epoch codes).
    ("example_01.AWD", dt.datetime(1918, 1, 23, 13, 58), 60, 18401),
    ("test_sample_aw7.AWD", dt.datetime(2009, 11, 17, 19, 30), 15, 30623),
    ("test_sample.mtn", dt.datetime(2018, 5, 23, 17, 30), 5, 5978),
    ("test_sample.agd", dt.datetime(2019, 4, 15, 15, 0), 10, 5394),
    ("test_sample_atr.txt", dt.datetime(1918, 1, 1, 9, 0), 60, 5760),
])
def test_actigraph_files(name, start, epoch_s, n):
    rec = read_device(DATA / name)
    assert (rec.start, rec.epoch_s, len(rec.counts)) == (start, epoch_s, n)
    assert np.nanmax(rec.counts) > 0


@pytest.mark.parametrize("method", ["auto", "oakley", "cole_kripke", "sadeh"])
def test_awd_nights_scored_each_way(method):
    rec = read_device(DATA / "example_01.AWD")
    nights = device_nights(rec, method)
    # Cole-Kripke and Sadeh were made for other counts than the Actiwatch's and find
    # broken nights here: the reason ``auto`` picks Oakley for Actiwatch files.
    assert len(nights) >= (8 if method in ("auto", "oakley") else 3)
    for n in nights:
        assert n.method == ("oakley" if method == "auto" else method)
        assert 0 < n.tst_min <= 1440 and 0 <= n.se_pct <= 100 and n.onset < n.offset


def test_awd_nights_look_like_nights():
    # Actiware/Oakley on example_01: sleep starts in the evening and ends in the morning,
    # 10 nights (the first and last are cut off by the recording and left out).
    nights = device_nights(read_device(DATA / "example_01.AWD"))
    assert len(nights) == 10
    assert all(n.offset.hour in (6, 7, 8) for n in nights)
    assert all(300 <= n.tst_min <= 660 for n in nights)


def test_scoring_still_and_active():
    still, busy = np.zeros(60), np.full(60, 400.0)
    assert cole_kripke(still).all() and not cole_kripke(busy).any()
    assert sadeh(still).all() and not sadeh(busy).any()
    gap = np.r_[still, np.nan, still]
    assert cole_kripke(gap)[60] == -1


def _apple_xml() -> bytes:
    rows = []
    for i in range(3):
        d = dt.date(2026, 3, 1) + dt.timedelta(days=i)
        nd = d + dt.timedelta(days=1)
        rows += [
            f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="iPhone" value="HKCategoryValueSleepAnalysisInBed" startDate="{d} 23:00:00 +0100" endDate="{nd} 07:10:00 +0100"/>',
            f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" value="HKCategoryValueSleepAnalysisAsleepCore" startDate="{d} 23:20:00 +0100" endDate="{nd} 02:00:00 +0100"/>',
            f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" value="HKCategoryValueSleepAnalysisAwake" startDate="{nd} 02:00:00 +0100" endDate="{nd} 02:30:00 +0100"/>',
            f'<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" value="HKCategoryValueSleepAnalysisAsleepDeep" startDate="{nd} 02:30:00 +0100" endDate="{nd} 07:00:00 +0100"/>',
            f'<Record type="HKQuantityTypeIdentifierHeartRate" value="60" startDate="{nd} 02:30:00 +0100" endDate="{nd} 02:30:00 +0100"/>',
        ]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n]>\n'
            '<HealthData locale="nl_NL">' + "\n".join(rows) + "</HealthData>").encode()


def test_apple_health_xml_and_zip(tmp_path):
    (tmp_path / "export.xml").write_bytes(_apple_xml())
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("apple_health_export/export.xml", _apple_xml())
    for p in (tmp_path / "export.xml", z):
        nights = device_nights(read_device(p))
        assert [n.date for n in nights] == [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
        n = nights[0]
        assert n.method == "apple" and n.tst_min == 160 + 270 and n.waso_min == 30
        assert n.onset.time() == dt.time(23, 20) and n.offset.time() == dt.time(7, 0)
        assert n.sol_min == 20 and n.stages_min == {"light": 160, "deep": 270}


def test_fitbit_json(tmp_path):
    log = {"dateOfSleep": "2026-03-02", "startTime": "2026-03-01T23:30:00.000",
           "endTime": "2026-03-02T07:00:00.000", "minutesAsleep": 420, "minutesToFallAsleep": 10,
           "mainSleep": True, "type": "stages", "levels": {"data": [
               {"dateTime": "2026-03-01T23:30:00.000", "level": "wake", "seconds": 600},
               {"dateTime": "2026-03-01T23:40:00.000", "level": "light", "seconds": 3 * 3600},
               {"dateTime": "2026-03-02T02:40:00.000", "level": "wake", "seconds": 1200},
               {"dateTime": "2026-03-02T03:00:00.000", "level": "rem", "seconds": 4 * 3600}]}}
    p = tmp_path / "sleep-2026-03-01.json"
    p.write_text(json.dumps([log, {**log, "mainSleep": False}]))
    (n,) = device_nights(read_device(p))
    assert (n.date, n.tst_min, n.waso_min, n.method) == (dt.date(2026, 3, 2), 420, 20, "fitbit")


def test_oura_csv(tmp_path):
    p = tmp_path / "oura_sleep.csv"
    p.write_text("day,bedtime_start,bedtime_end,total_sleep_duration,awake_time,light_sleep_duration,"
                 "deep_sleep_duration,rem_sleep_duration,sleep_latency\n"
                 "2026-03-02,2026-03-01T23:00:00+01:00,2026-03-02T07:00:00+01:00,25200,3600,14400,"
                 "5400,5400,900\n")
    (n,) = device_nights(read_device(p))
    assert (n.date, n.tst_min, n.sol_min, n.se_pct) == (dt.date(2026, 3, 2), 420, 15, 87.5)


def test_withings_csv(tmp_path):
    p = tmp_path / "sleep.csv"
    p.write_text('from,to,light (s),deep (s),rem (s),awake (s),wake up,Duration to sleep (s),'
                 'Duration to wake up (s)\n'
                 '2026-03-01T22:30:00+01:00,2026-03-02T06:30:00+01:00,14400,7200,5400,2400,2,1200,600\n')
    (n,) = device_nights(read_device(p))
    assert (n.tst_min, n.sol_min, n.waso_min) == (450, 20, 10)


def test_sleep_as_android_csv(tmp_path):
    p = tmp_path / "sleep-export.csv"
    p.write_text('Id,Tz,From,To,Sched,Hours,Rating,Comment,Framerate,Snore,Noise,Cycles,DeepSleep,LenAdjust,Geo,"23:15"\n'
                 '"1772406000000","Europe/Amsterdam","01. 03. 2026 23:00","02. 03. 2026 07:00","02. 03. 2026 07:00",'
                 '"7.5","3.0","","10000","-1","-1","5","0.4","-30","","0.1"\n')
    (n,) = device_nights(read_device(p))
    assert (n.date, n.tst_min, n.stages_min["deep"]) == (dt.date(2026, 3, 2), 450, 180)


def test_unknown_and_broken_files(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello\n")
    with pytest.raises(DeviceFormatError) as e:
        read_device(p)
    assert "herkennen we niet" in e.value.nl and "do not recognise" in e.value.en
    bad = tmp_path / "x.AWD"
    bad.write_text("a\nnot a date\n")
    with pytest.raises(DeviceFormatError):
        read_device(bad)
    zipped = tmp_path / "other.zip"
    with zipfile.ZipFile(zipped, "w") as f:
        f.writestr("readme.txt", "x")
    with pytest.raises(DeviceFormatError):
        read_device(zipped)


def test_apple_stream_keeps_memory_small(tmp_path):
    # 200 000 unrelated records around the sleep ones: only sleep records are kept.
    buf = io.BytesIO()
    buf.write(b'<?xml version="1.0"?><HealthData>')
    rec = b'<Record type="HKQuantityTypeIdentifierStepCount" value="5" startDate="2026-03-01 10:00:00 +0100" endDate="2026-03-01 10:01:00 +0100"/>'
    buf.write(rec * 200_000)
    buf.write(_apple_xml().split(b"<HealthData locale=\"nl_NL\">")[1])
    p = tmp_path / "export.xml"
    p.write_bytes(buf.getvalue())
    assert len(device_nights(read_device(p))) == 3


def test_crafted_files_stay_small(tmp_path):
    import shutil
    import sqlite3

    # An .agd whose second timestamp lies centuries later must not allocate an array for it.
    p = tmp_path / "crafted.agd"
    shutil.copy(DATA / "test_sample.agd", p)
    con = sqlite3.connect(p)
    con.execute("UPDATE data SET dataTimestamp = dataTimestamp + 30000000000000000 WHERE rowid = "
                "(SELECT max(rowid) FROM data)")
    con.commit()
    con.close()
    with pytest.raises(DeviceFormatError):
        read_device(p)
    # An Apple record spanning 100 years is no night (and no 50-million-minute grid).
    x = tmp_path / "export.xml"
    x.write_text('<HealthData><Record type="HKCategoryTypeIdentifierSleepAnalysis" '
                 'value="HKCategoryValueSleepAnalysisAsleepCore" startDate="1950-01-01 23:00:00 +0100" '
                 'endDate="2050-01-01 07:00:00 +0100"/></HealthData>')
    assert device_nights(read_device(x)) == []


def test_apple_records_across_chunk_borders(tmp_path, monkeypatch):
    from nachtwacht.device import consumer

    p = tmp_path / "export.xml"
    p.write_bytes(_apple_xml())
    whole = device_nights(read_device(p))
    for size in (37, 101, 256):  # every border falls somewhere else inside a tag
        monkeypatch.setattr(consumer, "_CHUNK", size)
        assert device_nights(read_device(p)) == whole


def test_damaged_apple_zip_gets_the_reader_message(tmp_path):
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as f:
        f.writestr("apple_health_export/export.xml", _apple_xml() * 20)
    data = bytearray(z.read_bytes())
    data[80:120] = bytes(40)  # inside the compressed export.xml: bad CRC or bad stream
    z.write_bytes(bytes(data))
    with pytest.raises(DeviceFormatError) as err:
        read_device(z)
    assert "beschadigde zip" in err.value.message("nl") and "damaged zip" in err.value.message("en")


def test_apple_zip_that_unpacks_past_the_cap_is_refused(tmp_path, monkeypatch):
    from nachtwacht.device import consumer

    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as f:
        f.writestr("apple_health_export/export.xml", _apple_xml())
    monkeypatch.setattr(consumer, "_MAX_UNZIPPED", 100)
    with pytest.raises(DeviceFormatError) as err:
        read_device(z)
    assert "te groot uitgepakt" in err.value.message("nl")
