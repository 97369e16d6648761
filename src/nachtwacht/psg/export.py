"""The events of an analysed night as CSV and as an annotations-only EDF+ file.

Both are built from the analysis JSON (``NightAnalysis.to_json``), so a stored web
result exports the same as a fresh CLI run. The EDF+ file holds no signals, only
the "EDF Annotations" channel with the start date and time of the recording:
EDFbrowser (File > Import annotations, or opening it next to the recording) and
MNE (``mne.read_annotations``) place the events on the original night. edfio writes
it, as it reads every EDF here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nachtwacht.psg._deps import require

#: CSV columns: stable codes (kind, type) plus ``label`` in the reader's language.
CSV_FIELDS = ("onset_s", "duration_s", "clock", "kind", "type", "channel", "stage", "detector", "label")


def event_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every detected event of an analysis JSON as a flat row, in time order."""
    rows = []
    for det, r in (result.get("events") or {}).items():
        for e in (r or {}).get("events") or []:
            try:
                onset = float(e["onset_s"])
            except (KeyError, TypeError, ValueError):
                continue
            rows.append({"onset_s": round(onset, 3), "duration_s": round(float(e.get("duration_s") or 0.0), 3),
                         "kind": str(e.get("kind") or det), "type": str(e.get("type") or ""),
                         "channel": str(e.get("channel") or ""), "stage": str(e.get("stage") or ""),
                         "detector": det})
    rows.sort(key=lambda r: (r["onset_s"], r["kind"]))
    return rows


def _start(result: Mapping[str, Any]) -> dt.datetime | None:
    text = (result.get("recording") or {}).get("start")
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _label(row: Mapping[str, Any], labels: Callable[[Mapping[str, Any]], str] | None) -> str:
    if labels is not None:
        return labels(row)
    return row["kind"] + (f" {row['type']}" if row["type"] else "")


def to_csv(result: Mapping[str, Any], labels: Callable[[Mapping[str, Any]], str] | None = None) -> str:
    """CSV text, one event per row (``CSV_FIELDS``); ``clock`` when the start is known."""
    start = _start(result)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in event_rows(result):
        clock = (start + dt.timedelta(seconds=r["onset_s"])).strftime("%H:%M:%S") if start else ""
        w.writerow({**r, "clock": clock, "label": _label(r, labels)})
    return buf.getvalue()


def to_edf(result: Mapping[str, Any], labels: Callable[[Mapping[str, Any]], str] | None = None) -> bytes:
    """An annotations-only EDF+ file (bytes) with one annotation per event.

    The header carries the recording's start date and time, so the onsets line up
    with the original file; patient and recording fields stay anonymous ("X").
    """
    edfio = require("edfio")
    start = _start(result)
    anns = [edfio.EdfAnnotation(r["onset_s"], r["duration_s"] or None, _label(r, labels))
            for r in event_rows(result)]
    if not anns:  # edfio needs signals or annotations; an empty night still opens
        anns = [edfio.EdfAnnotation(0.0, None, "-")]
    kw: dict[str, Any] = {}
    if start is not None:
        kw["starttime"] = start.time().replace(microsecond=0)
        kw["recording"] = edfio.Recording(startdate=start.date())
    edf = edfio.Edf([], annotations=anns, **kw)
    buf = io.BytesIO()
    edf.write(buf)
    return buf.getvalue()


def read_back(data: bytes) -> list[tuple[float, float, str]]:
    """(onset, duration, text) of the annotations in an EDF+ file's bytes (for checks)."""
    edfio = require("edfio")
    edf = edfio.read_edf(io.BytesIO(data))
    return [(float(a.onset), float(a.duration or 0.0), a.text) for a in edf.annotations]


def kinds(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The event kinds present, in first-seen order."""
    return list(dict.fromkeys(r["kind"] for r in rows))
