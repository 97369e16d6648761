"""Knowledge pages: both languages, the agreed sections, a not-a-diagnosis line, safe HTML, search."""

from __future__ import annotations

import pytest

from nachtwacht import knowledge
from nachtwacht.knowledge import NOT_A_DIAGNOSIS, SECTIONS

REQUIRED = {"sexsomnia", "sleepwalking", "hypnic-jerks", "restless-legs-plm", "muscle-tension-bruxism",
            "substances-and-sleep", "compulsive-sexual-behaviour", "nightmares-and-dream-enactment",
            "sleep-apnea", "insomnia-cbt-i", "low-mood-and-sleep", "sleep-study", "about"}


def test_same_pages_in_both_languages_and_all_required_ones() -> None:
    nl = {p.slug for p in knowledge.pages("nl")}
    en = {p.slug for p in knowledge.pages("en")}
    assert nl == en
    assert nl >= REQUIRED


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_complaint_pages_have_every_section_and_a_faq(lang: str) -> None:
    for p in knowledge.pages(lang):
        assert p.title and p.summary and p.keywords, p.slug
        if p.kind == "condition":
            assert tuple(s.heading for s in p.sections) == SECTIONS[lang], p.slug
            assert len(p.faq) >= 2, p.slug
            assert all(q.endswith("?") and a for q, a in p.faq), p.slug


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_shows_it_is_not_a_diagnosis(lang: str) -> None:
    for p in knowledge.pages(lang):
        assert NOT_A_DIAGNOSIS[lang] in p.html
        assert NOT_A_DIAGNOSIS[lang] in p.markdown


def test_where_to_get_help_now_is_on_the_mood_page_in_both_languages() -> None:
    for lang in ("nl", "en"):
        html = knowledge.page("low-mood-and-sleep", lang).html
        assert "0800-0113" in html and "113.nl" in html and "112" in html
        assert html.index("0800-0113") < html.index("<h2>")  # before everything else


def test_about_page_names_emergency_numbers() -> None:
    text = knowledge.page("about", "nl").markdown.lower()
    assert "112" in text and "huisartsenpost" in text and "geen diagnose" in text


def test_unknown_page_and_language() -> None:
    with pytest.raises(KeyError, match="known pages"):
        knowledge.page("no-such-thing", "nl")
    with pytest.raises(ValueError, match="language"):
        knowledge.pages("de")


def test_markdown_is_rendered_without_raw_html() -> None:
    html = knowledge.render("Hallo <script>alert(1)</script> **vet**\n\n<iframe src=x></iframe>")
    assert "<script>" not in html and "<iframe" not in html
    assert "&lt;script&gt;" in html and "<strong>vet</strong>" in html


@pytest.mark.parametrize(("query", "lang", "slug"), [
    ("tandenknarsen", "nl", "muscle-tension-bruxism"),
    ("kaak", "nl", "muscle-tension-bruxism"),
    ("Kaakklemmen", "nl", "muscle-tension-bruxism"),
    ("ketamine", "nl", "substances-and-sleep"),
    ("ketamine", "en", "substances-and-sleep"),
    ("cafeïne", "nl", "substances-and-sleep"),
    ("cafeine", "nl", "substances-and-sleep"),
    ("slaapwandelen", "nl", "sleepwalking"),
    ("seks in mijn slaap", "nl", "sexsomnia"),
    ("inslaapschok", "nl", "hypnic-jerks"),
    ("rusteloze benen", "nl", "restless-legs-plm"),
    ("snurken", "nl", "sleep-apnea"),
    ("zelfdoding", "nl", "low-mood-and-sleep"),
    ("teeth grinding", "en", "muscle-tension-bruxism"),
    ("polysomnography", "en", "sleep-study"),
    ("sleep restriction", "en", "insomnia-cbt-i"),
])
def test_search_finds_the_right_page_first(query: str, lang: str, slug: str) -> None:
    found = knowledge.search(query, lang)
    assert found and found[0].slug == slug, [p.slug for p in found[:3]]


def test_search_without_a_match_is_empty() -> None:
    assert knowledge.search("xyzzy", "nl") == []
    assert knowledge.search("   ", "en") == []


def test_page_as_json() -> None:
    import json

    d = knowledge.page("sexsomnia", "en").to_dict()
    assert json.loads(json.dumps(d))["faq"][0]["question"].endswith("?")
    assert d["not_a_diagnosis"] in d["html"]


@pytest.mark.parametrize(("query", "lang"), [
    ("dood", "nl"), ("zelfmoord", "nl"), ("suicide", "nl"), ("suicide", "en"), ("death", "en"),
    ("niet meer wakker worden", "nl"), ("not waking up", "en"), ("wil dood", "nl"),
])
def test_crisis_words_find_a_page_with_113_first(query: str, lang: str) -> None:
    # Issue #11: searching "dood" found nothing; the first hit must name 113 (0800-0113).
    first = knowledge.search(query, lang)[0]
    assert "0800-0113" in first.html and 'href="tel:08000113"' in first.html


def test_crisis_page_names_every_help_line_as_a_tel_link() -> None:
    for lang in ("nl", "en"):
        html = knowledge.page("crisis-help", lang).html
        for number, href in (("0800-0113", "tel:08000113"), ("0800-2000", "tel:08002000"),
                             ("0800-0188", "tel:08000188"), ("112", "tel:112")):
            assert number in html and f'href="{href}"' in html, (lang, number)
        assert "Veilig Thuis" in html and "Centrum Seksueel Geweld" in html
