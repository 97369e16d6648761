"""CBT-I sleep window: start at the mean sleep time (min 5 h), then 15-minute steps by efficiency."""

from __future__ import annotations

import pytest

from nachtwacht.triage.sleep_window import start_window, titrate, window_hours


@pytest.mark.parametrize(("tst", "window"), [(200, 300), (299, 300), (367, 360), (368, 375), (452, 450)])
def test_start_window(tst: float, window: int) -> None:
    assert start_window(tst) == window


@pytest.mark.parametrize(("se", "window"), [(92, 375), (90, 375), (89.9, 360), (85, 360), (84.9, 345)])
def test_titration(se: float, window: int) -> None:
    assert titrate(360, se) == window


def test_titration_never_below_five_hours() -> None:
    assert titrate(300, 60) == 300
    assert titrate(305, 60) == 300


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="0-100"):
        titrate(360, 120)
    with pytest.raises(ValueError, match="negative"):
        start_window(-5)


def test_window_in_words() -> None:
    assert window_hours(390, "nl") == "6 uur en 30 minuten"
    assert window_hours(360, "en") == "6 hours"
