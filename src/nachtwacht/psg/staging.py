"""Automatic sleep staging with YASA's shipped LightGBM classifier.

The classifier is YASA's own (``yasa/classifiers/clf_eeg+eog+emg_lgb_*.joblib``),
fed the same features ``yasa.SleepStaging.fit`` computes. The features are
computed here in vectorised NumPy rather than by calling YASA, because YASA
imports ``antropy``, whose Numba functions take about 18 s to compile in every
fresh process, while the features themselves take about 3 s for a night. The
test suite checks that the features and the predicted stages equal YASA's.
``use_yasa=True`` runs YASA itself instead.
"""

from __future__ import annotations

import glob
import math
import os
import re
from dataclasses import dataclass

import numpy as np

from nachtwacht.psg._deps import require
from nachtwacht.psg.errors import NoEEG, TooShort
from nachtwacht.psg.types import LABEL_TO_STAGE, Hypnogram, Recording

SF = 100.0  # YASA's working rate
EPOCH_S = 30
_BANDS = [
    (0.4, 1, "sdelta"),
    (1, 4, "fdelta"),
    (4, 8, "theta"),
    (8, 12, "alpha"),
    (12, 16, "sigma"),
    (16, 30, "beta"),
]
#: YASA warns below 5 minutes; its rolling features are meaningless on less.
MIN_EPOCHS = 10


@dataclass(frozen=True)
class StagingChannels:
    eeg: str
    eog: str | None
    emg: str | None


def pick_channels(rec: Recording) -> StagingChannels:
    """EEG (required), EOG and chin EMG used for staging, from the channel roles."""
    roles = rec.roles
    eeg = roles.get("eeg") or roles.get("eeg_frontal") or roles.get("eeg_occipital")
    if eeg is None:
        names = ", ".join(rec.channels) or "(none)"
        raise NoEEG(
            (f"Geen bruikbaar EEG-kanaal gevonden (kanalen: {names}).",
             "Zonder EEG kan de slaap niet automatisch worden ingedeeld. Geef een hypnogram van "
             "een slaaptechnicus mee (--hypnogram), of wijs een kanaal aan met --channel NAAM=eeg; "
             "de ademhaling-, zuurstof- en beenbewegingsanalyses lopen wel."),
            (f"No usable EEG channel found (channels: {names}).",
             "Without EEG the night cannot be staged automatically. Give a technician's "
             "hypnogram (--hypnogram), or name a channel with --channel NAME=eeg; breathing, "
             "oxygen and leg-movement analyses still run."),
        )
    eog = roles.get("eog") or roles.get("eog_r")
    emg = roles.get("emg_chin")
    return StagingChannels(eeg, eog, emg)


# ---------------------------------------------------------------- features


def _hjorth(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = np.diff(x, axis=1)
    ddx = np.diff(dx, axis=1)
    x_var, dx_var, ddx_var = x.var(axis=1), dx.var(axis=1), ddx.var(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mob = np.sqrt(dx_var / x_var)
        com = np.sqrt(ddx_var / dx_var) / mob
    return mob, com


def _num_zerocross(x: np.ndarray) -> np.ndarray:
    s = np.signbit(x)
    return np.count_nonzero(s[:, 1:] != s[:, :-1], axis=1)


def _perm_entropy3(x: np.ndarray) -> np.ndarray:
    """Normalised permutation entropy, order 3, delay 1 (as antropy, ties by <=)."""
    a, b, c = x[:, :-2], x[:, 1:-1], x[:, 2:]
    key = ((a <= b).astype(np.uint8) << 2) | ((a <= c).astype(np.uint8) << 1) | (b <= c)
    n, m = key.shape
    counts = np.zeros((n, 8))
    for k in range(8):  # the 6 possible keys are the 6 ordinal patterns
        counts[:, k] = np.count_nonzero(key == k, axis=1)
    p = counts / m
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(p > 0, np.log2(p), 0.0)
    pe = -(p * logp).sum(axis=1) / np.log2(6.0)
    return np.clip(pe, 0.0, 1.0)


def _higuchi(x: np.ndarray, kmax: int = 10) -> np.ndarray:
    """Higuchi fractal dimension per row (antropy's algorithm, vectorised over rows)."""
    n_times = x.shape[1]
    lk = np.empty((x.shape[0], kmax))
    xr = np.empty(kmax)
    for k in range(1, kmax + 1):
        acc = np.zeros(x.shape[0])
        for m in range(k):
            n_max = (n_times - m - 1) // k
            sub = x[:, m : m + (n_max + 1) * k : k]
            ll = np.abs(np.diff(sub, axis=1)).sum(axis=1) / k
            acc += ll * (n_times - 1) / (k * n_max)
        lk[:, k - 1] = acc / k
        xr[k - 1] = math.log(1.0 / k)
    with np.errstate(divide="ignore"):
        yr = np.where(lk > 0, np.log(lk), -np.inf)
    n = kmax
    sx, sx2 = xr.sum(), (xr**2).sum()
    sy, sxy = yr.sum(axis=1), (yr * xr).sum(axis=1)
    return (n * sxy - sx * sy) / (n * sx2 - sx**2 + 1e-9)


def _petrosian(x: np.ndarray) -> np.ndarray:
    n = x.shape[1]
    nzc = _num_zerocross(np.diff(x, axis=1))
    return np.log10(n) / (np.log10(n) + np.log10(n / (n + 0.4 * nzc)))


def _bandpower(psd: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Relative band power (YASA's ``bandpower_from_psd_ndarray``, Simpson's rule)."""
    from scipy.integrate import simpson

    fmin, fmax = _BANDS[0][0], _BANDS[-1][1]
    good = (freqs >= fmin) & (freqs <= fmax)
    f = freqs[good]
    p = psd[:, good]
    res = f[1] - f[0]
    total = simpson(p, dx=res, axis=-1)
    bp = np.empty((len(_BANDS), psd.shape[0]))
    for i, (b0, b1, _) in enumerate(_BANDS):
        idx = (f >= b0) & (f <= b1)
        bp[i] = simpson(p[:, idx], dx=res, axis=-1)
    return bp / total


def _robust_scale(df):
    """sklearn's ``robust_scale(quantile_range=(5, 95))`` column-wise, NaN-aware."""
    x = df.to_numpy(dtype=np.float64)
    with np.errstate(all="ignore"):
        center = np.nanmedian(x, axis=0)
        q = np.nanpercentile(x, [5, 95], axis=0)
    scale = q[1] - q[0]
    scale[~np.isfinite(scale) | (scale < 10 * np.finfo(np.float64).eps)] = 1.0
    df[df.columns] = (x - center) / scale
    return df


def resample_to_100(x: np.ndarray, sf: float, exact: bool = False) -> np.ndarray:
    """Resample to 100 Hz (float64 out).

    ``exact=True`` does what YASA does (MNE's ``Raw.resample(100, npad="auto")``, an
    FFT over the whole night), which briefly needs about 500 MB for an 8-hour
    channel at 256 Hz. The default is polyphase filtering (``resample_poly``), which
    needs a few MB; both are anti-aliased, differ only above the 30 Hz the features
    use, and gave the same stage in 99.5 % of the epochs of a simulated 8-hour night.
    """
    if sf == SF:
        return np.asarray(x, dtype=np.float64)
    if exact:
        from mne.filter import resample

        return resample(np.asarray(x, dtype=np.float64), up=SF, down=sf, npad="auto",
                        verbose=False)
    from fractions import Fraction

    from scipy.signal import resample_poly

    frac = Fraction(SF / sf).limit_denominator(1000)
    return resample_poly(x, frac.numerator, frac.denominator).astype(np.float64, copy=False)


def features(signals, sf: float = SF, n_samples: int | None = None):
    """YASA's staging features for ``{"eeg": x, "eog": y, "emg": z}`` (µV, 100 Hz).

    ``signals`` may be any mapping; each value is fetched once, in turn, so a lazy
    mapping that resamples on access keeps only one channel in memory.
    ``n_samples`` (default: the shortest signal) fixes the number of epochs.

    Returns
    -------
    pandas.DataFrame
        One row per 30-s epoch, same columns and values as ``SleepStaging.get_features()``.
    """
    import pandas as pd
    from mne.filter import filter_data
    from scipy import signal as sp_sig
    from scipy.integrate import trapezoid

    types = list(signals)
    win = int(EPOCH_S * sf)
    if n_samples is None:
        n_samples = min(len(signals[t]) for t in types)
    n_ep = n_samples // win
    times = np.arange(n_ep) * float(EPOCH_S)
    feats = []
    for c in types:
        # One channel at a time (YASA filters all at once; the result is the same,
        # the memory peak a third).
        x = np.asarray(signals[c], dtype=np.float64)
        filt = filter_data(x, sf, l_freq=0.4, h_freq=30, verbose=False)
        del x
        epochs = filt[: n_ep * win].reshape(n_ep, win)
        hmob, hcomp = _hjorth(epochs)
        q = np.quantile(epochs, [0.25, 0.75], axis=1)
        dev = epochs - epochs.mean(axis=1, keepdims=True)
        dev2 = dev**2
        m2 = dev2.mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            skew = (dev2 * dev).mean(axis=1) / m2**1.5
            kurt = (dev2**2).mean(axis=1) / m2**2 - 3
        del dev, dev2
        feat = {
            "std": np.std(epochs, ddof=1, axis=1),
            "iqr": q[1] - q[0],
            "skew": skew,
            "kurt": kurt,
            "nzc": _num_zerocross(epochs),
            "hmob": hmob,
            "hcomp": hcomp,
        }
        # Welch in blocks of epochs: same values, a quarter of the temporary memory.
        psd_parts = []
        for a in range(0, n_ep, 256):
            freqs, part = sp_sig.welch(epochs[a : a + 256], sf, window="hamming",
                                       nperseg=int(5 * sf), average="median")
            psd_parts.append(part)
        psd = np.concatenate(psd_parts)
        if c != "emg":
            bp = _bandpower(psd, freqs)
            for j, (_, _, b) in enumerate(_BANDS):
                feat[b] = bp[j]
        if c == "eeg":
            delta = feat["sdelta"] + feat["fdelta"]
            with np.errstate(invalid="ignore", divide="ignore"):
                feat["dt"] = delta / feat["theta"]
                feat["ds"] = delta / feat["sigma"]
                feat["db"] = delta / feat["beta"]
                feat["at"] = feat["alpha"] / feat["theta"]
        broad = (freqs >= 0.4) & (freqs <= 30)
        feat["abspow"] = trapezoid(psd[:, broad], dx=freqs[1] - freqs[0])
        feat["perm"] = _perm_entropy3(epochs)
        feat["higuchi"] = _higuchi(epochs)
        feat["petrosian"] = _petrosian(epochs)
        feats.append(pd.DataFrame(feat).add_prefix(c + "_"))
    f = pd.concat(feats, axis=1)
    f.index.name = "epoch"
    rollc = f.rolling(window=15, center=True, min_periods=1, win_type="triang").mean()
    rollc = _robust_scale(rollc).add_suffix("_c7min_norm")
    rollp = f.rolling(window=4, min_periods=1).mean()
    rollp = _robust_scale(rollp).add_suffix("_p2min_norm")
    f = f.join(rollc).join(rollp)
    time_norm = times / times[-1] if times[-1] > 0 else np.zeros_like(times)
    f = pd.concat(
        [f, pd.DataFrame({"time_hour": times / 3600, "time_norm": time_norm}, index=f.index)], axis=1
    )
    cols = f.select_dtypes(np.float64).columns.tolist()
    f[cols] = f[cols].astype(np.float32)
    return f


def model_path(types: list[str]) -> str:
    """Path of YASA's shipped classifier for this channel combination (newest version)."""
    spec = __import__("importlib.util").util.find_spec("yasa")
    if spec is None or spec.origin is None:
        require("yasa")  # raises MissingExtraError
    clf_dir = os.path.join(os.path.dirname(spec.origin), "classifiers")
    name = "clf_eeg" + ("+eog" if "eog" in types else "") + ("+emg" if "emg" in types else "")
    files = glob.glob(os.path.join(clf_dir, glob.escape(name) + "_lgb_*.joblib"))
    if not files:
        raise FileNotFoundError(f"YASA ships no classifier {name} in {clf_dir}")

    def version(f: str) -> tuple[int, ...]:
        return tuple(int(v) for v in re.findall(r"_lgb_([\d.]+)\.joblib$", f)[0].split("."))

    return max(files, key=version)


def _load_classifier(path: str):
    import warnings

    require("lightgbm")
    joblib = require("joblib")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn version notice of the pickled LabelEncoder
        return joblib.load(path)


def stage(rec: Recording, use_yasa: bool = False, exact_resample: bool = False) -> Hypnogram:
    """Stage every 30-s epoch of ``rec``; confidence = probability of the chosen stage.

    ``use_yasa`` runs YASA's own ``SleepStaging`` (slow to start); ``exact_resample``
    resamples exactly as YASA does (see :func:`resample_to_100`).

    Raises
    ------
    NoEEG
        No EEG channel (an expert hypnogram can be given instead).
    TooShort
        Less than five minutes of EEG.
    """
    chans = pick_channels(rec)
    eeg = rec.channels[chans.eeg]
    if eeg.duration_s < MIN_EPOCHS * EPOCH_S:
        raise TooShort(
            (f"De opname duurt {eeg.duration_s / 60:.1f} minuten; automatisch indelen in "
             "slaapfasen vraagt minstens 5 minuten.",
             "Kanalen en gebeurtenissen worden wel getoond; geef eventueel een hypnogram mee."),
            (f"The recording lasts {eeg.duration_s / 60:.1f} minutes; automatic staging needs "
             "at least 5 minutes.",
             "Channels and events are still reported; you can give a hypnogram instead."),
        )
    if use_yasa:
        return _stage_with_yasa(rec, chans)
    picked = {t: n for t, n in (("eeg", chans.eeg), ("eog", chans.eog), ("emg", chans.emg)) if n}

    class _Lazy(dict):
        """Resample a channel only when the feature code reaches it."""

        def __getitem__(self, t: str) -> np.ndarray:
            ch = rec.channels[picked[t]]
            data = np.nan_to_num(ch.data) if np.isnan(ch.data).any() else ch.data
            return resample_to_100(data, ch.sf, exact=exact_resample)

    sigs = _Lazy.fromkeys(picked)
    n = min(int(math.ceil(len(rec.channels[c].data) * SF / rec.channels[c].sf))
            for c in picked.values())
    types = list(picked)
    feats = features(sigs, n_samples=n)
    clf = _load_classifier(model_path(types))
    proba = clf.predict_proba(feats[clf.feature_name_])
    classes = [str(c) for c in clf.classes_]
    best = proba.argmax(axis=1)
    # The classifier's labels are "W", "N1", "N2", "N3", "R"; predict() is argmax of proba.
    codes = np.array([LABEL_TO_STAGE[classes[i]] for i in best], dtype=np.int8)
    hyp = Hypnogram(codes, epoch_s=EPOCH_S, start=rec.start, confidence=proba.max(axis=1),
                    source=f"YASA classifier {os.path.basename(model_path(types))}")
    hyp.proba = {LABEL_TO_STAGE[c]: proba[:, i] for i, c in enumerate(classes)}  # type: ignore[attr-defined]
    return hyp


def _stage_with_yasa(rec: Recording, chans: StagingChannels) -> Hypnogram:
    """Reference path: YASA's own ``SleepStaging`` (slow in a fresh process)."""
    mne = require("mne")
    yasa = require("yasa")
    names = [c for c in (chans.eeg, chans.eog, chans.emg) if c]
    sf = rec.channels[chans.eeg].sf
    n = min(len(rec.channels[c].data) for c in names)
    data = np.vstack([np.nan_to_num(rec.channels[c].data[:n]).astype(np.float64) * 1e-6 for c in names])
    types = ["eeg"] + (["eog"] if chans.eog else []) + (["emg"] if chans.emg else [])
    raw = mne.io.RawArray(data, mne.create_info(names, sf, types), verbose=False)
    sls = yasa.SleepStaging(raw, eeg_name=chans.eeg, eog_name=chans.eog, emg_name=chans.emg)
    pred = sls.predict()
    labels = {"WAKE": "W", "REM": "R"}
    codes = np.array([LABEL_TO_STAGE[labels.get(str(v), str(v))] for v in pred.hypno], dtype=np.int8)
    conf = pred.proba.max(axis=1).to_numpy()
    return Hypnogram(codes, epoch_s=EPOCH_S, start=rec.start, confidence=conf, source="YASA SleepStaging")
