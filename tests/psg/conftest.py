"""Fixtures of the sleep-study tests: real files from ../shared/psg and small synthetic nights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("edfio")


@pytest.fixture(scope="session")
def psg_dir(shared_dir: Path) -> Path:
    path = shared_dir / "psg"
    if not path.is_dir():
        pytest.skip(f"no PSG test data at {path}")
    return path


@pytest.fixture(scope="session")
def short_psg(psg_dir: Path) -> Path:
    return psg_dir / "sleep-edfx" / "short_psg.edf"


@pytest.fixture(scope="session")
def synth_night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """A 40-minute synthetic 12-channel night at 128 Hz and its true stages."""
    from nachtwacht.psg.synthetic import write_night

    path = tmp_path_factory.mktemp("night") / "night.edf"
    stages = write_night(path, hours=40 / 60, sf=128.0, seed=5)
    return path, stages
