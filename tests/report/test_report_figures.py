"""The charts: vector SVG, text as text, episode types told apart without colour."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET

from nachtwacht.report import build
from nachtwacht.report.figures import all_figures, hypnogram_chart, sleep_chart, weekly_chart

NS = "{http://www.w3.org/2000/svg}"


class _NoInsight:
    findings: list = []


def _tree(svg):
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{NS}svg"
    return root


def _texts(root):
    return [(float(e.get("x")), float(e.get("y")), e.text) for e in root.iter(f"{NS}text")]


def _subpaths(d):
    """Each ``M x y ...`` subpath as (x, y, the rest of the path)."""
    return [(float(x), float(y), rest) for x, y, rest in
            re.findall(r"M(-?[\d.]+) (-?[\d.]+)([^M]*)", d)]


def _marks(root):
    return {p.get("data-type"): p for p in root.iter(f"{NS}path") if p.get("class") == "mark"}


def test_every_figure_is_xml_with_its_own_ids(household_nl):
    from nachtwacht.report.data import PsgInfo

    hyp = {"epoch_s": 30, "start": "2026-03-01T23:40:00", "stages": ["W", "N1", "N2", "R"] * 50}
    data = dataclasses.replace(household_nl, psg=PsgInfo("x", [], hyp, [], []))
    figs = all_figures(data)
    ids = []
    for key, prefix in (("sleep", "nw-sleep"), ("weekly", "nw-weekly"), ("hypnogram", "nw-hypno")):
        svg = figs[key]
        root = _tree(svg)
        assert root.get("id") == prefix
        own = [e.get("id") for e in root.iter() if e.get("id")]
        assert all(i == prefix or i.startswith(prefix + "-") for i in own)
        ids += own
        # Text stays text in DejaVu Sans; presentation attributes only, no CSS.
        assert "<text" in svg and "DejaVu Sans" in root.get("font-family")
        assert "style=" not in svg and "<style" not in svg
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in own  # every pattern reference resolves inside its own figure
    assert len(ids) == len(set(ids))  # unique in one HTML document
    assert all_figures(data) == figs  # same data, same bytes


def test_each_night_is_drawn_at_its_row_and_clock_time(household_nl):
    root = _tree(sleep_chart(household_nl))
    texts = _texts(root)
    # The x axis: "18:00" at both ends, so hours map linearly between them.
    ends = sorted(x for x, _, s in texts if s == "18:00")
    x18, x18b = ends[0], ends[-1]

    def hours(x):
        return (x - x18) / (x18b - x18) * 24

    # Night of 9 March (row 7, a labelled row): lights out 23:15, 20 min to fall
    # asleep, so asleep 23:35 to 06:45 and in bed 23:00 to 07:00 (household diary).
    label_y = next(y for _, y, s in texts if s == "9 mrt")
    paths = {p.get("id"): p.get("d") for p in root.iter(f"{NS}path") if p.get("id")}
    for pid, start, end in (("nw-sleep-asleep", 5 + 35 / 60, 12.75), ("nw-sleep-bed", 5.0, 13.0)):
        bars = []
        for x0, y0, rest in _subpaths(paths[pid]):
            h = re.match(r"H(-?[\d.]+)V(-?[\d.]+)", rest)
            bars.append((x0, float(h.group(1)), (y0 + float(h.group(2))) / 2))
        assert len(bars) == 28  # one per night
        x0, x1, yc = min(bars, key=lambda b: abs(b[2] - (label_y - 2.5)))
        assert abs(yc - (label_y - 2.5)) < 0.3
        assert abs(hours(x0) - start) < 0.01 and abs(hours(x1) - end) < 0.01
    night = next(n for n in household_nl.nights if n.date == dt.date(2026, 3, 9))
    assert abs(night.onset - (5 + 35 / 60)) < 1e-9  # the data agree with the hand count


def test_sleep_chart_marks_each_type_with_its_own_shape(household, household_nl):
    svg = sleep_chart(household_nl)
    marks = _marks(_tree(svg))
    assert set(marks) == {"sexsomnia", "hypnic_jerk"}
    # Shape = the marker path after its start point; all markers of a type share it.
    shapes = {}
    for code, p in marks.items():
        rests = {rest for _, _, rest in _subpaths(p.get("d"))}
        assert len(rests) == 1
        shapes[code] = (rests.pop(), p.get("fill"))
    assert shapes["sexsomnia"][0] != shapes["hypnic_jerk"][0]
    assert shapes["sexsomnia"][1] != shapes["hypnic_jerk"][1]  # hollow and solid
    # 6 sexsomnia nights, 9 hypnic-jerk nights, each mark where its night is.
    assert len(_subpaths(marks["sexsomnia"].get("d"))) == 6
    assert len(_subpaths(marks["hypnic_jerk"].get("d"))) == 9
    # Legend names the types in the report's language.
    assert "seksueel gedrag in de slaap" in svg and "schok bij inslapen" in svg
    one_type = dataclasses.replace(
        household, episodes=tuple(e for e in household.episodes if e.type == "sexsomnia"))
    single = _marks(_tree(sleep_chart(build(one_type, insight=_NoInsight()))))
    assert set(single) == {"sexsomnia"}


def test_weekly_chart_uses_hatching(household_nl):
    svg = weekly_chart(household_nl)
    root = _tree(svg)
    patterns = {p.get("id"): p for p in root.iter(f"{NS}pattern")}
    assert patterns  # hatches, not colour alone
    for p in patterns.values():
        assert p.find(f"{NS}path") is not None  # line hatch on its background
    bars = [p for p in root.iter(f"{NS}path") if p.get("class") == "bars"]
    assert {b.get("data-type") for b in bars} == {"sexsomnia", "hypnic_jerk"}
    assert len({b.get("fill") for b in bars}) == 2
    assert any(b.get("fill").startswith("url(#nw-weekly-hatch") for b in bars)
    # Count axis: whole numbers only.
    labels = [s for x, _, s in _texts(root) if x < 40]
    assert labels and all(re.fullmatch(r"\d+", s) for s in labels if s != "aantal")


def test_no_chart_for_an_empty_period(household):
    data = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 5)))
    assert sleep_chart(data) is None and weekly_chart(data) is None


def test_date_labels_of_a_short_period_do_not_overlap(household):
    # 9 to 20 nights give rows thinner than a label: labels must skip rows, not pile up,
    # and the chart must still be tall enough for its rotated axis title.
    for days in (3, 9, 15, 20):
        end = household.nights[-1].date
        data = build(household, period=(end - dt.timedelta(days=days - 1), end))
        root = _tree(sleep_chart(data))
        dates = sorted(y for x, y, s in _texts(root) if re.fullmatch(r"\d+ \w+", s or ""))
        assert len(dates) >= 2, days
        assert min(b - a for a, b in zip(dates[:-1], dates[1:], strict=True)) >= 7.0, days  # font size 7 pt
        title = next(e for e in root.iter(f"{NS}text") if e.get("transform"))
        assert float(root.get("height").removesuffix("pt")) > 7 * 0.6 * len(title.text), days


def test_long_periods_are_summarised(household):
    # More than 26 weeks: the weekly chart groups by 4 weeks and stays one small figure.
    from nachtwacht.diary.types import Diary

    nights = [dataclasses.replace(household.nights[0], date=dt.date(2024, 1, 1)
                                  + dt.timedelta(days=i)) for i in range(400)]
    eps = [dataclasses.replace(household.episodes[0], date=n.date) for n in nights[::5]]
    data = build(Diary(nights=tuple(nights), episodes=tuple(eps)), insight=_NoInsight())
    svg = weekly_chart(data)
    assert "4 × week vanaf" in svg
    root = _tree(svg)
    (bars,) = [p for p in root.iter(f"{NS}path") if p.get("class") == "bars"]
    assert len(_subpaths(bars.get("d"))) == 15  # 58 weeks in bins of 4
    # The sleep chart shows only the last nights, each on its own row.
    sleep = _tree(sleep_chart(data))
    bed = next(p for p in sleep.iter(f"{NS}path") if p.get("id") == "nw-sleep-bed")
    assert len(_subpaths(bed.get("d"))) == 56


def test_week_labels_over_several_years_say_the_year_where_it_changes(household):
    from nachtwacht.diary.types import Diary

    nights = [dataclasses.replace(household.nights[0], date=dt.date(2023, 11, 27)
                                  + dt.timedelta(days=i)) for i in range(3 * 365)]
    eps = [dataclasses.replace(household.episodes[0], date=n.date) for n in nights[::5]]
    root = _tree(weekly_chart(build(Diary(nights=tuple(nights), episodes=tuple(eps)),
                                    insight=_NoInsight())))
    texts = _texts(root)
    labels = [(x, s) for x, y, s in texts if re.fullmatch(r"\d+ \w+( \d{4})?", s or "")]
    years = [s[-4:] for x, s in labels if re.search(r"\d{4}$", s)]
    assert labels[0][1].endswith(" 2023") and years == sorted(set(years)) and len(years) >= 3
    xs = [x for x, s in labels]
    widest = max(len(s) for x, s in labels) * 7 * 0.62  # DejaVu Sans averages about 0.6 em
    assert min(b - a for a, b in zip(xs[:-1], xs[1:], strict=True)) > widest  # no overlap


def test_many_types_are_stacked_with_the_rest_grouped(household):
    from nachtwacht.diary.fields import EPISODE_TYPES
    from nachtwacht.diary.types import Episode

    codes = [c.code for c in EPISODE_TYPES][:9]
    eps = [Episode(date=n.date, type=codes[(i + k) % 9], reporter="self", time=dt.time(2, 0))
           for i, n in enumerate(household.nights) for k in range(i % 3)]
    data = build(dataclasses.replace(household, episodes=tuple(eps)), lang="en",
                 insight=_NoInsight())
    assert len(data.frequency) == 9
    svg = weekly_chart(data)
    assert "other types" in svg  # 5 own styles + the rest together
    assert sum(1 for tc in data.frequency if tc.label in svg) == 5
    sleep = sleep_chart(data)
    assert "other types" in sleep
    marks = _marks(_tree(sleep))
    assert len(marks) == 6 and "__rest__" in marks
    shapes = {(_subpaths(p.get("d"))[0][2], p.get("fill")) for p in marks.values()}
    assert len(shapes) == 6  # every drawn type has its own marker


def test_hypnogram_axis_shows_clock_times(household_nl):
    from nachtwacht.report.data import PsgInfo

    hyp = {"epoch_s": 30, "start": "2026-03-01T23:40:00",
           "stages": ["W"] * 20 + ["N2"] * 600 + ["R"] * 60 + ["W"] * 10}  # 23:40 to 05:25
    data = dataclasses.replace(household_nl, psg=PsgInfo("x", [], hyp, [], []))
    svg = hypnogram_chart(data)
    assert re.findall(r">(\d\d:\d\d)<", svg) == ["00:00", "01:00", "02:00", "03:00", "04:00",
                                                 "05:00"]
    root = _tree(svg)
    widths = sorted(float(p.get("stroke-width")) for p in root.iter(f"{NS}path")
                    if p.get("fill") == "none" and p.get("stroke-width"))
    assert widths[-1] >= 2  # REM drawn thick
    # No start time: hours from the start instead.
    hyp2 = dict(hyp, start=None)
    svg2 = hypnogram_chart(dataclasses.replace(data, psg=PsgInfo("x", [], hyp2, [], [])))
    assert "uur na start" in svg2 and not re.findall(r">(\d\d:\d\d)<", svg2)


def test_charts_do_not_need_matplotlib():
    # The report's charts are written directly: a cold `nachtwacht report` must not pay
    # for importing a plotting library.
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    code = (f"import sys; sys.path.insert(0, {str(here)!r})\n"
            "from report_helpers import household\n"
            "from nachtwacht.report import build, render_html\n"
            "html = render_html(build(household(), lang='nl'))\n"
            "assert html.count('<svg') == 2\n"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
