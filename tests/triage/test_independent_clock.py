"""Independent check of the body-clock judgements (issue #17 item 4).

The cases in ``cases_independent_clock/`` were written by a reviewer who read neither the
body-clock rules nor their tests, from sleep medicine (ICSD-3 circadian rhythm sleep-wake
disorders, the AASM 2015 guideline for intrinsic circadian disorders, shift work disorder,
the NHG-Standaard Slaapproblemen), before the product was run on them. The diary and the
``expect`` block use the format of :mod:`independent_cases` (its helpers are imported);
one key is added:

clock_flag   ``late | early | irregular | shift | none``: the body-clock finding a sleep
             physician expects. A finding counts when a flag code matches the family's
             regex in :data:`FAMILY_RE` (so the test does not depend on exact code names).
             ``none`` means no flag of any body-clock family; for a shift worker (profile
             ``shift_work`` or any worked shift in the nights) a late- or early-phase flag is
             always wrong, because the schedule explains the timing.

Every body-clock flag must also speak formally in Dutch ("u", never "je/jij/jou/jouw")
and name its evidence: dates or a count of nights in its text, and evidence with a date
(or a period in its text); Dutch evidence texts carry no English choice codes (the web page
shows them).

A top-level ``diary_lang: en`` marks a diary whose notes are written in English.
Known product failures are listed in :data:`XFAIL` (strict, so a fix shows up).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from independent_cases import LANGS, check, diary_of
from test_independent_cases2 import EXPECT_KEYS, PLAN_IDS

from nachtwacht.diary.types import Diary
from nachtwacht.triage import LEVELS, TriageResult, assess

CASES_DIR = Path(__file__).parent / "cases_independent_clock"
CASES: list[tuple[str, dict[str, Any]]] = [
    (p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
    for p in sorted(CASES_DIR.glob("*.yaml"))
]

#: Flag-code regexes per body-clock family. ``late``/``early`` need a phase/clock word next
#: to them so trigger codes such as a late-caffeine or early-waking (insomnia) flag do not count.
FAMILY_RE: dict[str, str] = {
    "late": r"delay|late\w*(phase|clock|rhythm|chrono|sleep)",
    "early": r"advance|early\w*(phase|clock|rhythm|chrono|sleep)",
    "irregular": r"irregular|regularity|variab",
    "shift": r"shift",
}
CLOCK_VALUES = {*FAMILY_RE, "none"}
INFORMAL_NL = re.compile(r"\b(je|jij|jou|jouw)\b", re.IGNORECASE)
_MONTHS = (r"jan|feb|mrt|maart|apr|mei|jun|jul|aug|sep|okt|oct|nov|dec|march|may|june|july"
           r"|january|february|april|august|september|october|november|december")
#: A date ("3 februari", "3 feb", "2026-02-03", "3-2", "Feb 3") or a count of nights/days/shifts.
EVIDENCE_RE = re.compile(
    rf"\b\d{{1,2}}\s*({_MONTHS})|\b({_MONTHS})\w*\.?\s+\d{{1,2}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    r"|\b\d{1,2}[-/]\d{1,2}\b"
    r"|\b\d+\s+(\w+\s+){0,4}(nacht|nachten|dagen|diensten|nights?|days|shifts)\b",
    re.IGNORECASE,
)

#: The shift field's English choice codes, which must not show in Dutch text.
SHIFT_CODES_RE = re.compile(r"\b(day|evening|night|none)\b")

#: name -> reason; each listed case is expected to fail until the product is fixed.
XFAIL: dict[str, str] = {
    # All nine failures of the first run are fixed in the product (triage/phase.py, the
    # shift rules, choice labels in evidence, sleeping_pill_long_term); none is open.
}


def _family_codes(result: TriageResult, family: str) -> list[str]:
    return [f.code for f in result.flags if re.search(FAMILY_RE[family], f.code, re.IGNORECASE)]


def _is_shift_worker(diary: Diary) -> bool:
    worked = {n.shift for n in diary.nights} - {None, "none"}
    return bool(diary.profile.shift_work) or bool(worked)


def clock_problems(case: dict[str, Any], diary: Diary, lang: str) -> list[str]:
    """Problems with the body-clock findings for one case in one language."""
    expected = case["expect"]["clock_flag"]
    result = assess(diary, lang=lang)
    codes = [f.code for f in result.flags]
    found = {fam: _family_codes(result, fam) for fam in FAMILY_RE}
    problems: list[str] = []
    if expected == "none":
        bad = [c for cs in found.values() for c in cs]
        if bad:
            problems.append(f"body-clock flag(s) {bad} where none is expected (flags {codes})")
    elif not found[expected]:
        problems.append(f"no {expected!r} flag (regex {FAMILY_RE[expected]!r}; flags {codes})")
    if _is_shift_worker(diary) and (found["late"] or found["early"]):
        problems.append(f"shift worker given a phase flag {found['late'] + found['early']}")
    for flag in result.flags:
        if not any(flag.code in cs for cs in found.values()):
            continue
        if lang == "nl" and INFORMAL_NL.search(flag.text):
            problems.append(f"{flag.code}: informal Dutch {INFORMAL_NL.search(flag.text)[0]!r}")
        if not EVIDENCE_RE.search(flag.text):
            problems.append(f"{flag.code}: text names no nights or dates: {flag.text!r}")
        # A finding over a period carries its dates in its text ("2 feb–1 mrt: ...").
        if not any(e.date or EVIDENCE_RE.search(e.text or "") for e in flag.evidence):
            problems.append(f"{flag.code}: no dated evidence ({len(flag.evidence)} items)")
        if lang == "nl":
            # The web page lists each evidence text under "Waarop is dit gebaseerd".
            codes_en = [e.text for e in flag.evidence if SHIFT_CODES_RE.search(e.text or "")]
            if codes_en:
                problems.append(f"{flag.code}: English codes in Dutch evidence {codes_en[:3]}")
    return problems


def test_case_set_is_broad_enough() -> None:
    assert len(CASES) >= 24
    by_flag = {v: [n for n, c in CASES if c["expect"]["clock_flag"] == v] for v in CLOCK_VALUES}
    assert all(len(v) >= 2 for v in by_flag.values()), by_flag
    assert len([n for n, c in CASES if c.get("diary_lang") == "en"]) >= 3
    for name, case in CASES:
        expect = case["expect"]
        assert case.get("description"), name
        assert expect.get("clock_flag") in CLOCK_VALUES, name
        assert set(expect) <= EXPECT_KEYS | {"clock_flag"}, (name, set(expect) - EXPECT_KEYS)
        lo, hi = expect.get("level_min", LEVELS[0]), expect.get("level_max", LEVELS[-1])
        assert LEVELS.index(lo) <= LEVELS.index(hi), name
        # Body-clock trouble alone never needs more than a GP visit soon.
        if not (case["profile"].get("drowsy_driving")):
            assert LEVELS.index(hi) <= LEVELS.index("gp_soon"), name
        assert set(expect.get("forbid_plan", [])) <= PLAN_IDS, name
        diary_of(case)


@pytest.mark.parametrize(
    ("name", "case"),
    [pytest.param(n, c, id=n, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[n])]
                  if n in XFAIL else []) for n, c in CASES],
)
def test_independent_clock_case(name: str, case: dict[str, Any]) -> None:
    diary = diary_of(case)
    problems = {lang: check(name, case, diary, lang) + clock_problems(case, diary, lang)
                for lang in LANGS}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{name}: {problems}"
