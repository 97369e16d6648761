"""Bad sleep-study files: the EDF reader answers with a PSGError, within a time bound.

Starts from the real header of ``../shared/psg/sleep-edfx/short_psg.edf`` and
damages it the way copies and exports do (flipped bytes, truncation at every header
field boundary, wrong record and signal counts, huge or zero sample counts, random
bytes, an empty file). Anything but :class:`nachtwacht.psg.errors.PSGError` escaping
``read_recording`` would be a traceback on the upload page.
"""

from __future__ import annotations

import random
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nachtwacht.psg.errors import PSGError
from nachtwacht.psg.read import read_recording

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _edfmutate as em  # noqa: E402

#: Longest one read may take (s); the real file reads in about 0.1 s.
BOUND_S = 10


class ReadTimeoutError(Exception):
    pass


@contextmanager
def time_bound(seconds: int):
    """Fail a read that hangs (SIGALRM; the tests run in the main thread)."""
    def _fire(signum, frame):
        raise ReadTimeoutError(f"read took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, _fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def edf_bytes(shared_dir) -> bytes:
    path = shared_dir / "psg" / "sleep-edfx" / "short_psg.edf"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path.read_bytes()


#: Fragments of Python's own exception texts; a user message quoting one leaks internals
#: (the reader used to say "(list index out of range)" or "cannot access local variable").
INTERNAL_WORDS = ("invalid literal", "could not convert", "index out of range", "local variable",
                  "Error", "Traceback", "not allowed", "must be >=", "non-negative", "b'")


def read_bytes(data: bytes, tmp_path: Path, name: str = "fuzz.edf"):
    """Write ``data`` to a file and read it; return the Recording or the PSGError."""
    path = tmp_path / name
    path.write_bytes(data)
    t0 = time.perf_counter()
    try:
        with time_bound(BOUND_S):
            result = read_recording(path)
    except PSGError as exc:
        for lang in ("nl", "en"):
            text = exc.text(lang)
            assert text.strip(), f"empty {lang} message for {exc.code}"
            leaked = [w for w in INTERNAL_WORDS if w in text]
            assert not leaked, f"{lang} message quotes Python internals {leaked}: {text}"
        result = exc
    assert time.perf_counter() - t0 < BOUND_S
    return result


def test_real_file_reads(edf_bytes, tmp_path):
    rec = read_bytes(edf_bytes, tmp_path)
    assert not isinstance(rec, PSGError)
    assert "EEG Fpz-Cz" in rec.channels


@pytest.mark.parametrize("size", [0, 1, 100, 255])
def test_short_files_are_truncated(size, edf_bytes, tmp_path):
    got = read_bytes(edf_bytes[:size], tmp_path)
    assert isinstance(got, PSGError) and got.code == "truncated_file"


def test_truncation_at_every_header_boundary(edf_bytes, tmp_path):
    cuts = em.boundaries(edf_bytes)
    assert len(cuts) > 20
    for cut in cuts:
        got = read_bytes(edf_bytes[:cut], tmp_path)
        # A header without its data cannot give a night; saying so is the only right answer.
        assert isinstance(got, PSGError), f"cut at {cut} read as a recording"


@pytest.mark.parametrize("count", ["-1", "0", "1", "31", "99999999", "abc", ""])
def test_wrong_record_count(count, edf_bytes, tmp_path):
    got = read_bytes(em.set_field(edf_bytes, 236, 8, count), tmp_path)
    if not isinstance(got, PSGError):
        # Repaired from the file size: at most what is really there, and said so if changed.
        assert max(c.data.size / c.sf for c in got.channels.values()) <= 300 + 1e-6


@pytest.mark.parametrize("samples", ["0", "99999999", "10000000", "-5"])
def test_huge_or_zero_sample_counts(samples, edf_bytes, tmp_path):
    off, w = em.signal_field(edf_bytes, "samples", 0)
    read_bytes(em.set_field(edf_bytes, off, w, samples), tmp_path)


@pytest.mark.parametrize("ns", ["0", "1", "8", "9999", "-1", "x"])
def test_wrong_signal_count(ns, edf_bytes, tmp_path):
    read_bytes(em.set_field(edf_bytes, 252, 4, ns), tmp_path)


@pytest.mark.parametrize("duration", ["0", "-30", "1e9", "nan", "0.000001"])
def test_odd_record_duration(duration, edf_bytes, tmp_path):
    read_bytes(em.set_field(edf_bytes, 244, 8, duration), tmp_path)


def test_random_header_mutations(edf_bytes, tmp_path):
    # A plain seeded loop (not hypothesis) so a failure names its seed.
    for seed in range(150):
        try:
            read_bytes(em.mutate_edf(edf_bytes, random.Random(seed)), tmp_path)
        except Exception as exc:
            raise AssertionError(f"seed {seed}: {type(exc).__name__}: {exc}") from exc


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=3000))
def test_random_bytes(data, tmp_path):
    got = read_bytes(data, tmp_path)
    assert isinstance(got, PSGError)
