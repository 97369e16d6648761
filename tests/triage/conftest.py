"""Fixtures for the triage tests; the case helpers live in ``triage_cases.py``."""

from __future__ import annotations

from typing import Any

import pytest
from triage_cases import CASES, build_diary

from nachtwacht.diary.types import Diary


@pytest.fixture(params=CASES, ids=[name for name, _ in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], Diary]:
    """One written case: its name, its mapping and the diary built from it."""
    name, data = request.param
    return name, data, build_diary(data)
