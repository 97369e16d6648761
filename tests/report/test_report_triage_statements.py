"""The GP report states only what the diary says (issue #11): no injury that was denied, no
drug use from a vitamin or a prescribed medicine, no "partner felt safe" when unanswered."""

from __future__ import annotations

import datetime as dt
import html
import re

from nachtwacht.diary.types import Diary, Episode, Night, Profile
from nachtwacht.report.data import build
from nachtwacht.report.render import render_html
from nachtwacht.triage import assess

END = dt.date(2026, 3, 1)


def _text(diary: Diary, lang: str) -> str:
    result = assess(diary, lang=lang, use_insight=False)
    page = render_html(build(diary, lang=lang, triage=result, today=END + dt.timedelta(days=1)),
                       figures=False, embed_fonts=False)
    page = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _nights(**over: object) -> tuple[Night, ...]:
    return tuple(Night(END - dt.timedelta(days=i), **over) for i in range(14))  # type: ignore[arg-type]


def test_unanswered_partner_safety_is_not_reported_as_safe() -> None:
    eps = (Episode(END - dt.timedelta(days=3), "sleep_talking", "partner", notes="mompelde iets"),)
    diary = Diary(nights=_nights(), episodes=eps, profile=Profile(bed_partner=True))
    nl, en = _text(diary, "nl"), _text(diary, "en")
    assert "voelde zich veilig" not in nl and "geen letsel" not in nl.lower()
    assert "felt safe" not in en and "no injury" not in en.lower()
    assert "niet gemeld" in nl and "not reported" in en


def test_denied_injury_is_never_stated() -> None:
    eps = (Episode(END - dt.timedelta(days=3), "sleepwalking", "partner", injury=False,
                   notes="liep naar de keuken, gelukkig niemand gewond"),)
    diary = Diary(nights=_nights(), episodes=eps, profile=Profile(bed_partner=True))
    nl, en = _text(diary, "nl"), _text(diary, "en")
    assert not re.search(r"raakte .{0,30}gewond|er was letsel", nl, re.I)
    assert not re.search(r"was hurt|there was (an )?injur", en, re.I)


def test_vitamin_k_and_esketamine_are_no_drug_use() -> None:
    diary = Diary(nights=_nights(medication=("vitamine K", "esketamine (Spravato)"),
                                 substances=("vitamine K",), sol_min=60, quality=2))
    for lang in ("nl", "en"):
        assert not re.search(r"\bketamine\b", _text(diary, lang), re.I), lang
