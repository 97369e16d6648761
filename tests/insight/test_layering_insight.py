"""The insight core is pure: it loads neither Django nor the shells, even when it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nachtwacht.diary.types import Diary
from nachtwacht.insight import analyse


def test_running_the_analysis_loads_no_shell() -> None:
    code = (
        "import sys, datetime as dt\n"
        "from nachtwacht.diary.demo import demo_diary\n"
        "from nachtwacht.insight import analyse\n"
        "from nachtwacht.insight.experiments import compare, make\n"
        "d = demo_diary(end=dt.date(2026, 3, 1))\n"
        "analyse(d); compare(d, make('wind_down_45', dt.date(2026, 2, 16)))\n"
        "print('\\n'.join(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    bad = sorted(m for m in loaded if m.split(".")[0] == "django"
                 or m.startswith(("nachtwacht.web", "nachtwacht.cli")))
    assert bad == []


def test_empty_diary_is_not_enough_data() -> None:
    res = analyse(Diary())
    assert res.status == "not_enough_data" and res.nights_needed == 14


def test_unknown_attribute_of_the_package_is_an_attribute_error() -> None:
    import nachtwacht.insight as insight

    with pytest.raises(AttributeError):
        _ = insight.no_such_thing
