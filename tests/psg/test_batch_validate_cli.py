"""Batches on Dask (broken file reported, resumable), validation, and the CLI's messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nachtwacht.cli import main

pytest.importorskip("yasa")


@pytest.fixture(scope="module")
def night_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nachtwacht.psg.synthetic import write_night

    d = tmp_path_factory.mktemp("nights")
    for i in range(2):
        write_night(d / f"night{i}.edf", hours=0.1, sf=100.0, seed=i)
    (d / "broken.edf").write_bytes(b"0       " + b"x" * 500)
    return d


@pytest.mark.slow
def test_batch_reports_broken_file_and_resumes(night_dir: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    from nachtwacht.psg.batch import run_batch

    out = tmp_path / "results.parquet"
    seen: list[str] = []
    s1 = run_batch(night_dir, out, n_workers=2, progress=lambda k, n, row: seen.append(row["file"]))
    assert s1["total"] == 3 and s1["analysed"] == 3 and len(seen) == 3
    assert [Path(f).name for f, _ in s1["failed"]] == ["broken.edf"]
    df = pd.read_parquet(out)
    assert len(df) == 3
    ok = df[df["error"].isna()]
    assert len(ok) == 2 and (ok["TIB"] == 6.0).all()
    # A second run finds everything done and starts no cluster work.
    s2 = run_batch(night_dir, out, n_workers=2)
    assert s2["analysed"] == 0 and s2["skipped_done"] == 3
    assert [Path(f).name for f, _ in s2["failed"]] == ["broken.edf"]
    assert len(pd.read_parquet(out)) == 3


def test_scorer_agreement_on_dreem_panels(psg_dir: Path) -> None:
    from nachtwacht.psg.validate import validate_scorers

    r = validate_scorers(psg_dir / "dod")
    assert 0.65 <= r["mean_kappa"] <= 0.85  # 5 technicians: the human ceiling
    panels = {Path(k).name: v for k, v in r["panels"].items()}
    assert panels["dodh"]["records"] == 25 and panels["dodo"]["records"] == 55
    assert set(panels["dodh"]["mean_kappa_per_scorer"]) == {f"scorer_{i}" for i in range(1, 6)}


def test_kappa_and_majority() -> None:
    from nachtwacht.psg.validate import agreement, majority

    a = np.array([0, 1, 2, 3, 4, 2, 2, -1])
    r = agreement(a, a)
    assert r["kappa"] == 1.0 and r["epochs"] == 7 and r["f1"]["N2"] == 1.0
    assert majority([np.array([2, 3, 0]), np.array([2, 4, 0]), np.array([1, 4, 4])]).tolist() == [2, 4, 0]


def test_checksums_against_physionet_list(psg_dir: Path, tmp_path: Path) -> None:
    from nachtwacht.psg.validate import verify_checksums

    sums = psg_dir / "sleep-edfx" / "SHA256SUMS.txt"
    shutil.copy(psg_dir / "sleep-edfx" / "SC4001EC-Hypnogram.edf", tmp_path)
    bad = tmp_path / "SC4002EC-Hypnogram.edf"
    bad.write_bytes(b"not the real file")
    res = {Path(r["file"]).name: r["ok"] for r in verify_checksums(tmp_path, sums)}
    assert res == {"SC4001EC-Hypnogram.edf": True, "SC4002EC-Hypnogram.edf": False}


def test_validate_recording_against_expert(night_dir: Path, tmp_path: Path) -> None:
    from nachtwacht.psg.synthetic import write_night
    from nachtwacht.psg.validate import validate_recordings

    stages = write_night(tmp_path / "n.edf", hours=0.25, sf=100.0, seed=9)
    (tmp_path / "n.csv").write_text("stage\n" + "\n".join(str(int(s)) for s in stages) + "\n")
    rows = validate_recordings(tmp_path)
    assert len(rows) == 1 and rows[0]["epochs"] == len(stages)
    assert np.array(rows[0]["confusion"]).sum() == len(stages)


def test_cli_analyse_writes_json_and_figure(short_psg: Path, tmp_path: Path) -> None:
    out, fig = tmp_path / "o.json", tmp_path / "o.svg"
    r = CliRunner().invoke(main, ["psg", "analyse", str(short_psg), "--json", str(out),
                                  "--report", str(fig), "--lang", "en"])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    assert set(d) >= {"hypnogram", "confidence", "stats", "events", "skipped", "episodes"}
    assert fig.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cli_bad_input_message_without_traceback(short_psg: Path, psg_dir: Path,
                                                 tmp_path: Path, lang: str) -> None:
    runner = CliRunner()
    cut = tmp_path / "cut.edf"
    cut.write_bytes(short_psg.read_bytes()[:100])
    r = runner.invoke(main, ["psg", "analyse", str(cut), "--lang", lang])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert ("afgebroken" if lang == "nl" else "truncated") in r.output
    r = runner.invoke(main, ["psg", "analyse", str(short_psg), "--lang", lang, "--hypnogram",
                             str(psg_dir / "hmc" / "test_edfann.edf")])
    assert r.exit_code == 1 and "854" in r.output and "--pad" in r.output
    r = runner.invoke(main, ["psg", "analyse", str(short_psg), "--channel", "nope=eeg"])
    assert r.exit_code == 1 and "nope" in r.output


def test_cli_channels_and_validate(short_psg: Path, psg_dir: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["psg", "channels", str(short_psg), "--json"])
    assert r.exit_code == 0, r.output
    roles = json.loads(r.output)["roles"]
    assert roles["EOG horizontal"] == "eog"
    # Two Dreem nights with their five scorers are enough to exercise the command.
    src = psg_dir / "dod" / "scorers" / "dodh"
    ids = sorted(p.name for p in (src / "scorer_1").glob("*.json"))[:2]
    for scorer in sorted(src.glob("scorer_*")):
        (tmp_path / "dodh" / scorer.name).mkdir(parents=True)
        for i in ids:
            shutil.copy(scorer / i, tmp_path / "dodh" / scorer.name / i)
    out = tmp_path / "v.json"
    r = CliRunner().invoke(main, ["psg", "validate", str(tmp_path), "--lang", "en",
                                  "--json", str(out)])
    assert r.exit_code == 0 and "human ceiling (kappa)" in r.output, r.output
    assert json.loads(out.read_text())["scorers"]["mean_kappa"] > 0.5
