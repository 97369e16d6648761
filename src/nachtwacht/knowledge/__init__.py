"""Knowledge pages: one page per complaint, in Dutch and English, searchable.

Pages live in ``pages/<lang>/<slug>.md``: YAML front matter (``title``, ``summary``,
``keywords``, optionally ``kind: info`` for pages that are not about one complaint)
and Markdown with ``##`` sections. Complaint pages have the same sections in the same
order (what it is, what happens in the brain, triggers, when to see the GP, what a
sleep study looks for, what helps, FAQ); the FAQ uses ``###`` per question. Every page
shows a line that it is information, not a diagnosis. Markdown is rendered with raw
HTML switched off, so a page can never inject markup.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["NOT_A_DIAGNOSIS", "SECTIONS", "Page", "Section", "page", "pages", "render", "search"]

PAGES_DIR = Path(__file__).resolve().parent / "pages"
LANGS = ("nl", "en")

#: The visible line on every page.
NOT_A_DIAGNOSIS = {
    "nl": "Dit is informatie, geen diagnose. Twijfelt u of maakt u zich zorgen, bel dan uw huisarts. "
          "Bij direct gevaar: bel 112.",
    "en": "This is information, not a diagnosis. If in doubt or worried, call your GP. "
          "In immediate danger: call 112.",
}

#: Section headings of a complaint page, in order.
SECTIONS = {
    "nl": ("Wat is het?", "Wat gebeurt er in de hersenen?", "Wat maakt het erger?",
           "Wanneer naar de huisarts?", "Wat kijkt een slaaponderzoek na?", "Wat helpt?",
           "Veelgestelde vragen"),
    "en": ("What is it?", "What happens in the brain?", "What makes it worse?",
           "When to see your GP", "What does a sleep study look for?", "What helps?",
           "Frequently asked questions"),
}


@dataclass(frozen=True)
class Section:
    """One ``##`` section of a page."""

    heading: str
    markdown: str
    html: str


@dataclass(frozen=True)
class Page:
    """One knowledge page in one language."""

    slug: str
    lang: str
    title: str
    summary: str
    keywords: tuple[str, ...]
    kind: str
    sections: tuple[Section, ...]
    faq: tuple[tuple[str, str], ...]
    body: str
    #: Text before the first section (e.g. where to get help now), as HTML.
    intro_html: str = ""

    @property
    def markdown(self) -> str:
        """The page as Markdown, with title and the not-a-diagnosis line."""
        return f"# {self.title}\n\n*{NOT_A_DIAGNOSIS[self.lang]}*\n\n{self.summary}\n\n{self.body}\n"

    @property
    def html(self) -> str:
        """The page as an HTML fragment (title, not-a-diagnosis line, summary, sections)."""
        parts = [f"<h1>{_html.escape(self.title)}</h1>",
                 f'<p class="not-a-diagnosis">{_html.escape(NOT_A_DIAGNOSIS[self.lang])}</p>',
                 f'<p class="summary">{_html.escape(self.summary)}</p>']
        if self.intro_html:
            parts.append(f'<div class="intro">{self.intro_html}</div>')
        for s in self.sections:
            parts.append(f"<h2>{_html.escape(s.heading)}</h2>\n{s.html}")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready page (for the API): metadata, HTML, sections and FAQ."""
        return {"slug": self.slug, "lang": self.lang, "title": self.title, "summary": self.summary,
                "keywords": list(self.keywords), "kind": self.kind,
                "not_a_diagnosis": NOT_A_DIAGNOSIS[self.lang], "html": self.html,
                "sections": [{"heading": s.heading, "html": s.html} for s in self.sections],
                "faq": [{"question": q, "answer": a} for q, a in self.faq]}

    def section(self, heading: str) -> Section:
        """Return a section by heading (KeyError if absent)."""
        for s in self.sections:
            if s.heading == heading:
                return s
        raise KeyError(f"page {self.slug!r} ({self.lang}) has no section {heading!r}")


def render(markdown_text: str) -> str:
    """Render Markdown to HTML with raw HTML disabled (it is shown as text)."""
    try:
        import markdown
    except ImportError:  # pragma: no cover - markdown is a declared dependency
        return _tiny_render(markdown_text)
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md.convert(markdown_text)


def _tiny_render(text: str) -> str:
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_html.escape(line.lstrip()[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_html.escape(' '.join(lines))}</p>")
    return "\n".join(out)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'nl' or 'en'")


def _parse(path: Path, lang: str) -> Page:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not m:
        raise ValueError(f"{path}: a page starts with YAML front matter between '---' lines")
    # libyaml's safe loader when available (several times faster on every page).
    meta = yaml.load(m.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    unknown = set(meta) - {"title", "summary", "keywords", "kind"}
    if unknown or not meta.get("title") or not meta.get("summary"):
        raise ValueError(f"{path}: front matter needs title and summary (unknown keys: {sorted(unknown)})")
    body = m.group(2).strip()
    sections, faq = [], []
    faq_heading = SECTIONS[lang][-1]
    chunks = re.split(r"^## ", body, flags=re.M)
    intro = chunks[0].strip()
    for chunk in chunks[1:]:
        heading, _, content = chunk.partition("\n")
        heading, content = heading.strip(), content.strip()
        sections.append(Section(heading, content, render(content)))
        if heading == faq_heading:
            for q in re.split(r"^### ", content, flags=re.M)[1:]:
                question, _, answer = q.partition("\n")
                faq.append((question.strip(), " ".join(answer.split())))
    return Page(path.stem, lang, str(meta["title"]), " ".join(str(meta["summary"]).split()),
                tuple(str(k) for k in meta.get("keywords", ())), str(meta.get("kind", "condition")),
                tuple(sections), tuple(faq), body, render(intro) if intro else "")


@lru_cache(maxsize=2)
def _load(lang: str) -> dict[str, Page]:
    return {p.stem: _parse(p, lang) for p in sorted((PAGES_DIR / lang).glob("*.md"))}


def pages(lang: str = "nl") -> list[Page]:
    """All pages in ``lang``, sorted by slug."""
    _check_lang(lang)
    return list(_load(lang).values())


def page(slug: str, lang: str = "nl") -> Page:
    """The page ``slug`` in ``lang``; KeyError naming the known slugs if it does not exist."""
    _check_lang(lang)
    found = _load(lang).get(slug)
    if found is None:
        known = ", ".join(sorted(_load(lang)))
        raise KeyError(f"no knowledge page {slug!r} in {lang!r}; known pages: {known}")
    return found


def _fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if not unicodedata.combining(c)).casefold()


_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"de", "het", "een", "en", "van", "in", "op", "bij", "is", "ik", "mijn", "the", "a", "an",
         "and", "of", "on", "my", "i", "to", "wat", "what", "how", "hoe", "met", "with"}


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(_fold(text)) if w not in _STOP]


def search(query: str, lang: str = "nl") -> list[Page]:
    """Pages matching ``query``, best first (accent- and case-insensitive).

    Scores a word found in a keyword highest, then the title, summary and text. Parts of
    Dutch compounds count ("kaak" finds "kaakklemmen"), as do prefixes of longer words.
    """
    _check_lang(lang)
    words = _tokens(query)
    if not words:
        return []
    phrase = " ".join(_WORD.findall(_fold(query)))
    scored = []
    for p in pages(lang):
        keywords = [_fold(k) for k in p.keywords]
        title, summary = _fold(p.title), _fold(p.summary)
        text = _tokens(p.body)
        # A whole phrase that is a keyword ("niet meer wakker worden") beats pages that
        # merely use its words often: crisis words must find the crisis page first.
        score = 25.0 if len(words) > 1 and phrase in keywords else 0.0
        for w in words:
            hit = 0.0
            if any(w == k for k in keywords):
                hit += 10
            elif any(w in k for k in keywords) or (len(w) >= 5 and any(k in w for k in keywords if len(k) >= 4)):
                hit += 6
            if w in title:
                hit += 5
            if w in summary:
                hit += 3
            hit += min(5, sum(1 for t in text if t == w or (len(w) >= 4 and t.startswith(w))))
            score += hit
        if score > 0:
            scored.append((score, p.slug, p))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [p for _, _, p in scored]
