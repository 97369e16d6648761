"""The reader cannot be blown up: crafted headers end fast, in a clean error or a result.

Each case is a header an attacker or a broken exporter could write (issue #13): huge
record counts, negative durations, 5,000-s and maximal EDF+D gaps, onsets out of order,
absurd sampling rates and channel counts, NUL and control characters in labels. Every
case must finish within seconds with a :class:`PSGError` or a :class:`Recording`, and
Python's peak allocation (NumPy reports to tracemalloc) must stay near the file size.
"""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from edf_craft import craft_edf

from nachtwacht.psg.errors import PSGError, UnreadableFile
from nachtwacht.psg.read import clean_text, read_recording
from nachtwacht.psg.types import Recording

#: Peak allocation allowed on top of a few times the file size (MB).
SLACK_MB = 40


def _read_bounded(path: Path) -> Recording | PSGError:
    """read_recording() under a time and peak-memory check."""
    size_mb = path.stat().st_size / 2**20
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out: Recording | PSGError = read_recording(path)
    except PSGError as exc:
        out = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5.0
    assert peak < 4 * size_mb + SLACK_MB, f"peak {peak:.0f} MB for a {size_mb:.1f} MB file"
    return out


def _gap_onsets(n: int, at: int, gap: float) -> list[float]:
    return [float(k) if k < at else k + gap for k in range(n)]


CASES = {
    "huge record count": dict(n_records=10, header_records=99_999_999),
    "record count -1": dict(n_records=10, header_records=-1),
    "record count text": dict(n_records=10, header_records="lots"),
    "negative duration": dict(record_s=-1.0),
    "duration 1e-9": dict(record_s="1e-9"),
    "duration 1e9": dict(record_s="1e9", n_records=2),
    "5000-s gap": dict(labels=["EEG C3-M2", "EMG chin"], samples=[256, 256], n_records=600,
                       onsets=_gap_onsets(600, 300, 5000.0)),
    "maximal gap": dict(labels=["EEG C3-M2"], samples=[50_000], n_records=2,
                        onsets=[0.0, 36 * 3600 - 2.0]),
    "beyond 36 h gap": dict(labels=["EEG C3-M2"] * 4, samples=[5000] * 4, n_records=2,
                            onsets=[0.0, 1e8]),
    "onsets backwards": dict(n_records=10, onsets=[0, 1, 2, 3, 4, 1, 2, 3, 4, 5]),
    "negative onset": dict(n_records=4, onsets=[-50.0, -49, -48, -47]),
    "overlapping records": dict(n_records=4, onsets=[0.0, 0.5, 1.0, 1.5]),
    "absurd sampling rate": dict(samples=[10_000_000], record_s=1.0, n_records=0, header_records=1),
    "huge record size": dict(samples=[99_999_999], record_s=100_000.0, n_records=0,
                             header_records=1),
    "10,000 signals": dict(labels=["EEG"] * 9999, samples=[1] * 9999, n_records=1, plus=False),
    "samples negative": dict(samples=[-5]),
    "NUL and control labels": dict(labels=[b"EEG\x00C3-M2\x00\x00", b"EMG\x1b[31mchin", b"\x7f\x00"],
                                   samples=[100, 100, 100]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_header_ends_fast_and_small(case: str, tmp_path: Path) -> None:
    path = craft_edf(tmp_path / "c.edf", **CASES[case])
    out = _read_bounded(path)
    if isinstance(out, PSGError):
        for lang in ("nl", "en"):
            text = out.text(lang)
            assert text and "Error" not in text and "Traceback" not in text
    else:
        for name, ch in out.channels.items():
            assert name == clean_text(name) and ch.unit == clean_text(ch.unit)
        assert all(a.description == clean_text(a.description) for a in out.annotations)


@pytest.mark.parametrize("case", ["5000-s gap", "maximal gap", "onsets backwards"])
def test_gap_errors_name_the_problem_in_both_languages(case: str, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as info:
        read_recording(craft_edf(tmp_path / "c.edf", **CASES[case]))
    assert "EDF+D" in info.value.text("nl") and "EDF+D" in info.value.text("en")
    assert "EDFbrowser" in info.value.text("en")


def test_short_gap_still_filled_with_nan(tmp_path: Path) -> None:
    onsets = _gap_onsets(20, 10, 5.0)
    rec = read_recording(craft_edf(tmp_path / "c.edf", samples=[100], n_records=20, onsets=onsets))
    x = rec.channels["EEG C3-M2"].data
    assert x.size == 2500 and np.isnan(x[1000:1500]).all() and np.isfinite(x[1500:]).all()


def test_control_characters_cleaned_and_reported(tmp_path: Path) -> None:
    rec = read_recording(craft_edf(tmp_path / "c.edf", **CASES["NUL and control labels"]))
    assert list(rec.channels) == ["EEG C3-M2", "EMG [31mchin", "signal3"]
    assert any("control characters" in w for w in rec.warnings)
    text = json.dumps([list(rec.channels), rec.warnings])
    assert "\\u0000" not in text and "\\u001b" not in text


def test_random_header_fuzz(tmp_path: Path) -> None:
    """150 random mutations of header numbers of a small EDF+D: never a crash, never slow."""
    base = craft_edf(tmp_path / "base.edf", labels=["EEG C3-M2", "Leg L"], samples=[64, 64],
                     n_records=30, onsets=_gap_onsets(30, 15, 3.0)).read_bytes()
    rng = random.Random(13)
    fields = [(236, 8), (244, 8), (252, 4), (256 + 216 * 3, 8), (256 + 216 * 3 + 8, 8)]
    values = ["-1", "0", "1e9", "99999999", "-99999", "nan", "inf", "0.0001", "3", "1e-7", "\x00"]
    t0 = time.perf_counter()
    for i in range(150):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            off, width = rng.choice(fields)
            data[off : off + width] = rng.choice(values).encode("latin-1").ljust(width)[:width]
        if rng.random() < 0.3:  # a random TAL onset in some record
            k = rng.randrange(30)
            pos = 256 * 4 + k * (2 * 128 + 60)
            data[pos + 2 * 128 : pos + 2 * 128 + 12] = f"+{rng.choice([1e9, -5, 7e4, 0])}\x14\x14".encode().ljust(12, b"\x00")[:12]
        path = tmp_path / f"f{i}.edf"
        path.write_bytes(bytes(data))
        _read_bounded(path)
    assert time.perf_counter() - t0 < 30.0


def test_analysis_json_is_strict_for_postgres() -> None:
    """NaN, Infinity and NUL anywhere in a result must not reach the web's JSON column."""
    from nachtwacht.psg.pipeline import _json_safe

    raw = {"a": float("nan"), "b": [np.float32(np.inf), "x\x00y"], "c\x00": np.int64(3)}
    assert _json_safe(raw) == {"a": None, "b": [None, "xy"], "c": 3}
    json.dumps(_json_safe(raw), allow_nan=False)


def test_nul_label_night_gives_strict_json(tmp_path: Path) -> None:
    from nachtwacht.psg.pipeline import analyse

    path = craft_edf(tmp_path / "c.edf", labels=[b"EEG\x00C3-M2", b"Leg\x00L"], samples=[100, 100],
                     n_records=60)
    text = analyse(path, lang="en", detectors=["leg_movements"]).dumps()
    assert "\\u0000" not in text and "NaN" not in text
    assert json.loads(text)["recording"]["roles"]["roles"]["Leg L"] == "leg_l"


def test_streamed_resampling_equals_one_call() -> None:
    """Slow signals resampled while read give the same samples as one resample_poly call."""
    from nachtwacht.psg.read import _resample, _StreamResampler

    rng = np.random.default_rng(1)
    for sf, new, n, chunk in [(256, 32, 300_001, 2560), (100, 32, 90_017, 3000), (512, 1, 70_000, 512)]:
        x = (rng.standard_normal(n) * 10).astype(np.float32)
        stream = _StreamResampler(sf, new, n)
        for i in range(0, n, chunk):
            stream.feed(x[i : i + chunk])
        np.testing.assert_allclose(stream.finish(), _resample(x, sf, new), atol=1e-5)


def test_unknown_channels_listed_but_not_loaded(tmp_path: Path) -> None:
    path = craft_edf(tmp_path / "c.edf", labels=["EEG C3-M2", "Snore", "Gizmo 7"],
                     samples=[100, 500, 100], n_records=30)
    rec = read_recording(path, skip_unknown=True, keep=["Gizmo 7"])
    assert rec.channels["EEG C3-M2"].data.size == 3000 and rec.channels["Snore"].data.size == 0
    assert rec.channels["Snore"].sf == 500.0 and rec.channels["Gizmo 7"].data.size == 3000
    assert read_recording(path).channels["Snore"].data.size == 15000


def test_annotation_far_away_does_not_size_the_hypnogram(tmp_path: Path) -> None:
    """A stage annotation at 10^12 s (or a huge duration) must not allocate a 30-GB hypnogram."""
    from nachtwacht.psg.pipeline import analyse

    tal = (b"+1000000000000\x1530\x14Sleep stage W\x14\x00+60\x15999999999999\x14Sleep stage N2\x14\x00"
           b"+0\x1530\x14Sleep stage W\x14\x00+90\x14Obstructive apnea\x14\x00")
    path = craft_edf(tmp_path / "c.edf", labels=["EEG C3-M2"], samples=[100], n_records=400,
                     tal_bytes=200, extra_tal=tal)
    analyse(path, lang="en", detectors=["desaturation"])  # imports outside the traced run
    tracemalloc.start()
    t0 = time.perf_counter()
    res = analyse(path, lang="en", detectors=["desaturation"])
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert time.perf_counter() - t0 < 20 and peak < 100
    assert res.stats["hypnogram_source"] == "expert" and len(res.hypnogram) == 13
    assert res.hypnogram.labels()[:3] == ["W", "?", "N2"]
    assert [e["label"] for e in res.episodes] == []  # the apnea is a scored event, not an episode
    assert res.scored_events["apnea"]["scored"] == 1
