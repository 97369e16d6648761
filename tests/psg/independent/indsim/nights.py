"""The independent nights: clean, heavy-noise and short-event, rendered to signals.

:func:`make_night` plans events on a stage sequence (:mod:`indsim.events`) and renders
13 channels: C4-M1 and E1-M2/E2-M1 (256 Hz), chin, masseter, left and right tibialis
EMG and ECG (256 Hz), thermistor airflow, nasal pressure, thorax and abdomen (32 Hz)
and SpO2 (1 Hz, whole percent, as oximeters report it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from . import events as ev
from . import signals as sg
from .hypnogram import EPOCH_S, N1, N2, N3, REM, WAKE, best_window, dreem_night, sleep_onsets

SF, SF_RESP, SF_SPO2 = 256.0, 32.0, 1.0


@dataclass(frozen=True)
class NightSpec:
    """Event rates and artefact levels of one kind of night."""

    name: str
    # respiratory
    resp_per_hour: float = 20.0
    resp_mix: dict = field(default_factory=lambda: {"obstructive": 0.3, "central": 0.25,
                                                    "hypopnea_desat": 0.25,
                                                    "hypopnea_arousal": 0.2})
    short_apnea_frac: float = 0.25
    resp_arousal_frac: float = 0.3
    lm_end_frac: float = 0.0
    resp_chain_p: float = 0.0
    # legs
    plm_series_per_hour: float = 2.0
    isolated_lm_per_hour: float = 6.0
    short_lm_frac: float = 0.3
    # EEG arousals (spontaneous, per hour of each stage)
    arousal_per_hour: dict = field(default_factory=lambda: {N1: 8.0, N2: 8.0, N3: 30.0, REM: 8.0})
    short_arousal_frac: float = 0.3
    # REM sleep without atonia: a healthy night has ~5 % phasic and almost no tonic
    rswa_tonic: float = 0.02
    rswa_phasic: float = 0.05
    rmma_per_hour: float = 7.0
    sleep_start_p: float = 0.8
    # artefacts
    ecg_on_emg: tuple[float, float] = (0.0, 0.0)   # R amplitude on EMG channels, µV
    hum_uv: float = 0.0
    wander_uv: float = 0.0
    pops_per_hour: float = 0.0
    twitches_per_hour: float = 0.0
    emg_noise_gain: float = 1.0
    resp_noise: float = 0.03
    resp_wander: float = 0.0
    spo2_noise: float = 0.0
    probe_off_per_hour: float = 0.0


CLEAN = NightSpec("clean")
HEAVY_NOISE = NightSpec(
    "heavy_noise", ecg_on_emg=(10.0, 20.0), hum_uv=8.0, wander_uv=30.0, pops_per_hour=12.0,
    twitches_per_hour=25.0, emg_noise_gain=1.3, resp_noise=0.08, resp_wander=0.2, spo2_noise=0.25,
    probe_off_per_hour=1.0)
SHORT_EVENT = NightSpec(
    "short_event", resp_per_hour=22.0, short_apnea_frac=0.7, resp_mix={
        "obstructive": 0.45, "central": 0.2, "hypopnea_desat": 0.2, "hypopnea_arousal": 0.15},
    lm_end_frac=0.8, resp_chain_p=0.85, short_lm_frac=0.6, isolated_lm_per_hour=2.0, plm_series_per_hour=1.5, short_arousal_frac=0.6,
    arousal_per_hour={N1: 8.0, N2: 8.0, N3: 36.0, REM: 8.0}, rswa_tonic=0.25, rswa_phasic=0.2,
    ecg_on_emg=(4.0, 8.0), hum_uv=3.0, wander_uv=10.0, twitches_per_hour=10.0)
NIGHTS = {s.name: s for s in (CLEAN, HEAVY_NOISE, SHORT_EVENT)}


@dataclass
class Night:
    """Signals (name -> (data, sf, role, unit)), stages and the plan (ground truth)."""

    spec: NightSpec
    stages: np.ndarray
    plan: ev.Plan
    signals: dict[str, tuple[np.ndarray, float, str, str]]


def stages_for(hours: float | None, night: str | None = None) -> np.ndarray:
    """A real Dreem expert scoring: the whole night, or its richest ``hours`` window."""
    st = dreem_night(night) if night else dreem_night()
    return st if hours is None else best_window(st, int(round(hours * 3600 / EPOCH_S)))


def plan_night(spec: NightSpec, stages: np.ndarray, rng: np.random.Generator) -> ev.Plan:
    """Plant every event of ``spec`` on ``stages`` (order matters: see :mod:`indsim.events`)."""
    plan = ev.Plan(stages)
    ev.plan_rswa(plan, rng, spec.rswa_tonic, spec.rswa_phasic)
    ev.plan_sleep_starts(plan, rng, sleep_onsets(stages), spec.sleep_start_p)
    ev.plan_legs(plan, rng, spec.plm_series_per_hour, spec.isolated_lm_per_hour,
                 spec.short_lm_frac)
    ev.plan_respiratory(plan, rng, spec.resp_per_hour, spec.resp_mix, spec.short_apnea_frac,
                        spec.resp_arousal_frac, spec.lm_end_frac, spec.resp_chain_p)
    ev.plan_arousals(plan, rng, spec.arousal_per_hour, spec.short_arousal_frac)
    ev.plan_rmma(plan, rng, spec.rmma_per_hour)
    ev.plan_leg_artefacts(plan, rng, spec.pops_per_hour, spec.twitches_per_hour)
    ev.plan_spo2_artefacts(plan, rng, spec.probe_off_per_hour)
    plan.events.sort(key=lambda e: e.onset)
    return plan


def make_night(spec: NightSpec | str, hours: float | None = 1.5, seed: int = 0,
               stages: np.ndarray | None = None) -> Night:
    """Plan and render one night (``hours=None``: the whole real night)."""
    spec = NIGHTS[spec] if isinstance(spec, str) else spec
    rng = np.random.default_rng(seed)
    stages = stages_for(hours) if stages is None else np.asarray(stages, dtype=np.int8)
    plan = plan_night(spec, stages, rng)
    sig: dict[str, tuple[np.ndarray, float, str, str]] = {}
    n = int(len(stages) * EPOCH_S * SF)
    beats = sg.heart_beats(n / SF, rng)
    sig["C4-M1"] = (_eeg(plan, n, rng, spec), SF, "eeg", "uV")
    sig.update(_eog(plan, n, rng))
    sig.update(_emg(plan, n, rng, spec, beats))
    ecg = sg.ecg_trace(n, SF, beats, 900.0) + 8 * sg.band_noise(n, SF, 1, 100, rng)
    sig["ECG"] = (ecg + sg.wander(n, SF, 40 + spec.wander_uv, rng), SF, "ecg", "uV")
    sig.update(_breathing(plan, rng, spec))
    sig["SpO2"] = (_spo2(plan, rng, spec), SF_SPO2, "spo2", "%")
    return Night(spec, stages, plan, sig)


def with_spec(spec: NightSpec, **changes) -> NightSpec:
    return replace(spec, **changes)


# --- rendering --------------------------------------------------------------------------

def _ramp_set(x: np.ndarray, a: float, b: float, value: float, sf: float, mode: str,
              ramp_s: float = 0.15) -> None:
    """Set (``max``) or scale (``mul``) x over [a, b] s with short linear ramps."""
    i0, i1 = int(a * sf), int(b * sf)
    if i1 <= i0:
        return
    w = np.ones(i1 - i0)
    r = min(int(ramp_s * sf), (i1 - i0) // 2)
    if r:
        w[:r] = np.linspace(0, 1, r)
        w[-r:] = np.linspace(1, 0, r)
    seg = x[i0:i1]
    if mode == "max":
        x[i0:i1] = seg + w * np.maximum(value - seg, 0)
    else:
        x[i0:i1] = seg * (1 + w * (value - 1))


#: EEG components: (band Hz, RMS µV per stage W, N1, N2, N3, REM).
_EEG = {
    "delta": ((0.5, 2.0), (8, 14, 28, 60, 10)),
    "theta": ((4.0, 7.5), (6, 13, 11, 12, 12)),
    "alpha": ((8.5, 11.5), (20, 4, 3, 2, 4)),
    "beta": ((17.0, 28.0), (6, 3, 2.5, 2, 3)),
}


def _eeg(plan: ev.Plan, n: int, rng: np.random.Generator, spec: NightSpec) -> np.ndarray:
    aro = plan.of("arousal")
    x = 7 * sg.pink_noise(n, SF, rng)
    for comp, ((lo, hi), levels) in _EEG.items():
        g = sg.stage_gain(plan.stages, dict(zip((WAKE, N1, N2, N3, REM), levels, strict=True)), SF, n)
        for a in aro:
            if a.type == "theta":  # out of N3: theta burst, delta recedes
                change = {"theta": ("max", 38.0), "delta": ("mul", 0.45), "alpha": ("max", 5.0)}
            else:
                change = {"alpha": ("max", 22.0), "beta": ("max", 9.0), "delta": ("mul", 0.5)}
            if comp in change:
                mode, v = change[comp]
                _ramp_set(g, a.onset, a.offset, v, SF, mode)
        x += g * sg.band_noise(n, SF, lo, hi, rng)
        del g
    # sleep spindles in N2 (12-14 Hz, 0.5-1.5 s), never inside or next to an arousal
    t_all = np.arange(int(3 * SF)) / SF
    for i in np.flatnonzero(plan.stages == N2):
        for t in i * EPOCH_S + np.sort(rng.uniform(0, EPOCH_S - 2, rng.poisson(2.5))):
            if any(a.onset - 4 < t < a.offset + 2 for a in aro):
                continue
            d = rng.uniform(0.5, 1.5)
            tt = t_all[: int(d * SF)]
            sp = rng.uniform(20, 35) * np.hanning(len(tt)) * np.sin(2 * np.pi * rng.uniform(12, 14) * tt)
            i0 = int(t * SF)
            x[i0 : i0 + len(sp)] += sp[: max(0, n - i0)]
    if spec.hum_uv:
        x += sg.hum(n, SF, spec.hum_uv, rng)
    if spec.wander_uv:
        x += sg.wander(n, SF, spec.wander_uv, rng)
    return x


def _eog(plan: ev.Plan, n: int, rng: np.random.Generator) -> dict:
    slow = sg.stage_gain(plan.stages, {WAKE: 10, N1: 40, N2: 5, N3: 3, REM: 5}, SF, n)
    rapid = sg.stage_gain(plan.stages, {WAKE: 30, N1: 5, N2: 2, N3: 2, REM: 45}, SF, n)
    base = slow * sg.band_noise(n, SF, 0.1, 0.5, rng) + rapid * sg.band_noise(n, SF, 0.5, 3, rng)
    noise = 5 * sg.pink_noise(n, SF, rng)
    # the two eyes move together, so E1 and E2 see the movement in opposite polarity
    return {"E1-M2": (base + noise, SF, "eog", "uV"),
            "E2-M1": (-base + 5 * sg.pink_noise(n, SF, rng), SF, "eog_r", "uV")}


_CHIN = {WAKE: 8.0, N1: 3.6, N2: 3.0, N3: 2.6, REM: 1.2}
_MASSETER = {WAKE: 6.0, N1: 3.0, N2: 2.5, N3: 2.2, REM: 1.5}
_LEG_REST = 1.5
CHIN_ATONIA = _CHIN[REM]


def _emg(plan: ev.Plan, n: int, rng: np.random.Generator, spec: NightSpec, beats) -> dict:
    g = spec.emg_noise_gain
    envs = {
        "Chin": sg.stage_gain(plan.stages, _CHIN, SF, n, slow_s=10, into_rem_early=True) * g,
        "Masseter": sg.stage_gain(plan.stages, _MASSETER, SF, n, slow_s=10) * g,
        "Leg L": np.full(n, _LEG_REST * g),
        "Leg R": np.full(n, _LEG_REST * g),
    }
    roles = {"Chin": "emg_chin", "Masseter": "emg_masseter", "Leg L": "leg_l", "Leg R": "leg_r"}
    chin = envs["Chin"]
    for ep, tonic in plan.rem_tonic.items():
        if tonic:
            _ramp_set(chin, ep * EPOCH_S, (ep + 1) * EPOCH_S, 4.5 * CHIN_ATONIA * g, SF, "max", 0.5)
    for a, b in plan.chin_bursts:
        _burst(chin, a, b, rng.uniform(6, 11) * CHIN_ATONIA * g, rng)
    for a in plan.of("arousal"):
        if a.stage != REM:
            _ramp_set(chin, a.onset, a.offset, 1.4, SF, "mul", 0.3)
    for lm in plan.of("lm"):
        legs = ["Leg L", "Leg R"] if lm.extra["leg"] == "both" else [f"Leg {lm.extra['leg']}"]
        for k, leg in enumerate(legs):
            lag = lm.extra.get("lag_other", 0.0) if k else 0.0
            _burst(envs[leg], lm.onset + lag, lm.offset + lag * 0.5, lm.extra["amp"], rng, 0.08)
    for ep in plan.of("rmma"):
        base = _MASSETER[N2] * g
        for a, b in ep.extra["bursts"]:
            _burst(envs["Masseter"], a, b, ep.extra["amp"] * base, rng)
    for s in plan.of("sleep_start"):
        for name, env in envs.items():
            d = s.onset + rng.uniform(0, 0.03)
            _burst(env, d, d + s.duration, s.extra["amp"] * (0.6 if name == "Chin" else 1), rng, 0.01)
    for kind, leg, t, d in plan.artefacts:
        if kind == "twitch":
            _burst(envs[f"Leg {leg}"], t, t + d, rng.uniform(20, 60), rng, 0.01)
    out = {}
    for name, env in envs.items():
        x = env * sg.emg_noise(n, SF, rng)
        if spec.ecg_on_emg[1] > 0:
            amp = rng.uniform(*spec.ecg_on_emg)
            x += sg.ecg_trace(n, SF, beats, amp, sg.emg_lead_waves(rng), rng.uniform(0, 0.01))
        if spec.hum_uv:
            x += sg.hum(n, SF, spec.hum_uv, rng)
        if spec.wander_uv:
            x += sg.wander(n, SF, spec.wander_uv, rng)
        out[name] = (x, SF, roles[name], "uV")
    for kind, leg, t, _d in plan.artefacts:
        if kind == "pop":
            p = sg.pop(SF, rng)
            i0 = int(t * SF)
            out[f"Leg {leg}"][0][i0 : i0 + len(p)] += p[: max(0, n - i0)]
    return out


def _burst(env: np.ndarray, a: float, b: float, amp: float, rng, ramp_s: float = 0.03) -> None:
    i0, i1 = int(a * SF), int(b * SF)
    if i1 - i0 < 2:
        return
    shape = amp * sg.burst_envelope(i1 - i0, SF, rng, ramp_s)
    env[i0:i1] = np.maximum(env[i0:i1], shape)


def _breathing(plan: ev.Plan, rng: np.random.Generator, spec: NightSpec) -> dict:
    resp = plan.of("apnea") + plan.of("hypopnea")
    n = int(len(plan.stages) * EPOCH_S * SF_RESP)
    t = np.arange(n) / SF_RESP
    anchors = [x for e in resp for x in (e.onset, e.offset)]
    phase = sg.breathing_phase(n, SF_RESP, rng, anchors)
    amp = 1 + 0.12 * np.sin(2 * np.pi * t / rng.uniform(900, 1500)) + 0.05 * sg.band_noise(
        n, SF_RESP, 0.002, 0.02, rng)
    flow, pres, thx, abd = (amp.copy() for _ in range(4))
    paradox = np.zeros(n)
    for e in resp:
        i0, i1 = int(round(e.onset * SF_RESP)), int(round(e.offset * SF_RESP))
        if e.kind == "apnea":
            flow[i0:i1] *= e.extra["thermistor"]
            pres[i0:i1] *= e.extra["thermistor"] * 0.8
            if e.type == "central":
                thx[i0:i1] *= 0.03
                abd[i0:i1] *= 0.03
            else:  # obstructive: effort goes on, grows, thorax and abdomen in opposite phase
                grow = np.linspace(1.0, 1.4, i1 - i0)
                thx[i0:i1] *= grow
                abd[i0:i1] *= grow
                paradox[i0:i1] = 1
        else:
            pres[i0:i1] *= e.extra["pressure"]
            flow[i0:i1] *= e.extra["thermistor"]
            thx[i0:i1] *= 0.8
            abd[i0:i1] *= 0.8
        k = int(12 * SF_RESP)  # recovery breaths are deeper (hyperpnoea)
        boost = 1 + 0.45 * np.exp(-np.arange(min(k, n - i1)) / (5 * SF_RESP))
        for x in (flow, pres, thx, abd):
            x[i1 : i1 + len(boost)] *= boost
    s = np.sin(2 * np.pi * phase)
    out = {}
    wave = {"Flow": flow * s,
            "Nasal Pressure": pres * np.sign(s) * np.abs(s) ** 0.7,
            "Thorax": thx * s,
            "Abdomen": abd * np.sin(2 * np.pi * (phase + 0.5 * paradox))}
    roles = {"Flow": "airflow", "Nasal Pressure": "nasal_pressure", "Thorax": "thorax",
             "Abdomen": "abdomen"}
    for name, x in wave.items():
        x = 100 * (x + spec.resp_noise * sg.band_noise(n, SF_RESP, 1.5, 8, rng))
        if spec.resp_wander:
            x += 100 * sg.wander(n, SF_RESP, spec.resp_wander, rng, hi=0.03)
        out[name] = (x, SF_RESP, roles[name], "")
    return out


def _spo2(plan: ev.Plan, rng: np.random.Generator, spec: NightSpec) -> np.ndarray:
    n = int(len(plan.stages) * EPOCH_S * SF_SPO2)
    t = np.arange(n) / SF_SPO2
    x = 96.3 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(2000, 4000))
    for e in plan.of("apnea") + plan.of("hypopnea"):
        d, lag, rec = e.extra["depth"], e.extra["lag"], e.extra["rec"]
        a, nadir, b = e.onset + lag, e.offset + lag, e.offset + lag + rec
        fall = (t >= a) & (t < nadir)
        x[fall] -= d * (t[fall] - a) / (nadir - a)
        up = (t >= nadir) & (t < b)
        x[up] -= d * 0.5 * (1 + np.cos(np.pi * (t[up] - nadir) / rec))
    if spec.spo2_noise:
        x += spec.spo2_noise * rng.standard_normal(n)
    x = np.round(x)
    for kind, _c, a, d in plan.artefacts:
        if kind == "probe_off":  # the reading collapses at once, then comes back at once
            x[int(a) : int(a + d)] = 0.0 if rng.random() < 0.5 else rng.uniform(20, 45)
    return x
