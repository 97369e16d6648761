"""Review of the hand-written charts, the forked report build and the atomic PDF write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
import xml.etree.ElementTree as ET

import pytest

from nachtwacht.report import build, render_pdf
from nachtwacht.report.data import PsgInfo
from nachtwacht.report.figures import TICK, hypnogram_chart, weekly_chart
from nachtwacht.report.svg import text_width

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_pdf_gets_the_usual_permissions(household, tmp_path, umask_022):
    # The atomic write must not change who can read the report: a PDF written by
    # `nachtwacht report --out` has the mode any new file gets (0o666 minus the umask),
    # as before the write went through a private temporary file.
    path = render_pdf(build(household, lang="nl"), tmp_path / "r.pdf")
    assert _mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temporary file left


def test_overwriting_a_pdf_keeps_its_permissions(household, tmp_path, umask_022):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)  # chosen by the user, e.g. readable by a group only
    render_pdf(build(household, lang="nl"), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert _mode(target) == 0o640


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------
def _axis_ends(root) -> tuple[float, float]:
    """x of the left spine and of the right end of the bottom spine."""
    d = next(p.get("d") for p in root.iter(f"{NS}path") if re.fullmatch(r"M[\d.]+ [\d.]+V[\d.]+H[\d.]+", p.get("d")))
    left, right = re.fullmatch(r"M([\d.]+) [\d.]+V[\d.]+H([\d.]+)", d).groups()
    return float(left), float(right)


def test_weekly_bars_keep_the_same_margin_on_both_sides(household):
    # The bars must sit inside the plot with a gap at each end, as the first bar has:
    # the last bar used to end exactly on the plot's right edge, against the legend.
    for weeks in (1, 2, 4):
        end = household.nights[-1].date
        data = build(household, period=(end - dt.timedelta(days=7 * weeks - 1), end))
        root = ET.fromstring(weekly_chart(data))
        left, right = _axis_ends(root)
        xs = [float(v) for p in root.iter(f"{NS}path") if p.get("class") == "bars"
              for v in re.findall(r"(?:M|H)([\d.]+)", p.get("d"))]
        assert min(xs) - left > 1, weeks
        assert right - max(xs) == pytest.approx(min(xs) - left, abs=0.05), weeks


def _hour_labels(svg: str) -> list[tuple[float, str]]:
    root = ET.fromstring(svg)
    return [(float(e.get("x")), e.text) for e in root.iter(f"{NS}text")
            if re.fullmatch(r"\d+|\d\d:00", e.text or "") and e.get("text-anchor") == "middle"]


@pytest.mark.parametrize("start", [None, "2026-10-24T22:47:30"])
@pytest.mark.parametrize("hours", [8, 30, 100])
def test_hypnogram_hour_labels_never_overlap(household, start, hours):
    # A recording of several days (home devices record on) must keep its time axis
    # readable: labels skip hours rather than run into each other.
    hyp = {"epoch_s": 30, "start": start, "stages": (["W"] * 20 + ["N2"] * 100) * hours}
    data = dataclasses.replace(build(household, lang="en"), psg=PsgInfo("x", [], hyp, [], []))
    labels = _hour_labels(hypnogram_chart(data))
    assert len(labels) >= 4
    for (xa, a), (xb, b) in zip(labels, labels[1:], strict=False):
        assert xb - xa >= (text_width(a, TICK) + text_width(b, TICK)) / 2 + 2, (a, b)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_legends_stay_inside_the_chart_with_long_type_names(household, lang):
    # Sexsomnia, the urge and night terrors together are a common report; their long
    # names in four legend columns were wider than the page and cut off on both sides.
    from nachtwacht.report.figures import SMALL, WIDTH, sleep_chart

    codes = ["sexsomnia", "sleepwalking", "sleep_talking", "night_terror", "bruxism", "urge"]
    eps = [dataclasses.replace(e, type=codes[i % len(codes)])
           for i, e in enumerate(household.episodes)]
    data = build(dataclasses.replace(household, episodes=tuple(eps)), lang=lang)
    for svg in (sleep_chart(data), weekly_chart(data)):
        root = ET.fromstring(svg)
        legend = [e for g in root.iter(f"{NS}g") if g.get("class") == "legend"
                  for e in g.iter(f"{NS}text")]
        assert {e.text for e in legend} >= {tc.label for tc in data.frequency}
        for e in legend:
            x = float(e.get("x"))
            assert x - 16 >= 0 and x + text_width(e.text, SMALL) <= WIDTH, e.text


# ---------------------------------------------------------------------------
# The forked build of `nachtwacht report`
# ---------------------------------------------------------------------------
_KILLED_MID_WRITE = '''
import os, signal, sys
from nachtwacht.cli.report import _beside

real_fdopen = os.fdopen


class HalfThenKilled:
    """The child's end of the pipe: half the result gets through, then the child dies
    (as when the kernel's out-of-memory killer picks it)."""

    def __init__(self, fd):
        self.f = real_fdopen(fd, "wb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        os.kill(os.getpid(), signal.SIGKILL)


os.fdopen = lambda fd, mode="r", *a, **k: HalfThenKilled(fd) if mode == "wb" else real_fdopen(fd, mode, *a, **k)
print(len(_beside(lambda: "x" * 200_000, lambda: None)))
'''


def test_a_child_killed_while_sending_its_result_is_built_again_here():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "200000", r.stderr


@pytest.mark.parametrize("epoch_s", [0, -30])
def test_a_sleep_study_without_a_usable_epoch_length_still_gives_a_report(household, epoch_s):
    # The analysis JSON is a file the user passes in: a zero epoch length must not make
    # the whole report fail (division by zero); the hypnogram is then left out.
    hyp = {"epoch_s": epoch_s, "stages": ["W", "N2", "R"]}
    data = dataclasses.replace(build(household, lang="en"), psg=PsgInfo("x", [], hyp, [], []))
    assert hypnogram_chart(data) is None
