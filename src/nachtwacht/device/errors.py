"""The one error a device file can raise, with a Dutch and an English message."""

from __future__ import annotations


class DeviceFormatError(ValueError):
    """A device file we cannot read; ``nl`` and ``en`` say why in plain words."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(en)
        self.nl = nl
        self.en = en

    def message(self, lang: str = "nl") -> str:
        """The message in ``lang`` (``nl`` or ``en``)."""
        return self.nl if lang == "nl" else self.en


def unknown_format(name: str) -> DeviceFormatError:
    """The message for a file whose format we do not recognise."""
    return DeviceFormatError(
        f"Het bestand {name!r} herkennen we niet. Wij kunnen lezen: Actiwatch (.AWD, .csv), "
        "ActiGraph (.agd), MotionWatch (.mtn), ActTrust (.txt), Apple Gezondheid (export.zip of "
        "export.xml), Fitbit/Google (slaap-JSON), Oura (CSV), Withings (sleep.csv), "
        "Garmin (.fit), Sleep as Android (CSV) en ruwe versnelling van de pols: Axivity (.cwa), "
        "GENEActiv (.bin) en ActiGraph (.gt3x).",
        f"We do not recognise the file {name!r}. We can read: Actiwatch (.AWD, .csv), "
        "ActiGraph (.agd), MotionWatch (.mtn), ActTrust (.txt), Apple Health (export.zip or "
        "export.xml), Fitbit/Google (sleep JSON), Oura (CSV), Withings (sleep.csv), "
        "Garmin (.fit), Sleep as Android (CSV) and raw wrist acceleration: Axivity (.cwa), "
        "GENEActiv (.bin) and ActiGraph (.gt3x).",
    )


def broken(name: str, fmt: str, why: str | tuple[str, str]) -> DeviceFormatError:
    """The message for a file that looks like ``fmt`` but cannot be read; ``why`` is one
    Dutch word for both languages (a file part) or a ``(nl, en)`` pair."""
    nl, en = (why, why) if isinstance(why, str) else why
    return DeviceFormatError(
        f"Het bestand {name!r} lijkt een {fmt}-bestand, maar is niet goed te lezen ({nl}).",
        f"The file {name!r} looks like a {fmt} file but cannot be read ({en}).",
    )
