"""What the triage conditions look at: a diary, made easy to query.

:class:`Facts` wraps a :class:`~nachtwacht.diary.types.Diary` with sorted nights and
episodes, per-night sleep figures (from :mod:`nachtwacht.diary.metrics` when present,
else a small private calculation), substance aliases, the insight findings (computed
lazily, and only if a rule asks for them) and the codes of flags that already fired.

It is also the one fact base of issue #11: :attr:`Facts.text_facts` holds every lexicon
mention in every free-text field with its source, so rules, the plan guard and the
report cite the same evidence. (About 600 lines: the queries share caches, kept per
diary here because the triage asks them for every night of every rule; the caches
shared across diaries live in :mod:`.shared`.)
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nachtwacht.diary import fields as F  # noqa: N812 - short, used everywhere
from nachtwacht.diary.types import Diary, Episode, Night

from . import shared
from .text import Mention, load_lexicon
from .types import Evidence

log = logging.getLogger(__name__)

#: Fields where recreational names are never looked for.
MEDICATION_FIELDS = ("medication", "regular_medication")
#: Sleep figures a ``nights``/``mean`` condition may use besides the Night fields.
METRICS: tuple[str, ...] = ("tst_min", "tib_min", "se_pct")

_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_YES = {"nl": "ja", "en": "yes"}
_NO = {"nl": "nee", "en": "no"}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, so ``Cafeïne`` matches ``cafeine``."""
    norm = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in norm if not unicodedata.combining(c)).casefold().strip()


def fmt_date(d: dt.date | None, lang: str) -> str:
    """Short human date: ``3 jan`` / ``3 Jan``."""
    if d is None:
        return ""
    return f"{d.day} {_MONTHS.get(lang, _MONTHS['nl'])[d.month - 1]}"


def clock_minutes(value: Any, anchor: str) -> float | None:
    """Minutes on a night-friendly scale: evening-anchored times count from noon.

    ``caffeine_last 01:00`` is later than ``23:00`` on the evening scale (780 > 660),
    which is what "after 15:00" means in a diary dated by the morning.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, str):
        value = parse_clock(value)
    minutes = value.hour * 60 + value.minute
    if anchor == "evening":
        return float((minutes - 12 * 60) % (24 * 60))
    return float(minutes)


def day_minutes(value: Any) -> float | None:
    """Minutes since 05:00: the scale for "last coffee", "last drink", "exercise ended".

    These evening-anchored factor times are mostly during the day before the night
    (coffee at 10:00) and sometimes after midnight (a drink at 01:00); counting from
    05:00 orders both correctly, so "after 15:00" is a plain comparison.
    """
    base = clock_minutes(value, "morning")
    return None if base is None else float((base - 5 * 60) % (24 * 60))


def parse_clock(text: str) -> dt.time:
    """Parse ``HH:MM`` (ValueError with the offending text otherwise)."""
    try:
        hh, mm = str(text).strip().split(":")
        return dt.time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise ValueError(f"not a clock time HH:MM: {text!r}") from None


class Facts:
    """Query helper over one diary; cheap to build, caches what it computes.

    Rules, plan triggers and hints ask the same questions many times (every rule that
    looks for a substance scans every night), so folded text, alias words, substance
    hits per night and episode selections are cached here, per diary: a three-year
    diary would otherwise fold the same strings hundreds of thousands of times.

    ``night_figures`` may hold precomputed :class:`~nachtwacht.diary.metrics.NightMetrics`
    (or dicts) by date, e.g. from the report, which computes them anyway.
    """

    def __init__(
        self,
        diary: Diary,
        lang: str = "nl",
        insight: Any = None,
        use_insight: bool = True,
        aliases: Mapping[str, Sequence[str]] | None = None,
        night_figures: Mapping[dt.date, Any] | None = None,
        vocabulary: Any = None,
    ) -> None:
        self.diary = diary
        self.lang = lang
        self.profile = diary.profile
        self.nights: tuple[Night, ...] = tuple(sorted(diary.nights, key=lambda n: n.date))
        self.episodes: tuple[Episode, ...] = tuple(
            sorted(diary.episodes, key=lambda e: (e.date, clock_minutes(e.time, "evening") or 0))
        )
        self.night_by_date = {n.date: n for n in self.nights}
        dates = [n.date for n in self.nights] + [e.date for e in self.episodes]
        #: "Now" for ``within_days``: the last day anything was recorded.
        self.ref_date: dt.date | None = max(dates) if dates else None
        if vocabulary is not None and aliases is None:
            aliases = vocabulary.aliases
        folded, self.recreational, self.treatments, self.bare = shared.folded_vocabulary(
            vocabulary, aliases, fold)
        self.aliases = dict(folded)
        self.lexicon = load_lexicon()
        #: Codes of the flags raised so far, with the numbers their texts used.
        self.fired: dict[str, dict[str, Any]] = {}
        #: Level and condition of each raised flag (for ``fired:`` conditions).
        self.fired_meta: dict[str, tuple[str, str]] = {}
        self._insight = insight
        self._insight_tried = insight is not None or not use_insight
        self._metrics: dict[dt.date, dict[str, float | None]] = {}
        for d, nm in (night_figures or {}).items():
            get = nm.get if isinstance(nm, Mapping) else lambda k, nm=nm: getattr(nm, k, None)
            self._metrics[d] = {k: get(k) for k in METRICS}
        # Caches; keys are plain values, or ids of nights held by this object.
        self._folded: dict[str, str] = {}
        self._words: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._taken: dict[int, tuple[Night, tuple[str, ...], dict[tuple[str, ...], Any]]] = {}
        self._matched: dict[tuple[tuple[str, ...], tuple[str, ...], str], tuple[str, ...]] = {}
        self._alias_hits: dict[tuple[str, str], bool] = {}
        self._ep_evidence: dict[int, tuple[Episode, Evidence]] = {}
        self._text_facts: tuple[TextFact, ...] | None = None
        self._window_start: dict[tuple[Any, dt.date], dt.date] = {}
        self._field_evidence: dict[tuple[int, str], tuple[Night, Evidence]] = {}
        #: Free for the condition evaluator to memoise pure, diary-only results.
        self.memo: dict[Any, Any] = {}
        by_type: dict[str, list[Episode]] = {}
        for ep in self.episodes:
            by_type.setdefault(ep.type, []).append(ep)
        #: Episodes per type, each in diary order.
        self.episodes_by_type = {k: tuple(v) for k, v in by_type.items()}
        self._episode_index = {id(ep): i for i, ep in enumerate(self.episodes)}

    def episode_order(self, ep: Episode) -> int:
        """Position of one of this diary's episodes in :attr:`episodes`."""
        return self._episode_index[id(ep)]

    def fold(self, text: str) -> str:
        """:func:`fold` with a per-diary cache."""
        out = self._folded.get(text)
        if out is None:
            out = self._folded[text] = fold(text)
        return out

    def alias_words(self, names: Iterable[str]) -> tuple[str, ...]:
        """Folded alias words of all ``names`` (a name without aliases stands for itself)."""
        key = tuple(names)
        words = self._words.get(key)
        if words is None:
            words = tuple(w for n in key for w in self.aliases.get(self.fold(n), (self.fold(n),)))
            self._words[key] = words
        return words

    def _alias_hit(self, word: str, taken: str) -> bool:
        key = (word, taken)
        hit = self._alias_hits.get(key)
        if hit is None:
            hit = self._alias_hits[key] = _alias_match(word, taken, self.bare)
        return hit

    # -- time windows -----------------------------------------------------------------
    def in_window(self, d: dt.date, within_days: int | None) -> bool:
        """True if ``d`` is within the last ``within_days`` days of the diary."""
        if within_days is None or self.ref_date is None:
            return True
        # Asked for every night and episode by many rules: the first day before the
        # window is worked out once per window (and "now", which device_clock may move).
        key = (within_days, self.ref_date)
        start = self._window_start.get(key)
        if start is None:
            start = self._window_start[key] = self.ref_date - dt.timedelta(days=int(within_days))
        return d > start

    # -- sleep figures -----------------------------------------------------------------
    def metric(self, night: Night, name: str) -> float | None:
        """Return ``tst_min``, ``tib_min`` or ``se_pct`` of one night (None if unknown)."""
        figures = self._metrics.get(night.date)
        if figures is None:
            figures = self._metrics[night.date] = shared.night_figures(night, self.diary.tz, _night_figures)
        return figures.get(name)

    def night_value(self, night: Night, name: str) -> Any:
        """A Night field or a sleep figure by name."""
        if name in METRICS:
            return self.metric(night, name)
        return getattr(night, name)

    # -- substances --------------------------------------------------------------------
    def uses(self, night: Night, names: Iterable[str]) -> list[str]:
        """Which of ``names`` (alias groups; ``alcohol`` = any units) were used this night.

        Recreational names (see ``recreational`` in the vocabulary) are looked for in the
        "other substances" field only: a medicine someone takes is never drug use.
        Entries naming a treatment ("esketamine", "Spravato", "vitamine K") never count.
        """
        names = tuple(names)
        if not night.substances and not night.medication and night.substances is not None \
                and night.medication is not None:
            # Nothing written this night (most nights): only alcohol can count, as below.
            return [n for n in names if self.fold(n) == "alcohol" and (night.alcohol_units or 0) >= 1]
        held = self._taken.get(id(night))
        if held is None or held[0] is not night:
            # Keeping the night itself in the cache pins its id: no other object can
            # take that id while the entry lives.
            held = (night, (tuple(self.fold(s) for s in night.substances),
                            tuple(self.fold(s) for s in night.medication)), {})
            self._taken[id(night)] = held
        _, (subst, meds), done = held
        cached = done.get(names)
        if cached is not None:
            return list(cached)
        hits: list[str] = []
        for name in names:
            key = self.fold(name)
            if key == "alcohol" and (night.alcohol_units or 0) >= 1:
                hits.append(name)
                continue
            if self._entry_hits(night, key, subst, meds):
                hits.append(name)
        done[names] = tuple(hits)
        return hits

    def _entry_hits(self, night: Night, key: str, subst: Sequence[str], meds: Sequence[str]) -> list[str]:
        """The folded entries of one night that stand for substance ``key``."""
        pool = subst if key in self.recreational else (*subst, *meds)
        out = []
        for t in pool:
            if self.is_treatment(t):
                continue
            words = [w for w in self.alias_words((key,)) if self._alias_hit(w, t)]
            if not words:
                continue
            # A bare alias ("coke", "k", "g") needs context (issue #11): another drug that
            # night, drug words in the night's note, an amount in ml, or the same substance
            # written out elsewhere in the diary. "coke" next to "diet coke" is cola.
            if all(w in self.bare for w in words) and not self._bare_context(night, key, t):
                continue
            out.append(t)
        return out

    def _bare_context(self, night: Night, key: str, entry: str) -> bool:
        if re.search(r"\d\s*ml\b", entry):
            return True
        others = [self.fold(s) for s in night.substances if self.fold(s) != entry]
        if any(self._alias_hit(w, o) for o in others for r in self.recreational
               for w in self.alias_words((r,)) if w not in self.bare):
            return True
        if night.notes and self.said(night.notes, ["drug_context"]):
            return True
        memo_key = ("written_out", key)
        if memo_key not in self.memo:
            full = [w for w in self.alias_words((key,)) if w not in self.bare]
            self.memo[memo_key] = any(
                self._alias_hit(w, self.fold(s)) for n in self.nights for s in n.substances
                for w in full)
        return bool(self.memo[memo_key])

    def is_treatment(self, entry: str) -> bool:
        """True if a (folded) entry names a prescribed treatment rather than use."""
        return any(_word_in(w, entry) for w in self.treatments)

    def own_words(self, night: Night, names: Iterable[str]) -> list[str]:
        """The person's own entries behind :meth:`uses` (for evidence), e.g. ``["keta"]``."""
        out = []
        for name in names:
            key = self.fold(name)
            if key == "alcohol" and (night.alcohol_units or 0) >= 1:
                out.append(f"{night.alcohol_units:g} " + ("glazen" if self.lang == "nl" else "drinks"))
                continue
            subst = tuple(self.fold(x) for x in night.substances)
            meds = tuple(self.fold(x) for x in night.medication)
            hit = set(self._entry_hits(night, key, subst, meds))
            for raw in (*night.substances, *night.medication):
                if self.fold(raw) in hit and raw not in out:
                    out.append(raw)
        return out

    def matches_alias(self, values: Iterable[str], names: Iterable[str], field: str = "") -> list[str]:
        """Return the values that match any of ``names``.

        A name of the free-text lexicon (``lexicon.yaml``) is read with negation ("geen
        epilepsie" does not count); other names are substance or condition aliases.
        Recreational names never match the medication fields.
        """
        key = (tuple(values), tuple(names), field)
        hits = self._matched.get(key)
        if hits is None:
            concepts = [n for n in key[1] if n in self.lexicon.concepts]
            others = [n for n in key[1] if n not in self.lexicon.concepts
                      and not (field in MEDICATION_FIELDS and self.fold(n) in self.recreational)]
            words = self.alias_words(others)
            out = []
            for v in key[0]:
                fv = self.fold(v)
                said = bool(concepts) and bool(self.said(v, concepts))
                if said or (words and not self.is_treatment(fv)
                            and any(self._alias_hit(w, fv) for w in words)):
                    out.append(v)
            hits = self._matched[key] = tuple(out)
        return list(hits)

    # -- free text: the fact base of what was written -------------------------------------
    def said(self, text: str, concepts: Iterable[str],
             answer: Mapping[str, Any] | None = None) -> list[Mention]:
        """Mentions of ``concepts`` in ``text`` that count as said.

        Negated mentions never count; uncertain ones only for safety concepts
        (``keep_uncertain``). An explicit "no" in the box a concept names as
        ``outranked_by`` (``answer``, e.g. an episode's ``injury: false``) outranks a
        weak mention; a strong word ("bloedde", "hechtingen") still counts.
        """
        out = []
        for m in self.lexicon.find(text, concepts):
            c = self.lexicon.concepts[m.concept]
            if m.negated or (m.uncertain and not c.keep_uncertain):
                continue
            if answer is not None and c.outranked_by and answer.get(c.outranked_by) is False \
                    and not m.strong:
                continue
            out.append(m)
        return out

    def episodes_on(self, d: dt.date | None) -> list[Episode]:
        """The episodes of one night (empty for None), in diary order."""
        if "episodes_by_date" not in self.memo:
            by_date: dict[dt.date, list[Episode]] = {}
            for e in self.episodes:
                by_date.setdefault(e.date, []).append(e)
            self.memo["episodes_by_date"] = by_date
        return list(self.memo["episodes_by_date"].get(d, []))

    def night_answers(self, d: dt.date) -> dict[str, Any]:
        """The episode boxes of one night, as one answer: ``False`` only if every episode said no."""
        # Asked for every night with a note by each notes test: kept per date.
        held = self.memo.setdefault("night_answers", {})
        out = held.get(d)
        if out is None:
            eps = self.episodes_on(d)
            out = {}
            for name in ("injury", "left_bedroom", "partner_unsafe"):
                vals = [getattr(e, name) for e in eps]
                out[name] = False if vals and all(v is False for v in vals) else (
                    True if any(v is True for v in vals) else None)
            held[d] = out
        return dict(out)  # a copy: the caller may change it

    @property
    def text_facts(self) -> tuple[TextFact, ...]:
        """Every lexicon mention that counts, in every free-text field, with its source.

        Night notes, episode notes and behaviours (sleeper and partner) and the profile's
        known conditions: one list that rules, the plan guard and the report all read.
        """
        if self._text_facts is None:
            out: list[TextFact] = []
            for n in self.nights:
                if n.notes:
                    ans = self.night_answers(n.date)
                    out += [TextFact(m, "night", n.date, "notes", "self", None)
                            for m in self.said(n.notes, self.lexicon.concepts, ans)]
            for ep in self.episodes:
                ans = {"injury": ep.injury, "left_bedroom": ep.left_bedroom,
                       "partner_unsafe": ep.partner_unsafe}
                for fname, texts in (("notes", (ep.notes,)), ("behaviours", ep.behaviours)):
                    for text in texts:
                        if text:
                            out += [TextFact(m, "episode", ep.date, fname, ep.reporter, ep)
                                    for m in self.said(text, self.lexicon.concepts, ans)]
            for item in self.profile.known_conditions:
                out += [TextFact(m, "answer", None, "known_conditions", "self", None)
                        for m in self.said(item, self.lexicon.concepts)]
            self._text_facts = tuple(out)
        return self._text_facts

    # -- insight -------------------------------------------------------------------------
    @property
    def findings(self) -> list[Any]:
        """Insight findings; computed on first use, empty if the analysis is unavailable."""
        if not self._insight_tried:
            self._insight_tried = True
            try:
                from nachtwacht.insight import analyse  # lazy: optional and heavier

                self._insight = analyse(self.diary, lang=self.lang)
            except Exception as exc:  # noqa: BLE001 - triage must work without insight
                # Only the exception type: messages could quote diary content.
                log.warning("insight analysis unavailable for triage: %s", type(exc).__name__)
                self._insight = None
        if self._insight is None:
            return []
        out: list[Any] = []
        # Likely links and, since the analysis lists them apart, its weaker "possible"
        # ones: a non-strict ``insight`` condition accepts those as well.
        for key in ("findings", "possible"):
            found = getattr(self._insight, key, None)
            if found is None and isinstance(self._insight, Mapping):
                found = self._insight.get(key)
            out.extend(f for f in (found or []) if f not in out)
        return out

    # -- evidence ------------------------------------------------------------------------
    def night_evidence(self, night: Night, name: str, value: Any = None) -> Evidence:
        """Evidence item for one night field (or sleep figure)."""
        value = self.night_value(night, name) if value is None else value
        label = _label("night", name, self.lang)
        return Evidence("night", night.date.isoformat(), name, _jsonable(value),
                        f"{fmt_date(night.date, self.lang)}: {label} {self.show(value, name)}")

    def field_evidence(self, night: Night, name: str, value: Any) -> Evidence:
        """:meth:`night_evidence` for ``value = night_value(night, name)``, made once per night and field.

        Several tests compare the same field ("sol_min > 30" sits in four rules); the
        evidence item they cite is the same.
        """
        key = (id(night), name)
        held = self._field_evidence.get(key)
        if held is None or held[0] is not night:  # the night is kept: its id stays its own
            held = self._field_evidence[key] = (night, shared.evidence(
                (self.lang, night.date, name), value, lambda: self.night_evidence(night, name, value)))
        return held[1]

    def episode_evidence(self, ep: Episode, quotes: Sequence[str] = ()) -> Evidence:
        """Evidence item for one episode; ``quotes`` are the person's words that counted."""
        held = self._ep_evidence.get(id(ep))
        if held is None or held[0] is not ep:
            # Made of these values alone (see _episode_evidence): kept across diaries.
            made = shared.evidence(("episode", self.lang, ep.date, ep.type, ep.reporter), (ep.time, ep.n),
                                   lambda: self._episode_evidence(ep))
            held = self._ep_evidence[id(ep)] = (ep, made)
        if not quotes:
            return held[1]
        ev = held[1]
        return Evidence(ev.kind, ev.date, ev.field, ev.value, f"{ev.text}: {_quoted(quotes)}")

    def quote_evidence(self, kind: str, date: dt.date | None, name: str, phrases: Sequence[str],
                       ep: Episode | None = None) -> Evidence:
        """Evidence for words written in a free-text field, quoting them."""
        if ep is not None:
            return self.episode_evidence(ep, phrases)
        record = "profile" if kind == "answer" else kind
        label = _label(record, name, self.lang)
        when = f"{fmt_date(date, self.lang)}: " if date else ""
        return Evidence(kind if kind != "episode" else "night", date.isoformat() if date else None,  # type: ignore[arg-type]
                        name, list(phrases), f"{when}{label} {_quoted(phrases)}")

    def _episode_evidence(self, ep: Episode) -> Evidence:
        spec = F.spec("episode", "type")
        what = spec.choice_label(ep.type, self.lang)
        who = F.spec("episode", "reporter").choice_label(ep.reporter, self.lang)
        when = f" {ep.time.strftime('%H:%M')}" if ep.time else ""
        times = f", {ep.n}x" if ep.n > 1 else ""
        return Evidence("episode", ep.date.isoformat(), "type", ep.type,
                        f"{fmt_date(ep.date, self.lang)}{when}: {what} ({who}){times}")

    def label(self, name: str, record: str = "night") -> str:
        """Lower-case label of a field in the current language."""
        return _label(record, name, self.lang)

    def answer_evidence(self, name: str, value: Any) -> Evidence:
        """Evidence item for one profile answer."""
        label = _label("profile", name, self.lang) if name != "age" else (
            "leeftijd" if self.lang == "nl" else "age")
        return Evidence("answer", None, name, _jsonable(value), f"{label}: {self.show(value, name)}")

    def show(self, value: Any, name: str = "") -> str:
        """Render a value for a sentence in the current language."""
        if isinstance(value, bool):
            return (_YES if value else _NO)[self.lang if self.lang in _YES else "nl"]
        if isinstance(value, float):
            if name == "se_pct":
                return f"{value:.0f}%"
            return f"{value:.0f}" if value == int(value) or abs(value) >= 10 else f"{value:.1f}"
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, (tuple, list)):
            return ", ".join(self.show(v, name) for v in value)
        if isinstance(value, str) and name:
            # A choice is stored as its code ("evening"); the person reads its label
            # ("avonddienst"), never the code, on a Dutch page.
            return _choice_label(name, value, self.lang)
        return str(value)


def _alias_match(word: str, taken: str, bare: frozenset[str] = frozenset()) -> bool:
    # A bare alias ("k", "g", "coke") is an ordinary word or unit too: it counts only as
    # the whole entry, with at most an amount after it ("g 2 ml"), so "vitamine k",
    # "coca-cola" and "1 g" never do. Other aliases match on word boundaries, and a long
    # one may start a compound ("ketaminegebruik").
    if word in bare:
        return re.fullmatch(re.escape(word) + r"(?:\s*[\d.,]+\s*(?:ml|mg|g|x|keer|times)?)?",
                            taken.strip()) is not None
    if len(word) <= 3:
        return _word_in(word, taken)
    return re.search(r"(?<![a-z0-9])" + re.escape(word), taken) is not None


def _quoted(phrases: Sequence[str]) -> str:
    return ", ".join(f"“{p}”" for p in dict.fromkeys(phrases))


def _word_in(word: str, text: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", text) is not None


@dataclass(frozen=True)
class TextFact:
    """One lexicon mention that counts, with where it was written.

    ``kind`` is ``night``, ``episode`` or ``answer`` (profile), ``reporter`` who wrote
    it (``self`` or ``partner``), ``episode`` the episode for episode fields.
    """

    mention: Mention
    kind: str
    date: dt.date | None
    field: str
    reporter: str
    episode: Episode | None

    @property
    def concept(self) -> str:
        """The lexicon concept."""
        return self.mention.concept

    @property
    def tense(self) -> str:
        """``past`` ("sinds 2019"), ``planned`` ("vanaf maandag") or ``now``."""
        if self.mention.historical:
            return "past"
        return "planned" if self.mention.hypothetical else "now"


@lru_cache(maxsize=1024)  # field specs are fixed: a label is looked up once
def _label(record: str, name: str, lang: str) -> str:
    if name in METRICS:
        return {
            "tst_min": ("geslapen (min)", "total sleep (min)"),
            "tib_min": ("in bed (min)", "time in bed (min)"),
            "se_pct": ("slaapefficiëntie", "sleep efficiency"),
        }[name][0 if lang == "nl" else 1]
    try:
        return F.spec(record, name).label(lang).lower()  # type: ignore[arg-type]
    except KeyError:
        return name


@lru_cache(maxsize=1024)
def _choice_label(name: str, code: str, lang: str) -> str:
    for record in ("night", "profile", "episode"):
        try:
            spec = F.spec(record, name)  # type: ignore[arg-type]
        except KeyError:
            continue
        if spec.kind in ("choice", "multichoice") and any(c.code == code for c in spec.choices):
            return spec.choice_label(code, lang)
    return code


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return round(value, 1)
    return value


def _night_figures(night: Night, tz: str) -> dict[str, float | None]:
    """Total sleep time, time in bed and sleep efficiency of one night."""
    try:
        from nachtwacht.diary.metrics import night_metrics  # the shared definition

        m = night_metrics(night, tz=tz)
        return {"tst_min": m.tst_min, "tib_min": m.tib_min, "se_pct": m.se_pct}
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - fall back to the simple sum below
        log.debug("night_metrics failed (%s); using the triage fallback", type(exc).__name__)
    return _fallback_figures(night)


def _fallback_figures(night: Night) -> dict[str, float | None]:
    # Wall-clock arithmetic on the evening scale; good enough to spot insomnia until
    # nachtwacht.diary.metrics (which handles daylight-saving nights) is available.
    start = clock_minutes(night.bedtime or night.lights_out, "evening")
    end = clock_minutes(night.out_of_bed or night.final_wake, "evening")
    off = clock_minutes(night.lights_out or night.bedtime, "evening")
    wake = clock_minutes(night.final_wake or night.out_of_bed, "evening")
    out: dict[str, float | None] = {"tst_min": None, "tib_min": None, "se_pct": None}
    if start is None or end is None or off is None or wake is None or end <= start:
        return out
    tib = end - start
    tst = (wake - off) - (night.sol_min or 0) - (night.waso_min or 0)
    tst = max(0.0, tst)
    out.update(tib_min=tib, tst_min=tst, se_pct=100.0 * tst / tib if tib > 0 else None)
    return out
