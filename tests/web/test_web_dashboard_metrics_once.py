"""The dashboard computes each night's metrics once and hands them to the chart and the
period summary (issue #16 item 5): the same rows and summary as computing them anew."""

from __future__ import annotations

import pytest

from nachtwacht.diary.demo import demo_diary
from nachtwacht.diary.metrics import night_metrics, period_metrics
from nachtwacht.web import chart


def test_given_metrics_give_the_same_chart_rows_and_period():
    diary = demo_diary(seed=11, weeks=6)
    nights = list(diary.nights)[-28:]
    per = [night_metrics(n, diary.tz) for n in nights]
    assert chart.rows(nights, diary.episodes, diary.tz, metrics=per) == chart.rows(nights, diary.episodes, diary.tz)
    assert period_metrics(nights, diary.tz, metrics=per) == period_metrics(nights, diary.tz)
    with pytest.raises(ValueError):
        period_metrics(nights, diary.tz, metrics=per[:-1])
