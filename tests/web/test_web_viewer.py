"""Sleep-study viewer (issue #15 item 4): page, overview and window JSON, exports, who sees what.

A small hand-made study (10 minutes, written with edfio, analysis JSON by hand) keeps
these tests at about a second: the viewer only reads what an analysis stored.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import numpy as np
import pytest

START = dt.datetime(2026, 11, 19, 23, 30)
DUR = 600
STAGES = ["W", "W", "N1", "N2", "N2", "N2", "N3", "N3", "N2", "R", "R", "R", "N2", "N2", "W", "N1", "N2", "N2", "R", "W"]
CHANNELS = {  # name -> (role, sf, unit)
    "C3-M2": ("eeg", 128.0, "uV"), "E1-M2": ("eog", 128.0, "uV"), "Chin": ("emg_chin", 128.0, "uV"),
    "Leg L": ("leg_l", 128.0, "uV"), "Leg R": ("leg_r", 128.0, "uV"), "Airflow": ("airflow", 32.0, "a.u."),
    "SpO2": ("spo2", 4.0, "%"),
}


def signal(name: str) -> np.ndarray:
    """The samples written for ``name`` (the tests compare the window with them)."""
    _role, sf, _unit = CHANNELS[name]
    t = np.arange(int(DUR * sf)) / sf
    if name == "SpO2":
        return np.where((t > 320) & (t < 350), 88.0, 96.0)
    if name == "Airflow":
        return np.where((t > 300) & (t < 320), 0.0, np.sin(2 * np.pi * 0.25 * t))
    return 20.0 * np.sin(2 * np.pi * (10 if name == "C3-M2" else 3) * t)


def write_edf(path: Path) -> None:
    import edfio

    sigs = [edfio.EdfSignal(signal(n), sampling_frequency=sf, label=n, physical_dimension=unit,
                            physical_range=(0, 100) if n == "SpO2" else (-200, 200) if unit == "uV" else (-2, 2))
            for n, (_r, sf, unit) in CHANNELS.items()]
    edfio.Edf(sigs, starttime=START.time(), recording=edfio.Recording(startdate=START.date())).write(path)


def ev(kind, onset, dur, channel, **fig):
    return {"kind": kind, "onset_s": onset, "duration_s": dur, "channel": channel, "stage": "N2", **fig}


RESULT = {
    "hypnogram": {"epoch_s": 30.0, "start": START.isoformat(), "stages": STAGES, "source": "YASA",
                  "lights_off_s": None, "lights_on_s": None},
    "confidence": [0.9] * 10 + [0.55] * 10,
    "stats": {"TIB": 10.0, "TST": 7.0, "SE": 70.0, "hypnogram_source": "automatic"},
    "events": {
        "respiratory": {"summary": {"ahi": 15.3, "tst_h": 0.12}, "events": [
            ev("apnea", 300.0, 20.0, "Airflow", type="obstructive")]},
        "desaturation": {"summary": {"odi3": 12.04, "spo2_nadir": 88.0, "t90_pct": 1.1}, "events": [
            ev("desaturation", 320.0, 30.0, "SpO2")]},
        "leg_movements": {"summary": {"plms_index": 17.5}, "events": [ev("lm", 100.0, 1.5, "Leg L+Leg R")]},
        "arousal": {"summary": {"arousal_index": 8.05}, "events": [ev("arousal", 200.0, 5.5, "C3-M2")]},
        "rswa": {"summary": {"rswa_any_pct": 50.0, "montreal_tonic_pct": 10.5, "montreal_phasic_pct": 33.3},
                 "events": [ev("rswa_tonic", 270.0, 30.0, "Chin")]},
        "bruxism": {"summary": {"rmma_index": 1.61}, "events": [ev("rmma", 400.0, 5.6, "Masseter", type="phasic")]},
    },
    "skipped": {}, "episodes": [], "warnings": [],
    "recording": {"source": "x.edf", "start": START.isoformat(), "duration_s": float(DUR),
                  "channels": [{"name": n, "role": r, "sf": sf, "unit": u} for n, (r, sf, u) in CHANNELS.items()],
                  "roles": {"roles": {n: r for n, (r, _sf, _u) in CHANNELS.items()}}},
}
N_EVENTS = 6


@pytest.fixture
def study(household, settings):
    from nachtwacht.web.front.models import PsgUpload

    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    stored = f"{household['sleeper'].pk}-viewer-test.edf"
    write_edf(settings.UPLOAD_DIR / stored)
    up = PsgUpload.objects.create(sleeper=household["sleeper"], original_name="nacht.edf", stored_name=stored,
                                  size=1, status="done", result=json.loads(json.dumps(RESULT)))
    yield up
    (settings.UPLOAD_DIR / stored).unlink(missing_ok=True)
    from nachtwacht.web import viewer

    viewer.cache_path(up).unlink(missing_ok=True)


def _psg_share(household):
    share = household["share"]
    share.scope = [*share.scope, "psg"]
    share.save(update_fields=["scope"])
    return share


def test_page_shows_the_viewer_indices_and_downloads_in_dutch(study, household, as_user):
    body = as_user(household["sleeper"]).get(f"/slaaponderzoek/{study.pk}/").content.decode()
    assert 'id="psgv"' in body and "nachtwacht/viewer.js" in body and "nachtwacht/viewer.css" in body
    assert f'data-window="/slaaponderzoek/{study.pk}/venster/"' in body
    # Numbers in Dutch, each with what it means and the limit it is held against.
    assert "<strong>15,3</strong> per uur slaap" in body and "licht verhoogd" in body
    assert "Onder 5 is normaal; 5 tot 15 licht, 15 tot 30 matig, 30 of meer ernstig" in body
    assert "volwassenen is meer dan 15 verhoogd (ICSD-3)" in body and "<strong>17,5</strong>" in body
    assert "18 % of meer" in body and "2 of meer past bij slaapbruxisme" in body
    assert "gebeurtenissen.csv" in body and "gebeurtenissen.edf" in body
    # No English event codes or skip codes in the Dutch text.
    assert "rswa_tonic" not in body and "obstructive" not in body


def test_page_in_english(study, household, as_user):
    household["sleeper"].language = "en"
    household["sleeper"].save(update_fields=["language"])
    c = as_user(household["sleeper"])
    c.cookies["django_language"] = "en"
    body = c.get(f"/slaaponderzoek/{study.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>15.3</strong> per hour of sleep" in body and "Below 5 is normal" in body


def test_overview_json_has_night_events_and_cached_envelopes(study, household, as_user, monkeypatch):
    from nachtwacht.psg import envelope
    from nachtwacht.web import viewer

    c = as_user(household["sleeper"])
    d = c.get(f"/slaaponderzoek/{study.pk}/overzicht/").json()
    assert d["stages"] == STAGES and d["confidence"][0] == 0.9 and d["technician"] is False
    assert d["duration_s"] == DUR and d["epoch_s"] == 30.0
    rows = {r["key"]: r["events"] for r in d["rows"]}
    assert rows["respiratory"] == [[300.0, 20.0, "apnea", "obstructive"]]
    assert set(rows) == {"respiratory", "desaturation", "arousal", "leg_movements", "rswa", "bruxism"}
    traces = {t["role"]: t for t in d["traces"]}
    assert {"spo2", "airflow", "leg_l", "emg_chin"} <= set(traces)
    # SpO2 at 4 Hz is 2400 samples: the envelope has the configured columns.
    assert len(traces["spo2"]["min"]) == envelope.COLUMNS and min(traces["spo2"]["min"]) == 88.0
    assert [ch["name"] for ch in d["channels"]] == ["C3-M2", "E1-M2", "Chin", "Leg L", "Leg R", "Airflow", "SpO2"]
    assert d["kinds"]["apnea"] == "Ademstop (apneu)"
    cache = viewer.cache_path(study)
    assert cache.is_file() and stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    # Second look: from the cache, the EDF is not read again.
    monkeypatch.setattr(envelope, "envelopes", lambda *a, **k: pytest.fail("envelopes recomputed"))
    assert c.get(f"/slaaponderzoek/{study.pk}/overzicht/").json()["traces"] == d["traces"]


def test_window_returns_raw_samples_in_physical_units_and_its_events(study, household, as_user):
    c = as_user(household["sleeper"])
    d = c.get(f"/slaaponderzoek/{study.pk}/venster/?start=300&len=30").json()
    assert d["start_s"] == 300 and d["len_s"] == 30
    ch = {x["name"]: x for x in d["channels"]}
    assert ch["C3-M2"]["unit"] == "µV" and ch["C3-M2"]["n"] == 30 * 128
    np.testing.assert_allclose(ch["C3-M2"]["y"], signal("C3-M2")[300 * 128:330 * 128], atol=0.02)
    assert ch["SpO2"]["unit"] == "%" and len(ch["SpO2"]["y"]) == 120
    kinds = {e["kind"] for e in d["events"]}
    assert kinds == {"apnea", "desaturation"}  # the RSWA epoch ends where the window starts
    apnea = next(e for e in d["events"] if e["kind"] == "apnea")
    assert apnea["label"] == "Ademstop (apneu), obstructief: de keel zit dicht"
    # Five minutes: the fast channels come as min/max columns, light enough for a phone.
    d5 = c.get(f"/slaaponderzoek/{study.pk}/venster/?start=0&len=300").json()
    c3 = next(x for x in d5["channels"] if x["name"] == "C3-M2")
    assert "y" not in c3 and len(c3["min"]) == len(c3["max"]) <= 1200
    # Nonsense and out-of-range values are clipped, never an error.
    d_bad = c.get(f"/slaaponderzoek/{study.pk}/venster/?start=nan&len=99999").json()
    assert d_bad["start_s"] == 0 and d_bad["len_s"] == 300
    assert c.get(f"/slaaponderzoek/{study.pk}/venster/?start=99999&len=30").json()["start_s"] < DUR


def test_exports_csv_and_edf_annotations_read_back_with_mne(study, household, as_user, tmp_path):
    mne = pytest.importorskip("mne")
    c = as_user(household["sleeper"])
    r = c.get(f"/slaaponderzoek/{study.pk}/gebeurtenissen.csv")
    assert r["Content-Disposition"] == 'attachment; filename="slaaponderzoek-2026-11-19-gebeurtenissen.csv"'
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "onset_s,duration_s,clock,kind,type,channel,stage,detector,label"
    assert len(lines) == 1 + N_EVENTS
    assert "300.0,20.0,23:35:00,apnea,obstructive,Airflow,N2,respiratory," in lines[4]
    r = c.get(f"/slaaponderzoek/{study.pk}/gebeurtenissen.edf")
    path = tmp_path / "events.edf"
    path.write_bytes(r.content)
    ann = mne.read_annotations(path)
    rows = sorted((e["onset_s"], e["duration_s"]) for det in RESULT["events"].values() for e in det["events"])
    assert sorted(zip(ann.onset.round(3).tolist(), ann.duration.round(3).tolist(), strict=True)) == rows
    assert "Ademstop (apneu), obstructief: de keel zit dicht" in list(ann.description)
    import edfio

    edf = edfio.read_edf(path)
    assert edf.startdatetime == START and len(edf.signals) == 0


def test_diary_episodes_are_placed_on_the_night_private_only_for_the_sleeper(study, household, as_user):
    from nachtwacht.web.diary.models import Episode

    s = household["sleeper"]
    Episode.objects.create(sleeper=s, logged_by=s, date=dt.date(2026, 11, 20), time=dt.time(23, 35),
                           type="hypnic_jerk", reporter="self")  # diary nights carry the morning's date
    Episode.objects.create(sleeper=s, logged_by=s, date=dt.date(2026, 11, 20), time=dt.time(23, 36),
                           type="sexsomnia", reporter="self", private=True)
    Episode.objects.create(sleeper=s, logged_by=s, date=dt.date(2026, 11, 20), time=dt.time(3, 0),
                           type="bruxism", reporter="self")  # after the recording ended
    own = as_user(s).get(f"/slaaponderzoek/{study.pk}/overzicht/").json()["episodes"]
    assert [(e["onset_s"], e["clock"]) for e in own] == [(300.0, "23:35"), (360.0, "23:36")]
    assert own[0]["stage"] == "R" and own[0]["label"] != "hypnic_jerk"  # in Dutch, not the code
    share = _psg_share(household)
    theirs = as_user(household["gp"]).get(
        f"/zorg/{share.pk}/slaaponderzoek/{study.pk}/overzicht/").json()["episodes"]
    assert [e["onset_s"] for e in theirs] == [300.0]


def test_who_may_look(study, household, as_user):
    from nachtwacht.web.sharing.models import AccessLog

    share = household["share"]
    base = f"/zorg/{share.pk}/slaaponderzoek/{study.pk}/"
    gp = as_user(household["gp"])
    # A share without the sleep-study part opens nothing of it.
    for url in (base, base + "overzicht/", base + "venster/?start=0&len=30", base + "gebeurtenissen.edf",
                f"/zorg/{share.pk}/slaaponderzoek/"):
        assert gp.get(url).status_code == 404, url
    _psg_share(household)
    page = gp.get(base).content.decode()
    assert 'id="psgv"' in page and "nacht.edf" not in page  # neutral title, not the file name
    assert "Slaaponderzoek van de nacht naar" in page
    assert gp.get(base + "overzicht/").status_code == 200
    assert gp.get(base + "venster/?start=0&len=30").status_code == 200
    assert gp.get(base + "gebeurtenissen.csv").status_code == 200
    listing = gp.get(f"/zorg/{share.pk}/slaaponderzoek/").content.decode()
    assert base in listing
    whats = list(AccessLog.objects.filter(share=share).values_list("what", flat=True))
    assert whats.count("psg") == 2 and whats.count("psg.export") == 1  # no row per fetched epoch
    # Another clinician, the sleeper's partner, another sleeper: 404.
    assert as_user(household["other_gp"]).get(base + "overzicht/").status_code == 404
    assert as_user(household["partner"]).get(f"/slaaponderzoek/{study.pk}/overzicht/").status_code == 404
    assert as_user(household["stranger"]).get(f"/slaaponderzoek/{study.pk}/venster/").status_code == 404
    # A revoked share answers like one that never existed.
    from django.utils import timezone

    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    assert gp.get(base + "venster/?start=0&len=30").status_code == 404


def test_deleting_the_study_removes_its_cached_envelopes(study, household, as_user):
    from nachtwacht.web import viewer

    as_user(household["sleeper"]).get(f"/slaaponderzoek/{study.pk}/overzicht/")
    cache = viewer.cache_path(study)
    assert cache.is_file()
    household["sleeper"].delete()
    assert not cache.exists()


def test_a_study_whose_file_is_gone_still_shows_the_night(study, household, as_user, settings):
    (settings.UPLOAD_DIR / study.stored_name).unlink()
    c = as_user(household["sleeper"])
    d = c.get(f"/slaaponderzoek/{study.pk}/overzicht/").json()
    assert d["has_file"] is False and d["traces"] == [] and d["stages"] == STAGES
    assert c.get(f"/slaaponderzoek/{study.pk}/venster/?start=0&len=30").json()["channels"] == []


def test_the_analysis_job_computes_the_overview_envelopes(household, settings, monkeypatch):
    """The first look at a fresh study reads the cache, not the whole EDF (jobs/work.py)."""
    from nachtwacht.psg import pipeline
    from nachtwacht.web import jobs, viewer
    from nachtwacht.web.front.models import PsgUpload
    from nachtwacht.web.jobs import runner, supervise
    from nachtwacht.web.jobs.models import Job

    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    stored = f"{household['sleeper'].pk}-viewer-job.edf"
    write_edf(settings.UPLOAD_DIR / stored)
    up = PsgUpload.objects.create(sleeper=household["sleeper"], original_name="n.edf", stored_name=stored, size=1)
    job = jobs.enqueue(Job.Kind.ANALYSIS, household["sleeper"], upload=up, language="nl")

    class Done:
        def dumps(self) -> str:
            return json.dumps(RESULT)

    monkeypatch.setattr(pipeline, "analyse", lambda *a, **k: Done())
    try:
        runner.execute(supervise.claim(job.pk))
        up.refresh_from_db()
        assert up.status == "done"
        cache = viewer.cache_path(up)
        assert cache.is_file() and stat.S_IMODE(cache.stat().st_mode) == 0o600
    finally:
        (settings.UPLOAD_DIR / stored).unlink(missing_ok=True)
        viewer.cache_path(up).unlink(missing_ok=True)


def test_technician_stages_and_a_night_without_staging(study, household, as_user):
    c = as_user(household["sleeper"])
    study.result = {**study.result, "stats": {"hypnogram_source": "expert"}, "confidence": None}
    study.save(update_fields=["result"])
    assert "ingedeeld door de laborant" in c.get(f"/slaaponderzoek/{study.pk}/").content.decode()
    assert c.get(f"/slaaponderzoek/{study.pk}/overzicht/").json()["technician"] is True
    # Staging skipped (no EEG): events and traces still come, the hypnogram is empty.
    study.result = {**study.result, "hypnogram": None, "stats": None}
    study.save(update_fields=["result"])
    d = c.get(f"/slaaponderzoek/{study.pk}/overzicht/").json()
    assert d["stages"] == [] and d["episodes"] == [] and d["rows"] and d["duration_s"] == DUR
