"""The GP report with device data: the actogram section and the FHIR Observations."""

import datetime as dt
from pathlib import Path

import pytest

from nachtwacht.device.summary import summarise
from nachtwacht.diary.demo import demo_diary
from nachtwacht.report import data as report_data
from nachtwacht.report.actogram import actogram_svg
from nachtwacht.report.fhir import to_fhir
from nachtwacht.report.render import render_html

DATA = Path(__file__).parent / "data"
END = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def built():
    diary = demo_diary(weeks=2, end=END)
    p = Path(__file__).parent / "data" / "_oura_tmp.csv"
    rows = ["day,bedtime_start,bedtime_end,total_sleep_duration,awake_time,sleep_latency"]
    for i in range(14):
        d = END - dt.timedelta(days=13 - i)
        rows.append(f"{d},{d - dt.timedelta(days=1)}T23:10:00+01:00,{d}T07:05:00+01:00,25200,1500,600")
    p.write_text("\n".join(rows) + "\n")
    try:
        summary = summarise([p], diary.nights)
    finally:
        p.unlink()
    both = {lang: report_data.build(diary, lang=lang, device=summary, today=END) for lang in ("nl", "en")}
    return both, report_data.build(diary, lang="nl", today=END)


def test_report_shows_the_device_section(built):
    both, without = built
    html = render_html(both["nl"], embed_fonts=False)
    assert 'id="device"' in html and "Apparaatgegevens" in html and "<svg" in html
    assert "Verschil met dagboek" in html and "Oura" in html
    assert "Device data" in render_html(both["en"], embed_fonts=False)
    assert without.device is None and 'id="device"' not in render_html(without, embed_fonts=False)


def test_fhir_has_device_observations_with_loinc(built):
    both, without = built
    bundle = to_fhir(both["en"])
    obs = [e.get("resource", e) for e in bundle["entry"]]
    dev = [o for o in obs if o.get("resourceType") == "Observation"
           and any(c["code"].startswith("DEVICE-") for c in o["code"]["coding"])]
    keys = {c["code"] for o in dev for c in o["code"]["coding"]}
    assert {"93832-4", "DEVICE-TST-MIN", "DEVICE-SRI"} <= keys
    ids = [o["id"] for o in obs]
    assert len(ids) == len(set(ids))


def test_actogram_is_double_plotted():
    s = summarise([DATA / "example_01.AWD"])
    svg = actogram_svg(s.nights, s.recordings, "nl")
    # 48 hours across: hour labels 00 .. 24(=00) .. 48(=00); one row per day.
    assert svg.count(">00</text>") == 3 and svg.count('fill="#9ecae1"') >= 2 * len(s.nights) - 2
    assert svg.startswith("<svg") and "Actogram" in svg


def test_fhir_with_device_validates(built):
    both, _ = built
    bundle = to_fhir(both["nl"])
    models = pytest.importorskip("fhir.resources.R4B.bundle")
    models.Bundle.model_validate(bundle)
    jsonschema = pytest.importorskip("jsonschema")
    import json
    schema = json.loads((Path(__file__).parents[1] / "report" / "fhir_r4_subset.schema.json").read_text())
    jsonschema.validate(bundle, schema)
