"""``nachtwacht insight`` and ``nachtwacht experiment`` from diary files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nachtwacht.cli import main
from nachtwacht.diary.csvio import write_episodes, write_nights
from nachtwacht.diary.types import Diary


@pytest.fixture(scope="module")
def files(demo: Diary, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("diary")
    with open(out / "nights.csv", "w", encoding="utf-8", newline="") as f:
        write_nights(demo.nights, f)
    with open(out / "episodes.csv", "w", encoding="utf-8", newline="") as f:
        write_episodes(demo.episodes, f)
    return out / "nights.csv", out / "episodes.csv"


def test_insight_json(files: tuple[Path, Path]) -> None:
    nights, episodes = files
    res = CliRunner().invoke(main, ["insight", str(nights), str(episodes), "--json",
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["status"] == "ok" and data["lang"] == "en"
    pairs = {(f["factor"], f["outcome"]) for f in data["findings"]}
    assert ("stress_high", "tension") in pairs
    assert all(f["text"] == f["text_en"] for f in data["findings"])
    assert all(f["n_nights"] > 0 and f["strength"] == "likely" for f in data["findings"])
    assert data["observation"]["episode:sexsomnia"]["observed_by"] == "together_nights"


def test_insight_question_flag(files: tuple[Path, Path]) -> None:
    nights, episodes = files
    res = CliRunner().invoke(main, ["insight", str(nights), str(episodes), "--json",
                                    "--question", "alcohol_any:sexsomnia"])
    assert res.exit_code == 0, res.output
    q = json.loads(res.output)["question"]
    assert q["factor"] == "alcohol_any" and q["outcome"] == "episode:sexsomnia"
    assert q["verdict"] == "likely" and q["finding"]["family"] == "question"
    res = CliRunner().invoke(main, ["insight", str(nights), str(episodes), "--question",
                                    "alcohol_any:sexsomnia"])
    assert res.exit_code == 0 and res.output.startswith("Uw vraag, apart getoetst: ja")
    res = CliRunner().invoke(main, ["insight", str(nights), str(episodes), "--question",
                                    "coffee:sexsomnia"])
    assert res.exit_code == 2 and "coffee" in res.output


def test_insight_min_nights_and_plain_text(files: tuple[Path, Path]) -> None:
    nights, episodes = files
    res = CliRunner().invoke(main, ["insight", str(nights), "--min-nights", "100", "--json"])
    data = json.loads(res.output)
    assert data["status"] == "not_enough_data" and data["nights_needed"] == 44
    res = CliRunner().invoke(main, ["insight", str(nights), str(episodes)])
    assert res.exit_code == 0
    assert "waarschijnlijk geen toeval" in res.output


def test_insight_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "nights.csv"
    bad.write_text("date,stress\n2026-13-01,11\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["insight", str(bad)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output


def test_experiment_command(files: tuple[Path, Path], demo: Diary) -> None:
    nights, episodes = files
    start = (demo.nights[-1].date - dt.timedelta(days=13)).isoformat()
    res = CliRunner().invoke(main, ["experiment", str(nights), str(episodes), "--code",
                                    "no_caffeine_after_14", "--start", start, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["n_experiment"] == 14 and data["n_baseline"] == 14
    assert data["verdict"] in ("better", "worse", "no_clear_difference")
    res = CliRunner().invoke(main, ["experiment", str(nights), "--code", "wind_down_45",
                                    "--start", demo.nights[-1].date.isoformat()])
    assert res.exit_code == 0 and "nog niet zeggen" in res.output
    res = CliRunner().invoke(main, ["experiment", str(nights), "--code", "wind_down_45",
                                    "--start", start, "--baseline-days", "-3"])
    assert res.exit_code == 2


def test_custom_experiment_command(files: tuple[Path, Path], demo: Diary) -> None:
    nights, _ = files
    start = (demo.nights[-1].date - dt.timedelta(days=13)).isoformat()
    res = CliRunner().invoke(main, ["experiment", str(nights), "--code", "custom", "--factor",
                                    "screens_last_hour", "--want", "no", "--title",
                                    "Telefoon uit de slaapkamer", "--start", start, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["code"] == "custom" and data["title"] == "Telefoon uit de slaapkamer"
    res = CliRunner().invoke(main, ["experiment", str(nights), "--code", "custom",
                                    "--start", start])
    assert res.exit_code == 2 and "--factor" in res.output


def test_cli_start_up_does_not_load_the_statistics() -> None:
    """``nachtwacht --help`` must stay fast: the insight commands load SciPy only when run."""
    import subprocess
    import sys

    code = ("import sys, nachtwacht.cli; "
            "print(any(m.startswith(('nachtwacht.insight.stats', 'nachtwacht.insight.triggers'))"
            " for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
