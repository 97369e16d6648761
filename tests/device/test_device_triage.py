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


def _oura_nights(tmp_path, onset_h, hours=8.0, days=21):
    import datetime as dt

    from nachtwacht.device import read_device
    from nachtwacht.device.nights import device_nights

    p = tmp_path / "oura.csv"
    rows = ["day,bedtime_start,bedtime_end,total_sleep_duration,awake_time,sleep_latency"]
    for i in range(days):
        d = dt.date(2026, 3, 1) + dt.timedelta(days=i)
        s = dt.datetime.combine(d - dt.timedelta(days=1), dt.time(0)) + dt.timedelta(hours=onset_h)
        e = s + dt.timedelta(hours=hours)
        rows.append(f"{d},{s.isoformat()}+01:00,{e.isoformat()}+01:00,{int((hours - 0.5) * 3600)},900,600")
    p.write_text("\n".join(rows) + "\n")
    return device_nights(read_device(p))


def test_device_nights_reach_the_body_clock_rules(tmp_path):
    from nachtwacht.device.clock import body_clock_flags
    from nachtwacht.diary.types import Profile

    late = _oura_nights(tmp_path, 26.0)  # in bed 02:00-10:00 every night
    flags = body_clock_flags(late)
    assert [f.code for f in flags] == ["late_sleep_phase"] and flags[0].evidence
    assert body_clock_flags(late, Profile(shift_work=True)) == []
    assert body_clock_flags(_oura_nights(tmp_path, 23.0)) == []


def test_summary_and_cli_carry_the_body_clock_flag(tmp_path):
    from click.testing import CliRunner

    from nachtwacht.cli import main

    _oura_nights(tmp_path, 26.0)
    r = CliRunner().invoke(main, ["device", "import", str(tmp_path / "oura.csv")])
    assert r.exit_code == 0 and "biologische klok" in r.output
