"""Read expert hypnograms: EDF+ annotations (Sleep-EDF, HMC), CSV, Dreem JSON lists.

All formats become a :class:`Hypnogram` of 30-s epochs with integer codes
(-1 unscored, 0 W, 1 N1, 2 N2, 3 N3, 4 REM). Rechtschaffen & Kales stages 3 and 4
are merged into N3; "Movement time" becomes unscored (AASM has no such stage).

The same annotation parsing serves the technician's scoring inside a recording's
own EDF+ file (:func:`hypnogram_from_annotations`, :func:`lights_from_annotations`)
and sorts out scored events (apnea, arousal, limb movement ...) with
:func:`scored_event_kind`, so they are compared with the detectors instead of being
listed as episodes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from nachtwacht.psg.errors import HypnogramFormatError, HypnogramLengthMismatch
from nachtwacht.psg.types import N1, N2, N3, REM, UNSCORED, WAKE, Annotation, Hypnogram

_LABELS: dict[str, int] = {
    "w": WAKE, "wake": WAKE, "0": WAKE,
    "s0": WAKE, "awake": WAKE,
    "1": N1, "n1": N1, "s1": N1,
    "2": N2, "n2": N2, "s2": N2,
    "3": N3, "n3": N3, "s3": N3, "n4": N3, "s4": N3,
    # Bare numbers follow YASA/Dreem (4 = REM); "Sleep stage 4" is R&K S4 (see below).
    "4": REM, "r": REM, "rem": REM, "5": REM,
    "?": UNSCORED, "-1": UNSCORED, "unscored": UNSCORED, "u": UNSCORED,
    "movement time": UNSCORED, "mt": UNSCORED, "m": UNSCORED, "a": UNSCORED, "art": UNSCORED,
}
#: "Sleep stage 2" (Sleep-EDF), "Sleep stage N2" (HMC), "Sleep_stage_N2", "Stage 2",
#: "Stage - N2", "SLEEP-S2" / "SLEEP-REM" / "SLEEP-MT" (CAP and other exports).
_STAGE_ANN = re.compile(r"^\s*(?:sleep[\s_-]*stage|stage|sleep)[\s_:-]*(.+?)\s*$", re.IGNORECASE)
#: Annotations that are a stage by themselves ("N2", "REM", "Wake", "Movement time").
_BARE_STAGES = frozenset({"w", "wake", "awake", "n1", "n2", "n3", "r", "rem", "movement time",
                          "unscored"})
_LIGHTS = re.compile(r"^\s*lights?[\s_-]*(off|on|out)\b", re.IGNORECASE)


def _annotation_stage(text: str) -> int | None:
    """Stage code of a stage annotation, None when ``text`` is not one."""
    key = str(text).strip().lower()
    if key in _BARE_STAGES:
        return _LABELS.get(key, UNSCORED)
    m = _STAGE_ANN.match(key)
    if not m:
        return None
    key = m.group(1).strip().lower()
    if key == "4":  # Rechtschaffen & Kales stage 4 -> N3 (a bare 4 is YASA's REM)
        return N3
    return _LABELS.get(key)


def stage_code(label: str) -> int:
    """Integer code of a stage label in any of the usual spellings."""
    code = _annotation_stage(label)
    if code is not None:
        return code
    key = str(label).strip().lower().replace("stage ", "").strip()
    if key in _LABELS:
        return _LABELS[key]
    raise HypnogramFormatError(
        (f"Onbekende slaapfase '{label}'.", "Gebruik W, N1, N2, N3, R (of 0-4, of ? voor niet gescoord)."),
        (f"Unknown sleep stage '{label}'.", "Use W, N1, N2, N3, R (or 0-4, or ? for unscored)."),
    )


def is_stage_annotation(text: str) -> bool:
    return _annotation_stage(text) is not None


def is_lights_annotation(text: str) -> bool:
    return bool(_LIGHTS.match(text))


#: Scored-event annotations -> kind, tried in order (hypopnea and RERA before apnea and
#: arousal). Kinds: apnea, hypopnea, rera, desaturation, arousal, lm, rmma.
_EVENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
        ("hypopnea", r"hypopn|\bhyp\b|\b(oh|ch|mh)\b"),
        ("rera", r"\brera\b|effort[\s_-]*related"),
        ("apnea", r"apn(o)?ea|\b(oa|ca|ma)\b|\bapnoe"),
        ("desaturation", r"desat|\bspo2\b.*(drop|fall)|oxygen[\s_-]*desat"),
        ("arousal", r"arous|\baro\b|\bar\b"),
        ("lm", r"limb[\s_-]*mov|leg[\s_-]*mov|\bp?lms?\b|periodic[\s_-]*(leg|limb)"),
        ("rmma", r"brux|\brmma\b"),
    )
)


def scored_event_kind(text: str) -> str | None:
    """Kind of a technician's scored-event annotation, None for anything else.

    Stage and lights annotations are never events.
    """
    if is_stage_annotation(text) or is_lights_annotation(text):
        return None
    for kind, rx in _EVENT_KINDS:
        if rx.search(text):
            return kind
    return None


def lights_from_annotations(annotations: Iterable[Annotation]) -> tuple[float | None, float | None]:
    """(lights off, lights on) in s from the annotations' start: first off, last on."""
    off = on = None
    for a in annotations:
        m = _LIGHTS.match(a.description)
        if not m:
            continue
        if m.group(1).lower() in ("off", "out"):
            off = a.onset_s if off is None else off
        else:
            on = a.onset_s
    return off, on


def hypnogram_from_annotations(
    annotations: Iterable[Annotation], epoch_s: float = 30.0, **kwargs: object
) -> Hypnogram | None:
    """The technician's hypnogram from stage annotations, or None when there are none.

    ``kwargs`` (``start``, ``source``) go to :class:`Hypnogram`; lights off/on are set
    from the lights annotations.
    """
    annotations = list(annotations)
    intervals = []
    for a in annotations:
        code = _annotation_stage(a.description)
        if code is not None and np.isfinite(a.onset_s) and a.onset_s >= 0:
            intervals.append((a.onset_s, a.duration_s or epoch_s, code))
    if not intervals:
        return None
    # Trailing "?" in Sleep-EDF runs past the end of the signals; drop it.
    stages = _trim_trailing_unscored(from_intervals(intervals, epoch_s))
    off, on = lights_from_annotations(annotations)
    return Hypnogram(stages, epoch_s=epoch_s, lights_off_s=off, lights_on_s=on, **kwargs)  # type: ignore[arg-type]


#: Stage intervals are kept within this span (s): a night is at most 36 h (the
#: reader's limit), and an annotation at 10^12 s must not size the stage array.
MAX_SPAN_S = 48 * 3600.0


def from_intervals(
    intervals: list[tuple[float, float, int]], epoch_s: float = 30.0
) -> np.ndarray:
    """Stage array from (onset_s, duration_s, code) intervals; gaps stay unscored.

    Intervals starting outside 0 … :data:`MAX_SPAN_S` are ignored and longer ones cut.
    """
    intervals = [(on, min(dur, MAX_SPAN_S - on), code) for on, dur, code in intervals
                 if np.isfinite(on) and np.isfinite(dur) and 0 <= on < MAX_SPAN_S]
    if not intervals or not epoch_s > 0:
        return np.zeros(0, dtype=np.int8)
    end = max(on + dur for on, dur, _ in intervals)
    out = np.full(int(round(end / epoch_s)), UNSCORED, dtype=np.int8)
    for on, dur, code in intervals:
        a = int(round(on / epoch_s))
        b = a + max(1, int(round(dur / epoch_s)))
        out[a:b] = code
    return out


def _trim_trailing_unscored(stages: np.ndarray) -> np.ndarray:
    scored = np.flatnonzero(stages != UNSCORED)
    return stages[: scored[-1] + 1] if scored.size else stages


def read_edf_hypnogram(path: str | Path, epoch_s: float = 30.0) -> Hypnogram:
    """Hypnogram from the stage annotations of an EDF+ file (Sleep-EDF or HMC style)."""
    from nachtwacht.psg._deps import require

    edfio = require("edfio")
    path = Path(path)
    try:
        edf = edfio.read_edf(path)
    except Exception as exc:
        raise HypnogramFormatError(
            (f"{path.name} is geen leesbaar EDF+-bestand ({exc}).", "Geef een EDF+, CSV of JSON hypnogram."),
            (f"{path.name} is not a readable EDF+ file ({exc}).", "Give an EDF+, CSV or JSON hypnogram."),
        ) from exc
    from nachtwacht.psg.read import _start_datetime, clean_text

    anns = [Annotation(float(a.onset), float(a.duration or 0.0), clean_text(a.text))
            for a in edf.annotations if a.text]
    hyp = hypnogram_from_annotations(anns, epoch_s, start=_start_datetime(edf, []),
                                     source=str(path))
    if hyp is None:
        raise HypnogramFormatError(
            (f"{path.name} bevat geen slaapfase-annotaties ('Sleep stage ...').",
             "Is dit het signaalbestand in plaats van het hypnogram?"),
            (f"{path.name} holds no sleep-stage annotations ('Sleep stage ...').",
             "Is this the signal file rather than the hypnogram?"),
        )
    return hyp


def read_csv_hypnogram(source: str | Path, epoch_s: float = 30.0) -> Hypnogram:
    """Hypnogram from CSV: one stage per line, or ``onset,duration,stage`` rows (header optional)."""
    text = Path(source).read_text(encoding="utf-8-sig") if _is_path(source) else str(source)
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not rows:
        raise HypnogramFormatError(
            ("Het hypnogram-bestand is leeg.", "Zet één slaapfase per regel (W, N1, N2, N3, R)."),
            ("The hypnogram file is empty.", "Put one sleep stage per line (W, N1, N2, N3, R)."),
        )
    header = [c.strip().lower() for c in rows[0]]
    if any(h in ("stage", "onset", "duration", "label", "description") for h in header):
        rows = rows[1:]
    else:
        header = []
    try:
        if len(rows[0]) >= 3 or ("onset" in header):
            i_on = header.index("onset") if "onset" in header else 0
            i_du = header.index("duration") if "duration" in header else 1
            i_st = next((header.index(k) for k in ("stage", "label", "description") if k in header), 2)
            intervals = [(float(r[i_on]), float(r[i_du]), stage_code(r[i_st])) for r in rows]
            stages = from_intervals(intervals, epoch_s)
        else:
            i_st = header.index("stage") if "stage" in header else len(rows[0]) - 1
            stages = np.array([stage_code(r[i_st]) for r in rows], dtype=np.int8)
    except (ValueError, IndexError) as exc:
        if isinstance(exc, HypnogramFormatError):
            raise
        raise HypnogramFormatError(
            (f"Het CSV-hypnogram is niet te lezen ({exc}).",
             "Gebruik één fase per regel, of de kolommen onset,duration,stage."),
            (f"The CSV hypnogram cannot be read ({exc}).",
             "Use one stage per line, or the columns onset,duration,stage."),
        ) from exc
    return Hypnogram(stages, epoch_s=epoch_s, source=str(source) if _is_path(source) else "csv")


def read_json_hypnogram(source: str | Path, epoch_s: float = 30.0) -> Hypnogram:
    """Hypnogram from a Dreem-style JSON list of codes -1..4 (or labels)."""
    text = Path(source).read_text(encoding="utf-8") if _is_path(source) else str(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HypnogramFormatError(
            (f"Het JSON-hypnogram is geen geldige JSON ({exc.msg}).", "Verwacht: een lijst als [0, 1, 2, 3, 4]."),
            (f"The JSON hypnogram is not valid JSON ({exc.msg}).", "Expected a list such as [0, 1, 2, 3, 4]."),
        ) from exc
    if isinstance(data, dict) and "stages" in data:
        return Hypnogram.from_json(data)
    if not isinstance(data, list):
        raise HypnogramFormatError(
            ("Het JSON-hypnogram is geen lijst.", "Verwacht: een lijst als [0, 1, 2, 3, 4]."),
            ("The JSON hypnogram is not a list.", "Expected a list such as [0, 1, 2, 3, 4]."),
        )
    if all(isinstance(v, int) and -1 <= v <= 4 for v in data):
        stages = np.array(data, dtype=np.int8)  # Dreem codes are ours
    else:
        stages = np.array([stage_code(str(v)) for v in data], dtype=np.int8)
    return Hypnogram(stages, epoch_s=epoch_s, source=str(source) if _is_path(source) else "json")


def read_hypnogram(path: str | Path, epoch_s: float = 30.0) -> Hypnogram:
    """Read a hypnogram, choosing the format from the file extension."""
    path = Path(path)
    if not path.is_file():
        raise HypnogramFormatError(
            (f"Hypnogram niet gevonden: {path}.", "Controleer het pad."),
            (f"Hypnogram not found: {path}.", "Check the path."),
        )
    ext = path.suffix.lower()
    if ext in (".edf", ".bdf", ".rec"):
        return read_edf_hypnogram(path, epoch_s)
    if ext == ".json":
        return read_json_hypnogram(path, epoch_s)
    return read_csv_hypnogram(path, epoch_s)


def fit_to_recording(
    hyp: Hypnogram, recording_s: float, mode: str | None = None
) -> tuple[Hypnogram, str | None]:
    """Make ``hyp`` cover a recording of ``recording_s`` seconds.

    A difference of at most one epoch (a partial last epoch) is absorbed silently.
    Otherwise ``mode`` decides: "crop" cuts the longer one's tail off the
    hypnogram / ignores the unscored tail of the recording, "pad" fills a short
    hypnogram with unscored epochs; None raises :class:`HypnogramLengthMismatch`.
    Returns the fitted hypnogram and a note of what was done (or None).
    """
    n_rec = int(recording_s // hyp.epoch_s)
    n_hyp = len(hyp)
    if abs(n_hyp - n_rec) <= 1:
        if n_hyp > n_rec:
            return _with_stages(hyp, hyp.stages[:n_rec]), None
        return hyp, None
    hyp_min, rec_min = n_hyp * hyp.epoch_s / 60, recording_s / 60
    if mode is None:
        raise HypnogramLengthMismatch(
            (f"Het hypnogram heeft {n_hyp} tijdvakken ({hyp_min:.1f} min), de opname "
             f"{n_rec} ({rec_min:.1f} min).",
             "Controleer of ze bij dezelfde nacht horen; met --crop wordt het langste ingekort, "
             "met --pad wordt een kort hypnogram aangevuld met 'niet gescoord'."),
            (f"The hypnogram has {n_hyp} epochs ({hyp_min:.1f} min), the recording {n_rec} "
             f"({rec_min:.1f} min).",
             "Check they belong to the same night; --crop cuts the longer one, --pad fills a "
             "short hypnogram with 'unscored'."),
            n_hypnogram=n_hyp, n_recording=n_rec,
        )
    if n_hyp > n_rec:
        return _with_stages(hyp, hyp.stages[:n_rec]), f"hypnogram cropped from {n_hyp} to {n_rec} epochs"
    # Both modes keep every recorded epoch: the tail without scoring stays "unscored",
    # so it counts in no sleep figure, while the detectors still see the signals.
    pad = np.full(n_rec - n_hyp, UNSCORED, dtype=np.int8)
    return _with_stages(hyp, np.concatenate([hyp.stages, pad])), (
        f"hypnogram padded from {n_hyp} to {n_rec} epochs with unscored epochs"
    )


def _with_stages(hyp: Hypnogram, stages: np.ndarray) -> Hypnogram:
    conf = None
    if hyp.confidence is not None:
        conf = np.full(len(stages), np.nan)
        k = min(len(stages), len(hyp.confidence))
        conf[:k] = hyp.confidence[:k]
    return Hypnogram(stages, epoch_s=hyp.epoch_s, start=hyp.start, confidence=conf,
                     source=hyp.source, lights_off_s=hyp.lights_off_s, lights_on_s=hyp.lights_on_s)


def _is_path(source: str | Path) -> bool:
    if isinstance(source, Path):
        return True
    return "\n" not in source and len(source) < 4096 and Path(source).is_file()
