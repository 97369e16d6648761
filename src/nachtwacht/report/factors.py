"""Compact report phrasing of one trigger-analysis finding.

The analysis writes full sentences for the sleeper ("Als we ook het toeval
meewegen, schatten we ..."). A GP reads a table: factor → outcome, the raw counts
with and without the factor, the estimate and on how many nights it rests (issue
#12). This module builds those short cells from the finding's numbers; only the
outcome's name is taken from the finding's own text, so it matches the analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .strings import num, t

# The outcome name sits between "<prefix>: " and the counts (see insight/describe.py).
_LABEL = {
    "nl": re.compile(r"^(?P<label>.+?) (?:in \d+ van de \d+ nachten|meestal )"),
    "en": re.compile(r"^(?P<label>.+?) (?:on \d+ of \d+ nights|typically )"),
}
_TYPICAL = {
    "nl": re.compile(r"meestal (?P<x>.+?); anders (?P<y>.+?) \("),
    "en": re.compile(r"typically (?P<x>.+?); otherwise (?P<y>.+?) \("),
}


@dataclass
class FactorCells:
    """The cells of one factor row; ``counts`` empty when the text was not understood."""

    factor: str
    outcome: str
    counts: str
    estimate: str
    rests_on: str
    together: bool


def _split(text: str, prefix: str) -> tuple[str, str]:
    if prefix and text.startswith(prefix + ": "):
        return prefix, text[len(prefix) + 2:]
    head, _sep, body = text.partition(": ")
    return head, body


def cells(f: Any, lang: str, effect_text: str) -> FactorCells:
    """Short table cells for finding ``f`` (an insight ``Finding``) in ``lang``."""
    text = (f.text_en if lang == "en" else f.text_nl) or ""
    factor, body = _split(text, getattr(f, "exposed_label", "") or "")
    m = _LABEL["en" if lang == "en" else "nl"].match(body)
    outcome = m.group("label") if m else ""
    n1, n0 = getattr(f, "n_exposed", None), getattr(f, "n_unexposed", None)
    a, c = getattr(f, "events_exposed", None), getattr(f, "events_unexposed", None)
    eff = getattr(f, "effect", None) or {}
    counts = estimate = ""
    if None not in (a, c, n1, n0):
        counts = t("fx_counts", lang, a=a, n1=n1, c=c, n0=n0)
        r1, r0 = eff.get("risk_exposed"), eff.get("risk_unexposed")
        if isinstance(r1, float) and isinstance(r0, float):
            estimate = t("fx_risks", lang, r1=num(100 * r1, lang, 0), r0=num(100 * r0, lang, 0))
    elif n1 is not None and n0 is not None:
        mt = _TYPICAL["en" if lang == "en" else "nl"].search(body)
        if mt:
            counts = t("fx_typical", lang, x=mt.group("x"), y=mt.group("y"), n1=n1, n0=n0)
        estimate = t("fx_difference", lang)
    n = getattr(f, "n_nights", 0) or ((n1 or 0) + (n0 or 0))
    together = getattr(f, "observed_by", "") == "together_nights"
    rests = t("fx_rests_together" if together else "fx_rests", lang, n=n)
    estimate = f"{estimate}: {effect_text}" if estimate else effect_text
    return FactorCells(factor=factor, outcome=outcome, counts=counts, estimate=estimate,
                       rests_on=rests, together=together)
