"""The free-text fact base (issue #11): the ConText-style matcher, its lexicon, medicines
that are not drugs, "since you stopped", explicit answers over weak notes, own words as
evidence, and tap-to-call routes."""

from __future__ import annotations

import datetime as dt

import pytest

from nachtwacht.diary.types import Diary, Episode, Night, Profile
from nachtwacht.triage import RuleError, assess
from nachtwacht.triage.facts import Facts
from nachtwacht.triage.loader import load_vocabulary
from nachtwacht.triage.text import load_lexicon, parse_lexicon

END = dt.date(2026, 3, 1)
LEX = load_lexicon()


def said(text: str, concept: str) -> list[tuple[str, bool, bool]]:
    return [(m.phrase, m.negated, m.uncertain) for m in LEX.find(text, [concept])]


@pytest.mark.parametrize(("text", "concept", "expect"), [
    # Negation before and after, Dutch and English (ConText / ContextD).
    ("gelukkig niemand gewond", "injury_words", [("gewond", True, False)]),
    ("gewond raakte niemand", "injury_words", [("gewond", True, False)]),
    ("Ik ben gewond geraakt", "injury_words", [("gewond", False, False)]),
    ("no one was hurt", "injury_words", [("hurt", True, False)]),
    # A termination cue ends the negation's reach; a comma ends the clause.
    ("niet gewond maar wel bloed op het kussen", "injury_words",
     [("gewond", True, False), ("bloed", False, False)]),
    # Word boundaries: "dood" is not "doodmoe", "k" is not a letter in a word.
    ("doodmoe vandaag", "suicidality", []),
    # Pseudo-triggers neither match nor negate.
    ("ik zou het niet erg vinden om niet meer wakker te worden", "suicidality",
     [("niet meer wakker te worden", False, False)]),
    ("I would not mind not waking up anymore", "suicidality", [("not waking up anymore", False, False)]),
    ("Geen zin in werk, wil er gewoon niet meer zijn", "suicidality",
     [("er gewoon niet meer zijn", False, False)]),
    ("geen suïcidale gedachten", "suicidality", [("suïcidale", True, False)]),
    ("no thoughts of suicide", "suicidality", [("suicide", True, False)]),
    ("nooit meer wakker worden lijkt me fijn", "suicidality", [("nooit meer wakker", False, False)]),
    ("luier gelekt dus bed was nat", "seizure_signs", [("bed was nat", True, False)]),
    ("de kinderen sliepen gelukkig", "child_involved", []),
    ("it was kind of weird", "child_involved", []),
    # Uncertainty.
    ("misschien een tongbeet", "seizure_signs", [("tongbeet", False, True)]),
    ("lang gereden, helemaal niet slaperig achter het stuur", "drowsy_driving_words",
     [("achter het stuur", True, False)]),
])
def test_matcher_reads_negation_uncertainty_and_word_boundaries(
        text: str, concept: str, expect: list[tuple[str, bool, bool]]) -> None:
    assert said(text, concept) == expect


def test_strong_words_are_marked() -> None:
    (m,) = LEX.find("ze had een blauw oog", ["injury_words"])
    assert m.strong
    (m,) = LEX.find("licht bezeerd", ["injury_words"])
    assert not m.strong


@pytest.mark.parametrize(("data", "message"), [
    ({"cues": {}, "concepts": {}}, "cues needs"),
    ({"cues": {k: ["x"] for k in ("negation_pre", "negation_post", "uncertainty", "pseudo",
                                  "termination")}, "concepts": {"a": {"colour": "red"}}}, "unknown key"),
    ({"cues": {k: ["x"] for k in ("negation_pre", "negation_post", "uncertainty", "pseudo",
                                  "termination")}, "concepts": {"a": []}}, "no phrases"),
    ({"concepts": {}}, "exactly the keys"),
])
def test_a_malformed_lexicon_is_refused(data: dict, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_lexicon(data)


def _nights(n: int, **over: object) -> tuple[Night, ...]:
    return tuple(Night(END - dt.timedelta(days=i), **over) for i in range(n))  # type: ignore[arg-type]


def test_medicines_and_ordinary_words_are_not_drugs() -> None:
    facts = Facts(Diary(nights=_nights(1)), vocabulary=load_vocabulary(), use_insight=False)
    for substances, medication in [
        (("vitamine K",), ()), (("coca-cola",), ()), (("paracetamol 1 g",), ()), (("1 g",), ()),
        (("esketamine (Spravato)",), ()), ((), ("ketamine",)), ((), ("GHB",)), ((), ("k",)),
    ]:
        night = Night(END, substances=substances, medication=medication)
        assert facts.uses(night, ["ketamine", "cocaine", "ghb"]) == [], (substances, medication)
    # A clear name counts; the evidence keeps the person's own word.
    for entry, name in [("keta", "ketamine"), ("G 2 ml", "ghb"), ("cocaïne", "cocaine")]:
        night = Night(END, substances=(entry,))
        assert facts.uses(night, [name]) == [name], entry
        assert facts.own_words(night, [name]) == [entry]
    # A bare word needs context: drug words in that night's note, another drug that night,
    # or the same substance written out elsewhere in the diary. "coke" with cola is cola.
    assert facts.uses(Night(END, substances=("k",)), ["ketamine"]) == []
    assert facts.uses(Night(END, substances=("k",), notes="paar lijntjes op het feest"), ["ketamine"])
    assert facts.uses(Night(END, substances=("k", "xtc")), ["ketamine"])
    assert not facts.uses(Night(END, substances=("coke",), notes="a diet coke at 10pm"), ["cocaine"])
    written = Diary(nights=(Night(END - dt.timedelta(days=3), substances=("ketamine",)),
                            Night(END, substances=("k",))))
    f2 = Facts(written, vocabulary=load_vocabulary(), use_insight=False)
    assert f2.uses(written.nights[1], ["ketamine"]) == ["ketamine"]
    # Sleeping pills are medicines: found in the medication field too.
    assert facts.uses(Night(END, medication=("temazepam 20 mg",)), ["sleeping_pill"]) == ["sleeping_pill"]


def test_prescribed_esketamine_gets_no_drug_advice() -> None:
    nights = _nights(28, medication=("esketamine neusspray (Spravato)",), sol_min=60, quality=2)
    result = assess(Diary(nights=nights, profile=Profile(regular_medication=("esketamine",))),
                    use_insight=False)
    assert not [f for f in result.flags if "ketamine" in f.code]
    assert "substance_support" not in [p.code for p in result.plan]


def _weekend_user(quiet_days: int, note: str = "") -> Diary:
    nights = []
    for i in range(28):
        d = END - dt.timedelta(days=27 - i)
        used = d.weekday() in (5, 6) and (END - d).days >= quiet_days
        nights.append(Night(d, substances=("ketamine",) if used else (), sol_min=60, quality=2,
                            notes=note if (END - d).days == quiet_days - 1 else ""))
    return Diary(nights=tuple(nights))


def test_since_you_stopped_needs_an_explicit_stop_or_14_quiet_days() -> None:
    # An ongoing weekend user is never told about "since you stopped".
    codes = [f.code for f in assess(_weekend_user(2), use_insight=False).flags]
    assert "ketamine_insomnia_after_stopping" not in codes
    codes = [f.code for f in assess(_weekend_user(5), use_insight=False).flags]  # a week quiet
    assert "ketamine_insomnia_after_stopping" not in codes
    # An explicit stop counts at once; two quiet weeks after regular use count too.
    codes = [f.code for f in assess(_weekend_user(5, "gestopt met keta"), use_insight=False).flags]
    assert "ketamine_insomnia_after_stopping" in codes
    codes = [f.code for f in assess(_weekend_user(15), use_insight=False).flags]
    assert "ketamine_insomnia_after_stopping" in codes


def test_an_explicit_no_outranks_a_weak_note_but_not_a_strong_word() -> None:
    def injury(notes: str, box: bool | None) -> bool:
        ep = Episode(END, "sleepwalking", "partner", injury=box, notes=notes)
        return "parasomnia_injury" in [f.code for f in assess(Diary(episodes=(ep,)), use_insight=False).flags]

    assert injury("hij was gewond aan zijn arm", None)
    assert not injury("hij was licht bezeerd", False)  # explicit "no injury" wins
    assert injury("hechtingen nodig in het ziekenhuis", False)  # a strong word still counts
    assert not injury("gelukkig niemand gewond", None)  # negated


def test_evidence_quotes_the_persons_own_words() -> None:
    ep = Episode(END, "other", "self", notes="wakker met tongbeet en nat bed")
    result = assess(Diary(episodes=(ep,)), use_insight=False)
    flag = next(f for f in result.flags if f.code == "seizure_signs")
    assert any("“tongbeet”" in e.text for e in flag.evidence)


def test_safety_flags_carry_tel_routes_and_an_audience() -> None:
    note = Episode(END, "sexsomnia", "partner", notes="het gebeurde tegen mijn wil")
    result = assess(Diary(episodes=(note,)), use_insight=False)
    flag = next(f for f in result.flags if f.code == "partner_non_consent")
    d = flag.to_dict()
    assert d["audience"] == "partner"
    route = next(r for r in d["routes"] if r["code"] == "centrum_seksueel_geweld")
    assert route["label"] == route["label_nl"] == "Centrum Seksueel Geweld (gratis, dag en nacht)"
    assert route["label_en"].startswith("Centrum Seksueel Geweld")
    assert (route["phone"], route["href"]) == ("0800-0188", "tel:08000188")
    assert all(f.to_dict()["audience"] == "sleeper" for f in result.flags if f is not flag)
    death = Night(END, notes="wil er niet meer zijn")
    result = assess(Diary(nights=(death,)), lang="en", use_insight=False)
    assert result.level == "urgent"
    routes = [r["href"] for r in result.flags[0].routes]
    assert "tel:08000113" in routes and "tel:112" in routes


def test_everyday_notes_raise_no_flag() -> None:
    # Words that look alarming out of context: a film about suicide, coffee, a child waking,
    # a nappy, sweat, a single low day, "slept like the dead".
    notes = ["film gekeken over zelfmoord, raakte me", "stopped drinking coffee after lunch",
             "Kind werd wakker om 3 uur", "luier gelekt dus bed was nat", "bed was nat van het zweet",
             "feeling down today", "slept like the dead", "Ik ben zo moe dat ik dood neerval",
             "bit my tongue while eating", "stopped smoking cold turkey", "drank a coke at dinner",
             "Gestopt met koffie na 14u", "Lekker gesport, spierpijn"]
    nights = tuple(Night(END - dt.timedelta(days=i), notes=n, sol_min=10, quality=4)
                   for i, n in enumerate(notes))
    result = assess(Diary(nights=nights), use_insight=False)
    assert result.level == "self_care" and not result.flags, [f.code for f in result.flags]
