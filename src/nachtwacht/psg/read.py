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
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from nachtwacht.psg._deps import require
from nachtwacht.psg.channels import BIOELECTRIC, guess_role
from nachtwacht.psg.errors import PSGError, TooLong, TruncatedFile, UnreadableFile
from nachtwacht.psg.read_header import check_header, unreadable
from nachtwacht.psg.types import Annotation, Channel, Recording

#: Longest night we accept (s). Forty-hour "nights" are header errors or day recordings.
MAX_DURATION_S = 36 * 3600.0
#: Slow signals are kept at this rate at most: their content is below 2 Hz, and a
#: 256-Hz airflow trace would only cost memory.
#: Nasal pressure is among them: the detectors use its breathing envelope (< 1 Hz);
#: AASM's 100 Hz is for flow-shape and snoring analysis, which nothing here does.
SLOW_ROLES = frozenset({"airflow", "nasal_pressure", "thorax", "abdomen", "spo2", "position"})
SLOW_SF = 32.0

#: At most this much gap (s) per second of recorded data is filled with NaN in a
#: discontinuous EDF+ (EDF+D): the filled night then costs at most twice the memory
#: of the data present, whatever onsets the file claims.
MAX_GAP_PER_DATA = 1.0
#: Control characters (C0, DEL, C1): never part of a label, and a NUL cannot be stored
#: in PostgreSQL text at all (it left a web analysis stuck at "running").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")

_TO_UV = {"v": 1e6, "mv": 1e3, "uv": 1.0, "µv": 1.0, "μv": 1.0, "nv": 1e-3}


def clean_text(text: str) -> str:
    """``text`` without control characters (each run becomes one space), stripped."""
    return re.sub(r" {2,}", " ", _CONTROL.sub(" ", text)).strip()


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
            raise unreadable(path, cause=f"{type(exc).__name__}: {exc}") from exc
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


def read_recording(path: str | Path, *, slow_sf: float | None = SLOW_SF,
                   skip_unknown: bool = False, keep: Iterable[str] = ()) -> Recording:
    """Read an EDF/EDF+/BDF file into a :class:`Recording` in physical units.

    Parameters
    ----------
    path : str or Path
        The ``.edf``/``.bdf`` file.
    slow_sf : float or None
        Respiration, SpO2 and position channels above this rate are resampled to it;
        None keeps every channel at its own rate.
    skip_unknown : bool
        Do not load the samples of channels whose label gives no role (snore,
        temperature, event marker ...): no detector reads them. They stay in
        ``channels`` with empty data, so they are still listed. Channels named in
        ``keep`` (e.g. those the user maps to a role) are always loaded.

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
        return _read_checked(path, size, slow_sf, skip_unknown, frozenset(keep))
    except PSGError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError, OverflowError) as exc:
        # Safety net: check_header() names every damage the fuzz tests found; anything
        # it missed must still reach the user as "not readable", not as a traceback.
        raise unreadable(path, cause=f"{type(exc).__name__}: {exc}") from exc


def _read_checked(path: Path, size: int, slow_sf: float | None, skip_unknown: bool = False,
                  keep: frozenset[str] = frozenset()) -> Recording:
    """read_recording() after the header passed check_header()."""
    edf, msgs = _read_edf(path)
    msgs = [clean_text(m) for m in msgs]
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
        _check_onsets(path, onsets, rec_dur)
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
    # Slow signals of a continuous file are resampled while they are read; unknown
    # ones are not read at all when the caller says nobody will look at them.
    targets: list[tuple[float, float] | None] = [None] * len(signals)
    skip = [skip_unknown and clean_text(sig.label) not in keep
            and guess_role(clean_text(sig.label)) == "other" for sig in signals]
    if onsets is None and slow_sf:
        for k, sig in enumerate(signals):
            sf = float(sig.sampling_frequency)
            if guess_role(clean_text(sig.label)) in SLOW_ROLES and sf > slow_sf:
                targets[k] = (sf, slow_sf)
    chunked = None
    if path.suffix.lower() != ".bdf":
        chunked = _read_edf_chunked(path, n_rec, calib, targets=targets, skip=skip)
    for k, sig in enumerate(signals):
        raw_label = sig.label
        name = clean_text(raw_label) or f"signal{len(channels) + 1}"
        if _CONTROL.search(raw_label):
            warn.append(f"{name}: control characters removed from the channel label")
        while name in channels:
            name += "'"
        sf = float(sig.sampling_frequency)
        pmin, pmax = sig.physical_range
        streamed = False
        if skip[k]:
            data = np.empty(0, dtype=np.float32)
        elif chunked is not None:
            data = chunked[k]
            chunked[k] = None  # type: ignore[call-overload]
            streamed = targets[k] is not None
        else:
            # Calibrate in float32: the ADC has at most 24 bits, float32 keeps them all.
            data = sig.digital.astype(np.float32)
            data *= np.float32(calib[k][0])
            data += np.float32(calib[k][1])
        if onsets is not None and data.size:
            data = _fill_gaps(data, onsets, rec_dur, sf)
        role = guess_role(name)
        unit = clean_text(sig.physical_dimension)
        rng: tuple[float, float] | None = (min(pmin, pmax), max(pmin, pmax))
        if skip[k]:
            pass  # listed with role "other"; the pipeline names it among the unknown channels
        elif role in BIOELECTRIC:
            factor = _uv_factor(unit, data, name, warn)
            if factor != 1.0:
                data *= np.float32(factor)
                rng = (rng[0] * factor, rng[1] * factor)
            unit = "uV"
        elif role in SLOW_ROLES and slow_sf and sf > slow_sf:
            data = data if streamed else _resample(data, sf, slow_sf)
            sf = slow_sf
        channels[name] = Channel(name=name, data=data, sf=sf, unit=unit, phys_range=rng)
    if onsets is not None:
        gap_s = duration - n_rec * rec_dur
        warn.append(
            f"discontinuous EDF+: {gap_s:.0f} s of gaps filled with NaN (no data there)"
        )
    annotations = [
        Annotation(float(a.onset), float(a.duration or 0.0), clean_text(a.text))
        for a in edf.annotations
        if a.text and clean_text(a.text) and np.isfinite(a.onset)
    ]
    return Recording(
        channels=channels,
        start=_start_datetime(edf, warn),
        annotations=annotations,
        source=str(path),
        warnings=warn,
    )


def _read_edf_chunked(
    path: Path, n_rec: int, calib: list[tuple[float, float]], chunk: int = 64,
    targets: list[tuple[float, float] | None] | None = None, skip: list[bool] | None = None,
) -> list[np.ndarray] | None:
    """Calibrated float32 signals of a 16-bit EDF, read a few records at a time.

    edfio memory-maps the whole data block, and every page it touches counts
    towards the process's memory; reading in chunks keeps the peak at the size of
    the result. ``targets[k] = (sf, new_sf)`` resamples signal ``k`` while reading
    (slow signals), so its full-rate copy never exists. Returns None when the
    header does not fit this simple layout (edfio's arrays are used then).
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
        # Never trust a record count beyond the bytes present (edfio repairs the
        # header's count, but the allocation below must not depend on that).
        present = (path.stat().st_size - header_bytes) // max(1, 2 * per_rec)
        n_rec = min(n_rec, int(present))
        targets = targets or [None] * len(keep)
        skip = skip or [False] * len(keep)
        streams = {k: _StreamResampler(t[0], t[1], n_rec * spr[i])
                   for k, (i, t) in enumerate(zip(keep, targets, strict=True)) if t and not skip[k]}
        out = [np.empty(0 if k in streams or skip[k] else n_rec * spr[i], dtype=np.float32)
               for k, i in enumerate(keep)]
        f.seek(header_bytes)
        done = 0
        while done < n_rec:
            n = min(chunk, n_rec - done)
            block = np.fromfile(f, dtype="<i2", count=n * per_rec)
            if block.size < n * per_rec:
                return None
            block = block.reshape(n, per_rec)
            for k, i in enumerate(keep):
                if skip[k]:
                    continue
                seg = block[:, offs[i] : offs[i + 1]].reshape(-1)
                if k in streams:
                    dst = np.empty(seg.size, dtype=np.float32)
                else:
                    dst = out[k][done * spr[i] : (done + n) * spr[i]]
                np.multiply(seg, np.float32(calib[k][0]), out=dst, casting="unsafe")
                dst += np.float32(calib[k][1])
                if k in streams:
                    streams[k].feed(dst)
            done += n
    for k, stream in streams.items():
        out[k] = stream.finish()
    return out


def _check_onsets(path: Path, onsets: np.ndarray, rec_dur: float) -> None:
    """Refuse EDF+D record onsets that are out of order or mostly gap.

    Checked before any signal is allocated: the NaN-filled night is as long as the
    last onset, which a 200-KB file can put 36 hours away.
    """
    tol = 1e-3 + 1e-6 * rec_dur
    if not np.all(np.isfinite(onsets)) or onsets[0] < -tol or np.any(np.diff(onsets) < rec_dur - tol):
        raise UnreadableFile(
            (f"{path.name} is een onderbroken EDF+-bestand (EDF+D) waarvan de datablokken niet op "
             "volgorde in de tijd staan of elkaar overlappen.",
             "Exporteer de opname opnieuw als doorlopend bestand (EDF+C), bijvoorbeeld met EDFbrowser."),
            (f"{path.name} is a discontinuous EDF+ file (EDF+D) whose data records are out of time "
             "order or overlap.",
             "Export the recording again as a continuous file (EDF+C), e.g. with EDFbrowser."),
            cause="edf+d onsets",
        )
    data_s = len(onsets) * rec_dur
    gap_s = float(onsets[-1]) + rec_dur - data_s
    if gap_s > MAX_GAP_PER_DATA * data_s:
        raise UnreadableFile(
            (f"{path.name} is een onderbroken EDF+-bestand (EDF+D) met {_hm(data_s)} aan gegevens "
             f"maar {_hm(gap_s)} aan onderbrekingen (tijd zonder gegevens). Nachtwacht leest "
             "hooguit evenveel onderbreking als gegevens.",
             "Exporteer het deel met de nacht als apart bestand, bijvoorbeeld met EDFbrowser."),
            (f"{path.name} is a discontinuous EDF+ file (EDF+D) with {_hm(data_s, 'en')} of data "
             f"but {_hm(gap_s, 'en')} of gaps (time without data). Nachtwacht reads at most as much "
             "gap as data.",
             "Export the part with the night as a separate file, e.g. with EDFbrowser."),
            cause="edf+d gaps", data_s=data_s, gap_s=gap_s,
        )


def _hm(seconds: float, lang: str = "nl") -> str:
    """A duration in words: "2 u 5 min" / "2 h 5 min", or seconds when short."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    h, m = divmod(int(round(seconds / 60)), 60)
    unit = "u" if lang == "nl" else "h"
    return f"{h} {unit} {m} min" if h else f"{m} min"


def _fill_gaps(data: np.ndarray, onsets: np.ndarray, rec_dur: float, sf: float) -> np.ndarray:
    """Place each data record at its onset in a NaN-filled array (EDF+D).

    Records that follow each other without a gap are copied as one run, so an 8-h
    night of 1-s records costs a few copies instead of 28,800.
    """
    spr = int(round(rec_dur * sf))
    total = int(round((onsets[-1] + rec_dur) * sf))
    out = np.full(total, np.nan, dtype=np.float32)
    starts = np.rint(onsets * sf).astype(np.int64)
    breaks = np.flatnonzero(np.diff(starts) != spr) + 1
    for first, last in zip(np.r_[0, breaks], np.r_[breaks, len(starts)], strict=True):
        a = int(starts[first])
        n = min((last - first) * spr, total - a)
        out[a : a + n] = data[first * spr : first * spr + n]
    return out


def _ratio(sf: float, new_sf: float) -> tuple[int, int]:
    """(up, down) of the rational resampling from ``sf`` to about ``new_sf``."""
    from fractions import Fraction

    frac = Fraction(new_sf / sf).limit_denominator(1000)
    if frac.numerator == 0:  # ratio below 1/2000: plain integer decimation factor
        frac = Fraction(1, max(1, round(sf / new_sf)))
    return frac.numerator, frac.denominator


def _resample(x: np.ndarray, sf: float, new_sf: float) -> np.ndarray:
    """Anti-aliased rational resampling in float32."""
    from scipy.signal import resample_poly

    up, down = _ratio(sf, new_sf)
    if np.isnan(x).any():
        x = np.nan_to_num(x)
    y = resample_poly(x, up, down)
    return y.astype(np.float32, copy=False)


class _StreamResampler:
    """:func:`_resample` of a signal that arrives a few records at a time.

    Each block is resampled with more context on both sides than the filter's half
    length, starting on a multiple of ``down``, so every output sample sees the same
    input as in one ``resample_poly`` call over the whole night (equal up to float
    rounding), while the full-rate signal is never held in memory.
    """

    def __init__(self, sf: float, new_sf: float, n_in: int) -> None:
        from scipy.signal import firwin

        self.up, self.down = _ratio(sf, new_sf)
        rate = max(self.up, self.down)
        # resample_poly's own default filter, designed once instead of once per block.
        self.h = firwin(2 * 10 * rate + 1, 1.0 / rate, window=("kaiser", 5.0))
        half = 10 * rate // self.up + 1  # the filter's half length, in input samples
        self.pad = self.down * -(-(half + 8) // self.down)
        self.block = self.down * max(1, 2**16 // self.down)
        self.out = np.empty(-(-n_in * self.up // self.down), dtype=np.float32)
        self.buf = np.empty(0, dtype=np.float32)
        self.b0 = 0  # global input index of buf[0]
        self.done = 0  # input samples whose output is written (a multiple of down)
        self.written = 0

    def _emit(self, start: int, stop: int | None, last: bool) -> None:
        from scipy.signal import resample_poly

        seg = self.buf[start - self.b0 : None if stop is None else stop - self.b0]
        y = resample_poly(seg, self.up, self.down, window=self.h)
        j0 = (self.done - start) * self.up // self.down
        n = self.out.size - self.written if last else self.block * self.up // self.down
        n = min(n, self.out.size - self.written)
        self.out[self.written : self.written + n] = y[j0 : j0 + n]
        self.written += n

    def feed(self, x: np.ndarray) -> None:
        self.buf = np.concatenate([self.buf, x])
        while self.b0 + self.buf.size - self.done >= self.block + self.pad:
            self._emit(max(0, self.done - self.pad), self.done + self.block + self.pad, False)
            self.done += self.block
            keep = max(0, self.done - self.pad)
            self.buf = self.buf[keep - self.b0 :]
            self.b0 = keep

    def finish(self) -> np.ndarray:
        if self.written < self.out.size:
            self._emit(max(0, self.done - self.pad), None, True)
        return self.out


def read_header_labels(path: str | Path) -> list[str]:
    """Channel labels of an EDF/BDF file without loading its data."""
    with open(path, "rb") as f:
        head = f.read(256)
        ns = int(head[252:256].decode("ascii", "replace").strip() or 0)
        labels = f.read(16 * ns).decode("latin-1")
    return [clean_text(labels[i * 16 : (i + 1) * 16]) for i in range(ns)]
