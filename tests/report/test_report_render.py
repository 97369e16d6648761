"""HTML and PDF of the demo household: the numbers a GP reads, in both languages, on A4."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys

import pytest
from report_helpers import needs

from nachtwacht.report import build, render_html, render_pdf


def _count_from_csv(path, kind):
    """Nights with an episode of ``kind`` and its occurrences, read straight from the CSV."""
    nights, times = set(), 0
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["type"] == kind:
                nights.add(row["date"])
                times += int(row["count"] or 1)
    return len(nights), times


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def html_nl(demo_nl):
    return render_html(demo_nl)


def test_demo_html_shows_the_counts_from_the_csv(demo_files, html_nl):
    nights, times = _count_from_csv(demo_files / "episodes.csv", "sexsomnia")
    assert nights > 0
    row = re.search(r"seksueel gedrag in de slaap \(sexsomnie\)</td><td class=\"n\">(\d+)</td>"
                    r"<td class=\"n\">(\d+)</td>", html_nl)
    assert row, "frequency row for sexsomnia missing"
    assert (int(row.group(1)), int(row.group(2))) == (nights, times)
    with open(demo_files / "nights.csv", encoding="utf-8") as f:
        n_nights = sum(1 for _ in f) - 1
    assert f"<td>{n_nights}</td>" in html_nl


def test_sections_in_the_agreed_order(html_nl):
    order = ["Wie en welke periode", "Hoofdklacht", "Hoe vaak", "Wanneer", "Na welke factoren",
             "Wat de partner zag", "Andere klachten", "Slaap volgens het dagboek",
             "Wat is geprobeerd", "Signalen en advies", "Om te bespreken met uw huisarts"]
    pos = [html_nl.index(h) for h in order]
    assert pos == sorted(pos)
    assert "geen diagnose" in html_nl


def test_both_languages(demo_en):
    html = render_html(demo_en)
    assert '<html lang="en">' in html
    for h in ("Main complaint", "How often", "What the bed partner saw", "To discuss with your GP",
              "not a diagnosis", "Sleep efficiency"):
        assert h in html
    assert "Hoofdklacht" not in html


def test_figures_are_inline_vector_svg_with_text(html_nl):
    assert html_nl.count("<svg") >= 2
    assert "<?xml" not in html_nl
    assert "<text" in html_nl  # svg.fonttype none: labels stay text


def test_private_notes_left_out(household):
    from report_helpers import SECRET_NOTE

    data = build(household)
    assert SECRET_NOTE not in render_html(data, figures=False)
    assert SECRET_NOTE in render_html(build(household, include_private=True), figures=False)


def test_html_escapes_user_text(household):
    import dataclasses

    from nachtwacht.diary.types import Diary

    evil = "<script>alert(1)</script>"
    eps = tuple(dataclasses.replace(e, behaviours=(evil,)) for e in household.episodes)
    data = build(Diary(nights=household.nights, episodes=eps, profile=household.profile))
    html = render_html(data, figures=False)
    assert evil not in html and "&lt;script&gt;" in html


def test_empty_period_renders_html_and_pdf(household, tmp_path):
    data = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 31)), lang="en")
    html = render_html(data)
    assert "No nights and no episodes were recorded in this period." in html
    path = render_pdf(data, tmp_path)
    assert path.name == "nachtwacht-report-2030-01-01_2030-01-31.pdf"
    assert path.read_bytes().startswith(b"%PDF")


def test_pdf_is_a4_at_most_two_pages_with_metadata(demo_pdf):
    needs("pdfinfo")
    info = subprocess.run(["pdfinfo", str(demo_pdf)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert int(fields["Pages"]) <= 2
    assert "595.276 x 841.89" in fields["Page size"]  # A4 in points
    assert fields["Title"].strip().startswith("Slaapverslag voor de huisarts")
    assert fields["Author"].strip() == "Nachtwacht"
    assert fields["Tagged"].strip() == "yes"  # structure for screen readers


def test_pdf_text_is_selectable(demo_pdf, demo_files):
    needs("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(demo_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for h in ("Hoofdklacht", "Hoe vaak", "Andere klachten", "Om te bespreken met uw huisarts",
              "geen diagnose"):
        assert h in flat
    nights, _ = _count_from_csv(demo_files / "episodes.csv", "sexsomnia")
    assert re.search(rf"sexsomnie\)\s+{nights}\s", text)
    assert "18:00" in text  # axis labels of the vector chart are text too


def test_pdf_fonts_are_embedded(demo_pdf):
    needs("pdffonts")
    out = subprocess.run(["pdffonts", str(demo_pdf)], capture_output=True, text=True,
                         check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_pdf_file_name_has_no_personal_data(demo_pdf, demo_loaded):
    name = demo_pdf.name
    assert re.fullmatch(r"nachtwacht-report-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.pdf", name)
    year = demo_loaded.profile.birth_year
    assert year is None or str(year) not in name


def test_pdf_to_a_file_object_and_to_bytes(household):
    import io

    # An empty report keeps this quick: the target handling is what is tested here.
    data = build(household, period=(dt.date(2030, 1, 1), dt.date(2030, 1, 1)))
    buf = io.BytesIO()
    assert render_pdf(data, buf) is None
    assert buf.getvalue() == render_pdf(data)  # same content, same bytes
    assert buf.getvalue()[:5] == b"%PDF-"


def test_sleep_study_from_the_pipeline(household):
    """A real NightAnalysis (simulated night, expert hypnogram) adds hypnogram and figures."""
    pipeline = pytest.importorskip("nachtwacht.psg.pipeline")
    np = pytest.importorskip("numpy")
    from nachtwacht.psg.simulate import simulate_night
    from nachtwacht.psg.types import Hypnogram

    stages = [0] * 10 + [1] * 6 + [2] * 40 + [3] * 30 + [2] * 10 + [4] * 20 + [0] * 4
    rec, _ = simulate_night(stages, sf=64.0, seed=3, channels=("C3-M2", "E1-M2", "Chin"),
                            events={})
    na = pipeline.analyse(rec, hypnogram=Hypnogram(np.array(stages), source="expert"))
    data = build(household, psg=na, lang="en")
    figures = dict(data.psg.stats)
    tst_min = sum(1 for s in stages if s > 0) * 0.5
    assert figures["Total sleep time"] == f"{tst_min:.0f} min"
    assert "AHI" not in figures  # no breathing channels: skipped, not invented
    html = render_html(data)
    assert "Sleep study" in html and html.count("<svg") == 3


def test_urgent_advice_is_on_top(household):
    import dataclasses

    from nachtwacht.diary.types import Profile

    diary = dataclasses.replace(household, profile=Profile(suicidal_thoughts=True))
    data = build(diary, lang="en")
    assert data.triage is not None and data.triage.level == "urgent"
    html = render_html(data, figures=False)
    banner = html.index('class="advice urgent"')
    assert banner < html.index("1. Who and which period")
    assert "out-of-hours" in html[banner:html.index("1. Who and which period")]


def test_odd_diaries_still_render():
    from nachtwacht.diary.types import Diary, Episode, Night

    day = dt.date(2026, 5, 1)
    bare = Diary(nights=tuple(Night(date=day + dt.timedelta(days=i)) for i in range(5)))
    data = build(bare, lang="en")
    assert data.complaint == "No episodes noted; 5 nights recorded, but without sleep times."
    assert "Sleep according to the diary" in render_html(data)
    untimed = Diary(episodes=(Episode(date=day, type="sleepwalking", reporter="partner"),))
    data = build(untimed)
    assert data.timing[0].thirds["unknown"] == 1 and data.timing[0].median is None
    assert "slaapwandelen" in render_html(data)


def test_discussion_section_has_things_to_tell_and_questions_to_ask(html_nl, demo_en):
    sec = html_nl[html_nl.index('<section id="questions">'):]
    sec = sec[:sec.index("</section>")]
    assert "Om te vertellen" in sec and "Om te vragen" in sec
    assert sec.index("<ul>") < sec.index("<ol>")  # statements first, then numbered questions
    assert "Vragen om te bespreken" not in html_nl
    html = render_html(demo_en)
    assert "Worth telling your GP" in html and "Questions to ask" in html


def test_pdf_from_already_rendered_html_is_the_same_pdf(household):
    # The CLI may write the HTML and the PDF: handing the HTML on skips drawing the
    # charts twice and must not change a byte.
    data = build(household, lang="en", today=dt.date(2026, 11, 2))
    assert render_pdf(data, html=render_html(data)) == render_pdf(data)


def test_weasyprint_import_starts_no_compiler_or_linker():
    # A cold `nachtwacht report` should not run gcc and ld a dozen times to find
    # libraries that the loader finds by their file names anyway.
    code = (
        "import subprocess, sys\n"
        "seen = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n"
        "    seen.append(str(args[0] if isinstance(args, (list, tuple)) else args))\n"
        "    return real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "from nachtwacht.report.weasy import import_weasyprint\n"
        "w = import_weasyprint()\n"
        "assert w.HTML(string='<p>x</p>').write_pdf().startswith(b'%PDF')\n"
        "import ctypes.util\n"
        "assert ctypes.util.find_library.__name__ == 'find_library'  # put back\n"
        "print(sorted({s.rsplit('/', 1)[-1] for s in seen}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    import json

    ran = set(json.loads(out.stdout.replace("'", '"')))
    assert not {"gcc", "ld", "cc", "collect2"} & ran, ran
