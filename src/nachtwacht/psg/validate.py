"""Compare automatic staging and events with expert scorings found in a directory.

Three kinds of material are recognised:

* **Recording + expert hypnogram** (e.g. Sleep-EDF ``SC4001E0-PSG.edf`` with
  ``SC4001EC-Hypnogram.edf``, or ``night.edf`` with ``night.csv``/``night.json``):
  the night is staged automatically and compared epoch by epoch (Cohen's kappa,
  per-stage F1, confusion matrix); if the expert file also marks apneas,
  hypopneas or leg movements, the indices per hour of sleep are compared too.
* **Several scorers of the same nights** (Dreem layout ``scorer_1/<id>.json``,
  ``scorer_2/<id>.json`` ...): each scorer is compared with the majority vote of
  the others, the human ceiling any automatic stager should be judged against.
  Ties in the vote go to the stage of the other scorer listed first.
* **Sleep-EDF files** whose names appear in PhysioNet's ``SHA256SUMS.txt``: the
  file's SHA-256 is checked against the list.

Epochs unscored by either side are left out of every comparison.

:func:`compare_scored_events` compares the technician's scored events inside an
EDF+ file with the detectors' events (sensitivity, precision, F1 per kind, with an
onset tolerance); :func:`nachtwacht.psg.pipeline.analyse` puts it in its output.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from nachtwacht.psg.types import N1, N2, N3, REM, STAGE_LABELS, UNSCORED, WAKE

STAGES = (WAKE, N1, N2, N3, REM)


def confusion(ref: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """5x5 confusion matrix (rows: reference W..R, columns: prediction), scored epochs only."""
    ref = np.asarray(ref)
    pred = np.asarray(pred)
    n = min(len(ref), len(pred))
    ref, pred = ref[:n], pred[:n]
    ok = (ref != UNSCORED) & (pred != UNSCORED)
    cm = np.zeros((5, 5), dtype=np.int64)
    np.add.at(cm, (ref[ok].astype(int), pred[ok].astype(int)), 1)
    return cm


def kappa(cm: np.ndarray) -> float:
    """Cohen's kappa from a confusion matrix."""
    total = cm.sum()
    if total == 0:
        return float("nan")
    po = np.trace(cm) / total
    pe = float((cm.sum(axis=0) * cm.sum(axis=1)).sum()) / total**2
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


def f1_per_stage(cm: np.ndarray) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for i, s in enumerate(STAGES):
        tp = cm[i, i]
        denom = cm[i, :].sum() + cm[:, i].sum()
        out[STAGE_LABELS[s]] = None if denom == 0 else round(float(2 * tp / denom), 4)
    return out


def agreement(ref: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """Kappa, accuracy, per-stage F1 and the confusion matrix of two stage sequences."""
    cm = confusion(ref, pred)
    total = int(cm.sum())
    return {
        "epochs": total,
        "kappa": round(kappa(cm), 4) if total else None,
        "accuracy": round(float(np.trace(cm) / total), 4) if total else None,
        "f1": f1_per_stage(cm),
        "confusion": cm.tolist(),
        "labels": [STAGE_LABELS[s] for s in STAGES],
    }


def majority(others: list[np.ndarray]) -> np.ndarray:
    """Epoch-wise majority vote of several scorers (ties: first listed scorer among the tied)."""
    arr = np.vstack(others).astype(np.int64)
    out = np.full(arr.shape[1], UNSCORED, dtype=np.int8)
    counts = np.stack([(arr == s).sum(axis=0) for s in STAGES])  # (5, n)
    best = counts.max(axis=0)
    tied = (counts == best) & (best > 0)  # (5, n): stages sharing the top count
    cols = np.arange(arr.shape[1])
    for row in arr:  # scorers in the order given: the first whose stage is among the tied wins
        ok = (row >= 0) & (out == UNSCORED)
        hit = ok.copy()
        hit[ok] = tied[row[ok], cols[ok]]
        out[hit] = row[hit]
    return out


def scorer_panels(directory: Path) -> dict[Path, dict[str, dict[str, Path]]]:
    """Dreem-style panels: {panel dir: {record id: {scorer: json path}}}."""
    panels: dict[Path, dict[str, dict[str, Path]]] = {}
    for scorer_dir in sorted(directory.rglob("scorer_*")):
        if not scorer_dir.is_dir():
            continue
        panel = panels.setdefault(scorer_dir.parent, defaultdict(dict))
        for f in sorted(scorer_dir.glob("*.json")):
            panel[f.stem][scorer_dir.name] = f
    return panels


def validate_scorers(directory: Path) -> dict[str, Any]:
    """Each scorer against the majority of the others, per panel and overall."""
    from nachtwacht.psg.hypnogram_io import read_json_hypnogram

    result: dict[str, Any] = {}
    all_kappas: list[float] = []
    total_cm = np.zeros((5, 5), dtype=np.int64)
    for panel_dir, records in scorer_panels(directory).items():
        per_scorer: dict[str, list[float]] = defaultdict(list)
        cm_panel = np.zeros((5, 5), dtype=np.int64)
        n_rec = 0
        for files in records.values():
            if len(files) < 2:
                continue
            seqs = {s: read_json_hypnogram(p).stages for s, p in sorted(files.items())}
            n = min(len(v) for v in seqs.values())
            seqs = {s: v[:n] for s, v in seqs.items()}
            n_rec += 1
            for s, v in seqs.items():
                ref = majority([w for t, w in seqs.items() if t != s])
                cm = confusion(ref, v)
                cm_panel += cm
                k = kappa(cm)
                if np.isfinite(k):
                    per_scorer[s].append(k)
                    all_kappas.append(k)
        total_cm += cm_panel
        result[str(panel_dir)] = {
            "records": n_rec,
            "mean_kappa_per_scorer": {s: round(float(np.mean(v)), 4) for s, v in per_scorer.items()},
            "mean_kappa": round(float(np.mean([k for v in per_scorer.values() for k in v])), 4)
            if per_scorer else None,
            **{k: v for k, v in agreement_from_cm(cm_panel).items() if k != "kappa"},
        }
    return {
        "panels": result,
        "mean_kappa": round(float(np.mean(all_kappas)), 4) if all_kappas else None,
        "pooled": agreement_from_cm(total_cm),
    }


def agreement_from_cm(cm: np.ndarray) -> dict[str, Any]:
    total = int(cm.sum())
    return {
        "epochs": total,
        "kappa": round(kappa(cm), 4) if total else None,
        "f1": f1_per_stage(cm),
        "confusion": cm.tolist(),
        "labels": [STAGE_LABELS[s] for s in STAGES],
    }


# ------------------------------------------------------------ checksums


def default_checksums() -> Path | None:
    """PhysioNet's Sleep-EDF checksum list in the shared data, if present."""
    repo = Path(__file__).resolve().parents[3]
    base = Path(os.environ.get("NACHTWACHT_SHARED", repo / ".." / "shared"))
    p = base / "psg" / "sleep-edfx" / "SHA256SUMS.txt"
    return p if p.is_file() else None


def read_checksums(path: Path) -> dict[str, str]:
    """File name -> sha256 from a ``sha256sum``-style list (paths reduced to their name)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            out[Path(parts[-1].lstrip("*")).name] = parts[0]
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_checksums(directory: Path, checksums: Path | None) -> list[dict[str, Any]]:
    """Check every file in ``directory`` named in the list; others are not mentioned."""
    if checksums is None or not checksums.is_file():
        return []
    sums = read_checksums(checksums)
    out = []
    for p in sorted(directory.rglob("*")):
        if p.is_file() and p.name in sums and p.resolve() != checksums.resolve():
            got = sha256(p)
            out.append({"file": str(p), "ok": got == sums[p.name], "sha256": got,
                        "expected": sums[p.name]})
    return out


# ------------------------------------------------------------ recordings


def find_pairs(directory: Path) -> list[tuple[Path, Path]]:
    """(recording, expert hypnogram) pairs found by file name."""
    from nachtwacht.psg.batch import find_recordings

    pairs = []
    for rec in find_recordings(directory):
        stem = rec.stem
        cands: list[Path] = []
        m = re.match(r"^(S[CT]\d{4})[A-Z0-9]{2}-PSG$", stem)
        if m:  # Sleep-EDF: SC4001E0-PSG.edf + SC4001EC-Hypnogram.edf
            cands += sorted(rec.parent.glob(f"{m.group(1)}*-Hypnogram.edf"))
        base = re.sub(r"[-_]?(psg|PSG)$", "", stem)
        for suffix in ("-hypnogram", "_hypnogram", "-Hypnogram", "_sleepscoring", ""):
            for ext in (".edf", ".csv", ".json", ".txt"):
                c = rec.with_name(base + suffix + ext)
                if c != rec and c.is_file():
                    cands.append(c)
        if cands:
            pairs.append((rec, cands[0]))
    return pairs


#: Scored-event kind -> (detector, its event kinds that count as the same event).
EVENT_MATCH: dict[str, tuple[str, frozenset[str]]] = {
    "apnea": ("respiratory", frozenset({"apnea"})),
    "hypopnea": ("respiratory", frozenset({"hypopnea"})),
    "apnea_hypopnea": ("respiratory", frozenset({"apnea", "hypopnea"})),
    "desaturation": ("desaturation", frozenset({"desaturation"})),
    "arousal": ("arousal", frozenset({"arousal"})),
    "lm": ("leg_movements", frozenset({"lm", "plm", "lm_respiratory"})),
    "rmma": ("bruxism", frozenset({"rmma"})),
}
#: Largest onset difference (s) at which a detected event still matches a scored one.
#: Implementation choices, after the onset uncertainty of each kind: breathing events
#: are judged on 2-min baselines, a desaturation's start is a slow slope; arousals and
#: leg movements start sharply.
ONSET_TOLERANCE_S: dict[str, float] = {
    "apnea": 5.0, "hypopnea": 5.0, "apnea_hypopnea": 5.0, "desaturation": 10.0,
    "arousal": 3.0, "lm": 2.0, "rmma": 2.0,
}


def match_onsets(ref: np.ndarray, pred: np.ndarray, tol: float) -> int:
    """Number of one-to-one matches between two onset lists within ``tol`` seconds.

    Greedy in time order, each reference onset taking the nearest free prediction;
    on event lists (well separated onsets) this equals the optimal matching.
    """
    ref, pred = np.sort(np.asarray(ref, float)), np.sort(np.asarray(pred, float))
    used = np.zeros(pred.size, dtype=bool)
    hits = 0
    for t in ref:
        lo = int(np.searchsorted(pred, t - tol, side="left"))
        hi = int(np.searchsorted(pred, t + tol, side="right"))
        cand = [j for j in range(lo, hi) if not used[j]]
        if cand:
            j = min(cand, key=lambda k: abs(pred[k] - t))
            used[j] = True
            hits += 1
    return hits


def compare_scored_events(
    scored: dict[str, list[float]], results: dict[str, Any],
    tolerance_s: dict[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Agreement of the technician's scored events with the detectors', per kind.

    Parameters
    ----------
    scored : dict
        Kind (see :data:`EVENT_MATCH`, plus e.g. ``"rera"``) -> onsets in s.
    results : dict
        Detector name -> :class:`~nachtwacht.psg.types.DetectorResult`.
    tolerance_s : dict, optional
        Kind -> onset tolerance, overriding :data:`ONSET_TOLERANCE_S`.

    Returns
    -------
    dict
        Kind -> ``{scored, detected, matched, sensitivity, precision, f1,
        tolerance_s, detector}``; a kind without a detector, or whose detector did not
        run, has only ``scored`` and a ``note``.
    """
    tol = {**ONSET_TOLERANCE_S, **(tolerance_s or {})}
    scored = {k: list(v) for k, v in scored.items() if v}
    if "apnea" in scored or "hypopnea" in scored:
        scored["apnea_hypopnea"] = scored.get("apnea", []) + scored.get("hypopnea", [])
    out: dict[str, dict[str, Any]] = {}
    for kind, onsets in sorted(scored.items()):
        row: dict[str, Any] = {"scored": len(onsets)}
        if kind not in EVENT_MATCH:
            row["note"] = "no detector for this kind"
            out[kind] = row
            continue
        det, kinds = EVENT_MATCH[kind]
        res = results.get(det)
        if res is None or res.skipped:
            row["note"] = f"detector {det} did not run"
            out[kind] = row
            continue
        pred = [e.onset_s for e in res.events if e.kind in kinds]
        hits = match_onsets(np.array(onsets), np.array(pred), tol[kind])
        sens = hits / len(onsets)
        prec = hits / len(pred) if pred else None
        f1 = 2 * hits / (len(onsets) + len(pred))
        row.update(detector=det, detected=len(pred), matched=hits, tolerance_s=tol[kind],
                   sensitivity=round(sens, 3), precision=None if prec is None else round(prec, 3),
                   f1=round(f1, 3))
        out[kind] = row
    return out


#: Expert index -> scored-event kinds it counts (see ``hypnogram_io.scored_event_kind``).
_EXPERT_INDEX_KINDS = {"ahi": ("apnea", "hypopnea"), "plm_index": ("lm",)}


def _expert_indices(hyp_path: Path, tst_h: float) -> dict[str, float]:
    if hyp_path.suffix.lower() != ".edf" or tst_h <= 0:
        return {}
    from nachtwacht.psg.hypnogram_io import scored_event_kind
    from nachtwacht.psg.read import read_recording

    try:
        anns = read_recording(hyp_path).annotations
    except Exception:
        return {}
    kinds = [scored_event_kind(a.description) for a in anns]
    out = {}
    for key, wanted in _EXPERT_INDEX_KINDS.items():
        n = sum(1 for k in kinds if k in wanted)
        if n:
            out[key] = round(n / tst_h, 2)
    return out


def validate_recordings(directory: Path, use_yasa: bool = False) -> list[dict[str, Any]]:
    """Automatic staging vs the expert hypnogram for every pair found."""
    from nachtwacht.psg.errors import PSGError
    from nachtwacht.psg.hypnogram_io import read_hypnogram
    from nachtwacht.psg.pipeline import analyse

    out = []
    for rec_path, hyp_path in find_pairs(directory):
        row: dict[str, Any] = {"recording": str(rec_path), "expert": str(hyp_path)}
        try:
            expert = read_hypnogram(hyp_path)
            auto = analyse(rec_path, lang="en")
            if auto.hypnogram is None:
                row["error"] = auto.skipped.get("staging", "no automatic staging")
            else:
                row.update(agreement(expert.stages, auto.hypnogram.stages))
                tst_h = float(np.count_nonzero(expert.stages > 0)) * expert.epoch_s / 3600
                exp_idx = _expert_indices(hyp_path, tst_h)
                ours = {
                    "ahi": _summary(auto, "respiratory", ("ahi",)),
                    "plm_index": _summary(auto, "leg_movements", ("plms_index",)),
                }
                row["indices"] = {
                    k: {"expert": v, "automatic": ours.get(k)} for k, v in exp_idx.items()
                }
        except PSGError as exc:
            row["error"] = exc.text("en")
        except Exception as exc:  # one bad pair must not end the validation
            row["error"] = f"{type(exc).__name__}: {exc}"
        out.append(row)
    return out


def _summary(analysis: Any, name: str, keys: tuple[str, ...]) -> float | None:
    r = analysis.results.get(name)
    if r is None or r.skipped:
        return None
    for k in keys:
        if isinstance(r.summary.get(k), int | float):
            return float(r.summary[k])
    return None


def validate_dir(directory: str | Path, checksums: str | Path | None = None) -> dict[str, Any]:
    """Everything :mod:`validate` can check in ``directory`` (see the module docstring)."""
    directory = Path(directory)
    sums = Path(checksums) if checksums else default_checksums()
    return {
        "directory": str(directory),
        "recordings": validate_recordings(directory),
        "scorers": validate_scorers(directory),
        "checksums": verify_checksums(directory, sums),
        "checksum_list": str(sums) if sums else None,
    }
