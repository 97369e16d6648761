"""Readers for raw wrist accelerometry: Axivity ``.cwa``, GENEActiv ``.bin`` (here) and
ActiGraph ``.gt3x`` (:mod:`.raw_gt3x`); each gives an :class:`~.types.Epochs` of 1-minute
ENMO with van Hees sleep/wake (:mod:`.rawsleep`).

Why our own readers and not scikit-digital-health's or pygt3x (both checked in the tests
to decode our test files to the same samples): the files come from uploads, so a damaged
or crafted file must give a clear message, never a crash. skdh's compiled readers
(0.17) write each block to the output array at the position its own *sequence number*
gives, without a bounds check (a wrong number writes outside the array), size that array
from the header's page count (a header claiming 10^9 pages allocates terabytes), and
hold a whole recording as float64 (2 days at 100 Hz measured 954 MB). pygt3x keeps one
Python object per second, fills idle-sleep gaps from timestamps without a bound, and
sorts the whole recording (minutes and gigabytes for two weeks). The formats are short
and published (see ``tests/device/make_raw.py``), so these readers decode them with
NumPy in chunks of a few MB, check every block (checksum, header, sample count, time),
and fold the samples into 5-s statistics at once: memory stays small for any file size.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import broken
from .rawsleep import BIN_S, Bins, minutes
from .types import Epochs

#: A recording longer than this is refused (the arrays stay bounded): wrist devices
#: record 1-4 weeks; 45 days leaves room.
MAX_DAYS = 45
#: Accepted sample rates (Hz).
MIN_FS, MAX_FS = 5.0, 3200.0
#: Samples decoded at a time (a few MB of memory).
CHUNK = 1 << 20

_EPOCH = dt.datetime(1970, 1, 1)
Chunks = Iterator[tuple[np.ndarray, np.ndarray]]

FORMAT_NAMES = {"cwa": "Axivity (.cwa)", "geneactiv": "GENEActiv (.bin)", "gt3x": "ActiGraph (.gt3x)"}


def _secs(t: dt.datetime) -> float:
    return (t - _EPOCH).total_seconds()


@dataclass
class Source:
    """An opened raw recording: its start (s), rate, device name and decoded samples.

    ``chunks`` yields ``(t, acc)``: times in seconds (naive local clock) and acceleration
    in g, ``(n, 3)``; ``still`` yields idle-sleep stretches ``(t0, t1, acc)`` in which the
    device held still without sampling; ``check`` runs after the last chunk.
    """

    name: str
    fmt: str
    start: float
    fs: float
    device: str
    chunks: Chunks
    still: list[tuple[float, float, np.ndarray]] = field(default_factory=list)
    check: Callable[[], None] = lambda: None


def open_raw(path: Path) -> Source:
    """Open a raw file by its content (``.cwa``, GENEActiv ``.bin`` or ``.gt3x``)."""
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"MD"):
        return _cwa_source(path)
    if head.startswith(b"PK"):
        from .raw_gt3x import gt3x_source

        return gt3x_source(path)
    return _geneactiv_source(path)


def read_raw(path: Path) -> Epochs:
    """Read a raw file into 1-minute ENMO with van Hees sleep/wake."""
    src = open_raw(path)
    name, fmt = src.name, FORMAT_NAMES[src.fmt]
    t0 = np.floor(src.start / 60.0) * 60.0
    b = Bins(t0, MAX_DAYS * 86400 // BIN_S)
    limit = t0 + MAX_DAYS * 86400
    # More samples than MAX_DAYS can hold is a crafted file (a .gt3x whose zip inflates
    # one record a million times): stop before it costs hours.
    max_n, n = MAX_DAYS * 86400 * src.fs * 1.05, 0
    for t, acc in src.chunks:
        if t.size and (t.max() > limit or t.min() < t0 - 86400):
            raise broken(name, fmt, ("tijden buiten de opname", "times outside the recording"))
        n += len(t)
        if n > max_n:
            raise broken(name, fmt, (f"meer metingen dan {MAX_DAYS} dagen",
                                     f"more samples than {MAX_DAYS} days"))
        b.add(t, acc)
    src.check()
    for a, e, acc in src.still:
        b.add_still(a, min(e, limit), acc, src.fs)
    mg, state = minutes(b, src.fs)
    if mg.size == 0 or np.isnan(mg).all():
        raise broken(name, fmt, ("geen bruikbare metingen", "no usable measurements"))
    first = _EPOCH + dt.timedelta(seconds=float(t0))
    return Epochs(first, 60, mg, src.fmt, src.device, sleep=state)



# --- Axivity CWA (OpenMovement cwa.h) ------------------------------------------------

def _u16(b: np.ndarray, at: int) -> np.ndarray:
    return b[:, at].astype(np.uint32) | (b[:, at + 1].astype(np.uint32) << 8)


def _u32(b: np.ndarray, at: int) -> np.ndarray:
    return _u16(b, at) | (_u16(b, at + 2) << 16)


def _civil_seconds(y, mo, d, h, mi, s) -> np.ndarray:
    """Calendar fields (arrays) -> seconds since 1970 (naive clock), vectorised."""
    days = ((y - 1970).astype("datetime64[Y]") + (mo - 1).astype("timedelta64[M]")).astype(
        "datetime64[D]") + (d - 1).astype("timedelta64[D]")
    return (days.astype(np.int64) * 86400 + h * 3600 + mi * 60 + s).astype(np.float64)


def _cwa_seconds(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed RTC ``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss`` -> seconds, and a validity mask."""
    y = (ts >> 26) + 2000
    mo, d = (ts >> 22) & 0xF, (ts >> 17) & 0x1F
    h, mi, s = (ts >> 12) & 0x1F, (ts >> 6) & 0x3F, ts & 0x3F
    ok = (mo >= 1) & (mo <= 12) & (d >= 1) & (h < 24) & (mi < 60) & (s < 60)
    mo, d = np.where(ok, mo, 1), np.where(ok, d, 1)
    return _civil_seconds(y, mo, d, h, mi, s), ok


def _cwa_source(path: Path) -> Source:
    """Axivity AX3/AX6 ``.cwa`` (packed or unpacked accelerometer blocks)."""
    name, fmt = path.name, FORMAT_NAMES["cwa"]
    size = path.stat().st_size
    with open(path, "rb") as f:
        hdr = f.read(1024)
    if len(hdr) < 1024 or hdr[:2] != b"MD":
        raise broken(name, fmt, ("kop", "header"))
    nblk = (size - 1024) // 512
    if nblk < 1:
        raise broken(name, fmt, ("geen gegevens", "no data"))
    dev_id = struct.unpack_from("<H", hdr, 5)[0]
    upper = struct.unpack_from("<H", hdr, 11)[0]
    dev_id |= 0 if upper == 0xFFFF else upper << 16
    per = CHUNK // 120
    state = {"good": 0}

    def blocks(at: int, k: int) -> np.ndarray:
        # Plain reads, not a memory map: a mapped file's pages count as the process's
        # memory, so a 500 MB file would look like 500 MB used.
        with open(path, "rb") as f:
            f.seek(1024 + 512 * at)
            return np.frombuffer(f.read(512 * k), np.uint8).reshape(-1, 512)

    def chunks() -> Chunks:
        for c in range(0, nblk, per):
            yield from _cwa_blocks(blocks(c, min(per, nblk - c)).copy(), state)

    def check() -> None:
        # A few damaged blocks are skipped; a file of mostly damaged blocks is refused.
        if state["good"] < 0.5 * nblk:
            bad = nblk - state["good"]
            raise broken(name, fmt, (f"{bad} van {nblk} blokken beschadigd", f"{bad} of {nblk} blocks damaged"))

    first = _cwa_first(blocks, nblk)
    if first is None:
        raise broken(name, fmt, ("geen geldig gegevensblok", "no valid data block"))
    return Source(name, "cwa", first[0], first[1], f"Axivity {dev_id}", chunks(), check=check)


def _cwa_valid(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which blocks are intact accelerometer blocks, their time of sample 0 and rate."""
    words = b[:, :512].view("<u2").astype(np.uint32).sum(axis=1) & 0xFFFF
    nab = b[:, 25]
    axes, packing = nab >> 4, nab & 0xF
    count = _u16(b, 28)
    ok = ((b[:, 0] == ord("A")) & (b[:, 1] == ord("X")) & (_u16(b, 2) == 508) & (words == 0)
          & (((packing == 0) & (axes == 3) & (count <= 120))
             | ((packing == 2) & ((axes == 3) | (axes == 6)) & (count * axes * 2 <= 480))))
    fs = 3200.0 / (1 << (15 - (b[:, 24].astype(np.int64) & 0xF)))
    sec, tok = _cwa_seconds(_u32(b, 14).astype(np.int64))
    dfrac = _u16(b, 4)
    frac = np.where(dfrac & 0x8000, (dfrac & 0x7FFF) / 32768.0, 0.0)
    offset = b[:, 26].astype(np.int64) | (b[:, 27].astype(np.int64) << 8)
    offset = np.where(offset >= 32768, offset - 65536, offset)
    t_first = sec + frac - offset / fs
    ok &= tok & (fs >= MIN_FS) & (fs <= MAX_FS)
    return ok, t_first, fs


def _cwa_first(blocks: Callable[[int, int], np.ndarray], nblk: int) -> tuple[float, float] | None:
    for c in range(0, nblk, 256):
        b = blocks(c, min(256, nblk - c))
        ok, t, fs = _cwa_valid(b)
        if ok.any():
            i = int(np.argmax(ok))
            return float(t[i]), float(fs[i])
    return None


def _cwa_blocks(b: np.ndarray, state: dict) -> Chunks:
    ok, t_first, fs = _cwa_valid(b)
    state["good"] += int(ok.sum())
    nab, count = b[:, 25], _u16(b, 28).astype(np.int64)
    for packed, axes in ((True, 3), (False, 3), (False, 6)):
        sel = ok & ((nab & 0xF) == (0 if packed else 2)) & ((nab >> 4) == axes)
        if not sel.any():
            continue
        d = b[sel, 30:510]
        if packed:
            w = d.copy().view("<u4")  # (k, 120): eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx
            e = (w >> 30).astype(np.int32)
            acc = np.empty((*w.shape, 3), np.float32)
            for a, s in enumerate((0, 10, 20)):
                v = ((w >> s) & 0x3FF).astype(np.int32)
                acc[..., a] = ((v ^ 0x200) - 0x200) << e
            acc *= np.float32(1 / 256)
        else:
            v = d.copy().view("<i2").astype(np.float64)
            per = 480 // (2 * axes)
            v = v[:, : per * axes].reshape(-1, per, axes)
            acc = v[..., axes - 3:axes]  # AX6: gyroscope first, then accelerometer
            # Unpacked accelerometer scale 1/2^(8+n) g, n in the top 3 bits of lightScale.
            acc = acc / (2.0 ** (8 + (_u16(b[sel], 18) >> 13)))[:, None, None]
        k = acc.shape[1]
        j = np.arange(k)
        t = t_first[sel][:, None] + j[None, :] / fs[sel][:, None]
        valid = j[None, :] < count[sel][:, None]
        if valid.all():  # the usual case: full blocks, no copy through a mask
            yield t.ravel(), acc.reshape(-1, 3)
        else:
            yield t[valid], acc[valid]


# --- GENEActiv .bin ------------------------------------------------------------------

_HEX = np.full(256, 255, np.uint8)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _i
    _HEX[bytes([_c]).lower()[0]] = _i


def _geneactiv_time(s: bytes) -> float:
    # "2026-03-02 12:00:00:000": the milliseconds follow a colon.
    d, ms = s[:19].decode("ascii"), s[20:23]
    return _secs(dt.datetime.strptime(d, "%Y-%m-%d %H:%M:%S")) + (int(ms) / 1000 if ms.isdigit() else 0)


def _page_times(vals: list[bytes]) -> np.ndarray:
    """'Page Time' values -> seconds; fixed-width ``YYYY-MM-DD hh:mm:ss:mmm`` vectorised,
    anything else one by one."""
    if all(len(v) == 23 for v in vals):
        c = np.frombuffer(b"".join(vals), np.uint8).reshape(-1, 23).astype(np.int64) - 48
        digits = np.r_[0:4, 5:7, 8:10, 11:13, 14:16, 17:19, 20:23]
        if ((c[:, digits] >= 0) & (c[:, digits] <= 9)).all():
            def num(a: int, b: int) -> np.ndarray:
                return (c[:, a:b] * 10 ** np.arange(b - a - 1, -1, -1)).sum(axis=1)

            mo, d = num(5, 7), num(8, 10)
            h, mi, sec = num(11, 13), num(14, 16), num(17, 19)
            if ((mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31) & (h < 24) & (mi < 60) & (sec < 61)).all():
                return _civil_seconds(num(0, 4), mo, d, h, mi, sec) + num(20, 23) / 1000.0
    return np.array([_geneactiv_time(v) for v in vals])


def _geneactiv_source(path: Path) -> Source:
    """GENEActiv ``.bin`` (text header, pages of 300 hex samples)."""
    name, fmt = path.name, FORMAT_NAMES["geneactiv"]
    head: dict[str, str] = {}
    f = open(path, "rb")  # noqa: SIM115 - closed when the pages are read or on error
    try:
        for _ in range(200):
            line = f.readline(4096)  # a header line is short; never read a giant one whole
            if not line or line.strip() == b"Recorded Data":
                break
            k, _, v = line.decode("latin-1").strip().partition(":")
            head.setdefault(k.strip(), v.strip())
        else:
            raise broken(name, fmt, ("kop", "header"))
        try:
            gain = np.array([float(head[f"{a} gain"]) for a in "xyz"])
            off = np.array([float(head[f"{a} offset"]) for a in "xyz"])
            fs = float(head["Measurement Frequency"].split()[0])
        except (KeyError, ValueError, IndexError) as exc:
            raise broken(name, fmt, ("kalibratie of meetfrequentie", "calibration or sampling rate")) from exc
        if not (gain > 0).all() or not MIN_FS <= fs <= MAX_FS:
            raise broken(name, fmt, ("kalibratie of meetfrequentie", "calibration or sampling rate"))
        if not line:
            raise broken(name, fmt, ("geen gegevens", "no data"))
        serial = head.get("Device Unique Serial Code", "")
        pages = _geneactiv_pages(f, name, fmt, gain, off)
        first = next(pages, None)
        if first is None:
            raise broken(name, fmt, ("geen volledige pagina", "no complete page"))
    except BaseException:
        f.close()
        raise

    def chunks() -> Chunks:
        with f:
            yield first
            yield from pages

    return Source(name, "geneactiv", float(first[0][0]), fs, f"GENEActiv {serial}".strip(), chunks())


def _geneactiv_pages(f, name: str, fmt: str, gain: np.ndarray, off: np.ndarray) -> Chunks:
    """Yield decoded pages; ``f`` stands just after the first page's 'Recorded Data' line.
    An incomplete last page (a cut-off file) is left out."""
    lines = [b"Recorded Data"]
    tail = b""
    while True:
        block = f.read(4 << 20)
        parts = (tail + block).split(b"\n")
        tail = parts.pop() if block else b""
        if len(tail) > 8192:  # no line end in MBs: not a GENEActiv page
            raise broken(name, fmt, ("pagina-indeling", "page layout"))
        lines += [p.rstrip(b"\r") for p in parts]
        npg = len(lines) // 10
        if npg:
            yield _decode_pages(lines[: npg * 10], name, fmt, gain, off)
            lines = lines[npg * 10:]
        if not block:
            return


def _decode_pages(lines: list[bytes], name: str, fmt: str, gain: np.ndarray, off: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if any(ln != b"Recorded Data" for ln in lines[0::10]):
        raise broken(name, fmt, ("pagina-indeling", "page layout"))
    data = lines[9::10]
    if any(len(d) != 3600 for d in data):
        raise broken(name, fmt, ("gegevensregel van een pagina", "data line of a page"))
    try:
        t = _page_times([ln[10:] for ln in lines[3::10]])
        # The rate line is the same on (nearly) every page: parse each distinct one once.
        rate = {ln: float(ln.split(b":", 1)[1]) for ln in set(lines[8::10])}
        fs = np.array([rate[ln] for ln in lines[8::10]])
    except (ValueError, IndexError) as exc:
        raise broken(name, fmt, ("paginatijd of meetfrequentie", "page time or sampling rate")) from exc
    if not ((fs >= MIN_FS) & (fs <= MAX_FS)).all():
        raise broken(name, fmt, ("meetfrequentie", "sampling rate"))
    h = _HEX[np.frombuffer(b"".join(data), np.uint8)].reshape(len(data), 300, 12)
    if (h == 255).any():
        raise broken(name, fmt, ("geen hexadecimale gegevens", "data not hexadecimal"))
    h = h.astype(np.int16)
    v = np.empty((len(data), 300, 3), np.float32)
    for a in range(3):
        x = (h[..., 3 * a] << 8) | (h[..., 3 * a + 1] << 4) | h[..., 3 * a + 2]
        v[..., a] = np.where(x > 2047, x - 4096, x)
    acc = (v * np.float32(100.0) - off.astype(np.float32)) / gain.astype(np.float32)
    ts = t[:, None] + np.arange(300)[None, :] / fs[:, None]
    return ts.ravel(), acc.reshape(-1, 3)
