"""From raw wrist acceleration to minutes of sleep and activity (van Hees 2013/2015).

Raw accelerometers (Axivity, GENEActiv, ActiGraph raw) store acceleration in g at
25-100 Hz, not activity counts. Counts made from raw data (e.g. ActiGraph's published
count filter) are *not* the counts an Actiwatch or ActiGraph would have stored: another
sensor, another filter, another scale. So we do not feed them to Cole-Kripke, Sadeh or
Oakley, whose thresholds were fitted on device counts. We use the methods built for raw
wrist data and validated against polysomnography, as GGIR and scikit-digital-health do:

* **Sleep/wake** (van Hees et al. 2015, PLoS One 10:e0142533): the arm angle
  ``angle-z = atan(z / sqrt(x^2 + y^2))`` per 5 s; a *posture change* is a change of more
  than 5 degrees between two 5-s epochs; a stretch of at least 5 minutes without posture
  change is sustained inactivity, scored as sleep.
* **Not worn** (van Hees et al. 2013, PLoS One 8:e61691): a 60-min window (moved in
  15-min steps) in which at least two axes have a standard deviation under 13 mg and a
  range under 50 mg is off the wrist (even a sleeping wrist moves within an hour, a
  watch on a table does not); GGIR's defaults (``sdcriter`` 0.013, ``racriter`` 0.05,
  windows of 900/3600 s, two axes). The whole hour is marked, not only its middle.
* **Activity** per minute is ENMO, the Euclidean norm minus one g (negative values set
  to 0), in mg: the usual raw-data activity measure (for the body-clock figures).

The sleep period of each night is then found like for actigraph counts
(:mod:`.nights`: the longest run of sleep with wake gaps under an hour bridged, the
rule of van Hees 2018's HDCZA sleep-period detection). Samples are folded into 5-s
bins as they are read, so memory stays at a few bytes per 5 s whatever the file size.
"""

from __future__ import annotations

import numpy as np

#: Length of one bin (s): van Hees' epoch for angle-z.
BIN_S = 5
#: Posture change: more than this many degrees between two 5-s epochs.
ANGLE_DEG = 5.0
#: Sustained inactivity: at least this many minutes without posture change.
STILL_MIN = 5
#: Non-wear: SD (g) and range (g) under these in at least two axes over the window.
NONWEAR_SD, NONWEAR_RANGE = 0.013, 0.050
NONWEAR_WIN_MIN, NONWEAR_STEP_MIN = 60, 15


class Bins:
    """Running 5-s statistics of a raw recording, filled chunk by chunk.

    ``t0`` (seconds, naive local clock as a UNIX-style number) is the start of bin 0;
    ``max_bins`` bounds the arrays (a crafted timestamp far in the future is refused by
    the reader before it gets here).
    """

    _SUMS = ("n", "sx", "sy", "sz", "qx", "qy", "qz", "enmo")

    def __init__(self, t0: float, max_bins: int) -> None:
        self.t0 = t0
        self.max_bins = max_bins
        self.size = 0
        self.a = {k: np.zeros(0) for k in self._SUMS}
        self.lo = np.zeros((0, 3))
        self.hi = np.zeros((0, 3))

    def _grow(self, need: int) -> None:
        new = min(max(need, 2 * self.size, 17280), self.max_bins)
        for k, v in self.a.items():
            self.a[k] = np.r_[v, np.zeros(new - len(v))]
        self.lo = np.r_[self.lo, np.full((new - len(self.lo), 3), np.inf)]
        self.hi = np.r_[self.hi, np.full((new - len(self.hi), 3), -np.inf)]
        self.size = new

    def add(self, t: np.ndarray, acc: np.ndarray) -> None:
        """Fold samples at times ``t`` (s) with acceleration ``acc`` (g, ``(n, 3)``) in."""
        idx = np.floor((t - self.t0) / BIN_S).astype(np.int64)
        keep = (idx >= 0) & (idx < self.max_bins)
        if not keep.all():
            idx, acc = idx[keep], acc[keep]
        if idx.size == 0:
            return
        if (np.diff(idx) < 0).any():
            order = np.argsort(idx, kind="stable")
            idx, acc = idx[order], acc[order]
        if idx[-1] >= self.size:
            self._grow(int(idx[-1]) + 1)
        # Axis-major float32: contiguous rows make the per-bin sums 2-3x faster; float32
        # sums over one bin (at most a few hundred samples) lose nothing that matters.
        acc = np.ascontiguousarray(acc.T, dtype=np.float32)
        cut = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
        u = idx[cut]
        sq = acc * acc
        enmo = np.maximum(np.sqrt(sq[0] + sq[1] + sq[2]) - 1.0, 0.0)
        s = np.add.reduceat(acc, cut, axis=1)
        q = np.add.reduceat(sq, cut, axis=1)
        a = self.a
        a["n"][u] += np.diff(np.r_[cut, len(idx)])
        for j, ax in enumerate("xyz"):
            a["s" + ax][u] += s[j]
            a["q" + ax][u] += q[j]
        a["enmo"][u] += np.add.reduceat(enmo, cut)
        self.lo[u] = np.minimum(self.lo[u], np.minimum.reduceat(acc, cut, axis=1).T)
        self.hi[u] = np.maximum(self.hi[u], np.maximum.reduceat(acc, cut, axis=1).T)

    def add_still(self, t0: float, t1: float, acc: np.ndarray, fs: float) -> None:
        """Add ``[t0, t1)`` as if sampled at ``fs`` with constant ``acc`` (idle sleep mode:
        the device saved power because it lay still), in time per bin, not per sample."""
        a = max(int(np.floor((t0 - self.t0) / BIN_S)), 0)
        e = min(int(np.ceil((t1 - self.t0) / BIN_S)), self.max_bins)
        if e <= a:
            return
        if e > self.size:
            self._grow(e)
        edges = self.t0 + BIN_S * np.arange(a, e + 1)
        n = fs * np.clip(np.minimum(edges[1:], t1) - np.maximum(edges[:-1], t0), 0, None)
        acc = np.asarray(acc, dtype=np.float64)
        sl = slice(a, e)
        self.a["n"][sl] += n
        for j, ax in enumerate("xyz"):
            self.a["s" + ax][sl] += n * acc[j]
            self.a["q" + ax][sl] += n * acc[j] ** 2
        self.a["enmo"][sl] += n * max(float(np.sqrt((acc ** 2).sum())) - 1.0, 0.0)
        has = n > 0
        self.lo[sl][has] = np.minimum(self.lo[sl][has], acc)
        self.hi[sl][has] = np.maximum(self.hi[sl][has], acc)

    def used(self) -> int:
        """Number of bins up to the last one with data."""
        nz = np.flatnonzero(self.a["n"][: self.size])
        return int(nz[-1]) + 1 if nz.size else 0


def nonwear(b: Bins, nbin: int) -> np.ndarray:
    """Per bin: True where the device was not worn (van Hees 2013 on 60-min windows)."""
    per_win = NONWEAR_WIN_MIN * 60 // BIN_S
    step = NONWEAR_STEP_MIN * 60 // BIN_S
    out = np.zeros(nbin, bool)
    if nbin < per_win:
        return out
    c = {k: np.r_[0.0, np.cumsum(b.a[k][:nbin])] for k in ("n", "sx", "sy", "sz", "qx", "qy", "qz")}
    starts = np.arange(0, nbin - per_win + 1, step)
    ends = starts + per_win
    n = c["n"][ends] - c["n"][starts]
    still = np.zeros(len(starts), np.int8)
    # Range per window from 15-min block minima/maxima (a window is 4 blocks).
    nblk = nbin // step
    lo = b.lo[: nblk * step].reshape(nblk, step, 3).min(axis=1)
    hi = b.hi[: nblk * step].reshape(nblk, step, 3).max(axis=1)
    w = per_win // step
    rng = (np.lib.stride_tricks.sliding_window_view(hi, w, axis=0).max(axis=2)
           - np.lib.stride_tricks.sliding_window_view(lo, w, axis=0).min(axis=2))[: len(starts)]
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, ax in enumerate("xyz"):
            s = c["s" + ax][ends] - c["s" + ax][starts]
            q = c["q" + ax][ends] - c["q" + ax][starts]
            sd = np.sqrt(np.maximum(q / n - (s / n) ** 2, 0.0) * n / np.maximum(n - 1, 1))
            still += ((sd < NONWEAR_SD) & (rng[:, j] < NONWEAR_RANGE)).astype(np.int8)
    for s in starts[(still >= 2) & (n > 0)]:
        out[s:s + per_win] = True
    return out


def sustained_inactivity(anglez: np.ndarray) -> np.ndarray:
    """Per 5-s epoch: 1 where no posture change (> 5 degrees) for >= 5 minutes, else 0.

    As GGIR's ``HASIB`` (van Hees 2015): the epochs between two posture changes more
    than 5 minutes apart are sleep. NaN epochs (no data) break a still stretch.
    """
    out = np.zeros(len(anglez), np.int8)
    if len(anglez) < 2:
        return out
    d = np.abs(np.diff(anglez))
    change = np.flatnonzero(~(d <= ANGLE_DEG))  # NaN counts as a change
    bounds = np.r_[-1, change, len(anglez) - 1]
    gap = np.diff(bounds)
    for k in np.flatnonzero(gap > STILL_MIN * 60 // BIN_S):
        out[bounds[k] + 1:bounds[k + 1] + 1] = 1
    return out


def minutes(b: Bins, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Per minute from the first bin: ENMO (mg, NaN where missing or not worn) and
    sleep state (1 sleep, 0 wake, -1 missing)."""
    nbin = b.used()
    nbin -= nbin % (60 // BIN_S)
    a = {k: v[:nbin] for k, v in b.a.items()}
    n = a["n"]
    # A bin with under half its samples is a gap (device restart, broken block).
    ok = n >= 0.5 * fs * BIN_S
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my, mz = a["sx"] / n, a["sy"] / n, a["sz"] / n
        anglez = np.degrees(np.arctan(mz / np.sqrt(mx ** 2 + my ** 2)))
        enmo = a["enmo"] / n
    anglez[~ok] = np.nan
    off = nonwear(b, nbin)
    sleep = sustained_inactivity(anglez)
    k = 60 // BIN_S
    okm = (ok & ~off).reshape(-1, k)
    good = okm.mean(axis=1) >= 0.5
    e = np.where(okm, enmo.reshape(-1, k), 0.0).sum(axis=1)
    mg = 1000.0 * e / np.maximum(okm.sum(axis=1), 1)
    mg[~good] = np.nan
    state = (sleep.reshape(-1, k).mean(axis=1) >= 0.5).astype(np.int8)
    state[~good] = -1
    return mg, state
