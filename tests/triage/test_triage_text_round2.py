"""Second independent round (issue #11): dialect spelling, negation scope, temporality,
who wrote it, and counts framed by the diary's real length.

Each test names the class of mistake it guards, with wording *other* than the reviewer's
cases (those live in ``cases_independent2/``), so the fix is general, not a sentence list.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.types import Diary, Episode, Night, Profile
from nachtwacht.triage import assess
from nachtwacht.triage.text import load_lexicon

END = dt.date(2026, 3, 1)
LEX = load_lexicon()


def tags(text: str, concept: str) -> list[tuple[str, str]]:
    """(phrase, state) per mention: negated, past, planned or now."""
    out = []
    for m in LEX.find(text, [concept]):
        state = ("negated" if m.negated else "past" if m.historical
                 else "planned" if m.hypothetical else "now")
        out.append((m.phrase, state))
    return out


def codes(diary: Diary, lang: str = "nl") -> set[str]:
    return {f.code for f in assess(diary, lang=lang, use_insight=False).flags}


def _nights(n: int, **over: object) -> tuple[Night, ...]:
    return tuple(Night(END - dt.timedelta(days=i), **over) for i in range(n))  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "concept", "expect"), [
    # Flemish spelling: 't / 'k are blanked, "nie" is "niet"; "'k" is never the drug k.
    ("'k wil nie meer leven", "suicidality", [("wil nie meer leven", "now")]),
    ("ik wou da'k dood was", "suicidality", [("wou da'k dood was", "now")]),
    ("'k heb 't gehad", "drug_use", []),
    ("dit werk mag gedaan zijn", "suicidality", []),
    ("'k was nie gewond", "injury_words", [("gewond", "negated")]),
    # Negation words of everyday speech.
    ("niks gebroken, alleen geschrokken", "injury_words", [("gebroken", "negated")]),
    ("nothing broken", "injury_words", [("broken", "negated")]),
    # A child elsewhere that night is not involved; a child in the bed is.
    ("onze zoon lag bij opa en oma", "child_involved", [("zoon", "negated")]),
    ("our son was at a friend's sleepover", "child_involved", [("son", "negated")]),
    ("dochter kroop bij haar moeder in bed", "child_involved", [("dochter", "now")]),
    # Temporality: a stop years ago, a planned stop, a stop now.
    ("al sinds 2015 geen oxazepam meer", "stop_use", [("geen oxazepam meer", "past")]),
    ("stopped the temazepam years ago", "risky_stop", [("stopped the temazepam", "past")]),
    ("volgende week ga ik stoppen met de slaappillen", "stop_use", [("ga ik stoppen", "planned")]),
    ("ik ben van plan om te stoppen", "stop_use", [("stoppen", "planned")]),
    ("I'm going to quit the pills", "stop_use", [("going to quit", "planned")]),
    ("gisteren gestopt met lorazepam en ik ga nu slapen", "risky_stop",
     [("gestopt met lorazepam", "now")]),
    ("het gaat slecht sinds ik gestopt ben", "stop_use", [("gestopt", "now")]),
    # Road numbers with "#".
    ("op de A2 bij Utrecht", "on_the_road", [("op de A2", "now")]),
])
def test_spelling_negation_and_temporality(text: str, concept: str, expect: list) -> None:
    assert tags(text, concept) == expect


def test_a_partner_note_of_ghb_or_alcohol_withdrawal_is_urgent() -> None:
    # Who wrote it: the sleeper logs nothing, the partner writes the danger.
    for note in ("ze nam dagelijks G, sinds eergisteren gestopt, ligt te trillen en is verward",
                 "drinkt elke dag een krat bier, gisteren ineens gestopt, zweet en ziet beestjes"):
        ep = Episode(END, "confusional_arousal", "partner", notes=note)
        assert "withdrawal_now" in codes(Diary(episodes=(ep,))), note


def test_a_stop_years_ago_or_next_week_is_not_withdrawal_now() -> None:
    past = Night(END, notes="vroeger slaappillen, al sinds 2018 gestopt met de temazepam. tril van de kou")
    assert not codes(Diary(nights=(past,))) & {"withdrawal_now", "risky_stop"}
    planned = Night(END, notes="trillerig vandaag. Volgende week ga ik stoppen met de oxazepam")
    got = codes(Diary(nights=(planned,)))
    assert "risky_stop" in got and "withdrawal_now" not in got


def test_drowsy_driving_and_chest_pain_in_other_words() -> None:
    drive = Night(END, notes="op de snelweg even weggedommeld, schrok wakker")
    assert "drowsy_driving" in codes(Diary(nights=(drive,)))
    sofa = Night(END, notes="op de bank in slaap gevallen bij het journaal")
    assert "drowsy_driving" not in codes(Diary(nights=(sofa,)))
    chest = Night(END, notes="woke with a tight chest, pain going down my left arm, clammy")
    result = assess(Diary(nights=(chest,)), lang="en", use_insight=False)
    assert result.level == "urgent" and "112" in result.flags[0].text
    nursing = Night(END, notes="pijn in de borst van het voeden, zweet veel")
    assert not codes(Diary(nights=(nursing,))) & {"chest_pain", "chest_pain_alarm_in_notes"}
    mild = Night(END, notes="geen pijn op de borst, wel moe")
    assert not codes(Diary(nights=(mild,))) & {"chest_pain", "chest_pain_alarm_in_notes"}


def test_english_non_consent_reaches_the_partner() -> None:
    ep = Episode(END, "sexsomnia", "partner", notes="she kept going when I said stop, I never agreed")
    flags = assess(Diary(episodes=(ep,)), lang="en", use_insight=False).flags
    flag = next(f for f in flags if f.code == "partner_non_consent")
    assert flag.audience == "partner" and "0800-0188" in flag.text


@pytest.mark.parametrize(("days", "nl", "en"), [
    (14, "op alle 14 dagen", "on all 14 days"),
    (28, "op 28 dagen in de laatste vier weken", "on 28 days in the last four weeks"),
])
def test_counts_are_framed_by_the_diary_length(days: int, nl: str, en: str) -> None:
    diary = Diary(nights=_nights(days, alcohol_units=8), profile=Profile())
    for lang, want in (("nl", nl), ("en", en)):
        flag = next(f for f in assess(diary, lang=lang, use_insight=False).flags
                    if f.code == "heavy_alcohol")
        assert want in flag.text, flag.text
        assert "vier weken" not in flag.text or days >= 28


def test_morning_shakes_with_heavy_daily_drinking_is_gp_soon_without_a_stop() -> None:
    nights = list(_nights(14, alcohol_units=10))
    nights[0] = Night(END, alcohol_units=10, notes="'s ochtends trillerig tot de eerste borrel")
    result = assess(Diary(nights=tuple(nights)), use_insight=False)
    got = {f.code for f in result.flags}
    assert "alcohol_dependence_signs" in got and result.level == "gp_soon"
    plan = {p.code for p in result.plan}
    assert "less_alcohol" not in plan and "sleep_window" not in plan
