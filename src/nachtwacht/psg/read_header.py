"""Check an EDF/BDF header before anything is allocated from it.

edfio parses most header numbers lazily and raises bare ``ValueError``s deep inside;
checking the fields here first lets every damage be named in plain words, and lets
the reader refuse headers whose numbers would make it allocate more than the file
holds (absurd sampling rates, channel counts or record sizes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nachtwacht.psg.errors import TruncatedFile, UnreadableFile


def unreadable(path: Path, cause: str = "") -> UnreadableFile:
    """The general "not EDF" error, in plain words."""
    return UnreadableFile(
        (f"{path.name} is geen leesbaar EDF/BDF-bestand: de kop volgt het EDF-formaat niet.",
         "Controleer of het bestand compleet is gekopieerd en echt EDF/EDF+/BDF is."),
        (f"{path.name} is not a readable EDF/BDF file: its header does not follow the EDF format.",
         "Check that the file was copied completely and really is EDF/EDF+/BDF."),
        cause=cause,
    )


#: Fastest sampling rate we believe (Hz). Sleep recorders sample at most a few kHz;
#: more means a broken record duration (e.g. 0.000001 s) or sample count.
MAX_SF = 50_000.0
#: Most signals we accept in one file. High-density EEG has 256; ten thousand "signals"
#: is a damaged count, and each one costs edfio a header object and an array.
MAX_SIGNALS = 1024
#: Digital value limits of the formats (16-bit EDF, 24-bit BDF).
_DIGITAL_LIMITS = {False: (-32768, 32767), True: (-8388608, 8388607)}
#: Per-signal header fields: (name, width), in file order (EDF spec, Kemp et al. 1992).
_SIGNAL_FIELDS = (("label", 16), ("transducer", 80), ("dimension", 8), ("phys_min", 8),
                  ("phys_max", 8), ("dig_min", 8), ("dig_max", 8), ("prefilter", 80),
                  ("samples", 8), ("reserved", 32))
#: Field names in the user's words.
_FIELD_WORDS = {
    "phys_min": ("fysiek minimum", "physical minimum"),
    "phys_max": ("fysiek maximum", "physical maximum"),
    "dig_min": ("digitaal minimum", "digital minimum"),
    "dig_max": ("digitaal maximum", "digital maximum"),
    "samples": ("aantal samples per datablok", "number of samples per data record"),
}
_DAMAGED_HINT = (
    "De kop van het bestand is beschadigd; exporteer het opnieuw uit de opnamesoftware.",
    "The file's header is damaged; export it again from the recording software.",
)


def _shown(raw: bytes) -> str:
    """A header field as the user may see it: printable ASCII only."""
    text = raw.decode("latin-1").strip()
    return "".join(c if " " <= c <= "~" else "?" for c in text)


def _header_error(path: Path, nl: str, en: str, **details: object) -> UnreadableFile:
    return UnreadableFile((f"{path.name} is geen leesbaar EDF/BDF-bestand: {nl}", _DAMAGED_HINT[0]),
                          (f"{path.name} is not a readable EDF/BDF file: {en}", _DAMAGED_HINT[1]),
                          **details)


def _float_field(raw: bytes) -> float | None:
    try:
        value = float(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _int_field(raw: bytes) -> int | None:
    try:
        return int(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None


def check_header(path: str | Path) -> None:
    """Check the fields of an EDF/BDF header that the reader depends on.

    edfio parses most header numbers lazily and raises bare ``ValueError``s deep
    inside; checking them here first lets every damage be named in plain words.

    Raises
    ------
    TruncatedFile
        The file ends inside its header.
    UnreadableFile
        A field is not a number, out of range, or gives an impossible sampling rate;
        the message names the field and the signal.
    """
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(256)
        size = path.stat().st_size
        if len(head) < 256:
            raise TruncatedFile(
                (f"{path.name} is afgebroken: zelfs de kop ({len(head)} van 256 bytes) is onvolledig.",
                 "Kopieer het bestand opnieuw vanaf het opnameapparaat."),
                (f"{path.name} is truncated: even the header ({len(head)} of 256 bytes) is incomplete.",
                 "Copy the file again from the recording device."),
            )
        bdf = head[:8] == b"\xffBIOSEMI" or path.suffix.lower() == ".bdf"
        if not bdf and head[:8].strip(b" \x00") != b"0":
            raise unreadable(path, cause="version field")
        ns = _int_field(head[252:256])
        if ns is None:
            raise _header_error(
                path, f"het veld 'aantal signalen' bevat '{_shown(head[252:256])}' en dat is geen geheel getal.",
                f"the 'number of signals' field reads '{_shown(head[252:256])}', which is not a whole number.")
        if ns <= 0:
            raise _header_error(path, "volgens de kop bevat het bestand geen enkel signaal.",
                                "according to its header the file holds no signals.")
        if ns > MAX_SIGNALS:
            raise _header_error(
                path, f"volgens de kop bevat het bestand {ns} signalen; een slaapopname heeft er "
                f"hooguit {MAX_SIGNALS}.",
                f"according to its header the file holds {ns} signals; a sleep recording has at "
                f"most {MAX_SIGNALS}.", field="signals")
        need = 256 * (ns + 1)
        if size < need:
            raise TruncatedFile(
                (f"{path.name} is afgebroken: de kop noemt {ns} signalen en is dan {need} bytes lang, "
                 f"maar het bestand is maar {size} bytes.",
                 "Kopieer het bestand opnieuw vanaf het opnameapparaat."),
                (f"{path.name} is truncated: the header lists {ns} signals and so is {need} bytes long, "
                 f"but the file has only {size} bytes.",
                 "Copy the file again from the recording device."),
            )
        ext = f.read(256 * ns)
    if _int_field(head[184:192]) is None:
        raise _header_error(
            path, f"het veld 'lengte van de kop' bevat '{_shown(head[184:192])}' en dat is geen geheel getal.",
            f"the 'header length' field reads '{_shown(head[184:192])}', which is not a whole number.")
    dur = _float_field(head[244:252])
    if dur is None or dur < 0:
        raise _header_error(
            path, f"de duur van een datablok is '{_shown(head[244:252])}'; dat moet een positief aantal seconden zijn.",
            f"the data record duration reads '{_shown(head[244:252])}'; it must be a positive number of seconds.")
    fields: dict[str, list[bytes]] = {}
    pos = 0
    for name, width in _SIGNAL_FIELDS:
        fields[name] = [ext[pos + i * width : pos + (i + 1) * width] for i in range(ns)]
        pos += width * ns
    labels = [_shown(raw) for raw in fields["label"]]
    has_signal = any(lab != "EDF Annotations" for lab in labels)
    if dur == 0 and has_signal:
        # EDF+ allows a duration of 0 only for files that hold nothing but annotations.
        raise _header_error(
            path, "de duur van een datablok is 0 seconden, maar het bestand bevat wel signalen.",
            "the data record duration is 0 seconds, yet the file holds signals.")
    lo, hi = _DIGITAL_LIMITS[bdf]
    for i, label in enumerate(labels):
        nl_sig, en_sig = f"signaal {i + 1} ('{label}')", f"signal {i + 1} ('{label}')"
        for key in ("phys_min", "phys_max"):
            if _float_field(fields[key][i]) is None:
                raise _header_error(
                    path, f"{nl_sig} heeft als {_FIELD_WORDS[key][0]} '{_shown(fields[key][i])}'; dat is geen eindig getal.",
                    f"{en_sig} has '{_shown(fields[key][i])}' as {_FIELD_WORDS[key][1]}, which is not a finite number.",
                    signal=i + 1, field=key)
        for key in ("dig_min", "dig_max"):
            value = _int_field(fields[key][i])
            if value is None or not lo <= value <= hi:
                raise _header_error(
                    path, f"{nl_sig} heeft als {_FIELD_WORDS[key][0]} '{_shown(fields[key][i])}'; "
                    f"dat moet een geheel getal tussen {lo} en {hi} zijn.",
                    f"{en_sig} has '{_shown(fields[key][i])}' as {_FIELD_WORDS[key][1]}; "
                    f"it must be a whole number from {lo} to {hi}.",
                    signal=i + 1, field=key)
        spr = _int_field(fields["samples"][i])
        if spr is None or spr < 0:
            raise _header_error(
                path, f"{nl_sig} heeft als {_FIELD_WORDS['samples'][0]} '{_shown(fields['samples'][i])}'; "
                "dat moet een geheel getal van 0 of meer zijn.",
                f"{en_sig} has '{_shown(fields['samples'][i])}' as {_FIELD_WORDS['samples'][1]}; "
                "it must be a whole number of 0 or more.",
                signal=i + 1, field="samples")
        if dur > 0 and label != "EDF Annotations" and spr / dur > MAX_SF:
            raise _header_error(
                path, f"{nl_sig} zou volgens de kop {spr / dur:.0f} keer per seconde gemeten zijn "
                f"({spr} samples per {_shown(head[244:252])} s); geen slaapopname meet zo snel.",
                f"{en_sig} would be sampled {spr / dur:.0f} times per second according to the header "
                f"({spr} samples per {_shown(head[244:252])} s); no sleep recording samples that fast.",
                signal=i + 1, field="samples")
    # The data must hold at least one complete record of the size the header gives;
    # otherwise nothing can be read, and a huge record size would only cost memory.
    per_record = sum(_int_field(raw) or 0 for raw in fields["samples"]) * (3 if bdf else 2)
    present = size - need
    if per_record > present:
        raise TruncatedFile(
            (f"{path.name} bevat geen enkel volledig datablok: de kop noemt {per_record} bytes per "
             f"blok, het bestand heeft na de kop nog {present} bytes.",
             "Er valt niets te analyseren; kopieer het bestand opnieuw."),
            (f"{path.name} holds no complete data record: the header gives {per_record} bytes per "
             f"record, and the file has {present} bytes after the header.",
             "Nothing can be analysed; copy the file again."),
        )
