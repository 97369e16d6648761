"""Body-clock rules: written cases (late and early phase, shift worker, irregular) reach the right rule."""

import importlib.util
from pathlib import Path

import pytest
import yaml

from nachtwacht.triage import assess

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("triage_cases_dev", HERE.parent / "triage" / "triage_cases.py")
_tc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tc)
CASES = sorted((HERE / "cases").glob("*.yaml"))


def test_at_least_the_required_cases():
    assert {p.stem for p in CASES} >= {"late_phase", "shift_worker", "irregular"}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_reaches_its_rule(path):
    case = yaml.safe_load(path.read_text())
    diary = _tc.build_diary(case)
    expect = case["expect"]
    for lang in ("nl", "en"):
        r = assess(diary, lang=lang, use_insight=False)
        flags = {f.code: f for f in r.flags}
        if "level" in expect:
            assert r.level == expect["level"], (path.stem, list(flags))
        for code in expect.get("flags", []):
            assert code in flags, (path.stem, list(flags))
            assert flags[code].evidence, code
        for code in expect.get("not_flags", []):
            assert code not in flags, (path.stem, code)
        plan = {p.code for p in r.plan}
        for code in expect.get("plan", []):
            assert code in plan, (path.stem, sorted(plan))
