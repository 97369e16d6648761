"""One night from file to figures: read, roles, staging, architecture, detectors, episodes.

:func:`analyse` never lets one part take the night down: a detector that fails or
lacks its channel lands in ``skipped`` with the reason, staging that cannot run
(no EEG, under five minutes) is skipped with a message while channels and events
are still reported. Only input that cannot be read at all raises a
:class:`~nachtwacht.psg.errors.PSGError`.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nachtwacht.psg.architecture import architecture
from nachtwacht.psg.channels import RoleReport, assign_roles
from nachtwacht.psg.errors import PSGError
from nachtwacht.psg.place import marks_from_annotations, marks_from_diary, place
from nachtwacht.psg.types import UNSCORED, DetectorResult, Hypnogram, Recording

log = logging.getLogger(__name__)

JSON_KEYS = ("hypnogram", "confidence", "stats", "events", "skipped", "episodes")


@dataclass
class NightAnalysis:
    """Everything :func:`analyse` found for one night."""

    recording: Recording
    roles: RoleReport
    hypnogram: Hypnogram | None
    stats: dict[str, Any] | None
    results: dict[str, DetectorResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict with the keys of :data:`JSON_KEYS` plus ``warnings`` and ``recording``."""
        hyp = self.hypnogram
        conf = None
        if hyp is not None and hyp.confidence is not None:
            conf = [None if not np.isfinite(c) else round(float(c), 4) for c in hyp.confidence]
        rec = self.recording
        return {
            "hypnogram": hyp.to_json() if hyp is not None else None,
            "confidence": conf,
            "stats": self.stats,
            "events": {name: r.to_json() for name, r in self.results.items() if not r.skipped},
            "skipped": dict(self.skipped),
            "episodes": self.episodes,
            "warnings": list(self.warnings),
            "recording": {
                "source": Path(rec.source).name if rec.source else "",
                "start": rec.start.isoformat() if rec.start else None,
                "duration_s": round(rec.duration_s, 3),
                "channels": [
                    {"name": n, "role": c.role, "sf": c.sf, "unit": c.unit}
                    for n, c in rec.channels.items()
                ],
                "roles": self.roles.to_json(),
            },
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1, default=_default)


def _default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def registry() -> list[Any]:
    """Detector modules in run order (empty when none are installed yet)."""
    try:
        mod = importlib.import_module("nachtwacht.psg.events")
    except ImportError:
        return []
    return list(getattr(mod, "REGISTRY", []))


def _msg(exc: PSGError, lang: str) -> str:
    return exc.text(lang)


def analyse(
    source: str | Path | Recording,
    hypnogram: str | Path | Hypnogram | None = None,
    episodes: str | Path | Iterable[Any] | None = None,
    channel_map: dict[str, str] | None = None,
    detectors: Sequence[str] | None = None,
    lang: str = "nl",
    *,
    fit: str | None = None,
    tz: str = "Europe/Amsterdam",
) -> NightAnalysis:
    """Analyse one night.

    Parameters
    ----------
    source : path or Recording
        EDF/EDF+/BDF file, or an already read :class:`Recording`.
    hypnogram : path or Hypnogram, optional
        Expert scoring to use instead of automatic staging.
    episodes : path or iterable of diary Episodes, optional
        Diary episodes (CSV path or ``Episode`` objects) to place on the night.
    channel_map : dict, optional
        ``{"channel name": "role"}`` overrides of the detected roles.
    detectors : sequence of str, optional
        Names of the detectors to run (default: all in the registry).
    lang : {"nl", "en"}
        Language of the messages in ``skipped`` and ``warnings``.
    fit : {"crop", "pad"} or None
        What to do when the hypnogram's length differs from the recording's.

    Raises
    ------
    PSGError
        When the file cannot be read at all, or the hypnogram does not fit and
        ``fit`` is None.
    """
    from nachtwacht.psg.hypnogram_io import fit_to_recording, read_hypnogram
    from nachtwacht.psg.read import read_recording

    rec = source if isinstance(source, Recording) else read_recording(source)
    roles = assign_roles(rec, channel_map)
    warnings = list(rec.warnings)
    for name, why in roles.unusable.items():
        warnings.append(f"{name}: not used ({why})")
    if roles.unknown:
        warnings.append(f"channels with unknown role (ignored): {', '.join(roles.unknown)}")
    skipped: dict[str, str] = {}

    hyp: Hypnogram | None = None
    if hypnogram is not None:
        hyp = hypnogram if isinstance(hypnogram, Hypnogram) else read_hypnogram(hypnogram)
        hyp, note = fit_to_recording(hyp, rec.duration_s, fit)
        if note:
            warnings.append(note)
        if hyp.start is None or hyp.start != rec.start:
            hyp.start = rec.start
    else:
        from nachtwacht.psg import staging

        try:
            hyp = staging.stage(rec)
        except PSGError as exc:
            skipped["staging"] = _msg(exc, lang)
    stats = architecture(hyp) if hyp is not None else None
    if stats is not None:
        stats["hypnogram_source"] = "expert" if hypnogram is not None else "automatic"

    # Detectors get a hypnogram in any case; without staging every epoch is unscored,
    # so per-hour-of-sleep indices come out empty rather than wrong.
    det_hyp = hyp or Hypnogram(
        np.full(max(1, int(rec.duration_s // 30)), UNSCORED, dtype=np.int8), start=rec.start
    )
    results: dict[str, DetectorResult] = {}
    context: dict[str, DetectorResult] = {}
    mods = registry()
    if not mods:
        warnings.append("no event detectors are installed")
    for mod in mods:
        name = getattr(mod, "NAME", mod.__name__.rsplit(".", 1)[-1])
        if detectors is not None and name not in detectors:
            continue
        try:
            res = mod.detect(rec, det_hyp, None, context=context)
        except Exception as exc:  # one detector must never take the night down
            log.warning("detector %s failed: %s", name, type(exc).__name__)
            skipped[name] = f"error: {type(exc).__name__}: {exc}"
            continue
        context[name] = res
        results[name] = res
        if res.skipped:
            skipped[name] = res.skipped

    marks = marks_from_annotations(rec.annotations)
    if episodes is not None:
        eps = episodes
        if isinstance(episodes, str | Path):
            from nachtwacht.diary.csvio import read_episodes

            eps = read_episodes(Path(episodes), lang=lang)
        marks += marks_from_diary(eps, rec.start, tz)
    placed = place(marks, det_hyp) if marks else []
    return NightAnalysis(rec, roles, hyp, stats, results, skipped, placed, warnings)
