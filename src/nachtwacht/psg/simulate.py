"""A night simulator: multi-channel PSG signals that follow a hypnogram, with planted events.

The simulator exists so the event detectors can be tested against a known truth and
so demos have a night to show. It is not a physiological model: it draws signals
whose *scoring-relevant* features match the rules (stage-typical EEG rhythms, EMG
tone by stage, breathing with apneas and hypopneas, desaturations after them) and
returns the exact onset and duration of everything it planted.

Use::

    rec, truth = simulate_night(hypnogram, events={"plm": 3, "hypopnea": 10}, seed=1)

Artefacts a scorer ignores can be planted too: ECG on every EMG channel (``ecg_uv``;
a P-QRS-T beat train shared with an optional ``ECG`` channel), electrode pops and
brief leg twitches (< 0.25 s, not leg movements), leg movements at the end of
respiratory events (truth kind ``lm_respiratory``, excluded by the AASM rule) and
arousals out of N3 that show only as a theta shift. The module is longer than the
house ~500 lines because the planner and the signal builders share one event plan;
split, they would pass that plan around as a loose dict.

Everything is seeded and vectorised: an 8-hour, 12-channel night at 256 Hz takes a
few seconds. :func:`write_edf` stores a recording as EDF through edfio, one signal
at a time, so the pipeline can read it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import fft
from scipy.ndimage import uniform_filter1d

from nachtwacht.psg.types import (
    N1,
    N2,
    N3,
    REM,
    SLEEP_STAGES,
    STAGE_LABELS,
    WAKE,
    Channel,
    Event,
    Hypnogram,
    Recording,
)

#: Channel catalogue: name -> (role, signal kind, default sampling rate, unit).
CATALOGUE: dict[str, tuple[str, str, float, str]] = {
    "C3-M2": ("eeg", "eeg", 256.0, "uV"),
    "C4-M1": ("eeg", "eeg", 256.0, "uV"),
    "E1-M2": ("eog", "eog", 256.0, "uV"),
    "E2-M1": ("eog_r", "eog", 256.0, "uV"),
    "Chin": ("emg_chin", "emg", 256.0, "uV"),
    "Leg L": ("leg_l", "emg", 256.0, "uV"),
    "Leg R": ("leg_r", "emg", 256.0, "uV"),
    "Airflow": ("airflow", "resp", 32.0, "a.u."),
    "Nasal Pressure": ("nasal_pressure", "resp", 32.0, "a.u."),
    "Thorax": ("thorax", "resp", 32.0, "a.u."),
    "Abdomen": ("abdomen", "resp", 32.0, "a.u."),
    "SpO2": ("spo2", "spo2", 4.0, "%"),
    "Masseter": ("emg_masseter", "emg", 256.0, "uV"),
    "Arm": ("arm", "emg", 256.0, "uV"),
    "ECG": ("ecg", "ecg", 256.0, "uV"),
}

DEFAULT_CHANNELS: tuple[str, ...] = (
    "C3-M2", "C4-M1", "E1-M2", "E2-M1", "Chin", "Leg L", "Leg R",
    "Airflow", "Nasal Pressure", "Thorax", "Abdomen", "SpO2",
)

#: Event kinds and what their number means when given as a rate.
EVENT_KINDS: dict[str, str] = {
    "lm": "isolated leg movements per hour of sleep",
    "plm": "periodic leg movement series (4-12 LMs, 20-40 s apart) per hour of sleep",
    "apnea_obstructive": "obstructive apneas per hour of sleep",
    "apnea_central": "central apneas per hour of sleep",
    "apnea_mixed": "mixed apneas per hour of sleep",
    "hypopnea": "hypopneas (40-60 % nasal-pressure drop, then a desaturation) per hour of sleep",
    "desaturation": "isolated desaturations per hour of sleep",
    "arousal": "EEG arousals per hour of N1, N2 and REM",
    "arousal_n3": "EEG arousals per hour of N3",
    "rswa": "share of REM epochs with tonic or phasic chin activity (0-1)",
    "rmma": "rhythmic masticatory muscle activity episodes per hour of N1/N2",
    "sleep_start": "chance of a sleep start at each wake-to-sleep transition (0-1)",
    "apnea_short": "obstructive apneas of only 10-13 s per hour of sleep",
    "arousal_theta": "EEG arousals per hour of N3 shown as a theta (4-7 Hz) shift only",
    "lm_apnea_end": "chance of a leg movement at the end of each respiratory event (0-1)",
    "pop": "electrode pops (sharp step, fast decay) per hour of recording on each leg",
    "twitch": "brief leg twitches (0.05-0.2 s, not leg movements) per hour of sleep",
}

#: A moderately eventful night, used when ``events`` is None.
DEFAULT_EVENTS: dict[str, float] = {
    "lm": 4, "plm": 1.5, "apnea_obstructive": 6, "apnea_central": 1, "apnea_mixed": 1,
    "hypopnea": 8, "desaturation": 2, "arousal": 8, "arousal_n3": 3, "rswa": 0.2,
    "rmma": 2, "sleep_start": 0.5,
}

# Tone (µV RMS) of each EMG by stage; REM atonia on the chin is the point of RSWA.
_CHIN_TONE = {WAKE: 12.0, N1: 8.0, N2: 6.0, N3: 5.0, REM: 1.5, -1: 8.0}
_MASSETER_TONE = {WAKE: 8.0, N1: 5.0, N2: 4.0, N3: 4.0, REM: 1.5, -1: 5.0}
_LIMB_TONE = {WAKE: 2.0, N1: 1.5, N2: 1.5, N3: 1.5, REM: 1.2, -1: 1.5}

# EEG component amplitudes (µV RMS) by stage: pink background, delta, theta, alpha, beta.
_EEG_AMP = {
    WAKE: (10.0, 4.0, 5.0, 20.0, 5.0),
    N1: (10.0, 6.0, 14.0, 3.0, 2.0),
    N2: (14.0, 12.0, 8.0, 2.0, 1.5),
    N3: (14.0, 55.0, 5.0, 1.5, 1.0),
    REM: (8.0, 5.0, 9.0, 3.0, 2.5),
    -1: (10.0, 5.0, 5.0, 10.0, 3.0),
}
_BANDS = {"delta": (0.5, 2.0), "theta": (4.0, 7.0), "alpha": (8.0, 12.0), "beta": (16.0, 30.0)}


@dataclass
class Truth:
    """What the simulator planted, by kind, seconds from the start.

    Kinds: ``lm`` (each leg movement; bilateral ones once, ``figures["legs"]`` "L", "R"
    or "LR", ``in_series`` True for PLM series members), ``apnea`` (``figures["type"]``
    obstructive/central/mixed), ``hypopnea``, ``desaturation`` (``depth_pct``,
    ``cause``), ``arousal`` (``from_stage``, ``with_lm``), ``rswa_tonic`` (whole REM
    epochs), ``rswa_phasic`` (bursts), ``rmma`` (episodes, ``n_bursts``, ``type``),
    ``sleep_start`` (``channels``), ``spo2_artefact`` (probe-off segments),
    ``lm_respiratory`` (LMs at a respiratory event's end, to be excluded), ``pop`` and
    ``twitch`` (artefacts that are not LMs) and ``ecg_beat`` is not listed (the R-peak
    times are in ``figures["r_peaks_s"]`` when ECG was simulated).
    """

    hypnogram: Hypnogram
    events: dict[str, list[Event]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def of(self, kind: str, *, sleep_only: bool = False) -> list[Event]:
        """Planted events of one kind (optionally only those starting in sleep)."""
        evs = self.events.get(kind, [])
        if sleep_only:
            evs = [e for e in evs if self.hypnogram.stage_at(e.onset_s) in SLEEP_STAGES]
        return evs

    @property
    def tst_h(self) -> float:
        return float(np.isin(self.hypnogram.stages, SLEEP_STAGES).sum()
                     * self.hypnogram.epoch_s / 3600.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "hypnogram": self.hypnogram.to_json(),
            "events": {k: [e.to_json() for e in v] for k, v in self.events.items()},
            "figures": dict(self.figures),
        }


# ---------------------------------------------------------------------------
# scheduling: where does each event go


class _Planner:
    """Places events at free, stage-appropriate seconds (1-s occupancy grids per domain)."""

    def __init__(self, stages_per_s: np.ndarray, rng: np.random.Generator) -> None:
        self.st = stages_per_s
        self.n = stages_per_s.size
        self.rng = rng
        self.busy: dict[str, np.ndarray] = {}

    def grid(self, domain: str) -> np.ndarray:
        if domain not in self.busy:
            self.busy[domain] = np.zeros(self.n, dtype=bool)
        return self.busy[domain]

    def mark(self, domains: Sequence[str], t0: float, t1: float) -> None:
        a, b = max(0, int(np.floor(t0))), min(self.n, int(np.ceil(t1)))
        for d in domains:
            self.grid(d)[a:b] = True

    def free(self, domains: Sequence[str], t0: float, t1: float) -> bool:
        a, b = max(0, int(np.floor(t0))), min(self.n, int(np.ceil(t1)))
        if a >= b:
            return False
        return not any(self.grid(d)[a:b].any() for d in domains)

    def place(self, dur: float, stages: Sequence[int], domains: Sequence[str],
              guard: tuple[float, float] = (0.0, 0.0), check: Sequence[str] = (),
              stable_before: float = 0.0, tries: int = 300) -> float | None:
        """A random onset whose whole event lies in ``stages`` and in free time."""
        ok = np.isin(self.st, tuple(stages))
        cand = np.flatnonzero(ok)
        if cand.size == 0:
            return None
        for _ in range(tries):
            t = float(cand[self.rng.integers(cand.size)]) + float(self.rng.uniform(0, 1))
            a = int(np.floor(t - stable_before))
            b = int(np.ceil(t + dur))
            if a < 0 or b > self.n or not ok[a:b].all():
                continue
            if not self.free(tuple(domains) + tuple(check), t - guard[0], t + dur + guard[1]):
                continue
            return t
        return None


def _hours(stages_per_s: np.ndarray, stages: Sequence[int]) -> float:
    return float(np.isin(stages_per_s, tuple(stages)).sum() / 3600.0)


def _count(rate: float, hours: float) -> int:
    return int(round(max(0.0, float(rate)) * hours))


# ---------------------------------------------------------------------------
# signal building blocks (all vectorised)


def _spectrum_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return fft.rfft(rng.standard_normal(n, dtype=np.float32))


def _shape(spec: np.ndarray, n: int, sf: float, lo: float, hi: float,
           pink: bool = False) -> np.ndarray:
    """Unit-RMS noise limited to [lo, hi] Hz (1/f shaped when ``pink``)."""
    f = np.fft.rfftfreq(n, 1.0 / sf).astype(np.float32)
    gain = ((f >= lo) & (f <= hi)).astype(np.float32)
    if pink:
        gain /= np.sqrt(np.maximum(f, lo))
    y = fft.irfft(spec * gain, n=n)
    rms = float(np.sqrt(np.mean(y[:: max(1, n // 100_000)] ** 2))) or 1.0
    return (y / rms).astype(np.float32)


def _per_second(stages_per_s: np.ndarray, table: Mapping[int, float]) -> np.ndarray:
    lut = np.zeros(8, dtype=np.float32)
    for k, v in table.items():
        lut[k + 1] = v
    return lut[stages_per_s.astype(np.int64) + 1]


def _to_rate(per_s: np.ndarray, sf: float, n: int, smooth_s: float) -> np.ndarray:
    """Per-second values to per-sample values, smoothing the steps over ``smooth_s``."""
    v = uniform_filter1d(per_s.astype(np.float64), max(1, int(smooth_s)), mode="nearest")
    v = v.astype(np.float32)
    if float(sf).is_integer():  # whole samples per second: a repeat is exact and fast
        out = np.repeat(v, int(sf))
        if out.size < n:
            out = np.concatenate((out, np.full(n - out.size, v[-1], dtype=np.float32)))
        return out[:n]
    t = np.arange(n, dtype=np.float64) / sf
    return np.interp(t, np.arange(v.size) + 0.5, v).astype(np.float32)


def _window(sf: float, dur: float, ramp: float) -> np.ndarray:
    """A trapezoid of ``dur`` seconds with linear ramps, peak 1."""
    m = max(1, int(round(dur * sf)))
    t = (np.arange(m) + 0.5) / sf
    r = max(ramp, 1.0 / sf)
    return np.clip(np.minimum(t, dur - t) / r, 0.0, 1.0).astype(np.float32)


def _raise_to(amp: np.ndarray, sf: float, onset: float, dur: float, level: float,
              ramp: float = 0.02) -> None:
    """Lift an amplitude envelope to at least ``level`` during [onset, onset + dur]."""
    i0 = int(round(onset * sf))
    w = _window(sf, dur, ramp) * level
    i1 = min(amp.size, i0 + w.size)
    if i0 < 0 or i0 >= amp.size:
        return
    np.maximum(amp[i0:i1], w[: i1 - i0], out=amp[i0:i1])


def _set_ratio(gain: np.ndarray, sf: float, onset: float, dur: float, ratio: float,
               ramp: float = 1.0) -> None:
    """Multiply a gain envelope towards ``ratio`` during [onset, onset + dur]."""
    i0 = int(round(onset * sf))
    w = _window(sf, dur, ramp)
    i1 = min(gain.size, i0 + w.size)
    if i0 < 0 or i0 >= gain.size:
        return
    gain[i0:i1] *= 1.0 - (1.0 - ratio) * w[: i1 - i0]


# ---------------------------------------------------------------------------
# the simulator


def simulate_night(
    hypnogram: Hypnogram | Sequence[int],
    sf: float | Mapping[str, float] = 256.0,
    channels: Sequence[str] = DEFAULT_CHANNELS,
    events: Mapping[str, float | Sequence[Mapping[str, Any]]] | None = None,
    noise: float = 0.0,
    seed: int = 0,
    start: dt.datetime | None = None,
    ecg_uv: float | Mapping[str, float] | None = None,
) -> tuple[Recording, Truth]:
    """Simulate one night following ``hypnogram``, with planted events.

    Parameters
    ----------
    hypnogram : Hypnogram or sequence of int
        One stage code per 30-s epoch (0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 unscored).
    sf : float or mapping
        Sampling rate of EEG/EOG/EMG channels, or a mapping channel name -> rate
        (missing names keep the catalogue default: 256 Hz electrophysiology, 32 Hz
        breathing, 4 Hz SpO2).
    channels : sequence of str
        Names from :data:`CATALOGUE`; the default is the 12-channel montage
        :data:`DEFAULT_CHANNELS` (add ``"Masseter"`` or ``"Arm"`` for bruxism/SINBAR).
    events : mapping
        Kind (see :data:`EVENT_KINDS`) -> rate, or -> a list of dicts with at least
        ``onset_s`` (and optionally ``duration_s`` and kind-specific keys such as
        ``type``, ``depth_pct``, ``legs``, ``n_bursts``) to plant explicitly.
        None plants :data:`DEFAULT_EVENTS`; ``{}`` plants nothing.
    noise : float
        0 for clean signals; 0.5-1 adds mains hum and extra EMG noise, baseline wander
        on breathing channels, oximeter noise and probe-off artefacts.
    seed : int
        Everything is deterministic given the seed.
    ecg_uv : float or mapping, optional
        R-wave amplitude (µV) of the ECG picked up by the EMG channels, for all of them
        or per channel name. None keeps the old rule: with ``noise``, 5·noise µV on the
        chin and 10·noise µV on the other EMGs; 0 means none.

    Returns
    -------
    (Recording, Truth)
    """
    hyp = hypnogram if isinstance(hypnogram, Hypnogram) else Hypnogram(np.asarray(hypnogram))
    unknown = [c for c in channels if c not in CATALOGUE]
    if unknown:
        raise ValueError(f"unknown channel(s) {unknown}; choose from {sorted(CATALOGUE)}")
    ev_spec = dict(DEFAULT_EVENTS if events is None else events)
    bad = sorted(set(ev_spec) - set(EVENT_KINDS))
    if bad:
        raise ValueError(f"unknown event kind(s) {bad}; known: {sorted(EVENT_KINDS)}")
    if noise < 0:
        raise ValueError("noise must be >= 0")
    rng = np.random.default_rng(seed)
    dur_s = float(hyp.duration_s)
    n_sec = int(np.ceil(dur_s))
    st_s = hyp.upsample(1.0, n_sec)  # stage per second

    def rate_of(name: str) -> float:
        if isinstance(sf, Mapping):
            return float(sf.get(name, CATALOGUE[name][2]))
        kind = CATALOGUE[name][1]
        return float(sf) if kind in ("eeg", "eog", "emg") else CATALOGUE[name][2]

    plan = _plan_events(ev_spec, st_s, hyp, rng, channels)
    truth = Truth(hypnogram=hyp, events=plan["truth"])
    # One heart for the whole night: the ECG channel and the contamination share beats.
    hrng = np.random.default_rng([seed, 4242])
    rr = hrng.normal(0.9, 0.04, size=int(dur_s / 0.75) + 2) * (
        1.0 + 0.05 * np.sin(np.arange(int(dur_s / 0.75) + 2) / 4.0))
    beats = np.cumsum(rr)
    plan["r_peaks"] = beats[beats < dur_s - 1.0]
    plan["ecg_uv"] = ecg_uv
    if ecg_uv is not None or noise > 0 or "ECG" in channels:
        truth.figures["r_peaks_s"] = plan["r_peaks"]

    out: dict[str, Channel] = {}
    eeg_cache: dict[float, dict[str, np.ndarray]] = {}
    for name in channels:
        role, kind, _, unit = CATALOGUE[name]
        fs = rate_of(name)
        n = int(round(dur_s * fs))
        crng = np.random.default_rng([seed, list(CATALOGUE).index(name)])
        if kind == "eeg":
            data = _eeg(name, n, fs, st_s, plan, crng, noise, eeg_cache)
        elif kind == "eog":
            data = _eog(name, n, fs, st_s, plan, crng, noise, eeg_cache)
        elif kind == "emg":
            data = _emg(name, n, fs, st_s, plan, crng, noise)
        elif kind == "ecg":
            data = _ecg_train(plan["r_peaks"], n, fs, 1000.0, 0)
            data += (5.0 + 5.0 * noise) * crng.standard_normal(n, dtype=np.float32)
        elif kind == "resp":
            data = _resp(name, n, fs, plan, crng, noise, seed)
        else:
            data, figs = _spo2(n, fs, st_s, plan, crng, noise, truth)
            truth.figures.update(figs)
        out[name] = Channel(name=name, data=data, sf=fs, unit=unit, role=role)
    truth.figures.setdefault("tst_h", round(truth.tst_h, 4))
    rec = Recording(
        channels=out,
        start=start or dt.datetime(2026, 1, 1, 23, 0, 0),
        source=f"simulated (seed={seed}, noise={noise:g})",
    )
    return rec, truth


def _plan_events(spec: dict, st_s: np.ndarray, hyp: Hypnogram, rng: np.random.Generator,
                 channels: Sequence[str]) -> dict[str, Any]:
    """Decide every planted event (times, durations, shapes) before drawing signals."""
    pl = _Planner(st_s, rng)
    sleep = SLEEP_STAGES
    truth: dict[str, list[Event]] = {k: [] for k in (
        "lm", "apnea", "hypopnea", "desaturation", "arousal", "rswa_tonic", "rswa_phasic",
        "rmma", "sleep_start", "spo2_artefact", "lm_respiratory", "pop", "twitch")}
    leg_bursts: list[tuple[str, float, float, float]] = []  # (leg, onset, dur, level)
    chin_bursts: list[tuple[float, float, float]] = []  # (onset, dur, factor over tone)
    jerks: list[tuple[float, float, float]] = []  # (onset, dur, level) per channel group
    resp: list[dict] = []
    resp_lms: list[float] = []  # onsets of LMs at respiratory event ends
    desats: list[dict] = []
    arousals: list[dict] = []
    tonic_epochs: list[int] = []
    hours_sleep = _hours(st_s, sleep)
    es = hyp.epoch_s

    def items(kind: str) -> list[dict] | None:
        v = spec.get(kind)
        if v is None or isinstance(v, int | float):
            return None
        return [dict(x) for x in v]

    # Sleep starts first: they claim the minutes around wake->sleep transitions.
    if "sleep_start" in spec:
        trans = [i for i in range(1, len(hyp.stages))
                 if hyp.stages[i - 1] == WAKE and hyp.stages[i] in (N1, N2)]
        explicit = items("sleep_start")
        if explicit is None:
            times = [i * es + float(rng.uniform(-20, 20)) for i in trans
                     if rng.uniform() < float(spec["sleep_start"])]
        else:
            times = [float(x["onset_s"]) for x in explicit]
        for i in trans:
            pl.mark(("legs", "chin"), i * es - 90, i * es + 90)
        for t in times:
            d = float(rng.uniform(0.1, 0.25))
            jerks.append((t, d, float(rng.uniform(0.0, 0.05))))
            truth["sleep_start"].append(Event("sleep_start", t, d, stage=STAGE_LABELS[
                hyp.stage_at(t)], figures={"transition_s": min((i * es for i in trans),
                                                               key=lambda x: abs(x - t),
                                                               default=None)}))

    # RSWA: whole REM epochs, decided early so REM arousals avoid them.
    if "rswa" in spec:
        rem_epochs = np.flatnonzero(hyp.stages == REM)
        explicit = items("rswa")
        if explicit is None:
            k = int(round(float(spec["rswa"]) * rem_epochs.size))
            chosen = sorted(rng.choice(rem_epochs, size=min(k, rem_epochs.size), replace=False)) \
                if k else []
            kinds = ["tonic" if rng.uniform() < 0.4 else "phasic" for _ in chosen]
        else:
            chosen = [int(x["onset_s"] // es) for x in explicit]
            kinds = [x.get("type", "phasic") for x in explicit]
        for ep, kd in zip(chosen, kinds, strict=True):
            t0 = ep * es
            pl.mark(("chin", "eeg"), t0, t0 + es)
            if kd == "tonic":
                tonic_epochs.append(int(ep))
                truth["rswa_tonic"].append(Event("rswa_tonic", t0, es, "Chin", "R"))
            else:
                n_mini = int(es // 3)
                for m in sorted(rng.choice(n_mini, size=int(rng.integers(3, n_mini + 1)),
                                           replace=False)):
                    d = float(rng.uniform(0.2, 1.5))
                    on = t0 + 3 * m + float(rng.uniform(0.1, 3 - d - 0.1)) if d < 2.8 else t0
                    f = float(rng.uniform(8, 15))
                    chin_bursts.append((on, d, f))
                    truth["rswa_phasic"].append(Event("rswa_phasic", on, d, "Chin", "R",
                                                      {"factor": round(f, 2)}))

    # Respiratory events (each followed by a desaturation).
    for kind, typ in (("apnea_obstructive", "obstructive"), ("apnea_central", "central"),
                      ("apnea_mixed", "mixed"), ("hypopnea", "hypopnea"),
                      ("apnea_short", "obstructive")):
        if kind not in spec:
            continue
        explicit = items(kind)
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec[kind], hours_sleep))]
        d_range = (10.0, 13.0) if kind == "apnea_short" else (14.0, 35.0)
        for x in reqs:
            d = float(x.get("duration_s", rng.uniform(*d_range)))
            t = x.get("onset_s")
            if t is None:
                t = pl.place(d, (N1, N2, N3, REM), ("resp",), guard=(40, 45), check=("legs",),
                             stable_before=20)
                if t is None:
                    continue
            t = float(t)
            pl.mark(("resp", "spo2"), t - 5, t + d + 45)
            pl.mark(("legs",), t - 15, t + d + 15)
            if typ == "hypopnea":
                # Depths avoid 3.6-4.4 % so the 3 % / 4 % rule outcome is unambiguous
                # even after 1 % oximeter rounding.
                depth = float(x.get("depth_pct", rng.choice([rng.uniform(3.4, 3.6),
                                                             rng.uniform(4.8, 6.5)])))
                drop = float(x.get("drop", rng.uniform(0.4, 0.6)))
            else:
                depth = float(x.get("depth_pct", rng.uniform(4.8, 9.0)))
                drop = 0.97
            split = float(rng.uniform(0.3, 0.6)) if typ == "mixed" else 0.0
            resp.append({"type": typ, "onset": t, "dur": d, "drop": drop, "split": split})
            stage = STAGE_LABELS[hyp.stage_at(t)]
            ev_kind = "hypopnea" if typ == "hypopnea" else "apnea"
            truth[ev_kind].append(Event(ev_kind, t, d, "Nasal Pressure" if typ == "hypopnea"
                                        else "Airflow", stage,
                                        {"type": typ, "desat_pct": round(depth, 2),
                                         "drop_pct": round(100 * drop, 1)}))
            desats.append({"onset": t + 0.4 * d, "fall": 0.6 * d + 12,
                           "rise": float(rng.uniform(8, 12)), "depth": depth, "cause": typ})
            if "lm_apnea_end" in spec and rng.uniform() < float(spec["lm_apnea_end"]):
                resp_lms.append(t + d + float(rng.uniform(-0.4, 0.3)))

    if "desaturation" in spec:
        explicit = items("desaturation")
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec["desaturation"], hours_sleep))]
        for x in reqs:
            fall = float(x.get("duration_s", rng.uniform(12, 25)))
            t = x.get("onset_s")
            if t is None:
                t = pl.place(fall + 12, sleep, ("spo2",), guard=(60, 40), check=("resp",))
                if t is None:
                    continue
            t = float(t)
            pl.mark(("spo2",), t - 30, t + fall + 40)
            desats.append({"onset": t, "fall": fall, "rise": 10.0,
                           "depth": float(x.get("depth_pct", rng.uniform(4.8, 8.0))),
                           "cause": "isolated"})
    for d in desats:
        truth["desaturation"].append(Event(
            "desaturation", d["onset"], d["fall"] + d["rise"], "SpO2",
            STAGE_LABELS[hyp.stage_at(d["onset"])],
            {"depth_pct": round(d["depth"], 2), "cause": d["cause"]}))

    # Leg movements: PLM series, then isolated LMs far from everything.
    def add_lm(t: float, in_series: bool, legs: str | None = None,
               d: float | None = None) -> None:
        d = float(d if d is not None else rng.uniform(0.8, 4.0))
        legs = legs or str(rng.choice(["L", "R", "LR"], p=[0.3, 0.3, 0.4]))
        end = t + d
        for leg in legs:
            on = t if leg == legs[0] else t + float(rng.uniform(0, 0.8))
            dd = d if leg == legs[0] else float(np.clip(d + rng.uniform(-0.3, 0.3), 0.8, 4.5))
            leg_bursts.append((leg, on, dd, float(rng.uniform(12, 40))))
            end = max(end, on + dd)
        truth["lm"].append(Event("lm", t, end - t, "+".join(f"Leg {g}" for g in legs),
                                 STAGE_LABELS[hyp.stage_at(t)],
                                 {"legs": legs, "in_series": in_series}))

    def lm_arousal(t: float, p: float) -> None:
        if rng.uniform() < p and hyp.stage_at(t) in (N1, N2, N3):
            a_on = t + float(rng.uniform(0.0, 0.4))
            a_d = float(rng.uniform(3.5, 8.0))
            if pl.free(("eeg",), a_on - 12, a_on + a_d + 10):
                arousals.append({"onset": a_on, "dur": a_d, "with_lm": True})
                pl.mark(("eeg",), a_on - 1, a_on + a_d)

    if "plm" in spec:
        explicit = items("plm")
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec["plm"], hours_sleep))]
        for x in reqs:
            k = int(x.get("n", rng.integers(4, 13)))
            gaps = [float(g) for g in x.get("intervals", rng.uniform(20, 40, size=k - 1))]
            total = float(sum(gaps)) + 5
            t = x.get("onset_s")
            if t is None:
                t = pl.place(total, (N1, N2, N3), ("legs",), guard=(100, 100), check=("resp",))
                if t is None:
                    continue
            t = float(t)
            pl.mark(("legs",), t - 5, t + total + 5)
            onsets = t + np.concatenate(([0.0], np.cumsum(gaps)))
            for o in onsets:
                add_lm(float(o), True)
                lm_arousal(float(o), float(x.get("arousal_frac", 0.3)))
    if "lm" in spec:
        explicit = items("lm")
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec["lm"], hours_sleep))]
        for x in reqs:
            t = x.get("onset_s")
            if t is None:
                t = pl.place(5, sleep, ("legs",), guard=(100, 100), check=("resp",))
                if t is None:
                    continue
            t = float(t)
            pl.mark(("legs",), t - 5, t + 10)
            add_lm(t, False, x.get("legs"), x.get("duration_s"))
    truth["lm"].sort(key=lambda e: e.onset_s)
    # LMs at the end of respiratory events (breathing resumes with a kick): the AASM
    # excludes them from the LM and PLM counts.
    for t in resp_lms:
        d = float(rng.uniform(0.8, 3.0))
        legs = str(rng.choice(["L", "R", "LR"]))
        for leg in legs:
            leg_bursts.append((leg, t, d, float(rng.uniform(15, 40))))
        truth["lm_respiratory"].append(Event("lm_respiratory", t, d, "", STAGE_LABELS[
            hyp.stage_at(t)], {"legs": legs}))
    # Electrode pops (each leg) and brief twitches: < 0.25 s, never LMs.
    pops: list[tuple[str, float, float]] = []  # (channel, onset, amplitude µV)
    if "pop" in spec:
        for ch_name in ("Leg L", "Leg R"):
            for _ in range(_count(spec["pop"], st_s.size / 3600.0)):
                t = pl.place(0.3, sleep, ("legs",), guard=(6, 6))
                if t is None:
                    continue
                pl.mark(("legs",), t - 1, t + 1)
                pops.append((ch_name, t, float(rng.uniform(80, 300))))
                truth["pop"].append(Event("pop", t, 0.1, ch_name, STAGE_LABELS[
                    hyp.stage_at(t)]))
    if "twitch" in spec:
        for _ in range(_count(spec["twitch"], hours_sleep)):
            t = pl.place(0.3, sleep, ("legs",), guard=(6, 6))
            if t is None:
                continue
            pl.mark(("legs",), t - 1, t + 1)
            d = float(rng.uniform(0.05, 0.2))
            leg = str(rng.choice(["L", "R"]))
            leg_bursts.append((leg, t, d, float(rng.uniform(20, 60))))
            truth["twitch"].append(Event("twitch", t, d, f"Leg {leg}", STAGE_LABELS[
                hyp.stage_at(t)]))

    # Spontaneous arousals (need >= 10 s of stable sleep before them, ASDA).
    rem_tonic = np.zeros(st_s.size, dtype=bool)
    for ep in tonic_epochs:
        rem_tonic[int(ep * es): int((ep + 1) * es)] = True
    for kind, stages in (("arousal", (N1, N2, REM)), ("arousal_n3", (N3,)),
                         ("arousal_theta", (N3,))):
        if kind not in spec:
            continue
        explicit = items(kind)
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec[kind], _hours(st_s, stages)))]
        for x in reqs:
            d = float(x.get("duration_s", rng.uniform(3.5, 14.0)))
            t = x.get("onset_s")
            if t is None:
                t = pl.place(d, stages, ("eeg",), guard=(15, 12), stable_before=15,
                             check=("chin",))
                if t is None:
                    continue
            t = float(t)
            pl.mark(("eeg",), t - 1, t + d)
            arousals.append({"onset": t, "dur": d, "with_lm": False,
                             "theta": kind == "arousal_theta"})
    for a in sorted(arousals, key=lambda a: a["onset"]):
        fr = STAGE_LABELS[hyp.stage_at(a["onset"])]
        truth["arousal"].append(Event("arousal", a["onset"], a["dur"], "C3-M2", fr,
                                      {"from_stage": fr, "with_lm": a["with_lm"],
                                       "shift": "theta" if a.get("theta") else "alpha"}))
        if fr == "R":
            chin_bursts.append((a["onset"] + 0.3, a["dur"] - 0.3, 3.5))

    # RMMA (bruxism) episodes in light sleep.
    rmma: list[tuple[float, float, float]] = []  # bursts: onset, dur, factor
    if "rmma" in spec:
        explicit = items("rmma")
        reqs = explicit if explicit is not None else [{} for _ in range(
            _count(spec["rmma"], _hours(st_s, (N1, N2))))]
        for x in reqs:
            typ = x.get("type", "tonic" if rng.uniform() < 0.2 else "phasic")
            if typ == "tonic":
                ds = [float(rng.uniform(2.5, 5.0))]
                gs: list[float] = []
            else:
                k = int(x.get("n_bursts", rng.integers(4, 9)))
                ds = list(rng.uniform(0.3, 1.0, size=k))
                gs = list(rng.uniform(0.3, 0.8, size=k - 1))
            total = float(sum(ds) + sum(gs))
            t = x.get("onset_s")
            if t is None:
                t = pl.place(total, (N1, N2), ("chin",), guard=(15, 15), check=("eeg",))
                if t is None:
                    continue
            t = float(t)
            pl.mark(("chin",), t - 5, t + total + 5)
            o = t
            f = float(rng.uniform(5, 8))
            for i, dd in enumerate(ds):
                rmma.append((o, float(dd), f))
                o += float(dd) + (gs[i] if i < len(gs) else 0.0)
            truth["rmma"].append(Event("rmma", t, total, "Chin", STAGE_LABELS[hyp.stage_at(t)],
                                       {"type": typ, "n_bursts": len(ds)}))

    return {"truth": truth, "leg_bursts": leg_bursts, "chin_bursts": chin_bursts,
            "jerks": jerks, "resp": resp, "desats": desats, "arousals": arousals,
            "tonic_epochs": tonic_epochs, "rmma": rmma, "pops": pops,
            "rng_seed": int(rng.integers(2**31))}


def _eeg_components(n: int, fs: float, crng: np.random.Generator) -> dict[str, np.ndarray]:
    spec_bg = _spectrum_noise(crng, n)
    comps = {"pink": _shape(spec_bg, n, fs, 0.3, min(45.0, 0.45 * fs), pink=True)}
    spec_b = _spectrum_noise(crng, n)
    for band, (lo, hi) in _BANDS.items():
        comps[band] = _shape(spec_b, n, fs, lo, min(hi, 0.45 * fs))
    return comps


def _eeg(name: str, n: int, fs: float, st_s: np.ndarray, plan: dict,
         crng: np.random.Generator, noise: float, cache: dict) -> np.ndarray:
    """Stage-typical EEG: 1/f background plus delta/theta/alpha/beta by stage, spindles,
    K-complexes and planted arousal bursts."""
    if fs not in cache:
        cache[fs] = _eeg_components(n, fs, np.random.default_rng(plan["rng_seed"]))
    comps = cache[fs]
    if "_sum" not in comps:
        amps = {c: _to_rate(_per_second(st_s, {k: v[i] for k, v in _EEG_AMP.items()}), fs, n, 4)
                for i, c in enumerate(("pink", "delta", "theta", "alpha", "beta"))}
        for a in plan["arousals"]:
            if a.get("theta"):  # out of N3: theta rises, delta gives way
                _raise_to(amps["theta"], fs, a["onset"], a["dur"], 18.0, ramp=0.3)
                _set_ratio(amps["delta"], fs, a["onset"], a["dur"], 0.4, ramp=0.3)
                continue
            _raise_to(amps["alpha"], fs, a["onset"], a["dur"], 22.0, ramp=0.3)
            _raise_to(amps["beta"], fs, a["onset"], a["dur"], 9.0, ramp=0.3)
        total = np.zeros(n, dtype=np.float32)
        for c in ("pink", "delta", "theta", "alpha", "beta"):
            total += amps[c] * comps[c]
        comps["_sum"] = total
    x = comps["_sum"].copy()
    if name != "C3-M2":
        # The other hemisphere shares most of the signal, plus its own background.
        # A far circular shift of the shared background stands in for independent noise.
        own = np.roll(comps["pink"], n // 3 + int(crng.integers(1, max(2, n // 3))))
        x *= 0.85
        x += 5.0 * own
    # Spindles (12-14 Hz, 0.5-2 s) and K-complexes in N2, a few per minute.
    srng = np.random.default_rng(plan["rng_seed"] + 1)
    n2 = np.flatnonzero(st_s == N2)
    if n2.size:
        for _ in range(int(n2.size / 60 * 3)):
            t = float(n2[srng.integers(n2.size)])
            d = float(srng.uniform(0.5, 2.0))
            m = int(d * fs)
            i0 = int(t * fs)
            if i0 + m >= n:
                continue
            tt = np.arange(m) / fs
            x[i0:i0 + m] += (srng.uniform(15, 30) * np.hanning(m)
                             * np.sin(2 * np.pi * srng.uniform(12, 14) * tt)).astype(np.float32)
        for _ in range(int(n2.size / 60 * 1)):
            t = float(n2[srng.integers(n2.size)])
            m = int(fs)
            i0 = int(t * fs)
            if i0 + m >= n:
                continue
            tt = np.arange(m) / fs
            x[i0:i0 + m] += (-srng.uniform(60, 120) * np.sin(2 * np.pi * tt)
                             * np.hanning(m)).astype(np.float32)
    if noise > 0:
        t = np.arange(n, dtype=np.float32) / fs
        x += (noise * 3.0 * np.sin(2 * np.pi * 50.0 * t)).astype(np.float32)
        x += (noise * 3.0 * crng.standard_normal(n, dtype=np.float32))
    return x


def _eog(name: str, n: int, fs: float, st_s: np.ndarray, plan: dict,
         crng: np.random.Generator, noise: float, cache: dict) -> np.ndarray:
    """Eye movements (blinks/saccades in W, slow rolling in N1, rapid in REM) plus EEG leak."""
    erng = np.random.default_rng(plan["rng_seed"] + 2)
    eye = np.zeros(n, dtype=np.float32)
    # Rapid eye movements (REM) and saccades (W): random steps, smoothed, drift removed.
    rate = np.where(st_s == REM, 0.6, np.where(st_s == WAKE, 0.3, 0.0))
    k = erng.poisson(rate)  # events per second
    secs = np.repeat(np.arange(st_s.size), k)
    idx = np.minimum(n - 1, ((secs + erng.uniform(size=secs.size)) * fs).astype(np.int64))
    jumps = np.zeros(n, dtype=np.float64)
    np.add.at(jumps, idx, erng.normal(0, 80, size=idx.size))
    steps = np.cumsum(jumps)
    steps -= uniform_filter1d(steps, int(2 * fs), mode="nearest")
    eye += uniform_filter1d(steps, max(1, int(0.05 * fs))).astype(np.float32)
    # Slow rolling eye movements in N1, drawn at 4 Hz and held (they are slow).
    m = st_s.size * 4
    sem = np.repeat(_shape(_spectrum_noise(erng, m), m, 4.0, 0.1, 0.5), int(np.ceil(fs / 4)))
    sem = np.interp(np.arange(n), np.arange(sem.size) * (fs / 4) / np.ceil(fs / 4), sem) \
        if not float(fs / 4).is_integer() else sem[:n]
    eye += (sem * _to_rate(_per_second(st_s, {N1: 40.0, WAKE: 10.0}), fs, n, 10)).astype(
        np.float32)
    leak = np.zeros(n, dtype=np.float32)
    if fs in cache:
        leak = 0.3 * (cache[fs]["delta"] * _to_rate(_per_second(
            st_s, {k: v[1] for k, v in _EEG_AMP.items()}), fs, n, 4))
    sign = 1.0 if name == "E1-M2" else -1.0
    x = sign * eye + leak + 3.0 * crng.standard_normal(n, dtype=np.float32)
    if noise > 0:  # slow electrode drift
        drift = _shape(_spectrum_noise(crng, st_s.size), st_s.size, 1.0, 0.01, 0.3)
        x += noise * 5.0 * _to_rate(drift, fs, n, 1)
    return x.astype(np.float32)


def _emg(name: str, n: int, fs: float, st_s: np.ndarray, plan: dict,
         crng: np.random.Generator, noise: float) -> np.ndarray:
    """EMG as white noise under a stage-dependent amplitude, lifted by planted bursts."""
    if name == "Chin":
        tone = _CHIN_TONE
    elif name == "Masseter":
        tone = _MASSETER_TONE
    else:
        tone = _LIMB_TONE
    base = _per_second(st_s, tone)
    amp = _to_rate(base, fs, n, 2)
    if name == "Chin":  # REM twitches and tone (RSWA) show on the mentalis, not the masseter
        for ep in plan["tonic_epochs"]:
            t0 = ep * 30.0
            _raise_to(amp, fs, t0, 30.0, tone[REM] * 5.0, ramp=0.5)
        for on, d, f in plan["chin_bursts"]:
            _raise_to(amp, fs, on, d, tone[REM] * f, ramp=0.05)
    if name in ("Chin", "Masseter"):
        for on, d, f in plan["rmma"]:
            lvl = tone[N2] * f * (1.2 if name == "Masseter" else 1.0)
            _raise_to(amp, fs, on, d, lvl, ramp=0.05)
        # Arousals in NREM lift chin tone a little (below the 2x bruxism threshold).
        for a in plan["arousals"]:
            if st_s[min(st_s.size - 1, int(a["onset"]))] != REM:
                _raise_to(amp, fs, a["onset"], a["dur"],
                          1.4 * base[min(base.size - 1, int(a["onset"]))], ramp=0.3)
    if name in ("Leg L", "Leg R"):
        leg = name[-1]
        for lg, on, d, lvl in plan["leg_bursts"]:
            if lg == leg:
                _raise_to(amp, fs, on, d, lvl, ramp=0.05)
    for on, d, off in plan["jerks"]:
        lvl = 120.0 if name in ("Chin", "Masseter") else 70.0
        _raise_to(amp, fs, on + off * (name != "Chin"), d, lvl, ramp=0.01)
    x = amp * crng.standard_normal(n, dtype=np.float32)
    ecg = plan.get("ecg_uv")
    if isinstance(ecg, Mapping):
        ecg_amp = float(ecg.get(name, 0.0))
    elif ecg is not None:
        ecg_amp = float(ecg)
    else:
        ecg_amp = noise * (5.0 if name == "Chin" else 10.0)
    if ecg_amp > 0 and "r_peaks" in plan:
        # ECG artefact, the classic EMG pest: the heart's P-QRS-T as this lead sees it.
        x += _ecg_train(plan["r_peaks"], n, fs, ecg_amp, list(CATALOGUE).index(name))
    for ch_name, on, a in plan.get("pops", ()):
        if ch_name == name:  # electrode pop: a step that decays in ~50 ms
            i0 = int(on * fs)
            m = min(n - i0, int(0.3 * fs))
            if m > 0:
                x[i0:i0 + m] += (a * np.exp(-np.arange(m) / (0.05 * fs))).astype(np.float32)
    if noise > 0:
        t = np.arange(n, dtype=np.float32) / fs
        x += noise * 1.0 * crng.standard_normal(n, dtype=np.float32)
        x += (noise * 8.0 * np.sin(2 * np.pi * 50.0 * t + crng.uniform(0, 6))).astype(np.float32)
    return x.astype(np.float32)


def _ecg_train(r_peaks: np.ndarray, n: int, fs: float, r_uv: float, lead: int) -> np.ndarray:
    """A P-QRS-T beat at every R peak, R wave ``r_uv`` µV; ``lead`` varies the shape."""
    from scipy.signal import oaconvolve

    lrng = np.random.default_rng([lead, 7])
    t = np.arange(-int(0.3 * fs), int(0.5 * fs)) / fs
    # (amplitude relative to R, centre s, width s) of P, Q, R, S, T.
    waves = ((0.12, -0.18, 0.025), (-0.12, -0.025, 0.008), (1.0, 0.0, 0.010),
             (-0.3, 0.028, 0.010), (0.3, 0.26, 0.045))
    kern = np.zeros(t.size)
    for a, c, w in waves:
        kern += a * (1.0 + 0.3 * lrng.uniform(-1, 1) * (a != 1.0)) * np.exp(
            -0.5 * ((t - c) / w) ** 2)
    kern *= (1.0 if lead % 2 == 0 else -1.0) * r_uv
    imp = np.zeros(n, dtype=np.float64)
    idx = np.round(np.asarray(r_peaks) * fs).astype(np.int64)
    imp[idx[(idx >= 0) & (idx < n)]] = 1.0
    y = oaconvolve(imp, kern)[int(0.3 * fs):int(0.3 * fs) + n]
    return y.astype(np.float32)


def _resp(name: str, n: int, fs: float, plan: dict, crng: np.random.Generator,
          noise: float, seed: int) -> np.ndarray:
    """Breathing at ~15/min with slow rate and depth variation, shaped by planted events."""
    shared = np.random.default_rng([seed, 999])  # all breathing channels share one rhythm
    slow = _shape(_spectrum_noise(shared, n), n, fs, 0.002, 0.02)
    freq = 0.25 + 0.02 * slow
    phase = 2 * np.pi * np.cumsum(freq, dtype=np.float64) / fs
    depth = 1.0 + 0.06 * _shape(_spectrum_noise(shared, n), n, fs, 0.005, 0.03)
    gain = depth.astype(np.float64)
    paradox = np.zeros(n, dtype=np.float32)
    for ev in plan["resp"]:
        t, d, typ = ev["onset"], ev["dur"], ev["type"]
        effort = name in ("Thorax", "Abdomen")
        if typ == "hypopnea":
            if name == "Nasal Pressure":
                ratio = 1.0 - ev["drop"]
            elif name == "Airflow":
                ratio = 1.0 - 0.8 * ev["drop"]
            else:
                ratio = 0.85
            _set_ratio(gain, fs, t, d, ratio)
        elif typ == "obstructive" or (typ == "mixed" and effort):
            if effort:
                c = ev["split"] * d
                if c > 0:
                    _set_ratio(gain, fs, t, c + 0.5, 0.03)
                w = _window(fs, d - c, 1.0)
                i0 = int(round((t + c) * fs))
                i1 = min(n, i0 + w.size)
                paradox[i0:i1] = np.maximum(paradox[i0:i1], w[: i1 - i0])
            else:
                _set_ratio(gain, fs, t, d, 0.03)
        else:  # central (and the airflow of a mixed apnea)
            _set_ratio(gain, fs, t, d, 0.03)
        # Recovery breaths after the event are deeper.
        i0, i1 = int((t + d) * fs), int((t + d + 6) * fs)
        gain[i0:i1] *= 1.0 + 0.4 * _window(fs, 6, 1.5)[: max(0, min(i1, n) - i0)]
    if name == "Abdomen":
        x = gain * np.sin(phase + np.pi * paradox + 0.2)
    elif name == "Thorax":
        x = gain * np.sin(phase - 0.2)
    else:
        x = gain * np.sin(phase)
    x = x + 0.01 * crng.standard_normal(n)
    if noise > 0:
        x += noise * 0.03 * crng.standard_normal(n)
        x += noise * 0.15 * _shape(_spectrum_noise(crng, n), n, fs, 0.005, 0.05)
    return x.astype(np.float32)


def _spo2(n: int, fs: float, st_s: np.ndarray, plan: dict, crng: np.random.Generator,
          noise: float, truth: Truth) -> tuple[np.ndarray, dict]:
    """Oxygen saturation at 1 % resolution: a slow baseline, planted desaturations and,
    with noise, probe-off artefacts."""
    m = st_s.size
    base = 96.3 + 0.4 * _shape(_spectrum_noise(crng, m), m, 1.0, 0.0005, 0.005)
    s = base.astype(np.float64)
    for d in plan["desats"]:
        t0, fall, rise, depth = d["onset"], d["fall"], d["rise"], d["depth"]
        i0 = int(round(t0))
        tt = np.arange(int(np.ceil(fall + rise))) + 0.5
        shape = np.where(tt < fall, tt / fall, np.clip(1 - (tt - fall) / rise, 0, 1))
        i1 = min(m, i0 + shape.size)
        if i0 < m:
            s[i0:i1] -= depth * shape[: i1 - i0]
    clean = s.copy()
    sleep = np.isin(st_s, SLEEP_STAGES)
    figs = {"t90_min": round(float(((clean < 90) & sleep).sum()) / 60.0, 2),
            "spo2_nadir": round(float(np.round(clean[sleep]).min()), 1) if sleep.any() else None}
    s = s + (0.1 + 0.1 * noise) * crng.standard_normal(m)
    if noise > 0:
        k = int(round(noise * 2 * m / (8 * 3600)))
        for _ in range(max(1, k)):
            t = int(crng.integers(0, max(1, m - 30)))
            d = int(crng.integers(5, 20))
            s[t:t + d] = 0.0
            truth.events["spo2_artefact"].append(Event("spo2_artefact", t, d, "SpO2"))
    s = np.clip(np.round(s), 0, 100)
    t = np.arange(n) / fs
    # Sample-and-hold like a real oximeter's output.
    out = s[np.minimum(m - 1, np.floor(t).astype(np.int64))]
    return out.astype(np.float32), figs


# ---------------------------------------------------------------------------
# EDF output


def write_edf(recording: Recording, path: str | Path) -> Path:
    """Write ``recording`` as EDF with edfio (each signal scaled to its own range).

    Signals are padded with their last value up to whole data records. Memory stays
    near twice the size of the largest channel plus the int16 copies edfio keeps.
    """
    from edfio import Edf, EdfSignal  # optional dependency, imported on use

    path = Path(path)
    rates = [ch.sf for ch in recording.channels.values()]
    rec_dur = next((d for d in (1, 2, 5, 10, 30, 60)
                    if all(abs(r * d - round(r * d)) < 1e-9 for r in rates)), None)
    if rec_dur is None:
        raise ValueError(f"no data-record length fits the sampling rates {rates}")
    duration = recording.duration_s
    n_rec = int(np.ceil(duration / rec_dur - 1e-9))
    signals = []
    for ch in recording.channels.values():
        want = int(round(n_rec * rec_dur * ch.sf))
        x = np.asarray(ch.data, dtype=np.float64)
        if x.size < want:
            x = np.concatenate((x, np.full(want - x.size, x[-1] if x.size else 0.0)))
        else:
            x = x[:want]
        lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
        if hi - lo < 1e-6:
            lo, hi = lo - 1.0, hi + 1.0
        signals.append(EdfSignal(x, ch.sf, label=ch.name[:16], physical_dimension=ch.unit[:8],
                                 physical_range=(lo, hi)))
        del x
    start = recording.start or dt.datetime(2026, 1, 1, 23, 0, 0)
    edf = Edf(signals, starttime=start.time(), data_record_duration=float(rec_dur))
    edf.startdate = start.date()
    edf.write(path)
    return path


def hypnogram_scaffold(kind: str = "typical", hours: float = 8.0, seed: int = 0) -> Hypnogram:
    """A plausible stage sequence when no real scoring is at hand.

    ``typical`` cycles W -> N1 -> N2 -> N3 -> N2 -> REM about every 90 minutes, with
    more N3 early and more REM late, and brief awakenings.
    """
    if kind != "typical":
        raise ValueError("only the 'typical' scaffold exists")
    rng = np.random.default_rng(seed)
    n_ep = int(hours * 120)
    out: list[int] = [WAKE] * 20
    cyc = 0
    while len(out) < n_ep:
        n3 = max(2, int(40 - 10 * cyc + rng.integers(-4, 5)))
        rem = min(45, max(6, int(12 + 8 * cyc + rng.integers(-3, 4))))
        out += [N1] * int(rng.integers(2, 6)) + [N2] * int(rng.integers(45, 70)) + [N3] * n3 \
            + [N2] * int(rng.integers(20, 35)) + [REM] * rem
        if rng.uniform() < 0.6:
            out += [WAKE] * int(rng.integers(1, 4))
        cyc += 1
    return Hypnogram(np.asarray(out[:n_ep], dtype=np.int8), source="simulated scaffold")
