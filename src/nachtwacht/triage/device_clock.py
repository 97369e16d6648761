"""Body-clock flags from device nights, inside one triage of the diary (issue #17).

:func:`nachtwacht.device.clock.body_clock_flags` shows the body-clock flags beside the
device data. The advice page and the GP report need them *in* the triage, so that the
plan items they trigger (``morning_light``, ``evening_light``, ...) follow, and so that
those plan items are checked against the person's real diary (bipolar disorder, shift
work: the contraindications are evaluated on the diary, never on the device nights).

The same rules read the device times: device nights are shaped as diary nights (times
only, as the drafts the person is offered), with the diary's own ``shift`` answer copied
to the same date, and the diary's other shift answers kept as time-less nights, so a
worker of evening or night shifts is kept out of the phase rules as in the diary. "Now"
for ``within_days`` is the later of the diary's last day and the device's, so old device
data cannot raise a flag about today. A rule the diary already fired keeps the diary's
flag (the diary stays the person's own record); a device flag opens with where it comes
from ("Volgens uw horloge: ...").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from nachtwacht.diary.types import Diary, Night

from .conditions import evaluate
from .facts import Facts
from .loader import Rule
from .plan import fill
from .types import Flag

#: The rules that may fire from device nights.
CONDITION = "body-clock"
#: Opens a device flag's text, so even its first sentence (all the GP report shows of a
#: self-care flag) says where it comes from; appended to its "tell the GP" line.
NOTE = {"nl": "Volgens uw {device}: ", "en": "According to your {device}: "}
GP_NOTE = {"nl": "(gemeten met {device})", "en": "(measured with {device})"}


def device_flags(facts: Facts, rules: Iterable[Rule], device_nights: Sequence[Any],
                 lang: str) -> list[tuple[Flag, dict[str, Any]]]:
    """Body-clock flags (with the numbers their texts used) from ``device_nights``.

    ``facts`` are the diary's facts (for its shift answers, profile and "now").
    """
    from nachtwacht.device.nights import draft_nights
    from nachtwacht.insight.outcomes import device_word

    shift = {n.date: n.shift for n in facts.nights if n.shift is not None}
    shaped = [replace(n, shift=shift.get(n.date)) for n in draft_nights([], device_nights)]
    if not shaped:
        return []
    have = {n.date for n in shaped}
    shaped += [Night(date=d, shift=s) for d, s in shift.items() if d not in have]
    diary = facts.diary
    dev = Facts(Diary(nights=tuple(shaped), profile=diary.profile, tz=diary.tz), lang=lang,
                use_insight=False, vocabulary=_vocabulary())
    if facts.ref_date is not None and dev.ref_date is not None:
        dev.ref_date = max(dev.ref_date, facts.ref_date)
    word = device_word([str(s) for n in device_nights if (s := getattr(n, "source", None))])
    name = word[0] if lang == "nl" else word[1]
    out = []
    for rule in rules:
        if rule.condition != CONDITION:
            continue
        match = evaluate(rule.when, dev)
        if not match.ok:
            continue
        text = NOTE[lang].format(device=name) + _lower_first(fill(rule.text[lang], match.stats))
        tell = f"{fill(rule.tell_gp[lang], match.stats)} {GP_NOTE[lang].format(device=name)}"
        out.append((Flag(rule.code, rule.level, rule.condition, tuple(match.evidence), text, tell,
                         rule.audience), match.stats))
    return out


def _lower_first(text: str) -> str:
    # "U gaat ..." -> "u gaat ..." after the opening (formal "u" stays "u"); an acronym stays.
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _vocabulary() -> Any:
    from .loader import load_vocabulary

    return load_vocabulary()
