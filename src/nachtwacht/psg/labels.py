"""Sleep-study codes in the reader's language: detector names and skip reasons.

The pipeline writes stable codes next to English notes for developers: detector
names (``leg_movements``) and skip reasons (``"missing_channel: no SpO2 channel"``).
People must never read those (issue #14). This table is the one place that turns
them into Dutch and English words; the GP report (core, no Django) and the web
pages (:mod:`nachtwacht.web.psgtext`) both read it, so they always agree.
"""

from __future__ import annotations

from typing import Any

#: Detector or step code -> (Dutch, English) name.
DETECTORS: dict[str, tuple[str, str]] = {
    "arousal": ("Korte ontwakingen (arousals)", "Short awakenings (arousals)"),
    "bruxism": ("Tandenknarsen en klemmen (bruxisme)", "Teeth grinding and clenching (bruxism)"),
    "desaturation": ("Dalingen van het zuurstofgehalte in het bloed", "Drops in blood oxygen"),
    "leg_movements": ("Beenbewegingen", "Leg movements"),
    "respiratory": ("Ademstops en ondiepe ademhaling (apneu en hypopneu)",
                    "Breathing pauses (apnoea and hypopnoea)"),
    "rswa": ("Spierspanning tijdens de droomslaap (RSWA)",
             "Muscle tension during dream sleep (RSWA)"),
    "sleep_starts": ("Schokken bij het inslapen", "Jerks while falling asleep"),
    "staging": ("Slaapstadia", "Sleep stages"),
    "detectors": ("Andere metingen", "Other measurements"),
}

#: Skip code (the text before ``": "``) -> (Dutch, English) reason.
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "missing_channel": ("het bestand bevat het signaal niet dat hiervoor nodig is",
                        "the file does not hold the signal this needs"),
    "flat_channel": ("het signaal dat hiervoor nodig is, is vlak (er is niets gemeten)",
                     "the signal this needs is flat (no measurement)"),
    "clipped_channel": ("het signaal dat hiervoor nodig is, zit meestal tegen de grens "
                        "(overstuurd)",
                        "the signal this needs is mostly at its limit (overloaded)"),
    "low_sampling_rate": ("het signaal dat hiervoor nodig is, is te grof opgenomen",
                          "the signal this needs was recorded too coarsely"),
    "no_sleep": ("in de opname zit geen slaap", "the recording holds no sleep"),
    "no_rem": ("in de opname zit geen droomslaap (REM)",
               "the recording holds no dream sleep (REM)"),
    "too_short": ("de opname is te kort", "the recording is too short"),
    "error": ("de analyse van dit onderdeel is mislukt", "the analysis of this part failed"),
}

#: Said when a skip code is not in the table (new pipeline wording).
NOT_ANALYSED = ("niet geanalyseerd", "not analysed")
#: Said for a detector code not in the table, so no code reaches a Dutch reader.
OTHER_DETECTOR = ("Andere meting", "Other measurement")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def detector_label(code: str, lang: str = "nl") -> str:
    """A detector or step named for a person; unknown codes get a generic name."""
    pair = DETECTORS.get(code)
    if pair:
        return _pick(pair, lang)
    # In English the code itself is readable enough; in Dutch it would be English.
    return code.replace("_", " ").capitalize() if lang == "en" else _pick(OTHER_DETECTOR, lang)


def skip_reason(text: Any, lang: str = "nl") -> tuple[str, str]:
    """``"code: developer note"`` -> (reason in ``lang``, English developer detail).

    The detail is empty when the code is known (the reason says it all); otherwise it
    holds the whole English note, for screens that show it marked as technical.
    """
    if isinstance(text, list | tuple):
        text = ", ".join(map(str, text))
    elif isinstance(text, dict):
        text = ", ".join(f"{k}: {v}" for k, v in text.items())
    text = "" if text is None else str(text)
    code, _sep, rest = text.partition(": ")
    pair = SKIP_REASONS.get(code.strip())
    if pair:
        return _pick(pair, lang), rest
    return _pick(NOT_ANALYSED, lang), text
