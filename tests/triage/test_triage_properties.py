"""Properties over generated diaries: triage never crashes, never hides evidence, and is monotone."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nachtwacht.diary import fields as F  # noqa: N812
from nachtwacht.diary.types import Diary, Episode, Night, Profile
from nachtwacht.triage import LEVELS, assess
from nachtwacht.triage.types import level_rank

END = dt.date(2026, 3, 1)
BOOL_PROFILE = [f.name for f in F.PROFILE_FIELDS if f.kind == "bool"]
TYPES = list(F.spec("episode", "type").choice_codes)
CONTRA = ("epilepsy", "witnessed_apneas", "drowsy_driving", "past_sleepwalking", "suicidal_thoughts")

clock = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
maybe = st.none() | st.booleans()

nights = st.lists(
    st.builds(
        Night,
        date=st.integers(0, 27).map(lambda i: END - dt.timedelta(days=i)),
        bedtime=st.none() | st.sampled_from([dt.time(22, 0), dt.time(23, 30), dt.time(1, 0)]),
        lights_out=st.none() | st.sampled_from([dt.time(22, 15), dt.time(23, 45), dt.time(1, 15)]),
        sol_min=st.none() | st.integers(0, 120), waso_min=st.none() | st.integers(0, 180),
        final_wake=st.none() | st.sampled_from([dt.time(5, 30), dt.time(7, 0), dt.time(9, 0)]),
        out_of_bed=st.none() | st.sampled_from([dt.time(6, 0), dt.time(7, 15), dt.time(9, 30)]),
        quality=st.none() | st.integers(1, 5), tension=st.none() | st.integers(0, 10),
        pain=st.none() | st.integers(0, 10), alcohol_units=st.none() | st.integers(0, 8),
        caffeine_last=st.none() | clock,
        substances=st.sampled_from([(), ("ketamine",), ("wiet",)]),
        notes=st.sampled_from(["", "rustige dag", "steeds hetzelfde"]),
    ),
    max_size=28, unique_by=lambda n: n.date,
)
episodes = st.lists(
    st.builds(
        Episode,
        date=st.integers(0, 27).map(lambda i: END - dt.timedelta(days=i)),
        type=st.sampled_from(TYPES), reporter=st.sampled_from(["self", "partner"]),
        time=st.none() | clock, count=st.none() | st.integers(1, 5),
        recall=st.none() | st.sampled_from(["none", "vague", "full"]),
        injury=maybe, left_bedroom=maybe, partner_unsafe=maybe,
    ),
    max_size=12,
)
profiles = st.fixed_dictionaries({name: maybe for name in BOOL_PROFILE}).map(lambda d: Profile(**d))
diaries = st.builds(Diary, nights=nights.map(tuple), episodes=episodes.map(tuple), profile=profiles)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(diaries, st.sampled_from(["nl", "en"]))
def test_any_diary_gets_a_valid_result(diary: Diary, lang: str) -> None:
    result = assess(diary, lang=lang, use_insight=False)
    d = result.to_dict()
    assert d["level"] in LEVELS
    for flag in d["flags"]:
        assert flag["evidence"] and flag["text"] and "{" not in flag["text"]
    codes = {p["code"] for p in d["plan"]}
    if any(getattr(diary.profile, c) for c in CONTRA):
        assert "sleep_window" not in codes
    if diary.profile.suicidal_thoughts or diary.profile.child_turns_blue:
        assert d["level"] == "urgent"


@SETTINGS
@given(diaries, st.sampled_from(BOOL_PROFILE))
def test_answering_yes_never_lowers_the_level(diary: Diary, answer: str) -> None:
    before = assess(diary, use_insight=False).level
    more = dataclasses.replace(diary, profile=dataclasses.replace(diary.profile, **{answer: True}))
    after = assess(more, use_insight=False).level
    # A yes can only add concern - except where a rule is written as "X but not Y" to hand
    # over to a more specific, higher rule (low mood vs suicidal thoughts and the like).
    assert level_rank(after) >= level_rank(before)
