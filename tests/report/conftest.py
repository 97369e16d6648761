"""Fixtures of the report tests: a hand-made diary, the demo household, built reports."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_helpers import household as _household  # noqa: E402

DEMO_END = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="session")
def household():
    return _household()


@pytest.fixture(scope="session")
def household_nl(household):
    from nachtwacht.report import build

    return build(household, lang="nl", today=TODAY)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory):
    """The demo household written as the CSV/JSON files a user would have."""
    from nachtwacht.diary.csvio import write_episodes, write_nights, write_profile
    from nachtwacht.diary.demo import demo_diary

    diary = demo_diary(seed=7, weeks=8, end=DEMO_END)
    d = tmp_path_factory.mktemp("demo")
    with open(d / "nights.csv", "w", encoding="utf-8", newline="") as f:
        write_nights(diary.nights, f)
    with open(d / "episodes.csv", "w", encoding="utf-8", newline="") as f:
        write_episodes(diary.episodes, f)
    with open(d / "profile.json", "w", encoding="utf-8") as f:
        write_profile(diary.profile, f)
    return d


@pytest.fixture(scope="session")
def demo_loaded(demo_files):
    from nachtwacht.diary.csvio import load_diary

    return load_diary(demo_files / "nights.csv", demo_files / "episodes.csv",
                      demo_files / "profile.json")


@pytest.fixture(scope="session")
def demo_nl(demo_loaded):
    from nachtwacht.report import build

    return build(demo_loaded, lang="nl", today=TODAY)


@pytest.fixture(scope="session")
def demo_en(demo_loaded):
    from nachtwacht.report import build

    return build(demo_loaded, lang="en", today=TODAY)


@pytest.fixture(scope="session")
def demo_pdf(demo_nl, tmp_path_factory):
    from nachtwacht.report import render_pdf

    return render_pdf(demo_nl, tmp_path_factory.mktemp("pdf"))
