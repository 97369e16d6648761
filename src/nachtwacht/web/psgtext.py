"""Sleep-study results in the reader's language (issue #14: no English machine text).

The PSG pipeline writes stable codes next to English notes for developers: detector
names (``leg_movements``), skip codes (``missing_channel: ...``) and warnings. This
module turns what a person sees into translated text. A note that is not known here
(new pipeline wording) is still shown, but marked as English technical detail.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nachtwacht.psg import labels


def _lang() -> str:
    # Detector names and skip reasons live in the core (the GP report needs them too).
    return "en" if (get_language() or "nl").startswith("en") else "nl"


STATUS = {
    "queued": _("Waiting"), "running": _("Being analysed"), "done": _("Finished"),
    "failed": _("Failed"), "unavailable": _("Not available on this server"),
}

#: Known warning wordings (English, from the pipeline) -> translated template.
_WARNINGS = (
    (re.compile(r"^(?P<name>.+?): not used \((?P<why>.*)\)$"), _("Channel %(name)s: not used")),
    (re.compile(r"^channels with unknown role \(ignored\): (?P<names>.*)$"),
     _("Channels this analysis does not know (left out): %(names)s")),
    (re.compile(r"^sleep stages taken from the technician's scoring in the EDF\+ file$"),
     _("The sleep stages come from the scoring by the sleep technician in the file.")),
    (re.compile(r"^no event detectors are installed$"),
     _("No event analyses are installed on this server.")),
)


def detector_label(code: str) -> str:
    """A detector or step named for a person."""
    return labels.detector_label(code, _lang())


def skipped(items: dict[str, Any]) -> list[dict[str, str]]:
    """``{name: "code: reason"}`` -> ``[{label, reason, detail}]``; ``detail`` is English."""
    out = []
    for name, text in sorted(items.items()):
        reason, detail = labels.skip_reason(text, _lang())
        out.append({"label": detector_label(name), "reason": reason, "detail": detail})
    return out


def warning(text: str) -> tuple[str, bool]:
    """A pipeline warning as (text, translated); untranslated text stays English."""
    for pattern, template in _WARNINGS:
        m = pattern.match(text)
        if m:
            return str(template) % m.groupdict(), True
    return text, False
