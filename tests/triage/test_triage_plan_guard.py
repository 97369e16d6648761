"""The plan guard as a property (issue #11): for every generated person, no plan item is
contraindicated by a flag that fired or by what the diary says.

People are generated with random boxes, episodes, medication and substances, and notes
drawn from the free-text lexicon (sometimes negated, sometimes uncertain). The oracle
below is written from the issue, not from ``plan.yaml``: it names for each plan item the
flags and answers under which a clinician would never offer it.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nachtwacht.diary import fields as F  # noqa: N812
from nachtwacht.diary.types import Diary, Episode, Night, Profile
from nachtwacht.triage import assess, load_plan
from nachtwacht.triage.conditions import evaluate
from nachtwacht.triage.facts import Facts
from nachtwacht.triage.loader import load_vocabulary
from nachtwacht.triage.types import level_rank

END = dt.date(2026, 3, 1)
TYPES = list(F.spec("episode", "type").choice_codes)

#: Phrases a person might write, several per safety concept, in both languages.
PHRASES = [
    "gelukkig niemand gewond", "hij bloedde aan zijn hoofd", "no one was hurt", "she was injured",
    "tong gebeten en bed was nat", "bit my tongue and wet the bed", "steeds precies hetzelfde",
    "bijna in slaap gevallen achter het stuur", "helemaal niet slaperig achter het stuur",
    "zou het niet erg vinden om niet meer wakker te worden", "I would not mind not waking up",
    "wil er gewoon niet meer zijn", "geen gedachten aan zelfmoord", "voel me somber",
    "gestopt met G, tril en zweet", "going to quit G cold turkey", "gestopt met de temazepam",
    "gestopt met drinken, handen trillen", "dag 3 zonder keta", "lijntje coke op feestje",
    "geen drugs gebruikt", "in het bed van onze dochter", "de kinderen sliepen gelukkig",
    "het gebeurde tegen mijn wil", "ik wilde het niet", "kaakpijn bij wakker worden",
    "33 weken zwanger, zie sterretjes", "heb echt geen slaap nodig", "baby 3x gevoed",
    "liep naar de keuken", "stond op straat", "meer zin in seks sinds de ropinirol",
    "vitamine K gegeven", "coca-cola gedronken", "paracetamol 1 g", "misschien tongbeet",
    "rustige dag", "",
]
SUBSTANCES = [(), ("ketamine",), ("keta",), ("wiet",), ("GHB",), ("g",), ("coca-cola",),
              ("1 g",), ("esketamine (Spravato)",), ("xtc", "speed")]
MEDICATION = [(), ("temazepam 20 mg",), ("zolpidem 10 mg",), ("ropinirol 2 mg",),
              ("vitamine K",), ("esketamine neusspray",), ("sertraline",)]
BOOL_PROFILE = [f.name for f in F.PROFILE_FIELDS if f.kind == "bool"]

maybe = st.none() | st.booleans()
# Mostly nothing written, sometimes one phrase: most people must be close enough to "only
# insomnia" that sleep restriction is on the table, or the property says little.
notes = st.sampled_from(PHRASES + [""] * (len(PHRASES) * 20))
nights = st.lists(
    st.builds(
        Night,
        date=st.integers(0, 20).map(lambda i: END - dt.timedelta(days=i)),
        bedtime=st.sampled_from([dt.time(22, 30), dt.time(23, 0)]),
        lights_out=st.sampled_from([dt.time(22, 40), dt.time(23, 10)]),
        sol_min=st.integers(20, 90), waso_min=st.integers(20, 120),
        final_wake=st.sampled_from([dt.time(6, 0), dt.time(7, 0)]),
        out_of_bed=st.sampled_from([dt.time(7, 15), dt.time(7, 30)]),
        quality=st.integers(1, 4), rested=st.integers(1, 4),
        alcohol_units=st.sampled_from([0, 0, 0, 0, 2, 7]),
        substances=st.sampled_from([()] * 200 + SUBSTANCES),
        medication=st.sampled_from([()] * 120 + MEDICATION),
        shift=st.sampled_from([None] * 40 + ["day", "night"]),
        notes=notes,
    ),
    min_size=14, max_size=18, unique_by=lambda n: n.date,
)
episodes = st.lists(
    st.builds(
        Episode,
        date=st.integers(0, 20).map(lambda i: END - dt.timedelta(days=i)),
        type=st.sampled_from(TYPES), reporter=st.sampled_from(["self", "partner"]),
        time=st.none() | st.sampled_from([dt.time(0, 30), dt.time(3, 0), dt.time(23, 15)]),
        count=st.none() | st.integers(1, 4), duration_min=st.none() | st.sampled_from([1, 10]),
        injury=maybe, left_bedroom=maybe, partner_unsafe=maybe,
        behaviours=st.sampled_from([(), ("aanraken",), ("naar de keuken",)]),
        notes=notes,
    ),
    max_size=1,
)
profiles = st.builds(
    lambda yes, conds, meds, sleepy: Profile(**{n: n in yes for n in BOOL_PROFILE},
                                             known_conditions=conds, regular_medication=meds,
                                             daytime_sleepiness=sleepy),
    st.sets(st.sampled_from(BOOL_PROFILE), max_size=1),
    st.sampled_from([(), (), ("bipolaire stoornis",), ("zwanger",), ("epilepsie",)]),
    st.sampled_from([(), (), ("pramipexol",), ("temazepam",), ("esketamine",)]),
    st.sampled_from([None, 0, 1, 2, 3]),
)
diaries = st.builds(Diary, nights=nights.map(tuple), episodes=episodes.map(tuple), profile=profiles)

#: Flags under which self-directed sleep restriction is never offered (issue #11).
NO_SLEEP_WINDOW = {
    "seizure_signs", "epilepsy_new_night_episodes", "turning_blue_in_episode", "drowsy_driving",
    "low_mood", "death_wish_in_notes", "suicidal_thoughts", "withdrawal_now", "risky_stop",
    "heavy_alcohol", "alcohol_dependence_signs", "ketamine_regular_use", "ketamine_insomnia_after_stopping",
    "rem_rebound_nightmares", "sexsomnia_single", "sexsomnia_repeated", "parasomnia_repeated",
    "dream_enactment", "witnessed_apneas", "apnea_with_sleepiness", "snoring_sleepy",
    "bipolar_short_sleep", "pregnancy_warning_signs", "dopamine_agonist_sleep_attacks",
}
#: Answers under which it is never offered either.
NO_SLEEP_WINDOW_ANSWERS = ("epilepsy", "witnessed_apneas", "drowsy_driving", "past_sleepwalking",
                           "suicidal_thoughts", "low_mood", "shift_work")
#: Other plan items and the flags that forbid them.
FORBIDDEN_BY_FLAG = {
    "less_alcohol": {"heavy_alcohol", "withdrawal_now", "risky_stop", "alcohol_dependence_signs"},  # "at most one glass" is unsafe
    "tense_release": {"bruxism_jaw_pain"},  # clenching exercise with jaw pain
}

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(diaries, st.sampled_from(["nl", "en"]))
def test_no_plan_item_is_contraindicated_by_a_flag_that_fired(diary: Diary, lang: str) -> None:
    result = assess(diary, lang=lang, use_insight=False)
    codes = {f.code for f in result.flags}
    plan = {p.code for p in result.plan}
    if "sleep_window" in plan:
        # Insomnia is the sole concern: nothing at gp_soon or above, no other complaint
        # at a GP level, none of the named flags or answers.
        assert all(level_rank(f.level) < level_rank("gp_soon") for f in result.flags), codes
        assert all(f.condition == "insomnia-cbt-i" for f in result.flags), codes
        assert not codes & NO_SLEEP_WINDOW, codes & NO_SLEEP_WINDOW
        assert not [a for a in NO_SLEEP_WINDOW_ANSWERS if getattr(diary.profile, a)], diary.profile
        # No drug use or stopping in the period, no pregnancy, no bipolar disorder.
        drugs = {"ketamine", "keta", "wiet", "GHB", "g", "xtc"}
        assert not any(drugs & set(n.substances) for n in diary.nights)
        assert not {"bipolaire stoornis", "zwanger", "epilepsie"} & set(diary.profile.known_conditions)
        written = " ".join([n.notes for n in diary.nights] + [e.notes for e in diary.episodes])
        for risky in ("wil er gewoon niet meer zijn", "not waking up", "gestopt met", "cold turkey",
                      "zwanger", "achter het stuur bijna", "tong gebeten", "baby", "coke", "keta"):
            assert risky not in written, risky
    for item, forbidding in FORBIDDEN_BY_FLAG.items():
        assert not (item in plan and codes & forbidding), (item, codes & forbidding)
    if result.level == "urgent":
        assert result.flags[0].level == "urgent"
        assert "sleep_window" not in plan
    # And the plan's own declared contraindications all hold false for what was offered.
    vocab = load_vocabulary()
    facts = Facts(diary, lang=lang, use_insight=False, vocabulary=vocab)
    for f in result.flags:
        facts.fired[f.code] = {}
        facts.fired_meta[f.code] = (f.level, f.condition)
    for m in load_plan():
        if m.code in plan:
            bad = [c for c in m.contraindications if evaluate(vocab.contraindications[c], facts).ok]
            assert not bad, (m.code, bad)


@SETTINGS
@given(diaries)
def test_medicines_are_never_drug_use_and_flags_carry_tel_links(diary: Diary) -> None:
    result = assess(diary, use_insight=False)
    for f in result.flags:
        d = f.to_dict()
        assert d["audience"] in ("sleeper", "partner")
        for r in d["routes"]:
            assert r["href"].startswith("tel:") and r["phone"] in f.text
        if f.code in ("ketamine_regular_use", "ketamine_insomnia_after_stopping"):
            # Evidence shows the person's own word from the substances field, never a medicine.
            words = [e.value for e in f.evidence if e.field == "substances"]
            assert all(w and not any("esketamine" in str(x).lower() for x in w) for w in words)
