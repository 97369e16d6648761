"""One night from file to figures: read, roles, staging, architecture, detectors, episodes.

:func:`analyse` never lets one part take the night down: a detector that fails or
lacks its channel lands in ``skipped`` with the reason, staging that cannot run
(no EEG, under five minutes) is skipped with a message while channels and events
are still reported. Only input that cannot be read at all raises a
:class:`~nachtwacht.psg.errors.PSGError`.

What an EDF+ file carries is used without being asked: the technician's stages and
lights off/on (the technician's hypnogram wins over automatic staging unless
``auto_staging``), and scored events, which are compared with the detectors'
events (``scored_events``) instead of being listed as episodes. Detector
parameters come as ``detector.field=value`` strings (:func:`parse_params`), checked
against each detector's ``Params`` and echoed in the output.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import logging
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nachtwacht.psg.architecture import architecture
from nachtwacht.psg.channels import RoleReport, assign_roles
from nachtwacht.psg.errors import PSGError
from nachtwacht.psg.hypnogram_io import (
    hypnogram_from_annotations,
    lights_from_annotations,
    scored_event_kind,
)
from nachtwacht.psg.place import marks_from_annotations, marks_from_diary, place
from nachtwacht.psg.types import UNSCORED, Annotation, DetectorResult, Hypnogram, Recording

log = logging.getLogger(__name__)

JSON_KEYS = ("hypnogram", "confidence", "stats", "events", "skipped", "episodes",
             "scored_events", "parameters")


class ParameterError(PSGError):
    """A ``--param`` that names no detector or field, or has a value of the wrong type."""

    code = "parameter"


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
    #: Technician's scored events (in the EDF+) vs the detectors', per kind.
    scored_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The detector parameters the user set (detector -> field -> value).
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Automatic staging vs the technician's stages in the file (``auto_staging`` only).
    staging_agreement: dict[str, Any] | None = None

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
            "scored_events": self.scored_events,
            "parameters": {k: dict(v) for k, v in self.parameters.items()},
            "staging_agreement": self.staging_agreement,
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
        """Strict JSON: no NaN/Infinity and no NUL, which a PostgreSQL JSON column refuses."""
        return json.dumps(_json_safe(self.to_json()), ensure_ascii=False, indent=1,
                          default=_default, allow_nan=False)


def _json_safe(o: Any) -> Any:
    """``o`` with non-finite numbers as None and NUL characters removed from strings."""
    if isinstance(o, dict):
        return {_json_safe(k): _json_safe(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_json_safe(v) for v in o]
    if isinstance(o, np.ndarray):
        return _json_safe(o.tolist())
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not np.isfinite(o):
        return None
    if isinstance(o, str) and "\x00" in o:
        return o.replace("\x00", "")
    return o


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


def _did_you_mean(word: str, options: Iterable[str]) -> tuple[str, str]:
    """(" Bedoelt u 'x'?", " Did you mean 'x'?") or empty strings."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" Bedoelt u '{close[0]}'?", f" Did you mean '{close[0]}'?"


_BOOL = {"true": True, "1": True, "yes": True, "ja": True, "on": True,
         "false": False, "0": False, "no": False, "nee": False, "off": False}
_TYPE_WORDS = {int: ("een geheel getal", "a whole number"),
               float: ("een getal", "a number"),
               bool: ("true of false", "true or false")}


def _convert(text: str, tp: Any, default: Any) -> Any:
    """``text`` as a value of type ``tp``; raises ValueError with the expected form."""
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        for choice in typing.get_args(tp):
            if str(choice).lower() == text.lower():
                return choice
        raise ValueError(" | ".join(map(str, typing.get_args(tp))))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if text.lower() in ("none", "geen") and len(args) < len(typing.get_args(tp)):
            return None
        return _convert(text, args[0], default)
    if origin is tuple:
        parts = [x for x in text.replace(";", ",").split(",") if x.strip()]
        args = typing.get_args(tp)
        n = len(parts) if (len(args) == 2 and args[1] is Ellipsis) else len(args)
        if len(parts) != n:
            raise ValueError(",".join(["x"] * n))
        return tuple(_convert(x.strip(), args[0 if args[-1] is Ellipsis else i], None)
                     for i, x in enumerate(parts))
    if tp is bool:
        if text.lower() not in _BOOL:
            raise ValueError("true | false")
        return _BOOL[text.lower()]
    if tp is int:
        return int(text)
    if tp is float:
        value = float(text.replace(",", "."))  # Dutch decimal comma
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("finite")
        return value
    if tp is str:
        # "1b" -> "1B", "WASM" -> "wasm": follow the case of the default value.
        if isinstance(default, str) and default == default.upper():
            return text.upper()
        if isinstance(default, str) and default == default.lower():
            return text.lower()
        return text
    raise ValueError(str(tp))


def parse_params(pairs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``["respiratory.hypopnea_rule=1B", ...]`` -> ``{"respiratory": {"hypopnea_rule": "1B"}}``.

    Each name is checked against the detector's ``Params`` dataclass and each value
    converted to the field's type; the finished overrides must construct ``Params``.

    Raises
    ------
    ParameterError
        Bad syntax, an unknown detector or field (with "did you mean"), or a value
        of the wrong type, in Dutch and English.
    """
    mods = {getattr(m, "NAME", ""): m for m in registry()}
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        det, dot, fld = name.strip().partition(".")
        if not sep or not dot or not det or not fld:
            raise ParameterError(
                (f"'{pair}' is geen geldige parameter.",
                 "Gebruik DETECTOR.PARAMETER=WAARDE, bijvoorbeeld respiratory.hypopnea_rule=1B."),
                (f"'{pair}' is not a valid parameter.",
                 "Use DETECTOR.FIELD=VALUE, for example respiratory.hypopnea_rule=1B."))
        if det not in mods:
            nl, en = _did_you_mean(det, mods)
            raise ParameterError(
                (f"Onbekende detector '{det}' in '{pair}'.{nl}", f"Detectoren: {', '.join(mods)}."),
                (f"Unknown detector '{det}' in '{pair}'.{en}", f"Detectors: {', '.join(mods)}."))
        params_cls = mods[det].Params
        fields = {f.name: f for f in dataclasses.fields(params_cls)}
        if fld not in fields:
            nl, en = _did_you_mean(fld, fields)
            raise ParameterError(
                (f"De detector '{det}' heeft geen parameter '{fld}'.{nl}",
                 f"Parameters: {', '.join(fields)}."),
                (f"Detector '{det}' has no parameter '{fld}'.{en}",
                 f"Parameters: {', '.join(fields)}."))
        tp = typing.get_type_hints(params_cls)[fld]
        default = fields[fld].default
        try:
            out.setdefault(det, {})[fld] = _convert(value.strip(), tp, default)
        except ValueError as exc:
            nl_t, en_t = _TYPE_WORDS.get(tp, (f"de vorm {exc}", f"the form {exc}"))
            raise ParameterError(
                (f"'{value.strip()}' past niet bij {det}.{fld}: verwacht wordt {nl_t} "
                 f"(standaard {default!r}).", "Pas de waarde aan."),
                (f"'{value.strip()}' does not fit {det}.{fld}: expected {en_t} "
                 f"(default {default!r}).", "Change the value.")) from None
    for det, vals in out.items():
        try:
            mods[det].Params(**vals)
        except (TypeError, ValueError) as exc:
            raise ParameterError(
                (f"De parameters van '{det}' passen niet samen: {exc}.", "Pas de waarden aan."),
                (f"The parameters of '{det}' do not fit together: {exc}.", "Change the values.")) from None
    return out


def check_params(params: Mapping[str, Mapping[str, Any]]) -> None:
    """Check already typed ``{detector: {field: value}}`` overrides (names and Params)."""
    mods = {getattr(m, "NAME", ""): m for m in registry()}
    for det, vals in params.items():
        check_detectors([det])
        fields = [f.name for f in dataclasses.fields(mods[det].Params)]
        for fld in vals:
            if fld not in fields:
                nl, en = _did_you_mean(fld, fields)
                raise ParameterError(
                    (f"De detector '{det}' heeft geen parameter '{fld}'.{nl}",
                     f"Parameters: {', '.join(fields)}."),
                    (f"Detector '{det}' has no parameter '{fld}'.{en}",
                     f"Parameters: {', '.join(fields)}."))


def check_detectors(names: Iterable[str]) -> None:
    """Raise :class:`ParameterError` for a detector name that does not exist."""
    known = [getattr(m, "NAME", "") for m in registry()]
    for name in names:
        if name not in known:
            nl, en = _did_you_mean(name, known)
            raise ParameterError(
                (f"Onbekende detector '{name}'.{nl}", f"Detectoren: {', '.join(known)}."),
                (f"Unknown detector '{name}'.{en}", f"Detectors: {', '.join(known)}."))


def _run_detectors(rec: Recording, hyp: Hypnogram, params: Mapping[str, Mapping[str, Any]],
                   only: Sequence[str] | None) -> tuple[dict[str, DetectorResult], str | None]:
    """The detectors through ``events.run_all``, which owns their order and context.

    Returns the results and, if ``run_all`` itself failed, why (the night is still
    reported without events).
    """
    try:
        events = importlib.import_module("nachtwacht.psg.events")
    except ImportError:
        return {}, None
    try:
        return events.run_all(rec, hyp, {k: dict(v) for k, v in params.items()},
                              only=tuple(only) if only is not None else None), None
    except Exception as exc:  # the detectors must never take the night down
        log.warning("run_all failed: %s", type(exc).__name__)
        return {}, f"error: {type(exc).__name__}: {exc}"


def _scored_onsets(annotations: Iterable[Annotation]) -> tuple[dict[str, list[float]], list[Annotation]]:
    """(kind -> onsets of the scored events, the other annotations)."""
    scored: dict[str, list[float]] = {}
    rest = []
    for a in annotations:
        kind = scored_event_kind(a.description)
        if kind is None:
            rest.append(a)
        else:
            scored.setdefault(kind, []).append(a.onset_s)
    return scored, rest


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
    params: Mapping[str, Mapping[str, Any]] | Iterable[str] | None = None,
    auto_staging: bool = False,
) -> NightAnalysis:
    """Analyse one night.

    Parameters
    ----------
    source : path or Recording
        EDF/EDF+/BDF file, or an already read :class:`Recording`.
    hypnogram : path or Hypnogram, optional
        Expert scoring to use instead of automatic staging. Without it, stage
        annotations inside the EDF+ file are used when present.
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
    params : mapping or iterable of str, optional
        Detector parameters, ``{"respiratory": {"hypopnea_rule": "1B"}}`` or
        ``["respiratory.hypopnea_rule=1B"]`` (checked by :func:`parse_params`).
    auto_staging : bool
        Stage automatically even when the EDF+ file holds the technician's stages
        (the two are then compared in ``staging_agreement``).

    Raises
    ------
    PSGError
        When the file cannot be read at all, a parameter is wrong, or the hypnogram
        does not fit and ``fit`` is None.
    """
    from nachtwacht.psg.hypnogram_io import fit_to_recording, read_hypnogram
    from nachtwacht.psg.read import read_recording

    if params is not None and not isinstance(params, Mapping):
        params = parse_params(params)
    params = {k: dict(v) for k, v in (params or {}).items()}
    check_params(params)
    if detectors is not None:
        check_detectors(detectors)
    # Channels without a role are listed but not loaded: nothing reads them.
    rec = source if isinstance(source, Recording) else read_recording(
        source, skip_unknown=True, keep=(channel_map or {}).keys())
    roles = assign_roles(rec, channel_map)
    warnings = list(rec.warnings)
    for name, why in roles.unusable.items():
        warnings.append(f"{name}: not used ({why})")
    if roles.unknown:
        warnings.append(f"channels with unknown role (ignored): {', '.join(roles.unknown)}")
    skipped: dict[str, str] = {}

    embedded = hypnogram_from_annotations(rec.annotations, start=rec.start,
                                          source="EDF+ annotations (technician)")
    if embedded is not None and not np.any(embedded.stages != UNSCORED):
        embedded = None  # only "?" epochs: nothing a technician scored
    hyp: Hypnogram | None = None
    source_kind = "automatic"
    if hypnogram is not None:
        hyp = hypnogram if isinstance(hypnogram, Hypnogram) else read_hypnogram(hypnogram)
        hyp, note = fit_to_recording(hyp, rec.duration_s, fit)
        source_kind = "expert"
    elif embedded is not None and not auto_staging:
        # Scored in the same file, so the same clock: fit silently by cropping/padding.
        hyp, note = fit_to_recording(embedded, rec.duration_s, fit or "crop")
        source_kind = "expert"
        warnings.append("sleep stages taken from the technician's scoring in the EDF+ file")
    else:
        note = None
        from nachtwacht.psg import staging

        try:
            hyp = staging.stage(rec)
        except PSGError as exc:
            skipped["staging"] = _msg(exc, lang)
    if note:
        warnings.append(note)
    if hyp is not None:
        if hyp.start is None or hyp.start != rec.start:
            hyp.start = rec.start
        off, on = lights_from_annotations(rec.annotations)
        if hyp.lights_off_s is None and hyp.lights_on_s is None and (off, on) != (None, None):
            hyp.lights_off_s, hyp.lights_on_s = off, on
    agreement = None
    if auto_staging and embedded is not None and hyp is not None and source_kind == "automatic":
        from nachtwacht.psg.validate import agreement as stage_agreement

        ref, _ = fit_to_recording(embedded, rec.duration_s, "crop")
        n = min(len(ref), len(hyp))
        agreement = stage_agreement(ref.stages[:n], hyp.stages[:n])
    stats = architecture(hyp) if hyp is not None else None
    if stats is not None:
        stats["hypnogram_source"] = source_kind

    # Detectors get a hypnogram in any case; without staging every epoch is unscored,
    # so per-hour-of-sleep indices come out empty rather than wrong.
    det_hyp = hyp or Hypnogram(
        np.full(max(1, int(rec.duration_s // 30)), UNSCORED, dtype=np.int8), start=rec.start
    )
    if not registry():
        warnings.append("no event detectors are installed")
    results, failed = _run_detectors(rec, det_hyp, params, detectors)
    if failed:
        skipped["detectors"] = failed
    for name, res in results.items():
        if res.skipped:
            skipped[name] = res.skipped

    scored, other_annotations = _scored_onsets(rec.annotations)
    from nachtwacht.psg.validate import compare_scored_events

    comparison = compare_scored_events(scored, results) if scored else {}
    marks = marks_from_annotations(other_annotations)
    if episodes is not None:
        eps = episodes
        if isinstance(episodes, str | Path):
            from nachtwacht.diary.csvio import read_episodes

            eps = read_episodes(Path(episodes), lang=lang)
        marks += marks_from_diary(eps, rec.start, tz)
    placed = place(marks, det_hyp) if marks else []
    return NightAnalysis(rec, roles, hyp, stats, results, skipped, placed, warnings,
                         scored_events=comparison, parameters=params,
                         staging_agreement=agreement)
