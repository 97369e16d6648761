"""Matching planted against detected events, and headline indices against planted ones.

Events are compared per kind, only those starting in sleep (except sleep starts, which
belong to the wake->sleep transition). A detected event matches a planted one of the
same kind when their onsets differ by at most the kind's tolerance and the intervals
overlap; pairs are taken closest-onset first, one to one. Indices are per hour of
total sleep time of the true hypnogram (N3 arousals: per hour of N3); percentages
(RSWA) are compared in points, the rest relatively.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .events import Plan
from .hypnogram import EPOCH_S, N3, REM, SLEEP, stage_of

#: Onset tolerance (s) per kind: breathing events are read off breath envelopes
#: (a breath lasts ~4 s), SpO2 falls slowly, EMG onsets are sharp.
TOLERANCE = {"apnea": 5.0, "apnea_obstructive": 5.0, "apnea_central": 5.0, "hypopnea": 5.0,
             "desaturation": 20.0, "lm": 1.0, "plm": 1.0, "lm_respiratory": 1.0,
             "arousal": 3.0, "arousal_n3": 3.0, "rswa_burst": 0.5, "rmma": 3.0,
             "sleep_start": 1.0}
F1_TARGET, REL_TARGET, POINTS_TARGET = 0.85, 0.15, 3.0
PERCENT_INDICES = ("rswa_phasic_pct", "rswa_tonic_pct", "rswa_any_pct", "montreal_phasic_pct")


def truth(plan: Plan) -> dict[str, list[tuple[float, float]]]:
    """Planted (onset, offset) per scored kind."""
    iv = lambda evs: [(e.onset, e.offset) for e in evs]  # noqa: E731
    lm_end = lambda e: e.offset + (0.5 * e.extra.get("lag_other", 0) if e.extra["leg"] == "both" else 0)  # noqa: E731
    ar = plan.of("arousal")
    return {
        "apnea_obstructive": iv(plan.of("apnea", "obstructive")),
        "apnea_central": iv(plan.of("apnea", "central")),
        "apnea": iv(plan.of("apnea")),
        "hypopnea": iv(plan.of("hypopnea")),
        "desaturation": iv(plan.of("desaturation")),
        "lm": [(e.onset, lm_end(e)) for e in plan.of("lm")],
        "plm": [(e.onset, lm_end(e)) for e in plan.of("lm", "plm")],
        "lm_respiratory": [(e.onset, lm_end(e)) for e in plan.of("lm", "respiratory")],
        "arousal": iv(ar),
        "arousal_n3": iv([e for e in ar if e.stage == N3]),
        "rswa_burst": list(plan.chin_bursts),
        "rmma": iv(plan.of("rmma")),
        "sleep_start": iv(plan.of("sleep_start")),
    }


@dataclass
class KindScore:
    kind: str
    n_true: int
    n_det: int
    tp: int
    onset_bias: float | None   # median detected - planted onset, s
    offset_bias: float | None

    @property
    def sensitivity(self) -> float | None:
        return self.tp / self.n_true if self.n_true else None

    @property
    def precision(self) -> float | None:
        return self.tp / self.n_det if self.n_det else None

    @property
    def f1(self) -> float | None:
        if not self.n_true and not self.n_det:
            return None
        return 2 * self.tp / (self.n_true + self.n_det)


def match(true: list, det: list, tol: float) -> list[tuple[int, int]]:
    """One-to-one pairs (i_true, i_det), closest onsets first."""
    cands = []
    for i, (a, b) in enumerate(true):
        for j, (c, d) in enumerate(det):
            dt = abs(c - a)
            overlap = min(b, d) - max(a, c) > -0.05
            if dt <= tol and overlap:
                cands.append((dt, i, j))
    used_i, used_j, out = set(), set(), []
    for _dt, i, j in sorted(cands):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j))
    return out


def _in_sleep(stages: np.ndarray, evs: list, kind: str) -> list:
    if kind == "sleep_start":
        return list(evs)
    allowed = (N3,) if kind == "arousal_n3" else (REM,) if kind == "rswa_burst" else SLEEP
    return [e for e in evs if stage_of(stages, e[0]) in allowed]


def score_kinds(plan: Plan, det: dict[str, list]) -> dict[str, KindScore]:
    """Sensitivity / precision / F1 and timing bias per kind."""
    tr = truth(plan)
    det = dict(det)
    det["arousal_n3"] = det.get("arousal", [])
    out = {}
    for kind, t in tr.items():
        if kind not in det:
            continue
        t = _in_sleep(plan.stages, t, kind)
        d = _in_sleep(plan.stages, sorted(det[kind]), kind)
        pairs = match(t, d, TOLERANCE[kind])
        on = [d[j][0] - t[i][0] for i, j in pairs]
        off = [d[j][1] - t[i][1] for i, j in pairs]
        out[kind] = KindScore(kind, len(t), len(d), len(pairs),
                              float(np.median(on)) if on else None,
                              float(np.median(off)) if off else None)
    return out


def planted_indices(plan: Plan) -> dict[str, float]:
    """Headline indices of the planted night.

    The LM index counts leg movements in sleep except those at a respiratory event's
    end: AASM says an LM from 0.5 s before to 0.5 s after a respiratory event is not
    scored at all. Bilateral LMs count once. (All LMs, scored or not, are still
    compared event by event under the kind ``lm``.)
    """
    st = plan.stages
    tst_h = np.isin(st, SLEEP).sum() * EPOCH_S / 3600
    n3_h = (st == N3).sum() * EPOCH_S / 3600
    sl = lambda evs: [e for e in evs if stage_of(st, e.onset) in SLEEP]  # noqa: E731
    per_h = lambda evs: len(sl(evs)) / tst_h if tst_h else float("nan")  # noqa: E731
    rem_eps = [i for i in np.flatnonzero(st == REM)]
    # a PLM is arousal-associated when an arousal overlaps it or lies < 0.5 s from it
    # (measured on what was planted, so a spontaneous arousal near a PLM counts too)
    aro = [(a.onset, a.offset) for a in plan.of("arousal")]
    plm_aro = [e for e in plan.of("lm", "plm")
               if any(a0 - 0.5 < e.offset and e.onset < a1 + 0.5 for a0, a1 in aro)]
    mini = _burst_windows(plan, rem_eps, 3.0)
    any_mini = sum(_burst_windows(plan, [i], 3.0) if not plan.rem_tonic.get(int(i)) else 10
                   for i in rem_eps)
    return {
        "ahi": per_h(plan.of("apnea") + plan.of("hypopnea")),
        "oai": per_h(plan.of("apnea", "obstructive")),
        "cai": per_h(plan.of("apnea", "central")),
        "odi3": per_h(plan.of("desaturation")),
        "lm_index": per_h([e for e in plan.of("lm") if e.type != "respiratory"]),
        "plms_index": per_h(plan.of("lm", "plm")),
        "plms_arousal_index": per_h(plm_aro),
        "arousal_index": per_h(plan.of("arousal")),
        "n3_arousal_index": (len([e for e in plan.of("arousal") if e.stage == N3]) / n3_h
                             if n3_h else float("nan")),
        "rswa_phasic_pct": 100 * mini / (10 * len(rem_eps)) if rem_eps else float("nan"),
        "rswa_any_pct": 100 * any_mini / (10 * len(rem_eps)) if rem_eps else float("nan"),
        "montreal_phasic_pct": (100 * _burst_windows(plan, rem_eps, 2.0) / (15 * len(rem_eps))
                                if rem_eps else float("nan")),
        "rswa_tonic_pct": (100 * sum(plan.rem_tonic.get(int(i), False) for i in rem_eps)
                           / len(rem_eps) if rem_eps else float("nan")),
        "rmma_index": per_h(plan.of("rmma")),
    }


def _burst_windows(plan: Plan, epochs, win_s: float) -> int:
    """How many ``win_s`` mini-epochs of ``epochs`` hold ≥ 0.1 s of a chin burst."""
    n = 0
    for i in epochs:
        for k in range(int(EPOCH_S // win_s)):
            a = i * EPOCH_S + win_s * k
            if any(min(b1, a + win_s) - max(b0, a) >= 0.1 for b0, b1 in plan.chin_bursts):
                n += 1
    return n


#: Published RSWA cut-off -> (planted percentage it applies to, cut-off %).
RSWA_VERDICTS = {"sinbar_any_mentalis_18pct": ("rswa_any_pct", 18.0),
                 "montreal_phasic_15pct": ("montreal_phasic_pct", 15.0)}


def expected_verdicts(plan: Plan, margin: float = 3.0) -> dict[str, bool]:
    """Verdicts the planted night clearly calls for (planted % ≥ ``margin`` from the cut-off)."""
    planted = planted_indices(plan)
    out = {}
    for name, (key, cut) in RSWA_VERDICTS.items():
        v = planted[key]
        if np.isfinite(v) and abs(v - cut) >= margin:
            out[name] = bool(v >= cut)
    return out


@dataclass
class IndexScore:
    name: str
    planted: float
    detected: float | None

    @property
    def percent(self) -> bool:
        return self.name in PERCENT_INDICES

    @property
    def error(self) -> float | None:
        """Points for percentages, else relative error (fraction of the planted value)."""
        if self.detected is None or not np.isfinite(self.planted):
            return None
        if self.percent:
            return self.detected - self.planted
        return (self.detected - self.planted) / self.planted if self.planted else float("inf")

    @property
    def ok(self) -> bool:
        e = self.error
        if e is None:
            return False
        return abs(e) <= (POINTS_TARGET if self.percent else REL_TARGET)


def score_indices(plan: Plan, detected: dict[str, float | None]) -> dict[str, IndexScore]:
    planted = planted_indices(plan)
    return {k: IndexScore(k, v, detected.get(k)) for k, v in planted.items()}


def table(name: str, kinds: dict[str, KindScore], idx: dict[str, IndexScore]) -> str:
    """Markdown tables of one night."""
    f = lambda v, p=2: "–" if v is None else f"{v:.{p}f}"  # noqa: E731
    rows = [f"**{name}**", "", "| kind | planted | detected | TP | sens | prec | F1 | onset bias s "
            "| offset bias s | F1 ≥ 0.85 |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for k in kinds.values():
        ok = "–" if k.f1 is None else ("yes" if k.f1 >= F1_TARGET else "**no**")
        rows.append(f"| {k.kind} | {k.n_true} | {k.n_det} | {k.tp} | {f(k.sensitivity)} | "
                    f"{f(k.precision)} | {f(k.f1)} | {f(k.onset_bias)} | {f(k.offset_bias)} | {ok} |")
    rows += ["", "| index | planted | detected | error | within target |",
             "|---|---:|---:|---:|---|"]
    for s in idx.values():
        e = s.error
        err = "–" if e is None else (f"{e:+.1f} pt" if s.percent else f"{100 * e:+.0f} %")
        rows.append(f"| {s.name} | {s.planted:.2f} | {f(s.detected)} | {err} | "
                    f"{'yes' if s.ok else '**no**'} |")
    return "\n".join(rows)
