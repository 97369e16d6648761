"""Triage on long diaries: per-diary caches keep it fast and never change the answer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nachtwacht.diary.demo import demo_diary, demo_diary_years
from nachtwacht.diary.metrics import night_metrics
from nachtwacht.diary.types import Diary, Night
from nachtwacht.triage import assess
from nachtwacht.triage import facts as facts_mod
from nachtwacht.triage.facts import Facts

END = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def three_years() -> Diary:
    return demo_diary_years(3, end=END)


def test_three_year_diary_folds_each_text_once(three_years, monkeypatch):
    # The GP-report issue: 165,000 calls to fold() for one three-year triage. The
    # folded text is now cached per diary, so the calls stay near the number of
    # distinct strings, whatever the number of rules.
    calls = 0
    real = facts_mod.fold

    def counting(text: str) -> str:
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(facts_mod, "fold", counting)
    result = assess(three_years, use_insight=False)
    assert result.level in ("gp_routine", "gp_soon", "urgent")
    assert calls < 2_000, calls


def test_precomputed_night_metrics_give_the_same_triage():
    diary = demo_diary(seed=7, weeks=8, end=END)
    figures = {n.date: night_metrics(n, tz=diary.tz) for n in diary.nights}
    for lang in ("nl", "en"):
        plain = assess(diary, lang=lang, use_insight=False).to_dict()
        given = assess(diary, lang=lang, use_insight=False, night_figures=figures).to_dict()
        assert given == plain


def test_substance_cache_follows_the_night_object_not_its_date():
    night = Night(date=END, substances=("ketamine",), alcohol_units=0.0)
    facts = Facts(Diary(nights=(night,)), aliases={"ketamine": ["ketamine", "k"]})
    assert facts.uses(night, ["ketamine"]) == ["ketamine"]
    # Same date, other content (e.g. an edited night): the answer must follow the content.
    edited = dataclasses.replace(night, substances=())
    assert facts.uses(edited, ["ketamine"]) == []
    assert facts.uses(night, ["ketamine"]) == ["ketamine"]
    # A returned list may be changed by the caller without touching the cache.
    facts.uses(night, ["ketamine"]).append("x")
    assert facts.uses(night, ["ketamine"]) == ["ketamine"]


def test_alias_matching_is_cached_but_exact():
    facts = Facts(Diary(), aliases={"cafeine": ["koffie", "cafeine"]})
    assert facts.matches_alias(("Koffie", "thee"), ["Cafeïne"]) == ["Koffie"]
    assert facts.matches_alias(("thee",), ["cafeine"]) == []
    hits = facts.matches_alias(("koffie",), ["cafeine"])
    hits.clear()
    assert facts.matches_alias(("koffie",), ["cafeine"]) == ["koffie"]
