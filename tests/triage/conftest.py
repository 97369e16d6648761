"""Fixtures for the triage tests; the case helpers live in ``triage_cases.py``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The case helpers sit next to this file; make them importable under any import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from triage_cases import CASES, build_diary  # noqa: E402

from nachtwacht.diary.types import Diary


@pytest.fixture(params=CASES, ids=[name for name, _ in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], Diary]:
    """One written case: its name, its mapping and the diary built from it."""
    name, data = request.param
    return name, data, build_diary(data)
