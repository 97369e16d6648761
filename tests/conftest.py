"""Fixtures shared by every test area.

``shared_dir`` points at the shared test data next to the repository (``../shared`` or
``$NACHTWACHT_SHARED``) and skips the test when it is absent, so the suite runs anywhere.
``demo`` is the deterministic demo household diary with a fixed end date.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Directory of shared test data (real PSG scorings, seeds); skip if it is not there."""
    path = Path(os.environ.get("NACHTWACHT_SHARED", REPO_ROOT / ".." / "shared")).resolve()
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path}")
    return path


#: Fixed last morning of the demo fixture, so tests never depend on today's date.
DEMO_END = dt.date(2026, 11, 1)


@pytest.fixture(scope="session")
def demo():
    """The demo household diary (8 weeks ending 2026-11-01, seed 7)."""
    from nachtwacht.diary.demo import demo_diary

    return demo_diary(seed=7, weeks=8, end=DEMO_END)
