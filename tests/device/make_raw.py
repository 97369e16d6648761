"""Build raw wrist-accelerometer files to the published formats, for the tests and the bench.

No real recordings of these formats ship with scikit-digital-health or pygt3x, and the
tests cannot download any, so these writers follow the format specifications:

* Axivity ``.cwa``: OpenMovement ``cwa.h`` — a 1024-byte ``MD`` header, then 512-byte
  ``AX`` blocks (120 packed 10-bit samples with a 2-bit exponent, or 80 unpacked 16-bit
  samples), a packed RTC timestamp with the sample index it is valid for, and a 16-bit
  word checksum (all words of a block sum to zero).
* GENEActiv ``.bin``: the text header (59 lines, the line positions
  scikit-digital-health's reader expects), then pages of 10 lines with 300 samples as
  hex (12-bit x, y, z, 10-bit light, button, reserved), calibrated by
  ``(raw * 100 - offset) / gain``.
* ActiGraph ``.gt3x``: a zip with ``info.txt`` and ``log.bin`` (records: 0x1E, type,
  UNIX time, payload size, payload, 1-byte checksum = NOT of the XOR of the rest);
  ``ACTIVITY2`` (0x1A) records hold one second of int16 x, y, z, or the older
  ``ACTIVITY`` (0x00) records 12-bit packed y, x, z.

:func:`wrist_motion` makes two days of synthetic wrist motion with clear nights; the
night times are returned so the tests know sleep onset and offset.

Run ``python tests/device/make_raw.py OUTDIR`` to write one file of each format.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

#: Nights of the synthetic recording (start, end) relative to its start at noon, hours.
NIGHTS_H = ((11.0, 19.0), (35.5, 42.75))


def wrist_motion(fs: int = 25, days: float = 2.0, seed: int = 1,
                 nights_h: tuple[tuple[float, float], ...] = NIGHTS_H) -> np.ndarray:
    """Synthetic wrist acceleration (g), ``(n, 3)`` float, starting at noon.

    Awake: the forearm turns every few seconds (gravity direction changes) with 0.15 g
    of movement noise. Asleep: the wrist lies still with 4 mg sensor noise and shifts
    posture every 10-40 minutes (a 5-s turn), as real sleepers do.
    """
    rng = np.random.default_rng(seed)
    n = int(days * 86400 * fs)
    t_h = np.arange(n) / fs / 3600.0
    asleep = np.zeros(n, bool)
    for a, b in nights_h:
        asleep |= (t_h >= a) & (t_h < b)
    # Orientation: a random walk of two angles, fast when awake, frozen when asleep.
    step = np.where(asleep, 0.0, 0.02)
    # Posture shifts during sleep: short bursts of turning.
    shifts = np.zeros(n, bool)
    for a, b in nights_h:
        t = a + 0.25
        while t < b - 0.1:
            i = int(t * 3600 * fs)
            shifts[i:i + 5 * fs] = True
            t += rng.uniform(10, 40) / 60
    step = np.where(shifts, 0.05, step)
    # Random walk per second, interpolated to samples (cheap for days of data).
    sec = np.arange(0, n + fs, fs)
    theta = np.cumsum(rng.normal(0, 1, len(sec)) * step[np.minimum(sec, n - 1)] * np.sqrt(fs))
    phi = np.cumsum(rng.normal(0, 1, len(sec)) * step[np.minimum(sec, n - 1)] * np.sqrt(fs))
    th = np.interp(np.arange(n), sec, theta) + 0.6
    ph = np.interp(np.arange(n), sec, phi)
    g = np.c_[np.cos(th) * np.cos(ph), np.cos(th) * np.sin(ph), np.sin(th)]
    noise = np.where(asleep[:, None] & ~shifts[:, None], 0.004, 0.15)
    return (g + rng.normal(0, 1, (n, 3)) * noise).astype(np.float32)


# --- Axivity CWA ---------------------------------------------------------------------

def _cwa_time(t: dt.datetime) -> int:
    return (((t.year - 2000) & 0x3F) << 26 | (t.month & 0xF) << 22 | (t.day & 0x1F) << 17
            | (t.hour & 0x1F) << 12 | (t.minute & 0x3F) << 6 | (t.second & 0x3F))


def _rate_code(fs: int) -> int:
    code = {6: 6, 12: 7, 25: 8, 50: 9, 100: 10, 200: 11, 400: 12}[int(round(fs))]
    return 0x40 | code  # top bits 01: +-8 g range


def write_cwa(path: Path, acc: np.ndarray, fs: int, start: dt.datetime,
              packed: bool = True, device_id: int = 4242, session: int = 7,
              seq0: int = 0, header: bool = True) -> None:
    """Write ``acc`` (g, ``(n, 3)``) as an Axivity AX3 ``.cwa`` file (or, with
    ``header=False``, append its blocks numbered from ``seq0``)."""
    per = 120 if packed else 80
    n = len(acc) // per * per
    raw = np.round(acc[:n] * 256).astype(np.int32).reshape(-1, per, 3)
    nblk = raw.shape[0]
    hdr = bytearray(1024)
    struct.pack_into("<2sHBHIH", hdr, 0, b"MD", 1020, 0x17, device_id, session, 0)
    hdr[36] = _rate_code(fs)
    hdr[41] = 48
    hdr[64:1024] = b"\x20" * 960
    blocks = np.zeros((nblk, 512), np.uint8)
    for k in range(nblk):
        s = k * per
        t_first = start + dt.timedelta(seconds=s / fs)
        whole = t_first.replace(microsecond=0)
        if whole < t_first:
            whole += dt.timedelta(seconds=1)
        off = int(round((whole - t_first).total_seconds() * fs))
        struct.pack_into("<2sHHIIIHHBBBBhH", blocks[k], 0, b"AX", 508, 0x8000, session, seq0 + k,
                         _cwa_time(whole), 0, 400, 0, 200, _rate_code(fs),
                         0x30 if packed else 0x32, off, per)
    if packed:
        v = raw
        e = np.zeros(v.shape[:2], np.int32)
        big = np.abs(v).max(axis=2)
        for ex in (1, 2, 3):
            e = np.where(big >= (512 << (ex - 1)), ex, e)
        q = v >> e[..., None]
        word = ((e.astype(np.uint32) << 30) | ((q[..., 2] & 0x3FF).astype(np.uint32) << 20)
                | ((q[..., 1] & 0x3FF).astype(np.uint32) << 10) | (q[..., 0] & 0x3FF).astype(np.uint32))
        blocks[:, 30:510] = word.astype("<u4").view(np.uint8).reshape(nblk, 480)
    else:
        blocks[:, 30:510] = raw.astype("<i2").view(np.uint8).reshape(nblk, 480)
    words = blocks[:, :510].copy().view("<u2").astype(np.uint32).sum(axis=1)
    blocks[:, 510:512] = ((-words) & 0xFFFF).astype("<u2").view(np.uint8).reshape(nblk, 2)
    with open(path, "wb" if header else "ab") as f:
        if header:
            f.write(bytes(hdr))
        f.write(blocks.tobytes())


# --- GENEActiv .bin ------------------------------------------------------------------

GAIN, OFFSET = 25548, 574


def write_bin(path: Path, acc: np.ndarray, fs: int, start: dt.datetime,
              pages_claimed: int | None = None, page0: int = 0, header: bool = True) -> None:
    """Write ``acc`` (g) as a GENEActiv ``.bin`` file (300 samples per page), or with
    ``header=False`` append its pages numbered from ``page0``."""
    n = len(acc) // 300 * 300
    raw = np.clip(np.round((acc[:n].astype(float) * GAIN + OFFSET) / 100), -2048, 2047).astype(np.int64)
    npages = n // 300
    t = start.strftime("%Y-%m-%d %H:%M:%S:000")
    lines = [
        "Device Identity", "Device Unique Serial Code:012345", "Device Type:GENEActiv",
        "Device Model:1.1", "Device Firmware:Ver06.17 15June2016", "Calibration Date:2016-01-01 10:00:00",
        "", "Device Capabilities", "Accelerometer Range:-8 to 8", "Accelerometer Resolution:0.0039",
        "Accelerometer Units:g", "Light Meter Range:0 to 3000", "Light Meter Resolution:5",
        "Light Meter Units:lux", "Temperature Sensor Range:0 to 60", "Temperature Sensor Resolution:0.1",
        "Temperature Sensor Units:deg. C", "", "Configuration Info", f"Measurement Frequency:{fs} Hz",
        "Measurement Period:168 Hours", f"Start Time:{t}", f"Study Start Time:{t}", "Time Zone:GMT +01:00",
        "", "Trial Info", "Study Centre:", "Study Code:", "Investigator ID:", "Exercise Type:",
        "Config Operator ID:", f"Config Time:{t}", "Config Notes:", "Extract Operator ID:",
        f"Extract Time:{t}", "Extract Notes:", "", "Subject Info", "Device Location Code:left wrist",
        "Subject Code:", "Date of Birth:", "Sex:", "Height:", "Weight:", "Handedness Code:",
        "Subject Notes:", "Calibration Data", f"x gain:{GAIN}", f"x offset:{OFFSET}",
        f"y gain:{GAIN}", f"y offset:{OFFSET}", f"z gain:{GAIN}", f"z offset:{OFFSET}",
        "Volts:300", "Lux:800", "", "Memory Status",
        f"Number of Pages:{npages if pages_claimed is None else pages_claimed}", "",
    ]
    assert len(lines) == 59
    r = raw.reshape(npages, 300, 3) & 0xFFF
    word = (r[..., 0] << 36) | (r[..., 1] << 24) | (r[..., 2] << 12) | (200 << 2)
    nib = (word[..., None] >> (4 * np.arange(11, -1, -1))) & 0xF
    hexed = np.frombuffer(b"0123456789ABCDEF", np.uint8)[nib].reshape(npages, 3600)
    with open(path, "wb" if header else "ab") as f:
        if header:
            f.write(("\r\n".join(lines) + "\r\n").encode("ascii"))
        for p in range(npages):
            pt = (start + dt.timedelta(seconds=p * 300 / fs))
            f.write((f"Recorded Data\r\nDevice Unique Serial Code:012345\r\nSequence Number:{page0 + p}\r\n"
                     f"Page Time:{pt:%Y-%m-%d %H:%M:%S}:{pt.microsecond // 1000:03d}\r\nUnassigned:\r\n"
                     f"Temperature:26.0\r\nBattery voltage:4.0\r\nDevice Status:Recording\r\n"
                     f"Measurement Frequency:{fs}.0\r\n").encode("ascii"))
            f.write(hexed[p].tobytes() + b"\r\n")


# --- ActiGraph .gt3x -----------------------------------------------------------------

def _ticks(t: dt.datetime) -> int:
    return int((t - dt.datetime(1, 1, 1)).total_seconds()) * 10_000_000


def _record(typ: int, ts: int, payload: bytes) -> bytes:
    head = struct.pack("<BBIH", 0x1E, typ, ts, len(payload))
    x = 0
    for b in head + payload:
        x ^= b
    return head + payload + bytes([~x & 0xFF])


def write_gt3x(path: Path, acc: np.ndarray, fs: int, start: dt.datetime,
               scale: float = 256.0, old_packing: bool = False,
               idle: tuple[int, int] | None = None) -> None:
    """Write ``acc`` (g) as an ActiGraph ``.gt3x`` (ACTIVITY2 int16 records, one per second,
    or the older 12-bit ACTIVITY records with ``old_packing``; ``idle``: see :func:`gt3x_log`)."""
    log = gt3x_log(acc, fs, start, scale, old_packing, idle=idle)
    end = start + dt.timedelta(seconds=len(acc) // fs)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("info.txt", gt3x_info(fs, start, end, scale))
        z.writestr("log.bin", log)


def gt3x_info(fs: int, start: dt.datetime, end: dt.datetime, scale: float = 256.0) -> str:
    """The ``info.txt`` of a .gt3x file."""
    return (f"Serial Number: MOS2E12345678\nDevice Type: wGT3XBT\nFirmware: 1.9.2\n"
            f"Battery Voltage: 4.10\nSample Rate: {fs}\nStart Date: {_ticks(start)}\n"
            f"Stop Date: {_ticks(end)}\nLast Sample Time: {_ticks(end)}\nTimeZone: 01:00:00\n"
            f"Download Date: {_ticks(end)}\nBoard Revision: 4\nUnexpected Resets: 0\n"
            f"Acceleration Scale: {scale}\nAcceleration Min: -8.0\nAcceleration Max: 8.0\n")


def gt3x_log(acc: np.ndarray, fs: int, start: dt.datetime, scale: float = 256.0,
             old_packing: bool = False, params: bool = True,
             idle: tuple[int, int] | None = None) -> bytes:
    """``log.bin`` records for ``acc``: a parameters record, then one record per second.

    ``idle`` = (first, end) seconds: idle sleep mode, as a device that lay still: an
    EVENT record 0x08 at ``first``, no samples, an EVENT record 0x09 at ``end``.
    """
    n = len(acc) // fs * fs
    raw = np.clip(np.round(acc[:n] * scale), -2048, 2047).astype(np.int16).reshape(-1, fs, 3)
    # The record time is the local wall clock as seconds since 1970 (ActiGraph's own use).
    t0 = int((start - dt.datetime(1970, 1, 1)).total_seconds())
    log = io.BytesIO()
    if params:
        log.write(_record(0x15, t0, b"\x00" * 8))
    if not old_packing:
        # One ACTIVITY2 record per second, built for all seconds at once.
        nsec, size = raw.shape[0], fs * 6
        rec = np.zeros((nsec, 9 + size), np.uint8)
        rec[:, 0], rec[:, 1] = 0x1E, 0x1A
        rec[:, 2:6] = (t0 + np.arange(nsec, dtype="<u4")).astype("<u4").view(np.uint8).reshape(nsec, 4)
        rec[:, 6:8] = np.frombuffer(struct.pack("<H", size), np.uint8)
        rec[:, 8:8 + size] = raw.astype("<i2").view(np.uint8).reshape(nsec, size)
        rec[:, -1] = ~np.bitwise_xor.reduce(rec[:, :-1], axis=1)
        if idle is None:
            log.write(rec.tobytes())
        else:
            a, b = idle
            log.write(rec[:a].tobytes() + _record(0x03, t0 + a, b"\x08")
                      + _record(0x03, t0 + b, b"\x09") + rec[b:].tobytes())
    for s in range(raw.shape[0] if old_packing else 0):
        if old_packing:
            v = raw[s][:, [1, 0, 2]].reshape(-1).astype(np.int32) & 0xFFF
            if len(v) % 2:
                v = np.r_[v, 0]
            a, b = v[0::2], v[1::2]
            payload = np.c_[a >> 4, ((a & 0xF) << 4) | (b >> 8), b & 0xFF].astype(np.uint8).tobytes()
            if (fs * 3) % 2:
                payload = payload[:-1]
            log.write(_record(0x00, t0 + s, payload))
    return log.getvalue()


def write_days(fmt: str, path: Path, fs: int, days: int, start: dt.datetime) -> None:
    """Write ``days`` days (noon to noon, night 23:00-07:00) day by day, so a two-week
    file at 100 Hz never needs the whole recording in memory (for the bench)."""
    z = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) if fmt == "gt3x" else None
    log = z.open("log.bin", "w", force_zip64=True) if z else None
    for d in range(days):
        acc = wrist_motion(fs, days=1, seed=d, nights_h=((11.0, 19.0),))
        t = start + dt.timedelta(days=d)
        if fmt == "cwa":
            write_cwa(path, acc, fs, t, seq0=d * len(acc) // 120, header=d == 0)
        elif fmt == "bin":
            write_bin(path, acc, fs, t, pages_claimed=days * len(acc) // 300, page0=d * len(acc) // 300,
                      header=d == 0)
        else:
            log.write(gt3x_log(acc, fs, t, params=d == 0))
    if z:
        log.close()
        z.writestr("info.txt", gt3x_info(fs, start, start + dt.timedelta(days=days)))
        z.close()


START = dt.datetime(2026, 3, 2, 12, 0, 0)

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    a = wrist_motion(25)
    write_cwa(out / "synthetic.cwa", a, 25, START)
    write_bin(out / "synthetic.bin", a, 25, START)
    write_gt3x(out / "synthetic.gt3x", a, 25, START)
