"""Read EDF, EDF+ (continuous and discontinuous) and BDF files into a :class:`Recording`.

``edfio`` does the parsing. On top of it this module converts bioelectric signals to
µV from the header's physical dimension, fills the gaps of discontinuous EDF+ with
NaN, keeps slow signals (respiration, SpO2, position) at a modest rate, turns
edfio's repairs of broken headers into plain warnings, and rejects files that
cannot be a night (nothing readable, longer than a day and a half).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import numpy as np

from nachtwacht.psg._deps import require
from nachtwacht.psg.channels import BIOELECTRIC, guess_role
from nachtwacht.psg.errors import PSGError, TooLong, TruncatedFile, UnreadableFile
from nachtwacht.psg.types import Annotation, Channel, Recording

#: Longest night we accept (s). Forty-hour "nights" are header errors or day recordings.
MAX_DURATION_S = 36 * 3600.0
#: Slow signals are kept at this rate at most: their content is below 2 Hz, and a
#: 256-Hz airflow trace would only cost memory.
SLOW_ROLES = frozenset({"airflow", "thorax", "abdomen", "spo2", "position"})
SLOW_SF = 32.0

_TO_UV = {"v": 1e6, "mv": 1e3, "uv": 1.0, "µv": 1.0, "μv": 1.0, "nv": 1e-3}


def _uv_factor(dim: str, data: np.ndarray, name: str, warn: list[str]) -> float:
    """Factor that brings a bioelectric signal to µV, from its unit or its amplitude."""
    key = dim.strip().lower().replace(" ", "")
    if key in _TO_UV:
        return _TO_UV[key]
    # No (known) unit: judge from the amplitude; EEG/EMG are tens of µV.
    sample = data[:: max(1, data.size // 100_000)]
    p99 = float(np.nanpercentile(np.abs(sample), 99)) if sample.size else 0.0
    if p99 == 0.0:
        factor = 1.0
    elif p99 < 0.01:
        factor = 1e6
    elif p99 < 5.0:
        factor = 1e3
    else:
        factor = 1.0
    unit = {1e6: "V", 1e3: "mV", 1.0: "µV"}[factor]
    warn.append(
        f"{name}: physical unit '{dim}' unknown; amplitude suggests {unit}, converted to µV"
    )
    return factor


def _read_edf(path: Path):
    """edfio's Edf/Bdf object plus the repair warnings it emitted."""
    edfio = require("edfio")
    reader = edfio.read_bdf if path.suffix.lower() == ".bdf" else edfio.read_edf
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            edf = reader(path)
        except Exception as exc:  # edfio raises ValueError/IndexError/... on broken headers
            if path.suffix.lower() != ".bdf" and _looks_like_bdf(path):
                return _read_edf_bdf(path)
            # edfio's own message names Python internals; the user gets a plain one
            # and the technical cause stays in ``details`` for the logs of the CLI.
            raise _unreadable(path, cause=f"{type(exc).__name__}: {exc}") from exc
    return edf, [str(w.message) for w in caught]


def _unreadable(path: Path, cause: str = "") -> UnreadableFile:
    """The general "not EDF" error, in plain words."""
    return UnreadableFile(
        (f"{path.name} is geen leesbaar EDF/BDF-bestand: de kop volgt het EDF-formaat niet.",
         "Controleer of het bestand compleet is gekopieerd en echt EDF/EDF+/BDF is."),
        (f"{path.name} is not a readable EDF/BDF file: its header does not follow the EDF format.",
         "Check that the file was copied completely and really is EDF/EDF+/BDF."),
        cause=cause,
    )


def _looks_like_bdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(8) == b"\xffBIOSEMI"


def _read_edf_bdf(path: Path):
    edfio = require("edfio")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        edf = edfio.read_bdf(path)
    return edf, [str(w.message) for w in caught]


def _start_datetime(edf, warn: list[str]) -> dt.datetime | None:
    try:
        return edf.startdatetime
    except Exception:  # anonymised start date ("X"): keep the clock time
        try:
            raw = edf._startdate.decode().strip()  # dd.mm.yy in the fixed header
            date = dt.datetime.strptime(raw, "%d.%m.%y").date()
            warn.append("start date only in the fixed header field (EDF+ date anonymised)")
            return dt.datetime.combine(date, edf.starttime)
        except Exception:
            warn.append("start date unknown; clock times of diary episodes cannot be placed")
            return None


def _record_onsets(edf) -> np.ndarray | None:
    """Onset (s) of every data record of a discontinuous EDF+, else None."""
    try:
        if edf.is_continuous:
            return None
        from edfio.edf_annotations import _get_data_record_onset

        tk = edf._timekeeping_signal
        recs = tk.digital.reshape((-1, tk._bytes_per_data_record))
        return np.array([float(_get_data_record_onset(r)) for r in recs])
    except Exception:
        return None


#: Fastest sampling rate we believe (Hz). Sleep recorders sample at most a few kHz;
#: more means a broken record duration (e.g. 0.000001 s) or sample count.
MAX_SF = 50_000.0
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
            raise _unreadable(path, cause="version field")
        ns = _int_field(head[252:256])
        if ns is None:
            raise _header_error(
                path, f"het veld 'aantal signalen' bevat '{_shown(head[252:256])}' en dat is geen geheel getal.",
                f"the 'number of signals' field reads '{_shown(head[252:256])}', which is not a whole number.")
        if ns <= 0:
            raise _header_error(path, "volgens de kop bevat het bestand geen enkel signaal.",
                                "according to its header the file holds no signals.")
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


def read_recording(path: str | Path, *, slow_sf: float | None = SLOW_SF) -> Recording:
    """Read an EDF/EDF+/BDF file into a :class:`Recording` in physical units.

    Parameters
    ----------
    path : str or Path
        The ``.edf``/``.bdf`` file.
    slow_sf : float or None
        Respiration, SpO2 and position channels above this rate are resampled to it;
        None keeps every channel at its own rate.

    Returns
    -------
    Recording
        Channels (float32; EEG/EOG/EMG/ECG in µV), start datetime, annotations and
        warnings about anything that was repaired.

    Raises
    ------
    UnreadableFile, TruncatedFile, TooLong
        With a Dutch and English message saying what still can be done.
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(
            (f"Bestand niet gevonden: {path}.", "Controleer het pad."),
            (f"File not found: {path}.", "Check the path."),
        )
    size = path.stat().st_size
    check_header(path)
    try:
        return _read_checked(path, size, slow_sf)
    except PSGError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError, OverflowError) as exc:
        # Safety net: check_header() names every damage the fuzz tests found; anything
        # it missed must still reach the user as "not readable", not as a traceback.
        raise _unreadable(path, cause=f"{type(exc).__name__}: {exc}") from exc


def _read_checked(path: Path, size: int, slow_sf: float | None) -> Recording:
    """read_recording() after the header passed check_header()."""
    edf, msgs = _read_edf(path)
    warn: list[str] = []
    for m in msgs:
        if "header indicates" in m or "Incomplete data record" in m or "truncated" in m.lower():
            warn.append(f"header repaired: {m}")
        else:
            warn.append(m)
    n_rec = edf.num_data_records
    rec_dur = float(edf.data_record_duration or 0.0)
    signals = [s for s in edf.signals]
    if n_rec <= 0:
        raise TruncatedFile(
            (f"{path.name} bevat geen enkel volledig datablok ({size} bytes).",
             "Er valt niets te analyseren; kopieer het bestand opnieuw."),
            (f"{path.name} holds no complete data record ({size} bytes).",
             "Nothing can be analysed; copy the file again."),
        )
    duration = n_rec * rec_dur if rec_dur > 0 else max(
        (s.digital.size / s.sampling_frequency for s in signals), default=0.0
    )
    onsets = _record_onsets(edf)
    if onsets is not None and len(onsets):
        duration = float(onsets[-1] + rec_dur)
    if duration > MAX_DURATION_S:
        h = duration / 3600
        raise TooLong(
            (f"{path.name} duurt volgens de kop {h:.1f} uur; een nacht duurt hooguit 36 uur.",
             "Knip het bestand op in nachten (bijvoorbeeld met EDFbrowser) en analyseer die apart."),
            (f"{path.name} lasts {h:.1f} hours according to its header; a night is at most 36 h.",
             "Split the file into nights (e.g. with EDFbrowser) and analyse them one by one."),
            hours=h,
        )
    if any("header indicates" in m for m in msgs):
        warn.append(f"the header's record count was wrong; {n_rec} complete records were read")
    channels: dict[str, Channel] = {}
    calib = []
    for sig in signals:
        dmin, dmax = sig.digital_range
        pmin, pmax = sig.physical_range
        gain = (pmax - pmin) / (dmax - dmin) if dmax != dmin else 1.0
        calib.append((gain, pmin - dmin * gain))
    chunked = None if path.suffix.lower() == ".bdf" else _read_edf_chunked(path, n_rec, calib)
    for k, sig in enumerate(signals):
        name = sig.label.strip() or f"signal{len(channels) + 1}"
        while name in channels:
            name += "'"
        sf = float(sig.sampling_frequency)
        pmin, pmax = sig.physical_range
        if chunked is not None:
            data = chunked[k]
            chunked[k] = None  # type: ignore[call-overload]
        else:
            # Calibrate in float32: the ADC has at most 24 bits, float32 keeps them all.
            data = sig.digital.astype(np.float32)
            data *= np.float32(calib[k][0])
            data += np.float32(calib[k][1])
        if onsets is not None:
            data = _fill_gaps(data, onsets, rec_dur, sf)
        role = guess_role(name)
        unit = sig.physical_dimension.strip()
        rng: tuple[float, float] | None = (min(pmin, pmax), max(pmin, pmax))
        if role in BIOELECTRIC:
            k = _uv_factor(unit, data, name, warn)
            if k != 1.0:
                data *= np.float32(k)
                rng = (rng[0] * k, rng[1] * k)
            unit = "uV"
        elif role in SLOW_ROLES and slow_sf and sf > slow_sf:
            data = _resample(data, sf, slow_sf)
            sf = slow_sf
        channels[name] = Channel(name=name, data=data, sf=sf, unit=unit, phys_range=rng)
    if onsets is not None:
        gap_s = duration - n_rec * rec_dur
        warn.append(
            f"discontinuous EDF+: {gap_s:.0f} s of gaps filled with NaN (no data there)"
        )
    annotations = [
        Annotation(float(a.onset), float(a.duration or 0.0), a.text)
        for a in edf.annotations
        if a.text and a.text.strip()
    ]
    return Recording(
        channels=channels,
        start=_start_datetime(edf, warn),
        annotations=annotations,
        source=str(path),
        warnings=warn,
    )


def _read_edf_chunked(
    path: Path, n_rec: int, calib: list[tuple[float, float]], chunk: int = 64
) -> list[np.ndarray] | None:
    """Calibrated float32 signals of a 16-bit EDF, read a few records at a time.

    edfio memory-maps the whole data block, and every page it touches counts
    towards the process's memory; reading in chunks keeps the peak at the size of
    the result. Returns None when the header does not fit this simple layout
    (edfio's arrays are used then).
    """
    with open(path, "rb") as f:
        head = f.read(256)
        try:
            header_bytes = int(head[184:192])
            ns = int(head[252:256])
        except ValueError:
            return None
        ext = f.read(ns * 256)
        if len(ext) < ns * 256:
            return None
        labels = [ext[i * 16 : (i + 1) * 16].decode("latin-1").strip() for i in range(ns)]
        base = ns * 216
        try:
            spr = [int(ext[base + i * 8 : base + (i + 1) * 8]) for i in range(ns)]
        except ValueError:
            return None
        keep = [i for i, lab in enumerate(labels) if lab != "EDF Annotations"]
        if len(keep) != len(calib):
            return None
        offs = np.concatenate([[0], np.cumsum(spr)])
        per_rec = int(offs[-1])
        out = [np.empty(n_rec * spr[i], dtype=np.float32) for i in keep]
        f.seek(header_bytes)
        done = 0
        while done < n_rec:
            n = min(chunk, n_rec - done)
            block = np.fromfile(f, dtype="<i2", count=n * per_rec)
            if block.size < n * per_rec:
                return None
            block = block.reshape(n, per_rec)
            for k, i in enumerate(keep):
                seg = block[:, offs[i] : offs[i + 1]].reshape(-1)
                dst = out[k][done * spr[i] : (done + n) * spr[i]]
                np.multiply(seg, np.float32(calib[k][0]), out=dst, casting="unsafe")
                dst += np.float32(calib[k][1])
            done += n
    return out


def _fill_gaps(data: np.ndarray, onsets: np.ndarray, rec_dur: float, sf: float) -> np.ndarray:
    """Place each data record at its onset in a NaN-filled array (EDF+D)."""
    spr = int(round(rec_dur * sf))
    total = int(round((onsets[-1] + rec_dur) * sf))
    out = np.full(total, np.nan, dtype=np.float32)
    for i, on in enumerate(onsets):
        a = int(round(on * sf))
        out[a : a + spr] = data[i * spr : (i + 1) * spr]
    return out


def _resample(x: np.ndarray, sf: float, new_sf: float) -> np.ndarray:
    """Anti-aliased rational resampling in float32."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    frac = Fraction(new_sf / sf).limit_denominator(1000)
    if frac.numerator == 0:  # ratio below 1/2000: plain integer decimation factor
        frac = Fraction(1, max(1, round(sf / new_sf)))
    if np.isnan(x).any():
        x = np.nan_to_num(x)
    y = resample_poly(x, frac.numerator, frac.denominator)
    return y.astype(np.float32, copy=False)


def read_header_labels(path: str | Path) -> list[str]:
    """Channel labels of an EDF/BDF file without loading its data."""
    with open(path, "rb") as f:
        head = f.read(256)
        ns = int(head[252:256].decode("ascii", "replace").strip() or 0)
        labels = f.read(16 * ns).decode("latin-1")
    return [re.sub(r"\s+$", "", labels[i * 16 : (i + 1) * 16]) for i in range(ns)]
