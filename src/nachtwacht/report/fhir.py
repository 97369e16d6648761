"""The report as a FHIR R4 Bundle (type ``collection``) for other systems.

Contents: one Patient (no name, no birth date unless asked; then the birth year
only), one Observation per diary metric (LOINC where a code exists, otherwise the
local code system below) and per episode type, and a QuestionnaireResponse for the
other-complaints checklist. Ids are UUIDs derived from the report content, so the
same report always gives the same Bundle.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from .data import ReportData

LOCAL_METRICS = "https://nachtwacht.example/fhir/CodeSystem/diary-metrics"
LOCAL_EPISODES = "https://nachtwacht.example/fhir/CodeSystem/episode-types"
CHECKLIST_Q = "https://nachtwacht.example/fhir/Questionnaire/checklist"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_NS = uuid.UUID("5f0c1a9e-3b1d-4a52-9a51-6e8a3f0b7c11")

#: LOINC codes for diary metrics that have one; the rest use LOCAL_METRICS.
LOINC_CODES = {"tst_min": ("93832-4", "Sleep duration")}
#: Local codes and English displays of the other metrics.
LOCAL_CODES = {
    "tib_min": ("TIB", "Time in bed"),
    "sol_min": ("SOL", "Sleep onset latency"),
    "waso_min": ("WASO", "Wake after sleep onset"),
    "nwak": ("NWAK", "Number of awakenings"),
    "tst_min": ("TST", "Total sleep time"),
    "se_pct": ("SE", "Sleep efficiency"),
    "terminal_wake_min": ("TWAK", "Terminal wakefulness"),
    "quality": ("SQ", "Sleep quality (1-5)"),
    "tension": ("TENSION", "Muscle tension on waking (0-10)"),
    "sd_bedtime_min": ("SD-BEDTIME", "SD of bedtime"),
    "sd_risetime_min": ("SD-RISETIME", "SD of rise time"),
    "sd_midpoint_min": ("SD-MIDPOINT", "SD of mid-sleep"),
    "sri": ("SRI", "Sleep Regularity Index"),
}
_UNITS = {"min": ("min", "min"), "%": ("%", "%"), "": ("1", "1"), "/wk": ("/wk", "/wk")}


def _uid(*parts: object) -> str:
    return str(uuid.uuid5(_NS, "|".join(str(p) for p in parts)))


def _period(data: ReportData) -> dict[str, str] | None:
    p = data.period
    if p.start is None or p.end is None:
        return None
    return {"start": p.start.isoformat(), "end": p.end.isoformat()}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    u, code = _UNITS.get(unit, (unit, unit))
    return {"value": round(float(value), 2), "unit": u, "system": UCUM, "code": code}


def _observation(data: ReportData, pid: str, key: str, coding: list[dict[str, str]], text: str,
                 value: dict[str, Any], note: str, components: list[dict[str, Any]] | None = None,
                 ) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uid(pid, "obs", key),
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey", "display": "Survey"}]}],
        "code": {"coding": coding, "text": text},
        "subject": {"reference": f"urn:uuid:{pid}"},
        "valueQuantity": value,
        "note": [{"text": note}],
    }
    per = _period(data)
    if per:
        obs["effectivePeriod"] = per
    if components:
        obs["component"] = components
    return obs


def to_fhir(data: ReportData, include_identifiers: bool = False) -> dict[str, Any]:
    """Return the report as a FHIR R4 ``Bundle`` of type ``collection``.

    Parameters
    ----------
    data : ReportData
        Built by :func:`nachtwacht.report.build`.
    include_identifiers : bool
        Put the birth year (``birthDate: "YYYY"``) on the Patient. Names are never
        included: the report does not know them.
    """
    per = _period(data)
    pid = _uid("patient", per and per["start"], per and per["end"], data.generated)
    patient: dict[str, Any] = {"resourceType": "Patient", "id": pid, "active": True}
    if include_identifiers and data.subject.birth_year:
        patient["birthDate"] = f"{data.subject.birth_year:04d}"
    resources: list[dict[str, Any]] = [patient]

    for m in data.metrics:
        if m.mean is None:
            continue
        coding = []
        if m.key in LOINC_CODES:
            code, disp = LOINC_CODES[m.key]
            coding.append({"system": LOINC, "code": code, "display": disp})
        code, disp = LOCAL_CODES[m.key]
        coding.append({"system": LOCAL_METRICS, "code": code, "display": disp})
        sd = "" if m.sd is None else f", SD {m.sd:.1f}"
        resources.append(_observation(
            data, pid, m.key, coding, m.label, _quantity(m.mean, m.unit),
            f"mean over {m.n} nights{sd}"))
    for r in data.regularity:
        if r.value is None:
            continue
        code, disp = LOCAL_CODES[r.key]
        resources.append(_observation(
            data, pid, r.key, [{"system": LOCAL_METRICS, "code": code, "display": disp}],
            r.label, _quantity(r.value, r.unit), "regularity over the period"))
    # Device figures (issue #17): LOINC where a code exists, else the local system.
    for key, value, unit, loinc, disp, n in (data.device.observations if data.device else ()):
        coding = [{"system": LOINC, "code": loinc, "display": disp}] if loinc else []
        coding.append({"system": LOCAL_METRICS, "code": key.upper().replace("_", "-"), "display": disp})
        resources.append(_observation(data, pid, key, coding, disp, _quantity(value, unit),
                                      f"from a wearable or actigraph, over {n} nights"))
    for c in data.frequency:
        code = f"episode-nights-{c.type}"
        resources.append(_observation(
            data, pid, code,
            [{"system": LOCAL_METRICS, "code": code, "display": f"Nights with {c.type}"}],
            c.label, _quantity(c.per_week, "/wk"),
            f"{c.nights} nights with this episode type ({c.times} times) in {data.period.days} days",
            components=[
                _component("nights-with-episode", "Nights with at least one episode", c.nights),
                _component("episode-occurrences", "Occurrences", c.times),
                _component("reported-by-partner", "Entries by the bed partner", c.by_partner),
            ]))

    items = []
    for c in data.checklist:
        item: dict[str, Any] = {"linkId": c.name, "text": c.label}
        if isinstance(c.value, bool):
            item["answer"] = [{"valueBoolean": c.value}]
        elif isinstance(c.value, int):
            item["answer"] = [{"valueInteger": c.value}]
        items.append(item)
    qr: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _uid(pid, "checklist"),
        "questionnaire": CHECKLIST_Q,
        "status": "completed",
        "subject": {"reference": f"urn:uuid:{pid}"},
        "authored": data.generated.isoformat(),
    }
    if items:
        qr["item"] = items
    resources.append(qr)

    stamp = dt.datetime.combine(data.generated, dt.time(0), tzinfo=dt.UTC)
    return {
        "resourceType": "Bundle",
        "id": _uid(pid, "bundle"),
        "meta": {"lastUpdated": stamp.isoformat()},
        "type": "collection",
        "timestamp": stamp.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def _component(code: str, display: str, value: int) -> dict[str, Any]:
    return {"code": {"coding": [{"system": LOCAL_EPISODES, "code": code, "display": display}]},
            "valueInteger": int(value)}
