"""The advice check after a save asks the triage for its flags only, without hints and
plan (``assess(..., flags_only=True)`` via ``web/alerts/advice.py triage_flags``, issue 16
item 5): the same flags, texts, levels, audiences and routes as the full ``assess``, for
every written triage case (urgent, partner-addressed, benign) and the demo diary, in both
languages."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from nachtwacht.diary.demo import demo_diary
from nachtwacht.diary.types import Diary, Episode, Night
from nachtwacht.triage import assess
from nachtwacht.web.alerts import advice
from nachtwacht.web.convert import diary_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))
from triage_cases import CASES, build_diary  # noqa: E402

DIARIES = [(name, build_diary(case)) for name, case in CASES] + [
    (f"demo-{w}w", demo_diary(seed=7, weeks=w)) for w in (3, 9)] + [
    ("partner", Diary(nights=(Night(date=dt.date(2026, 11, 20)),), episodes=(Episode(
        date=dt.date(2026, 11, 20), type="sexsomnia", reporter="partner", partner_unsafe=True,
        notes="het gebeurde tegen mijn wil"),)))]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_shortcut_gives_the_flags_of_assess(lang):
    assert len(DIARIES) > 20
    seen = set()
    for name, diary in DIARIES:
        want = [f.to_dict() for f in assess(diary, lang=lang, use_insight=False).flags]
        got = [f.to_dict() for f in advice.triage_flags(diary, lang)]
        assert got == want, name
        seen |= {(f["level"], f.get("audience", "sleeper")) for f in want}
    # The comparison covered the announced kinds, not only quiet diaries.
    assert ("urgent", "sleeper") in seen and any(a == "partner" for _lv, a in seen)


def test_flags_only_skips_hints_and_plan():
    diary = demo_diary(seed=7, weeks=9)
    full = assess(diary, lang="nl", use_insight=False)
    short = assess(diary, lang="nl", use_insight=False, flags_only=True)
    assert full.plan
    assert short.plan == () and short.differentials == () and short.level == full.level
    assert [f.to_dict() for f in short.flags] == [f.to_dict() for f in full.flags]


@pytest.fixture
def passes(monkeypatch):
    """The languages the triage is asked in, in order, and the real ``triage_flags``."""
    langs: list[str] = []
    real = advice.triage_flags

    def counted(diary, language):
        langs.append(language)
        return real(diary, language)

    monkeypatch.setattr(advice, "triage_flags", counted)
    return langs, real


def test_a_save_runs_the_dutch_pass_only_and_an_english_reader_gets_english(household, as_user, passes):
    from nachtwacht.web.alerts.models import AdviceAlert

    langs, real = passes
    c = as_user(household["sleeper"])
    data = {"date": "2026-11-21", "time": "", "type": "sleepwalking", "count": "1", "duration_min": "",
            "behaviours": "", "recall": "", "injury": "unknown", "left_bedroom": "true",
            "partner_unsafe": "unknown", "notes": ""}
    assert c.post("/episode/", data).status_code == 302
    assert langs == ["nl"]  # a new alert: the save asks in Dutch only
    alert = AdviceAlert.objects.get(user=household["sleeper"])
    assert alert.data["flags"] and all(f["text_en"] is None for f in alert.data["flags"])
    dutch = [f["text_nl"] for f in alert.data["flags"]]
    assert dutch[0] in c.get("/overzicht/").content.decode().replace("&#x27;", "'")
    assert langs == ["nl"]  # a Dutch reader costs no English pass
    # Read in English: one English pass, the texts are the English flags', and kept.
    c.post("/taal/", {"language": "en", "next": "/overzicht/"})
    langs.clear()
    page = c.get("/overzicht/").content.decode().replace("&#x27;", "'")
    assert langs == ["en"]
    alert.refresh_from_db()
    english = [f["text_en"] for f in alert.data["flags"]]
    want = {f.code: f.to_dict()["text"] for f in real(diary_for(household["sleeper"]), "en")}
    assert english == [want[f["code"]] for f in alert.data["flags"]] and english != dutch
    assert english[0] in page
    langs.clear()
    assert english[0] in c.get("/overzicht/").content.decode().replace("&#x27;", "'")
    assert langs == []  # kept: no second English pass
    # The next morning's night with the same advice and the same Dutch text keeps the English;
    # a changed Dutch text (a new date in it) drops it until the next English read.
    night = {"date": "2026-11-22", "bedtime": "23:00", "lights_out": "23:10", "sol_min": "15", "awakenings": "1",
             "waso_min": "10", "final_wake": "06:45", "out_of_bed": "07:00", "quality": "4", "rested": "3",
             "notes": ""}
    assert c.post("/nacht/", night).status_code == 302
    assert langs == ["nl"]
    alert.refresh_from_db()
    for f, before_nl, before_en in zip(alert.data["flags"], dutch, english, strict=False):
        assert f["text_en"] == (before_en if f["text_nl"] == before_nl else None)


def test_an_english_text_for_a_flag_no_longer_raised_falls_back_to_dutch(household):
    from nachtwacht.web.alerts.models import AdviceAlert

    sleeper = household["sleeper"]
    alert = AdviceAlert.objects.create(user=sleeper, sleeper=sleeper, key="gp_soon:gone", level="gp_soon", data={
        "flags": [{"code": "gone", "level": "gp_soon", "audience": "sleeper", "text_nl": "Oude tekst.",
                   "text_en": None, "routes": []}], "routes": []})
    assert advice.shown(alert, "en")["texts"] == ["Oude tekst."]
    assert advice.shown(alert, "nl")["texts"] == ["Oude tekst."]


def test_the_partners_page_in_dutch_runs_the_dutch_pass_only(household, as_user, passes):
    langs, _real = passes
    link = household["link"]
    c = as_user(household["partner"])
    data = {"date": "2026-11-21", "time": "", "type": "sexsomnia", "count": "1", "duration_min": "",
            "behaviours": "", "recall": "", "injury": "unknown", "left_bedroom": "unknown",
            "partner_unsafe": "true", "notes": "het gebeurde tegen mijn wil"}
    assert c.post(f"/bedpartner/{link.pk}/", data).status_code == 302
    langs.clear()
    body = c.get(f"/bedpartner/{link.pk}/").content.decode()
    assert langs == ["nl"] and 'href="tel:08000188"' in body and "Centrum Seksueel Geweld" in body
    c.post("/taal/", {"language": "en", "next": "/"})
    langs.clear()
    body = c.get(f"/bedpartner/{link.pk}/").content.decode()
    # The page's own partner help (both passes) and, the first time only, the unread
    # alert's English texts.
    assert langs == ["nl", "en", "en"] and "sexual violence centre (0800-0188, day and night)" in body
    assert 'href="tel:08000188"' in body
    langs.clear()
    c.get(f"/bedpartner/{link.pk}/")
    assert langs == ["nl", "en"]
