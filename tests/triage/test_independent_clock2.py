"""Second independent round of body-clock cases (issue #17 item 4).

The people in ``cases_independent_clock2/`` were written from sleep medicine (ICSD-3
circadian rhythm sleep-wake disorders, the AASM 2015 guideline, shift work disorder)
by a reviewer who read neither the body-clock rules nor the first round's cases, and
before the product was run on them. Each case file has the diary format of
:func:`triage_cases.build_diary`, the ``expect`` block of ``independent_cases`` and a
``clock_flag`` key: the body-clock finding a sleep physician expects
(``late``, ``early``, ``irregular``, ``shift`` or ``none``).

Flag codes are matched by family, not by exact name: a flag belongs to the body clock
when its code matches :data:`CLOCK_RE` and one of the :data:`FAMILY_RE` patterns
(``late|delay``, ``early|advance``, ``irregular``, ``shift``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import independent_cases
import pytest
import yaml
from independent_cases import LANGS, check, diary_of
from test_independent_cases2 import EXPECT_KEYS, PLAN_IDS

from nachtwacht.triage import LEVELS, TriageResult, assess

CASES_DIR = Path(__file__).parent / "cases_independent_clock2"
CASES: list[tuple[str, dict[str, Any]]] = [
    (p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
    for p in sorted(CASES_DIR.glob("*.yaml"))
]

#: A body-clock flag code names the clock, a phase, a rhythm, shifts or irregularity.
CLOCK_RE = r"phase|clock|circadian|chrono|rhythm|shift|irregular|delay|advance|late_sleep|early_sleep"
#: The families a ``clock_flag`` expectation names (regexes on flag codes).
FAMILY_RE = {
    "late": r"late|delay",
    "early": r"early|advance",
    "irregular": r"irregular",
    "shift": r"shift",
}
#: Informal Dutch address; the product speaks to people with the formal "u".
INFORMAL_NL = r"\b(je|jij|jou|jouw|jullie)\b"
MONTHS_NL = r"(jan|feb|mrt|maart|apr|mei|jun|jul|aug|sep|okt|nov|dec)"
MONTHS_EN = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
#: A flag names its evidence: a date (ISO, "3 februari", "3-2", a weekday) or a count of nights.
EVIDENCE_RE = {
    "nl": rf"\d{{4}}-\d{{2}}-\d{{2}}|\b\d{{1,2}} {MONTHS_NL}|\b\d{{1,2}}[-/]\d{{1,2}}\b"
          r"|(maan|dins|woens|donder|vrij|zater|zon)dag|\b\d+ (van de \d+ )?nacht(en)?\b",
    "en": rf"\d{{4}}-\d{{2}}-\d{{2}}|\b\d{{1,2}} {MONTHS_EN}|\b{MONTHS_EN}[a-z]* \d{{1,2}}\b"
          r"|\b\d{1,2}[-/]\d{1,2}\b|(mon|tues|wednes|thurs|fri|satur|sun)day|\b\d+ (of(?: the)? \d+ )?nights?\b",
}

#: Cases the product fails today (name -> what is wrong); strict, so a fix shows up.
XFAIL: dict[str, str] = {
    # c06 (alarm every day) and c29 (shift advice for a bipolar disorder) were fixed in the
    # product after this round (phase.py onset_alone; 'instead' per contraindication).
    # Left open on purpose: the diary cannot tell that the late hours are a night job
    # when the person answered "no shift work"; her notes name the bar, which the body-
    # clock rules do not read. Two reviewers judged content very late sleepers
    # differently (first round c01: a late clock; this one: none), so no complaint rule.
    "c16_bar_night_job_profile_no_shift": (
        "late_sleep_phase (and a morning_light plan to move the clock earlier) for a bartender who sleeps "
        "03:00-11:00 after closing time, sleeps well and has no complaint"),
}


def clock_codes(codes: list[str], family: str | None = None) -> list[str]:
    """The body-clock flag codes among ``codes`` (of one ``family``, or of any)."""
    fams = [family] if family else list(FAMILY_RE)
    return [c for c in codes if re.search(CLOCK_RE, c, re.I)
            and any(re.search(FAMILY_RE[f], c, re.I) for f in fams)]


def works_shifts(case: dict[str, Any]) -> bool:
    """Whether the case's person works shifts (profile answer or any night's shift)."""
    if case.get("profile", {}).get("shift_work"):
        return True
    rows = [case.get("defaults", {}), *case.get("nights", []),
            *(r["values"] for r in case.get("every", []))]
    return any(r.get("shift") not in (None, "none") for r in rows)


def clock_problems(case: dict[str, Any], result: TriageResult, lang: str) -> list[str]:
    """What is wrong with the body-clock flags of ``result`` for this case."""
    want = case["clock_flag"]
    codes = [f.code for f in result.flags]
    out: list[str] = []
    if want == "none":
        if clock_codes(codes):
            out.append(f"body-clock flag(s) {clock_codes(codes)} for a person without one")
    elif not clock_codes(codes, want):
        out.append(f"no {want!r} body-clock flag (flags {codes})")
    wrong = {"late": ["early"], "early": ["late"], "shift": ["late", "early"]}.get(want, [])
    for fam in wrong:
        if clock_codes(codes, fam):
            out.append(f"{fam!r} flag(s) {clock_codes(codes, fam)} for a {want!r} person")
    if not works_shifts(case):
        # Added after the first run (c29 showed it): shift advice for someone without shifts.
        shift_plan = [p.code for p in result.plan if re.search(r"shift", p.code, re.I)]
        if shift_plan:
            out.append(f"shift-work plan item(s) {shift_plan} for a person without shifts")
    for f in result.flags:
        if f.code not in clock_codes(codes):
            continue
        text = f"{f.text}\n{f.tell_gp}"
        if lang == "nl" and re.search(INFORMAL_NL, text, re.I):
            out.append(f"{f.code}: informal address in {text!r}")
        if not re.search(EVIDENCE_RE[lang], f.text, re.I):
            out.append(f"{f.code}: text names no evidence night or date: {f.text!r}")
    return out


def test_case_set_is_broad_enough() -> None:
    assert len(CASES) >= 18
    fams = [c["clock_flag"] for _, c in CASES]
    for fam in ("late", "early", "shift", "irregular", "none"):
        assert fams.count(fam) >= 2, fam
    assert sum(n.endswith("_en") for n, _ in CASES) >= 3
    for name, case in CASES:
        expect = case["expect"]
        assert case.get("description"), name
        assert case["clock_flag"] in (*FAMILY_RE, "none"), name
        assert set(expect) <= EXPECT_KEYS, (name, set(expect) - EXPECT_KEYS)
        lo, hi = expect.get("level_min", LEVELS[0]), expect.get("level_max", LEVELS[-1])
        assert LEVELS.index(lo) <= LEVELS.index(hi), name
        if not case.get("profile", {}).get("drowsy_driving"):
            # A body-clock matter alone is self-care or GP-soon at most.
            assert LEVELS.index(hi) <= LEVELS.index("gp_soon"), name
        assert set(expect.get("forbid_plan", [])) <= PLAN_IDS, name
        diary_of(case)
    assert not set(XFAIL) - {n for n, _ in CASES}


def _params() -> list[Any]:
    return [pytest.param(n, c, id=n, marks=[pytest.mark.xfail(strict=True, reason=XFAIL[n])]
                         if n in XFAIL else []) for n, c in CASES]


@pytest.mark.parametrize(("name", "case"), _params())
def test_independent_clock_case2(name: str, case: dict[str, Any],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    diary = diary_of(case)
    results = {lang: assess(diary, lang=lang) for lang in LANGS}
    real = independent_cases.assess

    def cached(d: Any, *args: Any, lang: str = "nl", **kw: Any) -> TriageResult:
        # check() assesses the same diary again; reuse the result (keeps the test fast).
        return results[lang] if d is diary and not args and not kw else real(d, *args, lang=lang, **kw)

    monkeypatch.setattr(independent_cases, "assess", cached)
    problems = {lang: check(name, case, diary, lang) + clock_problems(case, results[lang], lang)
                for lang in LANGS}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{name}: {problems}"
