"""Any valid night or episode survives write -> read unchanged (property-based)."""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nachtwacht.diary.csvio import read_episodes, read_nights, write_episodes, write_nights
from nachtwacht.diary.fields import EPISODE_FIELDS, NIGHT_FIELDS, FieldSpec
from nachtwacht.diary.types import Episode, Night

TODAY = dt.date(2030, 1, 1)
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=40).filter(lambda s: s == "" or s.strip() != "")
_item = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters=";"),
                min_size=1, max_size=12)


def _value(spec: FieldSpec) -> st.SearchStrategy:
    k = spec.kind
    if k == "clock":
        return st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0))
    if k in ("minutes", "float"):
        return st.none() | st.floats(spec.min or 0, spec.max or 100, allow_nan=False).map(
            lambda x: round(x, 2))
    if k == "int":
        return st.none() | st.integers(int(spec.min or 0), int(spec.max or 10))
    if k == "bool":
        return st.none() | st.booleans()
    if k == "choice":
        return st.none() | st.sampled_from(spec.choice_codes)
    if k == "list":
        return st.lists(_item, max_size=3).map(tuple)
    if k == "text":
        return _text
    raise AssertionError(k)


def _record(cls, specs, **fixed):  # noqa: ANN001, ANN202
    return st.builds(cls, **{s.name: _value(s) for s in specs if s.name not in fixed}, **fixed)


nights = _record(Night, NIGHT_FIELDS, date=st.dates(dt.date(2000, 1, 1), TODAY))
episodes = _record(Episode, EPISODE_FIELDS, date=st.dates(dt.date(2000, 1, 1), TODAY),
                   type=st.sampled_from([c for c in ("sexsomnia", "bruxism", "other")]),
                   reporter=st.sampled_from(("self", "partner")))


def _unique(items: list) -> list:
    seen, out = set(), []
    for x in items:
        if x.date not in seen:
            seen.add(x.date)
            out.append(x)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(nights, max_size=4).map(_unique))
def test_nights_round_trip(ns: list[Night]) -> None:
    # Only nights that pass the cross-field rules are writable as a valid file.
    from nachtwacht.diary.validate import validate_night

    ns = [n for n in ns if not validate_night(n, today=TODAY)]
    buf = io.StringIO()
    write_nights(ns, buf)
    assert read_nights(buf.getvalue(), today=TODAY) == ns


@settings(max_examples=30, deadline=None)
@given(st.lists(episodes, max_size=4))
def test_episodes_round_trip(es: list[Episode]) -> None:
    buf = io.StringIO()
    write_episodes(es, buf)
    assert read_episodes(buf.getvalue(), today=TODAY) == es
