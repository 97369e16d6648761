"""ActiGraph ``.gt3x`` (raw mode): a zip with ``info.txt`` and ``log.bin``; see :mod:`.raw`.

``log.bin`` is a chain of records (0x1E, type, UNIX time of the local clock, payload
size, payload, checksum = NOT of the XOR of the other bytes). Runs of records of one
size, the one-second activity records, are checked and decoded in one NumPy step.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import broken
from .raw import FORMAT_NAMES, MAX_FS, MIN_FS, Chunks, Source, _secs

#: log.bin record types (ActiGraph's GT3X format documentation; pygt3x ``Types``).
ACTIVITY, EVENT, ACTIVITY2, ACTIVITY3 = 0x00, 0x03, 0x1A, 0x1B
#: log.bin is read this many bytes at a time.
GT3X_READ = 2 << 20


def _unpack12(p: bytes) -> np.ndarray:
    """12-bit big-endian packed values (two per three bytes), signed."""
    d = np.frombuffer(p + b"\x00" * (-len(p) % 3), np.uint8).reshape(-1, 3).astype(np.int64)
    v = np.c_[(d[:, 0] << 4) | (d[:, 1] >> 4), ((d[:, 1] & 0xF) << 8) | d[:, 2]].ravel()
    return np.where(v > 2047, v - 4096, v)


#: What a damaged zip raises: a bad directory, bad deflate data, a compression method or
#: encryption zipfile does not support (a flipped byte in the header can say either).
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError)


def gt3x_source(path: Path) -> Source:
    """ActiGraph ``.gt3x`` (zip with ``info.txt`` and ``log.bin``)."""
    name, fmt = path.name, FORMAT_NAMES["gt3x"]
    try:
        z = zipfile.ZipFile(path)
        info_txt = z.read("info.txt").decode("utf-8-sig", errors="replace")
        names = z.namelist()
    except (*ZIP_ERRORS, KeyError) as exc:
        raise broken(name, fmt, ("zip of info.txt", "zip or info.txt")) from exc
    info = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in info_txt.splitlines())}
    try:
        if "log.bin" not in names:
            raise broken(name, fmt, ("geen log.bin (het oude NHANES-formaat lezen wij niet)", "no log.bin (we do not read the old NHANES format)"))
        try:
            fs = float(info["Sample Rate"])
            scale = float(info.get("Acceleration Scale") or 256.0)
            start = dt.datetime(1, 1, 1) + dt.timedelta(microseconds=int(info["Start Date"]) // 10)
        except (KeyError, ValueError, OverflowError) as exc:
            raise broken(name, fmt, ("info.txt", "info.txt")) from exc
        if not MIN_FS <= fs <= MAX_FS or scale <= 0 or fs != int(fs):
            raise broken(name, fmt, ("info.txt", "info.txt"))
        try:
            f = z.open("log.bin")
        except ZIP_ERRORS as exc:
            raise broken(name, fmt, ("log.bin", "log.bin")) from exc
    except BaseException:
        z.close()
        raise
    still: list[tuple[float, float, np.ndarray]] = []

    def chunks() -> Chunks:
        with z, f:
            try:
                yield from _gt3x_records(f, int(fs), scale, name, fmt, still)
            except ZIP_ERRORS as exc:
                raise broken(name, fmt, ("log.bin onvolledig", "log.bin incomplete")) from exc

    return Source(name, "gt3x", _secs(start), fs, f"ActiGraph {info.get('Serial Number', '')}".strip(),
                  chunks(), still)


def _walk(buf: bytes, name: str, fmt: str) -> tuple[np.ndarray, int]:
    """The complete records in ``buf``: ``(k, 4)`` array of offset, type, time, payload
    size; and the offset after the last one. Runs of records of one size (one per
    second, the usual case) are checked and taken in one NumPy step."""
    b8 = np.frombuffer(buf, np.uint8)
    n, pos, parts = len(buf), 0, []
    while pos + 8 <= n:
        if buf[pos] != 0x1E:
            raise broken(name, fmt, ("log.bin-record", "log.bin record"))
        size = buf[pos + 6] | (buf[pos + 7] << 8)
        step = 9 + size
        k = (n - pos) // step
        if k == 0:
            break
        at = pos + step * np.arange(k, dtype=np.int64)
        same = (b8[at] == 0x1E) & ((b8[at + 6].astype(np.int64) | (b8[at + 7].astype(np.int64) << 8)) == size)
        run = k if same.all() else int(np.argmin(same))
        at = at[:run]
        ts = b8[at[:, None] + np.arange(2, 6)].copy().view("<u4").ravel().astype(np.int64)
        parts.append(np.c_[at, b8[at + 1], ts, np.full(run, size)])
        pos += run * step
    return (np.concatenate(parts) if parts else np.zeros((0, 4), np.int64)), pos


def _gt3x_records(f, fs: int, scale: float, name: str, fmt: str,
                  still: list[tuple[float, float, np.ndarray]]) -> Chunks:
    """Walk log.bin records piece by piece; yield the acceleration of each piece."""
    buf = b""
    ism_start: int | None = None
    last = np.zeros(3)
    while True:
        more = f.read(GT3X_READ)
        buf += more
        rec, pos = _walk(buf, name, fmt)
        if not len(rec):
            if not more:
                return
            continue
        # A record's bytes, checksum included, XOR to 0xFF when intact; others are skipped.
        x = np.bitwise_xor.reduceat(np.frombuffer(buf, np.uint8, count=pos), rec[:, 0])
        if (x != 0xFF).mean() > 0.5:
            raise broken(name, fmt, ("controlegetallen van log.bin", "checksums of log.bin"))
        good = x == 0xFF
        b8 = np.frombuffer(buf, np.uint8, count=pos)
        # The usual record, one second of int16 x, y, z, decoded for the whole piece at once.
        reg = np.flatnonzero(good & (rec[:, 1] == ACTIVITY2) & (rec[:, 3] == fs * 6))
        acc_r = (b8[(rec[reg, 0] + 8)[:, None] + np.arange(fs * 6)].copy().view("<i2")
                 .reshape(len(reg), fs, 3).astype(np.float64) / scale)
        t_r = rec[reg, 2][:, None] + np.arange(fs)[None, :] / fs
        t_l, acc_l, act_at = [t_r.ravel()], [acc_r.reshape(-1, 3)], {}
        rest = good & (rec[:, 3] > 0)
        rest[reg] = False
        for i in np.flatnonzero(rest):
            at, typ, ts, size = (int(v) for v in rec[i])
            p = buf[at + 8:at + 8 + size]
            if typ in (ACTIVITY, ACTIVITY3):
                v = _unpack12(p)
                v = v[: len(v) // 3 * 3].reshape(-1, 3)
                v = v[:, [1, 0, 2]] if typ == ACTIVITY else v  # ACTIVITY stores y, x, z
            elif typ == ACTIVITY2:
                v = np.frombuffer(p[: size // 6 * 6], "<i2").reshape(-1, 3)
            elif typ == EVENT and p == b"\x08":
                ism_start = ts
                continue
            elif typ == EVENT and p == b"\x09" and ism_start is not None:
                # Idle sleep mode: the device stopped sampling because it lay still;
                # those seconds hold the last position (as ActiLife and pygt3x fill them).
                k = np.searchsorted(reg, i) - 1
                j = max([a for a in act_at if a < i], default=-1)
                if j > (reg[k] if k >= 0 else -1):
                    last = act_at[j][-1]
                elif k >= 0:
                    last = acc_r[k, -1]
                still.append((float(ism_start), float(ts), last.copy()))
                ism_start = None
                continue
            else:
                continue
            act_at[i] = v.astype(np.float64) / scale
            t_l.append(ts + np.arange(len(v)) / fs)
            acc_l.append(act_at[i])
        t, acc = np.concatenate(t_l), np.concatenate(acc_l)
        if len(t):
            last_i = max(act_at, default=-1)
            last = act_at[last_i][-1] if last_i > (reg[-1] if reg.size else -1) else acc_r[-1, -1]
            yield t, acc
        buf = buf[pos:]
        if not more:
            return
