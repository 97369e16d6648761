"""Raw EDF/EDF+ bytes written field by field, so tests can craft any header.

edfio refuses to write most damaged headers; the fuzz tests need them exactly as an
attacker or a broken exporter would produce them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _f(value: object, width: int) -> bytes:
    raw = value if isinstance(value, bytes) else str(value).encode("latin-1")
    return raw[:width].ljust(width, b" ")


def craft_edf(
    path: Path,
    *,
    labels: Sequence[bytes | str] = ("EEG C3-M2",),
    samples: Sequence[int | str] = (100,),
    record_s: float | str = 1.0,
    n_records: int = 10,
    header_records: int | str | None = None,
    onsets: Sequence[float] | None = None,
    plus: bool = True,
    dims: Sequence[str] | None = None,
    tal_bytes: int = 60,
    extra_tal: bytes = b"",
) -> Path:
    """Write an EDF(+) file; ``onsets`` (one per record) make it EDF+D.

    ``header_records`` is what the header claims (default: ``n_records``); the file
    always holds ``n_records`` records of sine data. ``extra_tal`` (annotation TALs,
    e.g. ``b"+30\\x1530\\x14Sleep stage W\\x14\\x00"``) follows the time stamp of the
    first record.
    """
    labels = list(labels)
    samples = list(samples)
    dims = list(dims or ["uV"] * len(labels))
    ann = plus
    ns = len(labels) + (1 if ann else 0)
    all_labels = [*labels, "EDF Annotations"] if ann else labels
    tal_spr = tal_bytes // 2
    all_spr = [*samples, tal_spr] if ann else samples
    reserved = ("EDF+D" if onsets is not None else "EDF+C") if plus else ""
    head = b"".join([
        _f("0", 8), _f("X X X X", 80), _f("Startdate 01-NOV-2026 X X X", 80),
        _f("01.11.26", 8), _f("23.00.00", 8), _f(256 * (ns + 1), 8), _f(reserved, 44),
        _f(n_records if header_records is None else header_records, 8), _f(record_s, 8),
        _f(ns, 4),
    ])
    sig = b"".join(_f(v, 16) for v in all_labels)
    sig += b"".join(_f("", 80) for _ in range(ns))
    sig += b"".join(_f(d, 8) for d in [*dims, ""][:ns])
    sig += b"".join(_f(-500 if i < len(labels) else -1, 8) for i in range(ns))
    sig += b"".join(_f(500 if i < len(labels) else 1, 8) for i in range(ns))
    sig += b"".join(_f(-32768, 8) for _ in range(ns))
    sig += b"".join(_f(32767, 8) for _ in range(ns))
    sig += b"".join(_f("", 80) for _ in range(ns))
    sig += b"".join(_f(s, 8) for s in all_spr)
    sig += b"".join(_f("", 32) for _ in range(ns))
    spr_int = [int(s) if str(s).strip().lstrip("-").isdigit() else 0 for s in samples]
    rec_dur = float(record_s) if _num(record_s) else 1.0
    body = bytearray()
    for k in range(n_records):
        for s in spr_int:
            x = (np.sin(np.arange(max(s, 0)) / 5.0) * 3000).astype("<i2")
            body += x.tobytes()
        if ann:
            on = onsets[k] if onsets is not None else k * rec_dur
            tal = f"{on:+.3f}".rstrip("0").rstrip(".").encode() + b"\x14\x14\x00"
            if k == 0:
                tal += extra_tal
            body += tal[:tal_bytes].ljust(tal_bytes, b"\x00")
    path.write_bytes(head + sig + bytes(body))
    return path


def _num(v: object) -> bool:
    try:
        float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True
