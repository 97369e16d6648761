"""`nachtwacht diary ...` from a user's point of view."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nachtwacht.cli import main
from nachtwacht.diary.csvio import load_diary


def _run(*args: str):  # noqa: ANN202
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_template_writes_three_empty_files_that_validate(tmp_path: Path) -> None:
    r = _run("diary", "template", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["episodes.csv", "nights.csv", "profile.json"]
    assert (tmp_path / "nights.csv").read_text().startswith("date,bedtime,lights_out,")
    d = load_diary(tmp_path / "nights.csv", tmp_path / "episodes.csv", tmp_path / "profile.json")
    assert d.nights == () and d.episodes == ()
    again = _run("diary", "template", "--out", str(tmp_path))
    assert again.exit_code != 0 and "--force" in again.output


def test_demo_then_validate_and_metrics(tmp_path: Path) -> None:
    r = _run("diary", "demo", "--out", str(tmp_path), "--end", "2026-11-01")
    assert r.exit_code == 0, r.output
    r = _run("diary", "validate", str(tmp_path / "nights.csv"), str(tmp_path / "episodes.csv"),
             "--profile", str(tmp_path / "profile.json"), "--lang", "en", "--today", "2026-11-01")
    assert r.exit_code == 0 and r.output.startswith("OK: 56 nights")
    r = _run("diary", "metrics", str(tmp_path / "nights.csv"), "--json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert len(data["nights"]) == 56
    first = data["nights"][0]
    for key in ("date", "tib_min", "sol_min", "waso_min", "nwak", "tst_min", "se_pct", "midpoint"):
        assert key in first
    assert {"tst_min", "se_pct", "sd_bedtime_min", "sd_risetime_min", "sd_midpoint_min",
            "sri"} <= set(data["summary"])
    table = _run("diary", "metrics", str(tmp_path / "nights.csv"))
    assert "slaapefficiëntie" in table.output and "2026-11-01" in table.output


def test_metrics_of_a_dst_night(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text("date,bedtime,sol_min,waso_min,final_wake,out_of_bed\n"
                 "2026-03-29,23:00,0,0,07:00,07:00\n2026-10-25,23:00,0,0,07:00,07:00\n")
    data = json.loads(_run("diary", "metrics", str(p), "--json").output)
    assert [n["tib_min"] for n in data["nights"]] == [420, 540]


def test_validate_lists_every_error_in_the_chosen_language(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text("date,bedtime,quality\n2026-10-01,25:00,3\n2026-10-02,23:00,9\n")
    r = _run("diary", "validate", str(p), "--today", "2026-11-01")
    assert r.exit_code == 1
    assert "Rij 2, 'Naar bed' (bedtime)" in r.output
    assert "Rij 3, 'Slaapkwaliteit' (quality)" in r.output
    assert "Traceback" not in r.output
    r = _run("diary", "validate", str(p), "--lang", "en", "--today", "2026-11-01")
    assert r.exit_code == 1 and "Row 3, 'Sleep quality' (quality)" in r.output


def test_metrics_user_errors_are_clean(tmp_path: Path) -> None:
    p = tmp_path / "n.xlsx"
    p.write_bytes(b"PK\x03\x04\x00\x00")
    r = _run("diary", "metrics", str(p), "--lang", "en")
    assert r.exit_code == 1 and "not a CSV file" in r.output
    ok = tmp_path / "ok.csv"
    ok.write_text("date\n2026-10-01\n")
    r = _run("diary", "metrics", str(ok), "--tz", "Mars/Olympus")
    assert r.exit_code == 1 and "unknown time zone" in r.output
