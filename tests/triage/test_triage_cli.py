"""``nachtwacht triage`` / ``plan`` / ``info``: the JSON schema a user or script depends on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from triage_cases import CASES, build_diary

import nachtwacht.triage as triage_pkg
from nachtwacht.cli import main
from nachtwacht.diary.csvio import write_episodes, write_nights, write_profile


def _files(tmp_path: Path, case: str) -> list[str]:
    diary = build_diary(dict(CASES)[case])
    paths = [tmp_path / "nights.csv", tmp_path / "episodes.csv", tmp_path / "profile.json"]
    with paths[0].open("w", encoding="utf-8", newline="") as f:
        write_nights(diary.nights, f)
    with paths[1].open("w", encoding="utf-8", newline="") as f:
        write_episodes(diary.episodes, f)
    with paths[2].open("w", encoding="utf-8") as f:
        write_profile(diary.profile, f)
    return [str(paths[0]), str(paths[1]), "--profile", str(paths[2])]


SCHEMA = json.loads((Path(triage_pkg.__file__).parent / "schema.json").read_text(encoding="utf-8"))


def _schema_ok(d: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(d, SCHEMA)
    assert set(d) == {"level", "flags", "differentials", "plan"}
    assert d["level"] in ("self_care", "gp_routine", "gp_soon", "urgent")
    for f in d["flags"]:
        assert {"code", "level", "condition", "evidence", "text"} <= set(f)
        assert isinstance(f["evidence"], list) and f["evidence"]
    for p in d["plan"]:
        assert {"code", "title", "why", "steps", "knowledge_slug"} <= set(p)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_triage_json(tmp_path: Path, lang: str) -> None:
    args = _files(tmp_path, "soon_sexsomnia_partner_unsafe")
    r = CliRunner().invoke(main, ["triage", *args, "--json", "--lang", lang, "--no-insight"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    _schema_ok(d)
    assert d["level"] == "gp_soon"
    assert d["flags"][0]["evidence"][0]["date"] in ("2026-02-14", "2026-02-21")
    assert "sexsomnia_partner_unsafe" in [f["code"] for f in d["flags"]]


def test_every_case_matches_the_schema() -> None:
    from nachtwacht.triage import assess

    for _, data in CASES:
        _schema_ok(assess(build_diary(data), use_insight=False).to_dict())


def test_triage_text_says_it_is_not_a_diagnosis(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["triage", *_files(tmp_path, "urgent_suicidal_thoughts"), "--no-insight"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Vandaag hulp zoeken\n")
    assert "geen diagnose" in r.output and "0800-0113" in r.output
    # No English codes in Dutch output (issue #11); the help line is printed as a number to call.
    assert not re.search(r"\b(self_care|gp_routine|gp_soon|urgent)\b", r.output)
    assert "Bel 113 Zelfmoordpreventie (gratis, dag en nacht): 0800-0113" in r.output


def test_plan_json_keeps_urgent_advice_first(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["plan", *_files(tmp_path, "urgent_suicidal_thoughts"), "--json",
                                  "--no-insight"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["level"] == "urgent" and d["urgent"][0]["code"] == "suicidal_thoughts"
    assert isinstance(d["plan"], list)


def test_nights_only_works(tmp_path: Path) -> None:
    nights = _files(tmp_path, "benign_insomnia_pattern")[0]
    r = CliRunner().invoke(main, ["plan", nights, "--json", "--no-insight", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "sleep_window" in [p["code"] for p in json.loads(r.output)["plan"]]


def test_bad_csv_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "nights.csv"
    bad.write_text("date,tension\n2026-01-01,eleven\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["triage", str(bad), "--json", "--no-insight"])
    assert r.exit_code != 0
    assert "Traceback" not in r.output and "tension" in r.output


def test_info_command() -> None:
    r = CliRunner().invoke(main, ["info", "--search", "tandenknarsen"])
    assert r.exit_code == 0 and r.output.startswith("muscle-tension-bruxism")
    r = CliRunner().invoke(main, ["info", "hypnic-jerks", "--lang", "en"])
    assert r.exit_code == 0 and "not a diagnosis" in r.output
    r = CliRunner().invoke(main, ["info", "no-such-page"])
    assert r.exit_code != 0 and "known pages" in r.output
