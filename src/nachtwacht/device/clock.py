"""Body-clock rules on device nights: the triage's own rules, fed with device times.

The rules in ``triage/rules/body_clock.yaml`` read diary clock times. A device knows
those times too, so its nights are turned into diary-shaped nights (the same drafts the
person is offered, with times only) and the triage is asked about them; only the
body-clock flags are kept. One rule set for both sources, so device and diary can never
disagree on what "a late sleep phase" means.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..diary.types import Diary, Profile
from .nights import draft_nights
from .types import DeviceNight

CONDITION = "body-clock"


def body_clock_flags(nights: Sequence[DeviceNight], profile: Profile | None = None,
                     lang: str = "nl", tz: str = "Europe/Amsterdam") -> list[Any]:
    """Body-clock flags (late/early phase, irregular, shift work) from device nights.

    ``profile`` matters for shift work (a shift worker gets no phase or regularity
    flag). Returns :class:`nachtwacht.triage.types.Flag` objects, evidence with dates.
    """
    from ..triage import assess

    shaped = draft_nights([], nights)
    if not shaped:
        return []
    diary = Diary(nights=tuple(shaped), profile=profile or Profile(), tz=tz)
    result = assess(diary, lang=lang, use_insight=False)
    return [f for f in result.flags if f.condition == CONDITION]
