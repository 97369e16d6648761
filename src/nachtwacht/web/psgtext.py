"""Sleep-study results in the reader's language (issue #14: no English machine text).

The PSG pipeline writes stable codes next to English notes for developers: detector
names (``leg_movements``), skip codes (``missing_channel: ...``) and warnings. This
module turns what a person sees into translated text. A note that is not known here
(new pipeline wording) is still shown, but marked as English technical detail.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

DETECTORS = {
    "arousal": _("Short awakenings (arousals)"),
    "bruxism": _("Teeth grinding and clenching (bruxism)"),
    "desaturation": _("Drops in blood oxygen"),
    "leg_movements": _("Leg movements"),
    "respiratory": _("Breathing pauses (apnoea and hypopnoea)"),
    "rswa": _("Muscle tension during dream sleep (RSWA)"),
    "sleep_starts": _("Jerks while falling asleep"),
    "staging": _("Sleep stages"),
    "detectors": _("Other measurements"),
}

SKIP_REASONS = {
    "missing_channel": _("the file does not hold the signal this needs"),
    "flat_channel": _("the signal this needs is flat (no measurement)"),
    "clipped_channel": _("the signal this needs is mostly at its limit (overloaded)"),
    "low_sampling_rate": _("the signal this needs was recorded too coarsely"),
    "no_sleep": _("the recording holds no sleep"),
    "no_rem": _("the recording holds no dream sleep (REM)"),
    "too_short": _("the recording is too short"),
    "error": _("the analysis of this part failed"),
}

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
    label = DETECTORS.get(code)
    return str(label) if label else code.replace("_", " ").capitalize()


def skipped(items: dict[str, Any]) -> list[dict[str, str]]:
    """``{name: "code: reason"}`` -> ``[{label, reason, detail}]``; ``detail`` is English."""
    out = []
    for name, text in sorted(items.items()):
        text = text if isinstance(text, str) else ", ".join(map(str, text)) if isinstance(
            text, list | tuple | dict) else str(text)
        code, _sep, rest = text.partition(": ")
        reason = SKIP_REASONS.get(code)
        out.append({"label": detector_label(name),
                    "reason": str(reason) if reason else str(_("not analysed")),
                    "detail": rest if reason else text})
    return out


def warning(text: str) -> tuple[str, bool]:
    """A pipeline warning as (text, translated); untranslated text stays English."""
    for pattern, template in _WARNINGS:
        m = pattern.match(text)
        if m:
            return str(template) % m.groupdict(), True
    return text, False
