"""Loader and checks for the independent, clinician-written triage cases (issue #11).

The cases in ``cases_independent/`` were written by a reviewer who did not read the
triage rules, from clinical knowledge (NHG-style Dutch GP practice, sleep medicine,
the source articles). The diary part uses the format of :func:`triage_cases.build_diary`;
the ``expect`` block says what a clinician accepts:

level_min, level_max     the accepted range of advice levels (both languages).
forbid_plan              plan item ids that would be contraindicated for this person.
must_mention_nl/_en      substrings (case-insensitive) that must occur in the user-facing
                         text in that language; ``re:<regex>`` for a regular expression.
must_not_say_nl/_en      substrings or ``re:`` regexes that must not occur in the user-facing
                         text nor in the GP report's text in that language.
partner_route            true when a route addressed to the bed partner is needed.
forbid_flag_re           a regex no flag code may match (e.g. an injury flag after "no injury").
numbers_nl/_en           ``[{re, allowed}]``: every match of ``re`` (one group, a number) in the
                         user-facing text must be one of ``allowed`` (checks counts in reasons).

"User-facing text" is everything a person reads in the triage result: the notice, each
flag's text and ``tell_gp`` plus any routes attached to a flag or to the result, the
differential hints, and each plan item's title, why, steps and reasons. The GP report is
built with :func:`nachtwacht.report.data.build` (private notes left out, as by default)
and rendered to HTML by :func:`nachtwacht.report.render.render_html`; its visible text is
what ``must_not_say`` is also checked against.
"""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from triage_cases import build_diary

from nachtwacht.diary.types import Diary
from nachtwacht.triage import LEVELS, TriageResult, assess
from nachtwacht.triage.types import level_rank

CASES_DIR = Path(__file__).parent / "cases_independent"
LANGS = ("nl", "en")
#: Keys of a route object (attribute or dict key) that say whom it addresses.
AUDIENCE_KEYS = ("audience", "addressee", "to", "for_", "for", "target", "who")


def load_independent_cases() -> list[tuple[str, dict[str, Any]]]:
    """All independent case files as ``(name, mapping)``, sorted by file name."""
    return [(p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
            for p in sorted(CASES_DIR.glob("*.yaml"))]


CASES = load_independent_cases()


def diary_of(case: dict[str, Any]) -> Diary:
    """Build the case's diary (the ``expect`` and ``description`` keys are ignored)."""
    return build_diary(case)


def _strings(obj: Any) -> list[str]:
    """Every string inside ``obj`` (dataclasses, mappings, sequences), depth first."""
    if isinstance(obj, str):
        return [obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list | tuple | set | frozenset):
        return [s for v in obj for s in _strings(v)]
    return []


def _routes(obj: Any) -> list[Any]:
    """Routes attached to a flag or result, whatever the attribute is called."""
    out: list[Any] = []
    for name in ("routes", "route", "referrals", "contacts"):
        val = getattr(obj, name, None)
        if val is None and isinstance(obj, dict):
            val = obj.get(name)
        if val:
            out.extend(val if isinstance(val, list | tuple) else [val])
    return out


def user_text(result: TriageResult) -> str:
    """Join everything the person reads in ``result`` into one string (see module doc)."""
    parts: list[str] = [result.notice or ""]
    for f in result.flags:
        parts += [f.text, f.tell_gp]
        parts += [s for r in _routes(f) for s in _strings(r)]
    parts += [s for r in _routes(result) for s in _strings(r)]
    for d in result.differentials:
        parts += [d.title, d.text, d.tell_gp]
    for p in result.plan:
        parts += [p.title, p.why, *p.steps, *p.reasons]
    return "\n".join(x for x in parts if x)


class _TextOnly(HTMLParser):
    """Collect the visible text of an HTML document (no style, script or svg)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("style", "script", "svg"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def report_text(diary: Diary, result: TriageResult, lang: str) -> str:
    """The visible text of the GP report for ``diary`` built on ``result``."""
    from nachtwacht.report.data import build
    from nachtwacht.report.render import render_html

    data = build(diary, lang=lang, triage=result)
    page = render_html(data, figures=False, embed_fonts=False)
    parser = _TextOnly()
    parser.feed(page)
    return html.unescape(" ".join(" ".join(parser.out).split()))


def found(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (a substring, or ``re:<regex>``) occurs in ``text``, ignoring case."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], text, flags=re.IGNORECASE) is not None
    return pattern.lower() in text.lower()


def _audience(obj: Any) -> str:
    for key in AUDIENCE_KEYS:
        val = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
        if isinstance(val, str) and val:
            return val.lower()
    return ""


def has_partner_route(result: TriageResult) -> bool:
    """A flag or route addressed to the bed partner.

    Either explicitly (an ``audience``-like field equal to ``partner``), or a flag or
    route whose own text speaks of the partner and gives a 0800 help-line number.
    """
    items: list[Any] = [*result.flags, *_routes(result)]
    items += [r for f in result.flags for r in _routes(f)]
    for it in items:
        if _audience(it) == "partner":
            return True
        text = " ".join(_strings(it))
        if re.search(r"partner", text, re.I) and re.search(r"0800-?\d{4}", text):
            return True
    return False


def check(name: str, case: dict[str, Any], diary: Diary, lang: str) -> list[str]:
    """Return the problems with the product's output for one case in one language."""
    expect = case["expect"]
    result = assess(diary, lang=lang)
    problems: list[str] = []
    codes = [f.code for f in result.flags]
    lo, hi = expect.get("level_min", LEVELS[0]), expect.get("level_max", LEVELS[-1])
    if not level_rank(lo) <= level_rank(result.level) <= level_rank(hi):
        problems.append(f"level {result.level} not in [{lo}, {hi}] (flags {codes})")
    plan_ids = [p.code for p in result.plan]
    for pid in expect.get("forbid_plan", []):
        if pid in plan_ids:
            problems.append(f"forbidden plan item {pid!r} offered (plan {plan_ids})")
    text = user_text(result)
    for pat in expect.get(f"must_mention_{lang}", []):
        if not found(pat, text):
            problems.append(f"missing mention {pat!r}")
    forbidden = expect.get(f"must_not_say_{lang}", [])
    if lang == "nl":
        # Issue #11 class 10: no English codes in Dutch output.
        forbidden = [*forbidden, *(f"re:\\b{c}\\b" for c in LEVELS if "_" in c),
                     *(f"re:\\b{c}\\b" for c in {*codes, *plan_ids} if "_" in c)]
    for pat in forbidden:
        if found(pat, text):
            problems.append(f"says {pat!r} in the triage text")
    if expect.get(f"must_not_say_{lang}"):
        rep = report_text(diary, result, lang)
        for pat in expect.get(f"must_not_say_{lang}", []):
            if found(pat, rep):
                problems.append(f"says {pat!r} in the GP report")
    if expect.get("forbid_flag_re"):
        bad = [c for c in codes if re.search(expect["forbid_flag_re"], c, re.I)]
        if bad:
            problems.append(f"flag(s) {bad} should not fire")
    if expect.get("partner_route") and not has_partner_route(result):
        problems.append("no route addressed to the partner")
    for spec in expect.get(f"numbers_{lang}", []):
        for m in re.finditer(spec["re"], text, flags=re.IGNORECASE):
            if int(m.group(1)) not in spec["allowed"]:
                problems.append(f"wrong number {m.group(0)!r} (allowed {spec['allowed']})")
    problems += _number_sanity(text, len(diary.nights))
    return problems


def _number_sanity(text: str, n_nights: int) -> list[str]:
    """Counts that cannot be right: "X of Y nights" with X > Y or Y > nights kept, or > 100 %."""
    out = []
    for m in re.finditer(r"(\d+) (?:van de|of(?: the)?|out of) (\d+) (?:nachten|nights)", text, re.I):
        x, y = int(m.group(1)), int(m.group(2))
        if x > y or y > n_nights:
            out.append(f"impossible count {m.group(0)!r} ({n_nights} nights in the diary)")
    for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s?%", text):
        if float(m.group(1).replace(",", ".")) > 100:
            out.append(f"impossible percentage {m.group(0)!r}")
    return out
