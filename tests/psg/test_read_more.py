"""Discontinuous EDF+, the missing extra, and diary episodes through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nachtwacht.psg.read import read_recording


def _edf_plus_d(path: Path) -> Path:
    """A 20-record EDF+ whose records 10-19 start 5 s late (a 5-s gap), patched by hand."""
    import edfio

    x = np.sin(np.arange(100 * 20) / 10) * 50
    sig = edfio.EdfSignal(x, 100.0, label="EEG C3-M2", physical_dimension="uV",
                          physical_range=(-100, 100))
    edfio.Edf([sig], annotations=[edfio.EdfAnnotation(3.0, 1.0, "video: sits up")],
              data_record_duration=1.0).write(path)
    b = bytearray(path.read_bytes())
    assert b[192:197] == b"EDF+C"
    b[192:197] = b"EDF+D"
    hb = int(b[184:192])
    rec = 2 * (100 + 13)
    for k in range(10, 20):
        start = hb + k * rec + 200
        old = f"+{k}\x14\x14".encode()
        assert bytes(b[start : start + len(old)]) == old
        b[start : start + len(old)] = f"+{k + 5}\x14\x14".encode()
    path.write_bytes(bytes(b))
    return path


def test_discontinuous_edf_gaps_become_nan(tmp_path: Path) -> None:
    rec = read_recording(_edf_plus_d(tmp_path / "d.edf"))
    eeg = rec.channels["EEG C3-M2"].data
    assert rec.duration_s == 25.0
    assert np.isnan(eeg[1000:1500]).all() and not np.isnan(eeg[:1000]).any()
    assert np.isfinite(eeg[1500:]).all()
    assert any("discontinuous" in w for w in rec.warnings)
    assert [a.description for a in rec.annotations] == ["video: sits up"]


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from nachtwacht.psg._deps import MissingExtraError, require

    monkeypatch.setitem(sys.modules, "edfio", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'nachtwacht\[psg\]'"):
        require("edfio")


def test_cli_places_diary_episodes(synth_night, tmp_path: Path) -> None:
    pytest.importorskip("yasa")
    from nachtwacht.cli import main
    from nachtwacht.diary.csvio import write_episodes
    from nachtwacht.diary.types import Episode

    eps = [Episode(date=dt.date(2026, 11, 2), type="sleepwalking", reporter="partner",
                   time=dt.time(23, 20))]
    csv = tmp_path / "episodes.csv"
    with open(csv, "w", encoding="utf-8", newline="") as f:
        write_episodes(eps, f)
    out = tmp_path / "o.json"
    r = CliRunner().invoke(main, ["psg", "analyse", str(synth_night[0]), "--episodes", str(csv),
                                  "--json", str(out)])
    assert r.exit_code == 0, r.output
    placed = json.loads(out.read_text())["episodes"]
    assert len(placed) == 1 and placed[0]["source"] == "diary"
    # The synthetic night starts 2026-11-01 23:00, so 23:20 is 20 minutes in.
    assert placed[0]["onset_s"] == pytest.approx(1200.0)
    assert placed[0]["in_recording"] is True and placed[0]["stage"] in {"W", "N1", "N2", "N3", "R"}
