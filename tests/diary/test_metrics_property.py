"""For every night that passes validation: 0 <= TST <= TIB and SE within 0..100."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from nachtwacht.diary.metrics import night_metrics
from nachtwacht.diary.types import Night
from nachtwacht.diary.validate import validate_night

TODAY = dt.date(2030, 1, 1)
_t = st.times().map(lambda t: t.replace(second=0, microsecond=0))
_min = st.none() | st.integers(0, 720).map(float)


@settings(max_examples=150, deadline=None)
@given(st.dates(dt.date(2026, 3, 25), dt.date(2026, 11, 1)), _t, st.none() | _t, _min, _min,
       _t, _t)
def test_valid_nights_have_sane_metrics(day, bed, lo, sol, waso, fw, up) -> None:  # noqa: ANN001
    night = Night(date=day, bedtime=bed, lights_out=lo, sol_min=sol, waso_min=waso,
                  final_wake=fw, out_of_bed=up)
    if validate_night(night, today=TODAY):
        return
    m = night_metrics(night)
    assert 0 < m.tib_min <= 24 * 60
    if m.tst_min is not None:
        assert 0 <= m.tst_min <= m.tib_min
        assert 0 <= m.se_pct <= 100
        assert m.onset_dt <= m.final_wake_dt
