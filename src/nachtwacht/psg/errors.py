"""Errors of the sleep-study analysis, each with a Dutch and an English message.

Every error says what is wrong and what can still be done (the ``hint``), so the
CLI and web app can show it without a traceback.
"""

from __future__ import annotations


class PSGError(Exception):
    """Base class: ``code`` is stable, ``nl``/``en`` are (message, hint) pairs."""

    code = "psg_error"

    def __init__(self, nl: tuple[str, str], en: tuple[str, str], **details: object) -> None:
        self.nl = nl
        self.en = en
        self.details = details
        super().__init__(f"{en[0]} {en[1]}".strip())

    @property
    def message(self) -> str:
        return self.en[0]

    @property
    def hint(self) -> str:
        return self.en[1]

    def text(self, lang: str = "nl") -> str:
        """Message plus hint in ``lang`` ("nl" or "en")."""
        msg, hint = self.nl if lang == "nl" else self.en
        return f"{msg} {hint}".strip()


class UnreadableFile(PSGError):  # noqa: N818 (names agreed in the design)
    code = "unreadable_file"


class TruncatedFile(PSGError):  # noqa: N818 (names agreed in the design)
    code = "truncated_file"


class NoEEG(PSGError):  # noqa: N818 (names agreed in the design)
    code = "no_eeg"


class TooShort(PSGError):  # noqa: N818 (names agreed in the design)
    code = "too_short"


class TooLong(PSGError):  # noqa: N818 (names agreed in the design)
    code = "too_long"


class HypnogramLengthMismatch(PSGError):  # noqa: N818 (names agreed in the design)
    code = "hypnogram_length_mismatch"


class HypnogramFormatError(PSGError):
    code = "hypnogram_format"


class ChannelMapError(PSGError):
    code = "channel_map"
