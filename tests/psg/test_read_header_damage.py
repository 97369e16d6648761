"""Damaged EDF headers get a plain, specific PSGError instead of a Python crash.

Each case changes one header field of the real ``short_psg.edf`` the way the fuzz
tests did when they found the reader crashing (ValueError, scipy errors, or a user
message quoting "list index out of range").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nachtwacht.psg.errors import TruncatedFile, UnreadableFile
from nachtwacht.psg.read import _resample, read_recording

#: Per-signal field widths in file order (EDF spec).
_FIELDS = (("label", 16), ("transducer", 80), ("dimension", 8), ("phys_min", 8),
           ("phys_max", 8), ("dig_min", 8), ("dig_max", 8), ("prefilter", 80),
           ("samples", 8), ("reserved", 32))


def _signal_offset(data: bytes, field: str, index: int) -> tuple[int, int]:
    ns = int(data[252:256])
    pos = 256
    for name, width in _FIELDS:
        if name == field:
            return pos + index * width, width
        pos += width * ns
    raise KeyError(field)


def _set(data: bytes, offset: int, width: int, value: str) -> bytes:
    return data[:offset] + value.encode("latin-1").ljust(width) + data[offset + width:]


def _damaged(short_psg: Path, tmp_path: Path, data: bytes) -> Path:
    out = tmp_path / "damaged.edf"
    out.write_bytes(data)
    return out


def _assert_plain(exc: UnreadableFile | TruncatedFile, *words: str) -> None:
    for lang in ("nl", "en"):
        text = exc.text(lang)
        for internal in ("invalid literal", "could not convert", "index out of range",
                         "local variable", "not allowed", "must be >=", "Error"):
            assert internal not in text, f"{lang}: {text}"
    for w in words:
        assert w in exc.text("en"), exc.text("en")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phys_min", "19{", ("signal 1", "'EEG Fpz-Cz'", "physical minimum", "'19{'")),
        ("phys_max", "inf", ("signal 1", "physical maximum", "'inf'")),
        ("dig_min", "1e308", ("signal 1", "digital minimum", "'1e308'", "-32768")),
        ("dig_max", "abc", ("digital maximum", "'abc'")),
        ("samples", "-5", ("number of samples per data record", "'-5'")),
    ],
)
def test_bad_signal_field_is_named(short_psg, tmp_path, field, value, words):
    data = short_psg.read_bytes()
    off, width = _signal_offset(data, field, 0)
    path = _damaged(short_psg, tmp_path, _set(data, off, width, value))
    with pytest.raises(UnreadableFile) as info:
        read_recording(path)
    _assert_plain(info.value, *words)
    assert info.value.details["signal"] == 1 and info.value.details["field"] == field
    # Dutch too, naming the same field.
    assert "signaal 1" in info.value.text("nl")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0", ("duration is 0 seconds", "holds signals")),
        ("0.000001", ("sampled", "times per second", "0.000001")),
        ("-30", ("'-30'", "positive number of seconds")),
        ("nan", ("'nan'",)),
    ],
)
def test_bad_record_duration_is_named(short_psg, tmp_path, value, words):
    path = _damaged(short_psg, tmp_path, _set(short_psg.read_bytes(), 244, 8, value))
    with pytest.raises(UnreadableFile) as info:
        read_recording(path)
    _assert_plain(info.value, *words)


def test_file_cut_inside_signal_headers_says_truncated(short_psg, tmp_path):
    path = _damaged(short_psg, tmp_path, short_psg.read_bytes()[:300])
    with pytest.raises(TruncatedFile) as info:
        read_recording(path)
    _assert_plain(info.value, "truncated", "7 signals", "300 bytes")
    assert "afgebroken" in info.value.text("nl")


def test_annotation_only_file_with_zero_duration_still_reads(psg_dir):
    # EDF+ allows a record duration of 0 for annotation-only files (expert hypnograms).
    hyp = psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf"
    if not hyp.is_file():
        pytest.skip(f"{hyp} not found")
    rec = read_recording(hyp)
    assert rec.annotations and not rec.channels


def test_resample_far_below_source_rate_does_not_crash():
    # 100 kHz -> 32 Hz is below the 1/2000 ratio limit_denominator(1000) can express.
    x = np.sin(np.linspace(0, 20 * np.pi, 100_000)).astype(np.float32)
    y = _resample(x, 100_000.0, 32.0)
    assert y.dtype == np.float32 and 25 <= y.size <= 40
