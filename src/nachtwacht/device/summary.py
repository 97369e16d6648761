"""One call for shells (CLI, web, report): read files, score, compare, rhythm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diary.metrics import period_metrics
from ..diary.types import Night, Profile
from .nights import Comparison, compare, device_nights, draft_nights
from .read import read_device
from .rhythm import rhythm, social_jet_lag
from .types import DeviceNight, Epochs

#: When the device and the diary differ this much on average, the texts explain why
#: (a calm note, never a doubt about what the person wrote).
GAP_TEXT = {
    "nl": ("Uw dagboek en het apparaat verschillen gemiddeld {gap:.0f} minuten in slaaptijd. "
           "Dat is heel gewoon: een apparaat meet beweging, geen slaap. Stil wakker liggen telt het "
           "vaak als slaap. En wie lang slecht slaapt, schat de eigen slaap vaak lager in. Beide "
           "cijfers zijn nuttig voor uw huisarts; uw eigen dagboek blijft leidend."),
    "en": ("Your diary and the device differ by {gap:.0f} minutes of sleep on average. That is very "
           "common: a device measures movement, not sleep. Lying still awake often counts as sleep. "
           "And people who have slept badly for a long time often rate their own sleep lower. Both "
           "figures are useful to your GP; your own diary stays the main record."),
}


@dataclass
class DeviceSummary:
    """Device nights, their place beside the diary, drafts and body-clock figures."""

    nights: list[DeviceNight]
    comparison: list[Comparison]
    drafts: list[Night]
    rhythm: dict[str, Any]
    sources: list[str] = field(default_factory=list)
    recordings: list[Epochs] = field(default_factory=list)
    mean_gap_min: float | None = None
    #: Body-clock flags from the device nights, per language: ``[{code, level, text}]``.
    body_clock: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def gap_text(self, lang: str = "nl") -> str | None:
        """The calm explanation of a large diary-device gap, or ``None``."""
        if self.mean_gap_min is None or abs(self.mean_gap_min) <= 60:
            return None
        return GAP_TEXT[lang].format(gap=abs(self.mean_gap_min))

    def to_dict(self, lang: str = "nl") -> dict[str, Any]:
        """JSON-ready dict."""
        return {"sources": self.sources, "nights": [n.to_dict() for n in self.nights],
                "comparison": [c.to_dict() for c in self.comparison],
                "drafts": [d.to_dict() for d in self.drafts], "rhythm": self.rhythm,
                "mean_gap_min": self.mean_gap_min, "gap_text": self.gap_text(lang),
                "body_clock": self.body_clock}


def summarise(paths: Sequence[str | Path], diary_nights: Sequence[Night] = (),
              method: str = "auto", tz: str = "Europe/Amsterdam",
              profile: Profile | None = None) -> DeviceSummary:
    """Read every file and build the :class:`DeviceSummary`.

    Several files are merged by date; where two give the same date, the first file wins.
    Rhythm figures come from the device when present, from the diary otherwise; the
    body-clock rules run on the device nights (:func:`nachtwacht.device.clock.body_clock_flags`).
    """
    by_date: dict[Any, DeviceNight] = {}
    recs: list[Epochs] = []
    sources = []
    for p in paths:
        data = read_device(p, tz)
        if isinstance(data, Epochs):
            recs.append(data)
            sources.append(f"{Path(p).name}: {data.fmt} {data.device}".strip())
        else:
            sources.append(f"{Path(p).name}: {data[0].source if data else 'leeg'}")
        for n in device_nights(data, method):
            by_date.setdefault(n.date, n)
    nights = [by_date[d] for d in sorted(by_date)]
    comp = compare(diary_nights, nights, tz)
    gaps = [c.diff["tst_min"] for c in comp if c.diff.get("tst_min") is not None]
    gap = round(sum(gaps) / len(gaps), 1) if gaps else None
    if nights:
        rh = rhythm(nights, max(recs, key=lambda r: len(r.counts)) if recs else None, tz)
        rh["from"] = "device"
    else:
        rh = _diary_rhythm(diary_nights, tz)
    clock: dict[str, list[dict[str, str]]] = {}
    if nights:
        from .clock import body_clock_flags

        for lg in ("nl", "en"):
            clock[lg] = [{"code": f.code, "level": f.level, "text": f.text}
                         for f in body_clock_flags(nights, profile, lg, tz)]
    return DeviceSummary(nights, comp, draft_nights(diary_nights, nights), rh, sources, recs, gap, clock)


@dataclass
class StoredSummary:
    """A :class:`DeviceSummary` read back from stored JSON (the web app keeps only that).

    ``activity`` holds the actogram's activity per 10 minutes (first date, rows of bins).
    """

    nights: list[DeviceNight]
    sources: list[str]
    rhythm: dict[str, Any]
    mean_gap_min: float | None
    activity: tuple[Any, list[list[float | None]]] | None = None
    recordings: list[Epochs] = field(default_factory=list)

    def gap_text(self, lang: str = "nl") -> str | None:
        """Same calm text as :meth:`DeviceSummary.gap_text`."""
        if self.mean_gap_min is None or abs(self.mean_gap_min) <= 60:
            return None
        return GAP_TEXT[lang].format(gap=abs(self.mean_gap_min))


def summary_from_json(stored: Sequence[dict[str, Any]]) -> StoredSummary | None:
    """Merge stored summaries (newest first; the newest wins for a date), or ``None``."""
    import datetime as dt

    if not stored:
        return None
    by_date: dict[Any, DeviceNight] = {}
    sources: list[str] = []
    for s in stored:
        sources.extend(s.get("sources", []))
        for d in s.get("nights", []):
            n = DeviceNight.from_dict(d)
            by_date.setdefault(n.date, n)
    if not by_date:
        return None
    newest = stored[0]
    act = newest.get("activity")
    activity = (dt.date.fromisoformat(act["first"]), act["bins"]) if act else None
    return StoredSummary([by_date[k] for k in sorted(by_date)], sources, newest.get("rhythm", {}),
                         newest.get("mean_gap_min"), activity)


def _diary_rhythm(nights: Sequence[Night], tz: str) -> dict[str, Any]:
    from ..diary.metrics import night_metrics

    pm = period_metrics(nights, tz)
    mid = pm["mean_midpoint"]
    sjl = social_jet_lag([night_metrics(n, tz) for n in nights])
    return {"from": "diary", "n_nights": pm["n_nights"],
            "mean_midpoint": mid.strftime("%H:%M") if mid else None,
            "sd_midpoint_min": _r(pm["sd_midpoint_min"]), "sri": _r(pm["sri"]),
            "social_jet_lag_min": _r(sjl)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 1)
