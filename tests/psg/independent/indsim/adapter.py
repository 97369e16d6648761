"""The only file that touches the product: Recording, true Hypnogram, and the analysis.

Everything the product may rename lives here: channel roles, the entry point, the
event kinds and the summary keys of the headline indices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from .nights import Night

START = dt.datetime(2026, 1, 1, 23, 0, 0)


def recording(night: Night):
    """A product ``Recording`` of the night's signals (roles set, units as the reader gives)."""
    from nachtwacht.psg.types import Channel, Recording

    chans = {name: Channel(name, np.asarray(x, dtype=np.float64), sf, unit, role)
             for name, (x, sf, role, unit) in night.signals.items()}
    return Recording(chans, start=START, source=f"indsim-{night.spec.name}")


def hypnogram(night: Night):
    """The true hypnogram (what the night was simulated from)."""
    from nachtwacht.psg.types import Hypnogram

    return Hypnogram(night.stages.copy(), 30.0, start=START, source="indsim truth")


def write_edf(night: Night, path) -> None:
    """The night as a 16-bit EDF (edfio), 1-s records, physical range from the data."""
    from edfio import Edf, EdfSignal

    sigs = []
    for name, (x, sf, _role, unit) in night.signals.items():
        lo, hi = float(np.min(x)), float(np.max(x))
        if hi - lo < 1e-6:
            hi = lo + 1.0
        sigs.append(EdfSignal(np.asarray(x, dtype=np.float64), sf, label=name,
                              physical_dimension=unit, physical_range=(lo, hi)))
    Edf(sigs, starttime=START.time(), data_record_duration=1.0).write(path)


def analyse(night: Night, via: str = "pipeline", tmpdir=None) -> dict[str, Any]:
    """Run the product's detectors with the true hypnogram: name -> DetectorResult.

    ``via="pipeline"`` goes through :func:`nachtwacht.psg.pipeline.analyse` with an
    in-memory Recording; ``"edf"`` writes the night as EDF (into ``tmpdir``) and lets the
    pipeline read it, labels and all, as a user's file; ``"run_all"`` calls the detectors only.
    """
    hyp = hypnogram(night)
    if via == "run_all":
        from nachtwacht.psg.events import run_all

        return run_all(recording(night), hyp)
    from nachtwacht.psg.pipeline import analyse as pipeline_analyse

    if via == "edf":
        import pathlib
        import tempfile

        with tempfile.TemporaryDirectory(dir=tmpdir) as d:
            path = pathlib.Path(d) / f"{night.spec.name}.edf"
            write_edf(night, path)
            return pipeline_analyse(path, hypnogram=hyp, fit="crop").results
    return pipeline_analyse(recording(night), hypnogram=hyp, fit="crop").results


def _events(results, name: str, kinds: tuple[str, ...] | None = None) -> list:
    res = results.get(name)
    if res is None or res.skipped:
        return []
    return [e for e in res.events if kinds is None or e.kind in kinds]


def _summary(results, name: str, key: str) -> float | None:
    res = results.get(name)
    if res is None or res.skipped:
        return None
    v = res.summary.get(key)
    return None if v is None else float(v)


def _type(e) -> str:
    return str(e.figures.get("type", e.figures.get("apnea_type", ""))).lower()


def detected(results) -> dict[str, list[tuple[float, float]]]:
    """Detected events per scored kind as (onset, offset) seconds."""
    iv = lambda evs: [(float(e.onset_s), float(e.end_s)) for e in evs]  # noqa: E731
    apneas = _events(results, "respiratory", ("apnea",))
    lms = _events(results, "leg_movements", ("lm", "plm", "lm_respiratory"))
    return {
        "apnea_obstructive": iv([e for e in apneas if _type(e).startswith("obstr")]),
        "apnea_central": iv([e for e in apneas if _type(e).startswith("central")]),
        "apnea": iv(apneas),
        "hypopnea": iv(_events(results, "respiratory", ("hypopnea",))),
        "desaturation": iv(_events(results, "desaturation")),
        "lm": iv(lms),
        "plm": iv(_events(results, "leg_movements", ("plm",))),
        "lm_respiratory": iv(_events(results, "leg_movements", ("lm_respiratory",))),
        "arousal": iv(_events(results, "arousal", ("arousal",))),
        "rswa_burst": iv(_events(results, "rswa", ("rswa_phasic",))),
        "rmma": iv(_events(results, "bruxism", ("rmma",))),
        "sleep_start": iv(_events(results, "sleep_starts", ("sleep_start",))),
    }


#: Headline index -> (detector, summary key).
INDEX_KEYS = {
    "ahi": ("respiratory", "ahi"),
    "oai": ("respiratory", "oai"),
    "cai": ("respiratory", "cai"),
    "odi3": ("desaturation", "odi3"),
    "lm_index": ("leg_movements", "lm_index"),
    "plms_index": ("leg_movements", "plms_index"),
    "plms_arousal_index": ("leg_movements", "plms_arousal_index"),
    "arousal_index": ("arousal", "arousal_index"),
    "n3_arousal_index": ("arousal", "n3_arousal_index"),
    "rswa_phasic_pct": ("rswa", "rswa_phasic_pct"),
    "rswa_tonic_pct": ("rswa", "rswa_tonic_pct"),
    "rswa_any_pct": ("rswa", "rswa_any_pct"),
    "montreal_phasic_pct": ("rswa", "montreal_phasic_pct"),
    "rmma_index": ("bruxism", "rmma_index"),
}


def indices(results) -> dict[str, float | None]:
    """The product's headline indices (None when its detector skipped)."""
    return {k: _summary(results, det, key) for k, (det, key) in INDEX_KEYS.items()}


def rswa_verdicts(results) -> dict[str, bool | None]:
    """The product's RSWA verdicts per published cut-off ({} when RSWA skipped)."""
    res = results.get("rswa")
    if res is None or res.skipped:
        return {}
    return dict(res.summary.get("rswa_positive") or {})


def skipped(results) -> dict[str, str]:
    return {k: r.skipped for k, r in results.items() if r.skipped}
