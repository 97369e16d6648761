"""Mutations of a real EDF file's header, for fuzzing the sleep-study reader.

Shared by ``test_fuzz_edf.py`` and ``bench/fuzz_inputs.py``. The fixed header is 256
bytes, then 256 bytes per signal (EDF spec, Kemp et al. 1992); every mutation keeps
the rest of the file so the reader gets past the first check and meets the damage.
"""

from __future__ import annotations

import random

#: (name, offset, width) of the fixed header fields.
FIXED = [("version", 0, 8), ("patient", 8, 80), ("recording", 88, 80), ("startdate", 168, 8),
         ("starttime", 176, 8), ("header_bytes", 184, 8), ("reserved", 192, 44),
         ("n_records", 236, 8), ("record_duration", 244, 8), ("n_signals", 252, 4)]
#: (name, width) of the per-signal fields, each stored for all signals in a row.
PER_SIGNAL = [("label", 16), ("transducer", 80), ("dimension", 8), ("phys_min", 8), ("phys_max", 8),
              ("dig_min", 8), ("dig_max", 8), ("prefilter", 80), ("samples", 8), ("reserved", 32)]

NUMERIC_JUNK = ["-1", "0", "1", "99999999", "-9999999", "1e308", "nan", "inf", "  ", "abc", "1.5",
                "0.000001", "2147483648", "-0", "+3", "\x00\x00", "\xff"]


def n_signals(data: bytes) -> int:
    return int(data[252:256].decode("ascii", "replace").strip() or 0)


def boundaries(data: bytes) -> list[int]:
    """Every offset where a header field starts or ends (for truncation)."""
    out = sorted({off for _, off, _ in FIXED} | {off + w for _, off, w in FIXED})
    ns = n_signals(data)
    pos = 256
    for _, w in PER_SIGNAL:
        for _ in range(ns):
            out.append(pos)
            pos += w
    out.append(pos)
    return sorted(set(out))


def set_field(data: bytes, offset: int, width: int, value: str) -> bytes:
    raw = value.encode("latin-1", "replace")[:width].ljust(width, b" ")
    return data[:offset] + raw + data[offset + width:]


def signal_field(data: bytes, name: str, index: int) -> tuple[int, int]:
    """(offset, width) of per-signal field ``name`` of signal ``index``."""
    ns = n_signals(data)
    pos = 256
    for fname, w in PER_SIGNAL:
        if fname == name:
            return pos + index * w, w
        pos += w * ns
    raise KeyError(name)


def flip_header_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    end = 256 * (1 + max(0, n_signals(data)))
    for _ in range(rng.randint(1, 12)):
        b[rng.randrange(min(end, len(b)))] = rng.randrange(256)
    return bytes(b)


def junk_fixed_field(data: bytes, rng: random.Random) -> bytes:
    _, off, w = rng.choice(FIXED)
    return set_field(data, off, w, rng.choice(NUMERIC_JUNK))


def junk_signal_field(data: bytes, rng: random.Random) -> bytes:
    name, _ = rng.choice(PER_SIGNAL)
    off, w = signal_field(data, name, rng.randrange(n_signals(data)))
    return set_field(data, off, w, rng.choice(NUMERIC_JUNK))


def wrong_record_count(data: bytes, rng: random.Random) -> bytes:
    return set_field(data, 236, 8, str(rng.choice([-1, 0, 1, 2, 29, 31, 1000, 99999999])))


def huge_or_zero_samples(data: bytes, rng: random.Random) -> bytes:
    off, w = signal_field(data, "samples", rng.randrange(n_signals(data)))
    return set_field(data, off, w, str(rng.choice([0, 1, 99999999, 10**7, -5])))


def wrong_signal_count(data: bytes, rng: random.Random) -> bytes:
    return set_field(data, 252, 4, str(rng.choice([0, 1, 6, 8, 9999, -1])))


def truncate_at_boundary(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.choice(boundaries(data))]


def truncate_data(data: bytes, rng: random.Random) -> bytes:
    head = 256 * (1 + n_signals(data))
    if head >= len(data):
        return data[: rng.randrange(len(data) + 1)]
    return data[: rng.randrange(head, len(data))]


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([0, 1, 255, 256, 257, 1024, 5000]))


def random_after_version(data: bytes, rng: random.Random) -> bytes:
    # A file that passes the "0       " sniff of the upload form but is garbage.
    return b"0       " + rng.randbytes(rng.choice([248, 600, 4000]))


EDF_MUTATORS = [flip_header_bytes, junk_fixed_field, junk_signal_field, wrong_record_count,
                huge_or_zero_samples, wrong_signal_count, truncate_at_boundary, truncate_data,
                random_bytes, random_after_version]


def mutate_edf(data: bytes, rng: random.Random) -> bytes:
    """One to three header mutations of a valid EDF file."""
    out = data
    for _ in range(rng.randint(1, 3)):
        if len(out) < 256 or n_signals_safe(out) <= 0:
            break
        out = rng.choice(EDF_MUTATORS)(out, rng)
    return out


def n_signals_safe(data: bytes) -> int:
    try:
        return n_signals(data)
    except ValueError:
        return 0
