"""Device nights beside the diary: differences, drafts that never overwrite, the CLI."""

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from nachtwacht.cli import main
from nachtwacht.device.nights import compare, draft_nights
from nachtwacht.device.summary import summarise
from nachtwacht.device.types import DeviceNight
from nachtwacht.diary.types import Night

DATA = Path(__file__).parent / "data"


def _dev(date, tst=480.0):
    on = dt.datetime.combine(date - dt.timedelta(days=1), dt.time(23, 30))
    off = on + dt.timedelta(minutes=tst + 30)
    return DeviceNight(date, "oura", "oura", on - dt.timedelta(minutes=10), off, on, off, tst, 30.0, 90.0, 10.0)


def _diary(date, sol=60, waso=90):
    return Night(date=date, bedtime=dt.time(23, 0), lights_out=dt.time(23, 10), sol_min=sol, waso_min=waso,
                 final_wake=dt.time(7, 0), out_of_bed=dt.time(7, 15), quality=2)


def test_difference_and_large_gap():
    d = dt.date(2026, 3, 2)
    (c,) = compare([_diary(d)], [_dev(d)])
    # diary TST = 470 - 60 - 90 = 320; device 480: the device sees 160 min more sleep.
    assert c.diary["tst_min"] == 320 and c.diff["tst_min"] == 160 and c.large_gap


def test_drafts_only_for_missing_nights():
    d1, d2 = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    written = _diary(d1)
    drafts = draft_nights([written], [_dev(d1), _dev(d2)])
    assert [n.date for n in drafts] == [d2]
    assert drafts[0].quality is None and "concept" in drafts[0].notes
    assert drafts[0].lights_out == dt.time(23, 20) and drafts[0].sol_min == 10


def test_gap_text_is_calm_in_both_languages(tmp_path):
    p = tmp_path / "oura.csv"
    rows = ["day,bedtime_start,bedtime_end,total_sleep_duration,awake_time,sleep_latency"]
    nights = []
    for i in range(5):
        d = dt.date(2026, 3, 2) + dt.timedelta(days=i)
        rows.append(f"{d},{d - dt.timedelta(days=1)}T23:00:00+01:00,{d}T07:00:00+01:00,27000,1200,600")
        nights.append(_diary(d))
    p.write_text("\n".join(rows) + "\n")
    s = summarise([p], nights)
    assert s.mean_gap_min == 130
    nl, en = s.gap_text("nl"), s.gap_text("en")
    assert "heel gewoon" in nl and "leidend" in nl and "very common" in en
    assert "klopt niet" not in nl and "wrong" not in en


def test_rhythm_from_diary_without_device():
    nights = [_diary(dt.date(2026, 3, 2) + dt.timedelta(days=i)) for i in range(10)]
    from nachtwacht.device.summary import _diary_rhythm
    r = _diary_rhythm(nights, "Europe/Amsterdam")
    assert r["from"] == "diary" and r["mean_midpoint"] == "03:35" and r["sri"] is not None


def test_cli_import_json_and_text(tmp_path):
    r = CliRunner().invoke(main, ["device", "import", str(DATA / "example_01.AWD"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert len(out["nights"]) == 10 and out["rhythm"]["is"] == 0.528 and out["nights"][0]["method"] == "oakley"
    svg = tmp_path / "a.svg"
    r = CliRunner().invoke(main, ["device", "import", str(DATA / "example_01.AWD"), "--lang", "en",
                                  "--actogram", str(svg)])
    assert svg.read_text().startswith("<svg")
    assert "Body clock" in r.output and "Actiware/Oakley" in r.output
    r = CliRunner().invoke(main, ["device", "import", str(DATA / "example_01.AWD")])
    assert "Lichaamsklok" in r.output and "Slaaptijd" in r.output and "Body" not in r.output
    drafts = tmp_path / "drafts.csv"
    r = CliRunner().invoke(main, ["device", "import", str(DATA / "example_01.AWD"), "--drafts", str(drafts)])
    assert r.exit_code == 0 and drafts.read_text().count("\n") == 11
    r = CliRunner().invoke(main, ["device", "import", str(DATA / "example_01.AWD"), "--drafts", str(drafts)])
    assert r.exit_code != 0 and "bestaat al" in r.output


def test_cli_unknown_format(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("nothing\n")
    r = CliRunner().invoke(main, ["device", "import", str(p)])
    assert r.exit_code != 0 and "herkennen we niet" in r.output
    r = CliRunner().invoke(main, ["device", "import", str(p), "--lang", "en"])
    assert "do not recognise" in r.output


def test_report_cli_takes_device_files(tmp_path):
    from nachtwacht.diary.csvio import write_nights
    from nachtwacht.diary.demo import demo_diary

    diary = demo_diary(weeks=2, end=dt.date(1918, 2, 4))
    nights = tmp_path / "nights.csv"
    with open(nights, "w", encoding="utf-8", newline="") as f:
        write_nights(diary.nights, f)
    html = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", str(nights), "--html", str(html),
                                  "--device", str(DATA / "example_01.AWD")])
    assert r.exit_code == 0, r.output
    assert 'id="device"' in html.read_text() and "Actogram" in html.read_text()
