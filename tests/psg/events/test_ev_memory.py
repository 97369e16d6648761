"""Whole nights are filtered in overlapping chunks: same numbers, a fraction of the memory.

A full night at 256 Hz must fit the memory target of ``nachtwacht psg analyse``
(2 x EDF size + 300 MB), so no detector may hold several float64 copies of a channel.
These tests pin both halves of that promise: the chunked results equal the
whole-array filters, and the memory a detector allocates does not grow with the
length of the night beyond a small fraction of the channel itself.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import signal
from scipy.ndimage import percentile_filter, uniform_filter1d

from nachtwacht.psg.events import _emg, arousal, sleep_starts
from nachtwacht.psg.events._common import CHUNK, block_mean, overlapping_chunks, runs
from nachtwacht.psg.types import Channel

SF = 256.0


def emg(seconds: float, seed: int = 0) -> Channel:
    """Noisy EMG with bursts, a NaN gap and mains hum, as float32 like the reader gives."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SF)
    x = rng.normal(0, 5, n)
    t = np.arange(n) / SF
    x += 8 * np.sin(2 * np.pi * 50 * t)
    for on in rng.uniform(0, seconds - 1, int(seconds / 20)):
        i = int(on * SF)
        x[i:i + int(0.15 * SF)] += rng.normal(0, 60, int(0.15 * SF))
    x[n // 3:n // 3 + 500] = np.nan
    return Channel(name="Chin", data=x.astype(np.float32), sf=SF, unit="uV", role="emg_chin")


def whole_bandpass(x: np.ndarray, sf: float) -> np.ndarray:
    """The reference: one zero-phase filter over the whole array (the old way)."""
    sos = signal.butter(4, [10.0, min(100.0, 0.45 * sf)], btype="bandpass", fs=sf, output="sos")
    y = signal.sosfiltfilt(sos, np.nan_to_num(np.asarray(x, dtype=np.float64)))
    b, a = signal.iirnotch(50.0, 30.0, fs=sf)
    return signal.filtfilt(b, a, y)


def test_chunks_cover_every_sample_once_and_align_to_the_step():
    n = 3 * CHUNK + 17
    cores = list(overlapping_chunks(n, pad=1000, step=5))
    assert cores[0][0] == 0 and cores[-1][1] == n
    for (_, b0, _, _), (a1, _, _, _) in zip(cores, cores[1:], strict=False):
        assert b0 == a1 and a1 % 5 == 0
    for a, b, lo, hi in cores:
        assert lo == max(0, a - 1000) and hi == min(n, b + 1000)


def test_chunked_bandpass_equals_the_whole_night_filter():
    ch = emg(2.5 * CHUNK / SF)  # spans three chunks
    got = _emg.bandpass(ch.data, SF)
    ref = whole_bandpass(ch.data, SF)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - ref)) < 1e-4 * np.max(np.abs(ref))


@pytest.mark.parametrize("out_sf", [50.0, 200.0])
def test_envelope_equals_the_whole_night_envelope(out_sf):
    ch = emg(2.5 * CHUNK / SF, seed=1)
    step = max(1, int(round(SF / out_sf)))
    y = whole_bandpass(ch.data, SF).astype(np.float32)
    ms = uniform_filter1d(block_mean(np.square(y), step), max(1, int(round(0.1 * SF / step))),
                          mode="nearest")
    ref = np.sqrt(np.maximum(ms, 0.0))
    env = _emg.envelope(ch, out_sf=out_sf)
    assert env.values.shape == ref.shape and env.sf == SF / step
    np.testing.assert_allclose(env.values, ref, rtol=1e-4, atol=1e-3)
    pieces = np.concatenate([v for _, v in _emg.envelope_chunks(ch, out_sf=out_sf)])
    np.testing.assert_allclose(pieces, env.values, rtol=1e-5, atol=1e-4)


def test_running_percentile_equals_the_block_reference():
    rng = np.random.default_rng(3)
    v = rng.gamma(2.0, 3.0, 1_000_003).astype(np.float32)
    sf, bs = 50.0, 50
    got = _emg.running_percentile(v, sf, window_s=60.0, q=10.0)
    # Reference: the straightforward version on one float64 copy.
    nb = int(np.ceil(v.size / bs))
    vb = np.concatenate((v.astype(np.float64), np.full(nb * bs - v.size, v[-1])))
    base = percentile_filter(np.percentile(vb.reshape(nb, bs), 10.0, axis=1), 10.0, size=60,
                             mode="nearest")
    ref = np.interp(np.arange(v.size), (np.arange(nb) + 0.5) * bs, base)
    np.testing.assert_array_equal(got, ref)


def test_runs_finds_runs_without_widening_the_mask():
    m = np.zeros(2_000_000, dtype=bool)
    m[10:20] = m[-5:] = True
    tracemalloc.start()
    s, e = runs(m)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert s.tolist() == [10, m.size - 5] and e.tolist() == [20, m.size]
    assert peak < 3 * m.nbytes  # an int64 copy would be 8x


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("what", ["sleep_starts", "arousal_band", "envelope"])
def test_detector_memory_does_not_grow_with_the_night(what):
    short, long_ = emg(1800.0, seed=4), emg(4 * 3600.0, seed=4)

    def run(ch: Channel):
        if what == "sleep_starts":
            return lambda: sleep_starts._bursts(ch, sleep_starts.Params())
        if what == "arousal_band":
            return lambda: arousal._band_power(ch.data, SF, (8.0, 12.0), 256, 64)
        fresh = Channel(ch.name, ch.data.copy(), SF, "uV", role=ch.role)  # no cache hit
        return lambda: _emg.envelope(fresh)

    grow = _peak_mb(run(long_)) - _peak_mb(run(short))
    extra_mb = (long_.data.nbytes - short.data.nbytes) / 2**20
    # The old code held several float64 copies (>= 4x the float32 channel); now only
    # decimated results, or a boolean mask, scale with the night.
    assert grow < 0.5 * extra_mb, f"{what}: +{grow:.1f} MB for +{extra_mb:.1f} MB of signal"
