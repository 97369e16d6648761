"""Planting events with exact ground truth (timeline only; :mod:`indsim.nights` renders).

Each planter draws candidate times, keeps those that satisfy the scoring rule's
preconditions (stage, stable sleep before an arousal, spacing) and books the time on
shared resources so that no two events make the truth ambiguous: a PLM series keeps
90 s from any other LM, spontaneous arousals keep away from respiratory events, a
REM arousal never falls in a tonic RSWA epoch, and so on. Where real nights couple
events on purpose (an arousal ending a hypopnea, a leg movement at an apnea's end, an
arousal with a PLM) the coupling is planted and recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .hypnogram import EPOCH_S, N1, N2, N3, REM, SLEEP, WAKE, one_stage, same_stage, stage_of


@dataclass
class Planted:
    """One planted event, seconds from the start; ``type`` refines ``kind``."""

    kind: str
    onset: float
    offset: float
    type: str = ""
    stage: int = -1
    extra: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.offset - self.onset


@dataclass
class Plan:
    """Everything planted on one night, plus the stages it was planted on."""

    stages: np.ndarray
    events: list[Planted] = field(default_factory=list)
    #: REM epoch index -> tonic chin (True) or atonic (False).
    rem_tonic: dict[int, bool] = field(default_factory=dict)
    #: (onset, offset) of every phasic chin burst in REM (twitches and REM-arousal rises).
    chin_bursts: list[tuple[float, float]] = field(default_factory=list)
    #: Artefacts (not events): ("pop"|"twitch", leg, time, duration).
    artefacts: list[tuple[str, str, float, float]] = field(default_factory=list)
    busy: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def of(self, kind: str, typ: str | None = None) -> list[Planted]:
        return [e for e in self.events if e.kind == kind and (typ is None or e.type == typ)]

    def free(self, res: str, a: float, b: float) -> bool:
        return all(b <= x or a >= y for x, y in self.busy.get(res, ()))

    def take(self, res: str, a: float, b: float) -> None:
        self.busy.setdefault(res, []).append((a, b))

    def add(self, ev: Planted) -> Planted:
        ev.stage = stage_of(self.stages, ev.onset)
        self.events.append(ev)
        return ev

    @property
    def duration_s(self) -> float:
        return len(self.stages) * EPOCH_S


def _candidates(plan: Plan, rng: np.random.Generator, count: int, allowed: tuple[int, ...],
                tries: int = 40) -> list[float]:
    """Random times in epochs of ``allowed`` stages (``tries`` per wanted event)."""
    ep = np.flatnonzero(np.isin(plan.stages, allowed))
    if not len(ep) or count <= 0:
        return []
    pick = rng.choice(ep, size=count * tries)
    return list(pick * EPOCH_S + rng.uniform(0, EPOCH_S, len(pick)))


# --- RSWA -------------------------------------------------------------------------------

def plan_rswa(plan: Plan, rng: np.random.Generator, p_tonic: float, p_phasic: float) -> None:
    """Tonic REM epochs and phasic chin bursts (0.1-5 s, aligned inside 3-s mini-epochs)."""
    for i in np.flatnonzero(plan.stages == REM):
        tonic = bool(rng.random() < p_tonic)
        plan.rem_tonic[int(i)] = tonic
        if tonic:
            continue
        for k in range(10):
            if rng.random() < p_phasic:
                t0 = i * EPOCH_S + 3 * k
                d = float(rng.choice([rng.uniform(0.15, 0.5), rng.uniform(0.5, 2.0)]))
                a = t0 + rng.uniform(0.2, 3 - d - 0.2)
                plan.chin_bursts.append((a, a + d))
                plan.take("chin", a - 0.5, a + d + 0.5)


# --- respiratory ------------------------------------------------------------------------

def plan_respiratory(plan: Plan, rng: np.random.Generator, per_hour: float, mix: dict[str, float],
                     short_frac: float = 0.2, arousal_frac: float = 0.35,
                     lm_end_frac: float = 0.0, chain_p: float = 0.0) -> None:
    """Apneas (obstructive, central), hypopneas with desaturation or with an arousal only.

    ``mix`` weights the types ``obstructive``, ``central``, ``hypopnea_desat``,
    ``hypopnea_arousal``. ``short_frac`` of apneas last 10-13 s (the hard case).
    Each event books its desaturation and recovery, so desaturations never merge.
    ``chain_p``: chance that the next event follows as early as allowed (periodic
    breathing runs, onsets < 90 s apart: LMs at their ends would form a PLM series
    unless excluded, as AASM requires).
    """
    sleep_h = np.isin(plan.stages, SLEEP).sum() * EPOCH_S / 3600
    want = int(round(per_hour * sleep_h))
    types, w = list(mix), np.array(list(mix.values()), float)
    placed = 0
    queue = _candidates(plan, rng, want, SLEEP)[::-1]
    while queue and placed < want:
        t = queue.pop()
        chained = bool(queue) and queue[-1] < 0  # marker: t follows the previous event
        if chained:
            queue.pop()
        typ = str(rng.choice(types, p=w / w.sum()))
        apnea = typ in ("obstructive", "central")
        if apnea and rng.random() < short_frac:
            dur = rng.uniform(10.3, 13.0)
        elif apnea:
            dur = rng.uniform(13, 40)
        else:
            dur = rng.uniform(12, 35)
        if chained:  # periodic breathing: short cycles
            dur = min(dur, rng.uniform(10.3, 18))
        lag = rng.uniform(10, 18) if chained else rng.uniform(10, 30)  # SpO2 nadir after end
        rec = rng.uniform(8, 14)           # SpO2 recovery to baseline
        end = t + dur
        # Desaturations must not merge: the next event starts >= 30 s after this one's
        # SpO2 has recovered, yet onsets can be < 90 s apart (LMs at their ends could
        # then form a PLM series unless they are excluded, as AASM requires).
        span = (t - 25, end + lag + rec + 5)
        if not same_stage(plan.stages, span[0], span[1], SLEEP) or not plan.free("resp", *span):
            continue
        if not plan.free("lm_times", t - 15, end + 20):
            continue
        stage = one_stage(plan.stages, t - 12, end + 5)
        aro = typ == "hypopnea_arousal" or rng.random() < arousal_frac
        if aro and (stage is None or (stage == REM and plan.rem_tonic.get(int(end // EPOCH_S)))):
            if typ == "hypopnea_arousal":
                continue
            aro = False
        if aro and not plan.free("eeg", end - 12, end + 15):
            continue
        depth = rng.uniform(0.3, 1.2) if typ == "hypopnea_arousal" else rng.uniform(4.8, 9.0)
        kind = "apnea" if apnea else "hypopnea"
        plan.add(Planted(kind, t, end, typ if apnea else typ.split("_")[1],
                         extra={"depth": depth, "lag": lag, "rec": rec,
                                "pressure": rng.uniform(0.35, 0.55),
                                "thermistor": rng.uniform(0.0, 0.05) if apnea
                                else rng.uniform(0.4, 0.68)}))
        plan.take("resp", *span)
        plan.take("legs_quiet", t - 15, end + 20)
        plan.take("eeg_quiet", t - 5, end + lag + rec)
        if depth >= 3:
            plan.add(Planted("desaturation", t + lag, end + lag + rec, extra={"depth": depth,
                             "nadir": end + lag}))
        if aro:
            a0 = end + rng.uniform(-0.5, 1.5)
            plant_arousal(plan, rng, a0, rng.uniform(3.5, 9), cause="respiratory", force=True)
        if lm_end_frac and rng.random() < lm_end_frac and plan.free("legs", end - 100, end + 100):
            on = end + rng.uniform(-0.3, 0.3)  # AASM window ±0.5 s, 0.2 s to spare
            lm = plan.add(Planted("lm", on, on + rng.uniform(0.6, 3), "respiratory",
                                  extra={"leg": str(rng.choice(["L", "R"])),
                                         "amp": rng.uniform(18, 40)}))
            # other LMs keep 100 s away ("legs"); LMs at consecutive event ends may be
            # close, so that unless excluded they would form a PLM series
            plan.take("legs_resp", lm.onset - 5, lm.offset + 5)
        placed += 1
        if rng.random() < chain_p:  # the next breathing event as soon as allowed
            queue += [-1.0, end + lag + rec + 31 + rng.uniform(0, 3)]


# --- arousals ---------------------------------------------------------------------------

def plant_arousal(plan: Plan, rng: np.random.Generator, onset: float, dur: float,
                  cause: str = "spontaneous", force: bool = False) -> Planted | None:
    """An EEG arousal: alpha/beta shift, or a theta shift out of N3; chin rise in REM.

    Needs ≥ 10 s of stable sleep before (ASDA), so 12 s of one sleep stage and no
    other arousal in the preceding 12 s; it stays in that stage (no awakening).
    """
    stage = one_stage(plan.stages, onset - 12, onset + dur + 2)
    if stage is None or stage == WAKE:
        return None
    if not plan.free("eeg", onset - 12, onset + dur + 3):
        return None
    if not force and not plan.free("eeg_quiet", onset - 3, onset + dur + 3):
        return None
    if stage == REM:
        ep = int(onset // EPOCH_S)
        if plan.rem_tonic.get(ep) or plan.rem_tonic.get(int((onset + dur) // EPOCH_S)):
            return None
    typ = "theta" if stage == N3 and rng.random() < 0.65 else "alpha"
    ev = plan.add(Planted("arousal", onset, onset + dur, typ, extra={"cause": cause}))
    plan.take("eeg", onset - 3, onset + dur + 3)
    if stage == REM:  # ASDA: in REM also a chin-EMG rise of ≥ 1 s: a phasic burst too
        rise = (onset + 0.1, onset + 0.1 + rng.uniform(1.3, 3.0))
        ev.extra["chin"] = rise
        plan.chin_bursts.append(rise)
    return ev


def plan_arousals(plan: Plan, rng: np.random.Generator, per_hour: dict[int, float],
                  short_frac: float = 0.3) -> None:
    """Spontaneous arousals at ``per_hour`` of each sleep stage; ``short_frac`` last 3-4 s."""
    for stage, rate in per_hour.items():
        hours = (plan.stages == stage).sum() * EPOCH_S / 3600
        want, got = int(round(rate * hours)), 0
        for t in _candidates(plan, rng, want, (stage,)):
            if got >= want:
                break
            dur = rng.uniform(3.2, 4.2) if rng.random() < short_frac else rng.uniform(4.5, 12)
            if plant_arousal(plan, rng, t, dur):
                got += 1


# --- leg movements ----------------------------------------------------------------------

def _lm(plan: Plan, rng: np.random.Generator, on: float, typ: str, dur: float) -> Planted:
    plan.take("lm_times", on - 2, on + dur + 2)  # respiratory events keep clear of LMs
    bilateral = rng.random() < 0.2
    leg = "both" if bilateral else str(rng.choice(["L", "R"]))
    return plan.add(Planted("lm", on, on + dur, typ, extra={
        "leg": leg, "amp": rng.uniform(18, 45), "lag_other": rng.uniform(0, 0.8)}))


def plan_legs(plan: Plan, rng: np.random.Generator, series_per_hour: float,
              isolated_per_hour: float, short_frac: float = 0.3,
              arousal_frac: float = 0.25) -> None:
    """PLM series (4-10 LMs, onset intervals 12-60 s) and isolated LMs (> 100 s from any).

    Intervals stay well inside both the AASM (5-90 s) and the WASM (10-90 s) range, and
    series keep 100 s from other LMs, so the series is the same under either rule.
    """
    sleep_h = np.isin(plan.stages, SLEEP).sum() * EPOCH_S / 3600
    want, got = int(round(series_per_hour * sleep_h)), 0
    for t in _candidates(plan, rng, want, (N1, N2, N3)):
        if got >= want:
            break
        k = int(rng.integers(4, 9))
        gaps = rng.uniform(12, 45, k - 1)
        ons = t + np.concatenate([[0], np.cumsum(gaps)])
        end = ons[-1] + 10
        if not same_stage(plan.stages, t - 5, end, (N1, N2, N3)):
            continue
        if not plan.free("legs", t - 100, end + 100):
            continue
        plan.take("legs", t - 100, end + 100)
        for on in ons:
            dur = rng.uniform(0.55, 1.2) if rng.random() < short_frac else rng.uniform(1.2, 6)
            lm = _lm(plan, rng, float(on), "plm", dur)
            if rng.random() < arousal_frac:
                a = plant_arousal(plan, rng, lm.onset + rng.uniform(-0.3, 0.3), rng.uniform(3.2, 8),
                                  cause="plm")
                if a is not None:
                    lm.extra["arousal"] = True
        got += 1
    want, got = int(round(isolated_per_hour * sleep_h)), 0
    for t in _candidates(plan, rng, want, SLEEP):
        if got >= want:
            break
        dur = rng.uniform(0.55, 1.2) if rng.random() < short_frac else rng.uniform(1.2, 8)
        if not (same_stage(plan.stages, t - 2, t + dur + 2, SLEEP)
                and plan.free("legs", t - 100, t + dur + 100)):
            continue
        plan.take("legs", t - 100, t + dur + 100)
        _lm(plan, rng, t, "isolated", dur)
        got += 1


def plan_leg_artefacts(plan: Plan, rng: np.random.Generator, pops_per_hour: float,
                       twitches_per_hour: float) -> None:
    """Electrode pops and brief twitches (< 0.25 s) on the legs: not leg movements."""
    hours = plan.duration_s / 3600
    for kind, rate in (("pop", pops_per_hour), ("twitch", twitches_per_hour)):
        for t in rng.uniform(5, plan.duration_s - 5, int(round(rate * hours * 2))):
            dur = 0.2 if kind == "pop" else float(rng.uniform(0.06, 0.2))
            if not all(plan.free(r, t - 3, t + 3) for r in ("legs", "legs_resp", "generalised")):
                continue
            plan.artefacts.append((kind, str(rng.choice(["L", "R"])), float(t), dur))


def plan_spo2_artefacts(plan: Plan, rng: np.random.Generator, per_hour: float) -> None:
    """Oximeter probe-off / motion artefacts (abrupt fall below 50 % or to 0, 15-60 s).

    Kept 60 s from any respiratory event's desaturation: not desaturations.
    """
    hours = plan.duration_s / 3600
    for t in rng.uniform(60, plan.duration_s - 120, int(round(per_hour * hours * 3))):
        if len([a for a in plan.artefacts if a[0] == "probe_off"]) >= round(per_hour * hours):
            break
        d = float(rng.uniform(15, 60))
        if not plan.free("resp", t - 60, t + d + 60):
            continue
        plan.take("resp", t - 60, t + d + 60)
        plan.artefacts.append(("probe_off", "", float(t), d))


# --- bruxism and sleep starts -----------------------------------------------------------

def plan_rmma(plan: Plan, rng: np.random.Generator, per_hour: float) -> None:
    """RMMA episodes on the masseter in N1/N2: phasic (≥ 3 bursts of 0.25-2 s), tonic (> 2 s), mixed."""
    sleep_h = np.isin(plan.stages, SLEEP).sum() * EPOCH_S / 3600
    want, got = int(round(per_hour * sleep_h)), 0
    for t in _candidates(plan, rng, want, (N1, N2)):
        if got >= want:
            break
        typ = str(rng.choice(["phasic", "tonic", "mixed"], p=[0.5, 0.25, 0.25]))
        bursts, cur = [], t
        if typ in ("tonic", "mixed"):
            d = rng.uniform(2.5, 8)
            bursts.append((cur, cur + d))
            cur += d + rng.uniform(0.4, 1.0)
        if typ in ("phasic", "mixed"):
            for _ in range(int(rng.integers(4, 9)) if typ == "phasic" else 3):
                d = rng.uniform(0.35, 1.4)
                bursts.append((cur, cur + d))
                cur += d + rng.uniform(0.35, 0.9)
        end = bursts[-1][1]
        if not same_stage(plan.stages, t - 5, end + 5, (N1, N2)) or not plan.free("jaw", t - 60, end + 60):
            continue
        plan.take("jaw", t - 60, end + 60)
        plan.add(Planted("rmma", t, end, typ, extra={"bursts": bursts, "amp": rng.uniform(4, 7)}))
        got += 1


def plan_sleep_starts(plan: Plan, rng: np.random.Generator, onsets: list[float], p: float) -> None:
    """Hypnic jerks: 75-250 ms bursts on chin, legs and masseter at once, near sleep onset."""
    for b in onsets:
        if rng.random() >= p:
            continue
        t = b + rng.uniform(-20, 20)
        if not all(plan.free(r, t - 5, t + 5) for r in ("legs", "legs_resp", "jaw")):
            continue
        plan.take("generalised", t - 5, t + 5)
        plan.take("legs", t - 5, t + 5)
        plan.take("jaw", t - 5, t + 5)
        plan.take("eeg", t - 5, t + 5)
        plan.add(Planted("sleep_start", t, t + rng.uniform(0.08, 0.22),
                         extra={"amp": rng.uniform(40, 120)}))
