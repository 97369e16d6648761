"""JSON and FHIR R4 exports carry the same content as the PDF, and validate."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from nachtwacht.diary.fields import PROFILE_FIELDS
from nachtwacht.report import build, to_fhir, to_json
from nachtwacht.report.export import from_json
from nachtwacht.report.fhir import LOCAL_METRICS, LOINC


def test_json_round_trips(household_nl):
    text = json.dumps(to_json(household_nl))
    back = from_json(json.loads(text))
    assert back == household_nl
    assert json.loads(text)["frequency"][0]["dates"][0] == "2026-03-05"


def test_json_rejects_other_documents():
    with pytest.raises(ValueError, match="not a Nachtwacht report"):
        from_json({"format": "something/9"})


def test_stored_json_renders_again(household_nl):
    from nachtwacht.report import render_html

    back = from_json(json.loads(json.dumps(to_json(household_nl))))
    assert render_html(back, figures=False) == render_html(household_nl, figures=False)


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_bundle_validates_against_r4_models(household_nl):
    models = pytest.importorskip("fhir.resources.R4B.bundle")
    for ids in (False, True):
        bundle = to_fhir(household_nl, include_identifiers=ids)
        parsed = models.Bundle.model_validate(bundle)
        assert parsed.type == "collection"
        assert len(parsed.entry) == len(bundle["entry"])


def test_fhir_bundle_validates_against_the_schema_subset(household_nl):
    jsonschema = pytest.importorskip("jsonschema")
    from pathlib import Path

    schema = json.loads((Path(__file__).parent / "fhir_r4_subset.schema.json").read_text())
    jsonschema.validate(to_fhir(household_nl, include_identifiers=True), schema)


def test_patient_has_no_identifiers_unless_chosen(household):
    data = build(household, include_birth_year=True)
    (plain,) = _resources(to_fhir(data), "Patient")
    assert set(plain) <= {"resourceType", "id", "active"}
    (chosen,) = _resources(to_fhir(data, include_identifiers=True), "Patient")
    assert chosen["birthDate"] == "1984"


def test_observations_for_metrics_and_episodes(household_nl):
    obs = _resources(to_fhir(household_nl), "Observation")
    by_code = {c["code"]: o for o in obs for c in o["code"]["coding"]}
    tst = by_code["93832-4"]
    assert tst["code"]["coding"][0]["system"] == LOINC
    mean = next(m for m in household_nl.metrics if m.key == "tst_min").mean
    assert tst["valueQuantity"] == {"value": round(mean, 2), "unit": "min",
                                    "system": "http://unitsofmeasure.org", "code": "min"}
    assert tst["effectivePeriod"] == {"start": "2026-03-02", "end": "2026-03-29"}
    se = by_code["SE"]
    assert se["code"]["coding"][0]["system"] == LOCAL_METRICS
    assert se["valueQuantity"]["unit"] == "%"
    sex = by_code["episode-nights-sexsomnia"]
    assert sex["valueQuantity"]["code"] == "/wk"
    assert sex["valueQuantity"]["value"] == pytest.approx(1.5)
    comps = {c["code"]["coding"][0]["code"]: c["valueInteger"] for c in sex["component"]}
    assert comps == {"nights-with-episode": 6, "episode-occurrences": 6,
                     "reported-by-partner": 6}


def test_checklist_is_a_questionnaire_response(household_nl):
    (qr,) = _resources(to_fhir(household_nl), "QuestionnaireResponse")
    assert qr["status"] == "completed"
    items = {i["linkId"]: i for i in qr["item"]}
    assert list(items) == [f.name for f in PROFILE_FIELDS if f.group == "checklist"]
    assert items["snoring"]["answer"] == [{"valueBoolean": False}]
    assert items["daytime_sleepiness"]["answer"] == [{"valueInteger": 1}]
    assert "answer" not in items["witnessed_apneas"]  # not answered
    assert items["snoring"]["text"] == "Snurken"


def test_fhir_is_deterministic_and_empty_safe(household_nl, household):
    assert to_fhir(household_nl) == to_fhir(household_nl)
    empty = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 2)))
    bundle = to_fhir(empty)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Patient", "QuestionnaireResponse"]
