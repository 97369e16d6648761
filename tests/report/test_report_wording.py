"""The Dutch report speaks Dutch (issue #14) and stays short (two A4 pages, #12)."""

from __future__ import annotations

import re
import subprocess

from report_helpers import needs

from nachtwacht.psg.labels import DETECTORS, SKIP_REASONS
from nachtwacht.report import build, render_html, render_pdf

#: A sleep study as the pipeline writes it, with detectors it had to skip.
PSG = {
    "recording": {"source": "nacht1.edf"},
    "stats": {"TST": 400.0, "SE": 88.0},
    "events": {},
    "skipped": {
        "desaturation": "missing_channel: no SpO2 channel (looked for SpO2, SaO2, Sat)",
        "respiratory": "flat_channel: airflow channel Flow is flat",
        "rswa": "no_rem: fewer than 10 epochs of REM",
        "new_detector": "some_new_code: brand-new English note",
    },
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dutch_report_names_skipped_detectors_in_dutch(household):
    data = build(household, psg=PSG, lang="nl")
    text = _text(render_html(data, figures=False))
    assert "Niet berekend" in text
    assert DETECTORS["desaturation"][0] in text and SKIP_REASONS["missing_channel"][0] in text
    assert DETECTORS["rswa"][0] in text and SKIP_REASONS["no_rem"][0] in text
    for english in ("desaturation", "respiratory", "rswa", "new_detector", "new detector",
                    "missing_channel", "flat_channel", "no_rem", "some_new_code", "SpO2 channel",
                    "looked for", "is flat", "epochs", "brand-new", "Drops in blood oxygen"):
        assert english not in text, english
    assert "niet geanalyseerd" in text  # an unknown code still says something, in Dutch


def test_english_report_names_skipped_detectors_in_english(household):
    data = build(household, psg=PSG, lang="en")
    text = _text(render_html(data, figures=False))
    assert DETECTORS["desaturation"][1] in text and SKIP_REASONS["missing_channel"][1] in text
    assert "missing_channel" not in text


def test_dutch_report_says_voorval_not_episode(demo_nl):
    html = render_html(demo_nl, figures=True)
    assert "Voorvallen genoteerd" in html and "Voorvallen per week" in html
    # What a reader sees: the text of the body and the labels read aloud (not CSS/classes).
    body = html[html.index("<body"):]
    seen = _text(body) + " " + " ".join(re.findall(r'aria-label="([^"]*)"', body))
    assert not re.search(r"\b[Ee]pisodes?\b", seen), re.findall(r".{40}[Ee]pisode.{40}", seen)


def test_factor_rows_are_compact_and_say_how_many_nights(demo_nl, demo_en):
    for data, words in ((demo_nl, (" tegen ", "op ")), (demo_en, (" vs ", "on "))):
        assert data.factors
        for f in data.factors:
            assert f.counts and words[0] in f.counts, f
            assert f.rests_on.startswith(words[1]) and str(f.n_nights) in f.rests_on
            # The sentence for the sleeper ("Als we ook het toeval meewegen ...") is gone.
            assert "toeval" not in f.counts + f.estimate_text
            assert "chance" not in f.counts + f.estimate_text


def test_english_demo_pdf_is_at_most_two_pages(demo_en, tmp_path):
    needs("pdfinfo")
    pdf = render_pdf(demo_en, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages <= 2


def test_checklist_no_answers_are_one_line(demo_nl):
    html = render_html(demo_nl, figures=False)
    nos = [c.label for c in demo_nl.checklist if c.value is False]
    text = _text(html.replace("&#39;", "'"))
    assert nos and "Beantwoord met nee: " + "; ".join(nos) in text
    assert "□ nee" not in text  # no box per "nee" answer any more
