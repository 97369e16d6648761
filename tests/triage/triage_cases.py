"""Helpers for the written triage cases: a short diary and profile per file, with the level a sleep physician would give.

Case file keys
--------------
description  what the case is about.
expect       ``{level: X}`` for the exact level (benign cases) or ``{at_least: X}`` for red
             flags; optional ``flags: [codes]`` that must be among the raised flags.
profile      profile answers.
days, end    how many ordinary nights to generate, ending on ``end`` (default 28, 2026-03-01).
defaults     values that replace the ordinary night for every night.
every        list of ``{step, values, offset}``: every ``step``-th night gets ``values``.
nights       per-date overrides ``{date, ...}``.
episodes     episode rows; ``repeat_episodes`` a row put on every ``step``-th night.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from nachtwacht.diary import fields as F  # noqa: N812
from nachtwacht.diary.types import Diary, Episode, Night, Profile

CASES_DIR = Path(__file__).parent / "cases"

ORDINARY_NIGHT: dict[str, Any] = {
    "bedtime": "23:00", "lights_out": "23:10", "sol_min": 15, "awakenings": 1, "waso_min": 10,
    "final_wake": "07:00", "out_of_bed": "07:10", "quality": 4, "rested": 4, "alcohol_units": 0,
    "caffeine_mg": 150, "caffeine_last": "10:00", "stress": 3, "tension": 2, "pain": 0,
}


def _convert(record: str, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        spec = F.spec(record, name)  # type: ignore[arg-type]
        if value is None:
            out[name] = None
        elif spec.kind == "clock":
            if isinstance(value, int):  # YAML 1.1 reads an unquoted 23:00 as sexagesimal
                value = f"{value // 60}:{value % 60:02d}"
            hh, mm = str(value).split(":")
            out[name] = dt.time(int(hh), int(mm))
        elif spec.kind == "date":
            out[name] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        elif spec.kind in ("list", "multichoice"):
            out[name] = tuple(value) if isinstance(value, list) else (str(value),)
        else:
            out[name] = value
    return out


def build_diary(case: dict[str, Any]) -> Diary:
    """Turn a case mapping into a :class:`Diary`."""
    end = case.get("end", dt.date(2026, 3, 1))
    end = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))
    days = int(case.get("days", 28))
    rows: dict[dt.date, dict[str, Any]] = {}
    for i in range(days):
        d = end - dt.timedelta(days=days - 1 - i)
        row = {**ORDINARY_NIGHT, **case.get("defaults", {})}
        for rule in case.get("every", []):
            if (i - rule.get("offset", 0)) % rule["step"] == 0:
                row.update(rule["values"])
        rows[d] = row
    for override in case.get("nights", []):
        override = dict(override)
        d = override.pop("date")
        d = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
        rows.setdefault(d, dict(ORDINARY_NIGHT)).update(override)
    nights = tuple(Night(date=d, **_convert("night", row)) for d, row in sorted(rows.items()))
    episodes = [Episode(**_convert("episode", e)) for e in case.get("episodes", [])]
    rep = case.get("repeat_episodes")
    for spec in ([rep] if isinstance(rep, dict) else rep or []):
        spec = dict(spec)
        step, offset, n = spec.pop("step", 1), spec.pop("offset", 0), spec.pop("nights", days)
        for i in range(days):
            if (i - offset) % step == 0 and n > 0:
                n -= 1
                episodes.append(Episode(date=end - dt.timedelta(days=days - 1 - i),
                                        **_convert("episode", spec)))
    return Diary(nights=nights, episodes=tuple(episodes),
                 profile=Profile(**_convert("profile", case.get("profile", {}))))


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """All case files as ``(name, mapping)``."""
    return [(p.stem, yaml.safe_load(p.read_text(encoding="utf-8")))
            for p in sorted(CASES_DIR.glob("*.yaml"))]


CASES = load_cases()
