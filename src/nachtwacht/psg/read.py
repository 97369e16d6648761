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
from nachtwacht.psg.errors import TooLong, TruncatedFile, UnreadableFile
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
            raise UnreadableFile(
                (f"{path.name} is geen leesbaar EDF/BDF-bestand ({exc}).",
                 "Controleer of het bestand compleet is gekopieerd en echt EDF/EDF+/BDF is."),
                (f"{path.name} is not a readable EDF/BDF file ({exc}).",
                 "Check that the file was copied completely and really is EDF/EDF+/BDF."),
            ) from exc
    return edf, [str(w.message) for w in caught]


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
    with open(path, "rb") as f:
        head = f.read(256)
    if len(head) < 256:
        raise TruncatedFile(
            (f"{path.name} is afgebroken: zelfs de kop ({len(head)} van 256 bytes) is onvolledig.",
             "Kopieer het bestand opnieuw vanaf het opnameapparaat."),
            (f"{path.name} is truncated: even the header ({len(head)} of 256 bytes) is incomplete.",
             "Copy the file again from the recording device."),
        )
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
