"""Device TST and WASO as outcomes of the trigger analysis (issue 17 item 6).

The people come from an independent simulator (``device_sim.py``: habits, the true
night, a watch with its own error worn on 80 % of nights, the diary as the sleeper's own
estimate). Arithmetic first, so the thresholds are not tuned to the result: with alcohol
on 30 % of 60 evenings and the watch worn on 80 %, about 14 drinking and 34 other nights
are compared, so a difference of d standard deviations gives z of about 3.2 d. The sleep
family is tested at BH 0.004 among about 13 questions, which needs z of about 3.6: a
25-minute effect at a nightly SD of 45 minutes (z about 1.8) is found in only a few per
cent of people (measured in ``bench/insight_sim/device_outcomes.py``), while 75 minutes
(z about 5.3) should be found in nearly all. The power test uses the latter; the small
effect is checked for direction only.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from device_sim import any_likely, found, person

from nachtwacht.device.types import DeviceNight
from nachtwacht.insight import analyse, ask


def test_clear_effect_is_found_in_most_people() -> None:
    hits = sum(found(analyse(d, device_nights=dev))
               for d, dev in (person(seed, n=60, tst_effect=75.0) for seed in range(10)))
    assert hits >= 7, hits


def test_nothing_linked_gives_no_false_likely_finding() -> None:
    false = sum(any_likely(analyse(d, device_nights=dev))
                for d, dev in (person(seed, n=60, tst_effect=0.0, waso_effect=0.0)
                               for seed in range(100, 120)))
    assert false <= 2, false


def test_small_effect_never_points_the_wrong_way() -> None:
    # 25 minutes at SD 45: rarely "likely" in 60 nights, but whatever is said about
    # alcohol and the watch's sleep time must say "shorter".
    for seed in range(10):
        d, dev = person(seed, n=60)
        r = analyse(d, device_nights=dev)
        for f in r.findings + r.possible:
            if f.factor.startswith("alcohol") and f.outcome == "device_tst_min":
                assert f.effect["difference"] < 0, f.text_en


def test_same_family_and_missing_nights_and_source_named() -> None:
    d, dev = person(3, n=60, tst_effect=75.0)
    with_dev = analyse(d, device_nights=dev)
    without = analyse(d)
    # One pool: the device questions join the diary's sleep numbers in the "sleep" family.
    assert with_dev.families["sleep"]["n_tests"] > without.families["sleep"]["n_tests"]
    assert with_dev.families["sleep"]["q_level"] == without.families["sleep"]["q_level"]
    assert "device_tst_min" not in without.observation
    obs = with_dev.observation["device_tst_min"]
    assert obs == {"observed_by": "device_nights", "n_observed": len(dev),
                   "n_unobserved": 60 - len(dev)}
    f = next(f for f in with_dev.findings if f.outcome == "device_tst_min")
    assert f.family == "sleep" and f.observed_by == "device_nights"
    assert f.n_nights <= len(dev)
    assert "volgens uw horloge" in f.text_nl and "according to your watch" in f.text_en
    assert f"Dit rust op {f.n_nights} nachten" in f.text_nl
    assert " je " not in f.text_nl.lower() and " jij " not in f.text_nl.lower()


def test_mapping_input_and_zero_is_not_missing() -> None:
    d, dev = person(5, n=60, tst_effect=75.0)
    as_map = {n.date: {"device_tst_min": n.tst_min, "device_waso_min": n.waso_min} for n in dev}
    a = analyse(d, device_nights=dev)
    b = analyse(d, device_nights=as_map)
    assert [(f.factor, f.outcome, round(f.p, 12)) for f in a.all_findings] == \
        [(f.factor, f.outcome, round(f.p, 12)) for f in b.all_findings]
    # Without a source the texts still name a device, in both languages.
    f = next(f for f in b.findings if f.outcome == "device_tst_min")
    assert "volgens uw horloge/actigraaf" in f.text_nl
    assert "according to your watch/actigraph" in f.text_en
    # A night without device data is missing, never a zero-minute night.
    assert b.observation["device_tst_min"]["n_unobserved"] == 60 - len(dev)


def test_actigraph_source_and_question_in_advance() -> None:
    d, dev = person(7, n=60, tst_effect=75.0)
    acti = [DeviceNight(n.date, "awd", "oakley", n.rest_start, n.rest_end, n.onset, n.offset,
                        n.tst_min, n.waso_min, n.se_pct) for n in dev]
    ans = ask(d, "alcohol_any:device_tst_min", device_nights=acti)
    assert ans.verdict == "likely"
    assert "actigraaf" in ans.finding.text_nl and "actigraph" in ans.finding.text_en


def test_device_nights_without_diary_night_are_not_used() -> None:
    d, dev = person(9, n=30)
    later = [DeviceNight(dev[0].date + dt.timedelta(days=400 + i), "apple", "apple", None, None,
                         None, None, float(v), 20.0, 90.0)
             for i, v in enumerate(np.linspace(300, 500, 10))]
    r = analyse(d, device_nights=list(dev) + later)
    assert r.observation["device_tst_min"]["n_observed"] == len(dev)


def test_cli_insight_reads_a_device_file(tmp_path) -> None:
    import json
    from zoneinfo import ZoneInfo

    from click.testing import CliRunner

    from nachtwacht.cli import main
    from nachtwacht.diary.csvio import write_nights

    d, dev = person(3, n=60, tst_effect=75.0)
    with open(tmp_path / "nights.csv", "w", encoding="utf-8", newline="") as f:
        write_nights(d.nights, f)
    tz = ZoneInfo("Europe/Amsterdam")
    rows = ["day,bedtime_start,bedtime_end,total_sleep_duration,awake_time"]
    for n in dev:
        start, end = n.onset.replace(tzinfo=tz), n.offset.replace(tzinfo=tz)
        rows.append(f"{n.date},{start.isoformat()},{end.isoformat()},"
                    f"{round(n.tst_min * 60)},{round(n.waso_min * 60)}")
    (tmp_path / "oura.csv").write_text("\n".join(rows) + "\n")
    res = CliRunner().invoke(main, ["insight", str(tmp_path / "nights.csv"), "--device",
                                    str(tmp_path / "oura.csv"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["observation"]["device_tst_min"]["n_observed"] == len(dev)
    assert data["params"]["device_nights"] == len(dev)
    hits = [f for f in data["findings"] if f["outcome"] == "device_tst_min"]
    assert hits and "volgens uw ring" in hits[0]["text_nl"]
    bad = tmp_path / "x.txt"
    bad.write_text("hello\n")
    res = CliRunner().invoke(main, ["insight", str(tmp_path / "nights.csv"), "--device", str(bad)])
    assert res.exit_code != 0 and "Traceback" not in res.output
