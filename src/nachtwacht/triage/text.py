"""Read free text (notes, behaviours, known conditions) with negation and uncertainty.

A small ConText-style phrase matcher (Harkema et al. 2009, after NegEx by Chapman et
al. 2001; ContextD is its Dutch adaptation by Afzal et al. 2014), for Dutch and English
at once, because a diary may mix both:

1. the text is folded (lower case, no accents) and cut into clauses at ``. ! ? ; :``,
   line breaks and termination cues ("maar", "but"): a negation never reaches over
   those;
2. trigger phrases of the lexicon (``lexicon.yaml``) are found with word boundaries, so
   "k" never matches inside "vitamine k" unless a rule asks for the bare word and
   "dood" never matches "doodmoe";
3. pseudo-triggers ("kind of", "niet alleen") are masked first, so they neither match
   nor negate;
4. a negation cue up to :data:`PRE_WINDOW` words before the phrase ("gelukkig niemand
   gewond", "no one was hurt") or up to :data:`POST_WINDOW` words after it ("gewond
   raakte niemand", "injury: none") marks the hit *negated*; an uncertainty cue
   ("misschien", "not sure") marks it *uncertain*; a concept's own ``negated_by`` cues
   anywhere in the clause ("dochter sliep bij een vriendin") negate it too;
5. temporality (ConText's "historical" and "hypothetical"): a cue in the same window
   ("sinds 2019", "vroeger", "years ago") marks the hit *historical*, a cue up to
   :data:`HYPOTHETICAL_WINDOW` words before or inside the phrase ("vanaf maandag", "ga
   stoppen", "going to quit") marks it *hypothetical* (planned), so a rule can tell a stop years ago or next week from a
   stop now.

Spelling: ``niet`` in a phrase also matches the Flemish ``nie``, and the Flemish
contractions ``'k`` (ik) and ``'t`` (het) are blanked before matching, so "'k zie 't
nie meer zitten" reads as "zie .. niet meer zitten" and "'k" is never the drug "k".

Why not a library: the packages that implement ConText for Python (negspacy, medspacy,
pyConTextNLP) are built on spaCy, pull in a large model dependency, and ship English
termsets only; none is installable here. The whole method is a few dozen lines, and the
lexicon stays reviewable data with its own tests (``tests/triage/test_triage_text.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON = Path(__file__).resolve().parent / "lexicon.yaml"
#: Words before / after a trigger that a negation cue may stand at.
PRE_WINDOW = 5
POST_WINDOW = 3
#: Words before a trigger a plan cue ("vanaf maandag", "van plan om te") may stand at.
HYPOTHETICAL_WINDOW = 4
_CLAUSE = re.compile(r"[.!?;:,\n]+|\s-\s")
_TOKEN = re.compile(r"\w+(?:['’]\w+)?")
#: Flemish/colloquial "'k" (ik) and "'t" (het), also glued on ("da'k"); not English
#: "n't" (didn't, don't), which the negation cues need.
_CONTRACTION = re.compile(r"(?<!n)['’][kt](?!\w)")


@dataclass(frozen=True)
class Mention:
    """One trigger phrase found in a text.

    ``phrase`` is the person's own words as written (not folded), so evidence can
    quote them; ``strong`` marks a phrase the lexicon lists as strong (it outranks an
    explicit "no" answer).
    """

    concept: str
    phrase: str
    negated: bool
    uncertain: bool
    strong: bool
    start: int
    #: Said of the past ("sinds 2019", "vroeger", "years ago").
    historical: bool = False
    #: Said as a plan or wish ("vanaf maandag", "ga stoppen", "going to quit").
    hypothetical: bool = False

    @property
    def affirmed(self) -> bool:
        """Said, and not negated."""
        return not self.negated


@dataclass(frozen=True)
class Concept:
    """One lexicon concept: compiled trigger phrases and their options."""

    name: str
    pattern: re.Pattern[str]
    strong: re.Pattern[str] | None
    #: Episode yes/no field whose explicit "no" outranks a weak mention.
    outranked_by: str
    #: Count uncertain mentions ("misschien", "not sure") as said (safety concepts).
    keep_uncertain: bool
    #: Ignore negation (the phrase is itself negative, e.g. "wil er niet meer zijn").
    no_negation: bool
    #: Words before the phrase a negation cue may stand at (smaller for safety concepts).
    negation_window: int = 5
    #: Cues anywhere in the clause that negate this concept only ("bij een vriendin"
    #: for a child who was elsewhere).
    negated_by: re.Pattern[str] | None = None


def fold(text: str) -> str:
    """Lower case without accents, one character for one character (keeps positions)."""
    out = []
    for ch in str(text):
        f = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        f = f.casefold()
        out.append(f[:1] if len(f) >= 1 else " ")
    return "".join(out)


def compile_terms(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex for a list of lexicon phrases.

    A phrase is words separated by spaces; ``*`` at the end of a word allows any ending
    (``suicid*``), ``..`` stands for up to three other words (``wil .. dood``), ``#``
    for one digit (``a#*`` is a road number such as A12, ``sinds ####`` a year). The
    word ``niet`` also matches the Flemish ``nie``. Every phrase matches on word
    boundaries only.
    """
    alts = []
    for term in sorted({fold(t).strip() for t in terms if str(t).strip()}, key=len, reverse=True):
        rx, gap = "", False
        for word in term.split():
            if word == "..":
                gap = True
                continue
            piece = (r"niet?" if word == "niet" else re.escape(word.rstrip("*")).replace("\\#", r"\d")
                     + (r"\w*" if word.endswith("*") else ""))
            if rx:
                rx += r"[\s-]+(?:\S+[\s-]+){0,3}?" if gap else r"[\s-]+"
            rx += piece
            gap = False
        alts.append(rx)
    if not alts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")


@dataclass(frozen=True, eq=False)  # hashed by identity: the find cache keys on it
class Lexicon:
    """Concepts and context cues, compiled once."""

    concepts: Mapping[str, Concept]
    negation_pre: re.Pattern[str]
    negation_post: re.Pattern[str]
    uncertainty: re.Pattern[str]
    pseudo: re.Pattern[str]
    termination: re.Pattern[str]
    historical: re.Pattern[str] = re.compile(r"(?!x)x")
    hypothetical: re.Pattern[str] = re.compile(r"(?!x)x")

    def find(self, text: str, concepts: Iterable[str] | None = None) -> list[Mention]:
        """All mentions of ``concepts`` (default: every concept) in ``text``."""
        return [m for m in _find_cached(self, str(text or ""))
                if concepts is None or m.concept in set(concepts)]


@lru_cache(maxsize=8192)
def _find_cached(lex: Lexicon, text: str) -> tuple[Mention, ...]:
    if not text.strip():
        return ()
    folded = _CONTRACTION.sub(lambda m: " " * len(m.group(0)), fold(text))
    masked = lex.pseudo.sub(lambda m: " " * len(m.group(0)), folded)
    out: list[Mention] = []
    for start, end in _clauses(masked, lex.termination):
        clause = masked[start:end]
        for c in lex.concepts.values():
            for m in c.pattern.finditer(clause):
                before = clause[:m.start()]
                after = clause[m.end():]
                pre = " ".join(_TOKEN.findall(before)[-c.negation_window:])
                post = " ".join(_TOKEN.findall(after)[:POST_WINDOW])
                wide = " ".join(_TOKEN.findall(before)[-PRE_WINDOW:])
                negated = not c.no_negation and bool(
                    lex.negation_pre.search(pre) or lex.negation_post.search(post)
                    or (c.negated_by and c.negated_by.search(clause[:m.start()] + " " + after)))
                uncertain = bool(lex.uncertainty.search(wide) or lex.uncertainty.search(post))
                strong = bool(c.strong and c.strong.fullmatch(m.group(0)))
                historical = bool(lex.historical.search(wide) or lex.historical.search(post))
                # A plan word stands before the phrase or inside it ("ga stoppen"), never
                # after it: "gisteren gestopt en ik ga ..." is a stop that happened.
                near = " ".join(_TOKEN.findall(before)[-HYPOTHETICAL_WINDOW:])
                hypothetical = bool(lex.hypothetical.search(f"{near} {m.group(0)}"))
                a, b = start + m.start(), start + m.end()
                out.append(Mention(c.name, text[a:b], negated, uncertain, strong, a,
                                   historical, hypothetical))
    return tuple(sorted(out, key=lambda m: m.start))


def _clauses(folded: str, termination: re.Pattern[str]) -> list[tuple[int, int]]:
    cuts = sorted({0, len(folded), *(m.start() for m in _CLAUSE.finditer(folded)),
                   *(m.start() for m in termination.finditer(folded))})
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def parse_lexicon(data: Any, source: str = "lexicon.yaml") -> Lexicon:
    """Check and compile a lexicon mapping (``cues`` and ``concepts``)."""
    from .conditions import RuleError

    if not isinstance(data, Mapping) or set(data) != {"cues", "concepts"}:
        raise RuleError(f"{source}: needs exactly the keys 'cues' and 'concepts'")
    cues = data["cues"]
    need = {"negation_pre", "negation_post", "uncertainty", "pseudo", "termination"}
    optional = {"historical", "hypothetical"}
    if not isinstance(cues, Mapping) or not need <= set(cues) <= need | optional:
        raise RuleError(f"{source}: cues needs exactly {sorted(need)} (and optionally {sorted(optional)})")
    for k, v in cues.items():
        if not isinstance(v, list) or not all(isinstance(w, str) and w.strip() for w in v):
            raise RuleError(f"{source}: cue list {k!r} must be a list of words")
    concepts: dict[str, Concept] = {}
    for name, raw in (data["concepts"] or {}).items():
        where = f"{source} concept {name!r}"
        if isinstance(raw, list):
            raw = {"terms": raw}
        if not isinstance(raw, Mapping):
            raise RuleError(f"{where}: expected a list of phrases or a mapping")
        unknown = set(raw) - {"terms", "strong", "outranked_by", "keep_uncertain", "no_negation",
                              "negation_window", "negated_by"}
        if unknown:
            raise RuleError(f"{where}: unknown key(s) {sorted(unknown)}")
        terms, strong = raw.get("terms", []), raw.get("strong", [])
        negated_by = raw.get("negated_by", [])
        for lst in (terms, strong, negated_by):
            if not isinstance(lst, list) or not all(isinstance(w, str) and w.strip() for w in lst):
                raise RuleError(f"{where}: terms and strong must be lists of phrases")
        if not terms and not strong:
            raise RuleError(f"{where}: no phrases")
        concepts[str(name)] = Concept(str(name), compile_terms([*terms, *strong]),
                                      compile_terms(strong) if strong else None,
                                      str(raw.get("outranked_by", "")),
                                      bool(raw.get("keep_uncertain", False)),
                                      bool(raw.get("no_negation", False)),
                                      int(raw.get("negation_window", PRE_WINDOW)),
                                      compile_terms(negated_by) if negated_by else None)
    return Lexicon(concepts, compile_terms(cues["negation_pre"]), compile_terms(cues["negation_post"]),
                   compile_terms(cues["uncertainty"]), compile_terms(cues["pseudo"]),
                   compile_terms(cues["termination"]), compile_terms(cues.get("historical", [])),
                   compile_terms(cues.get("hypothetical", [])))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped lexicon (``lexicon.yaml``)."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return parse_lexicon(yaml.load(LEXICON.read_text(encoding="utf-8"), Loader=loader))
