"""The quick morning form: every answer a tap (chips, 5-minute time pickers).

The form only collects taps; what they mean is checked afterwards by the one
night form (:class:`nachtwacht.web.forms.NightForm`, i.e. the core's
``validate_night``), so the quick page and the full page refuse the same nights.
Without JavaScript the chips are plain radio buttons and the times plain selects.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from nachtwacht.diary.fields import spec
from nachtwacht.web.quick.drinks import DRINKS, MAX_SERVINGS

#: Chips per count or minutes field; the usual value is added when it is not among them.
GRIDS: dict[str, tuple[float, ...]] = {
    "sol_min": (0, 5, 10, 15, 20, 30, 45, 60, 90, 120),
    "awakenings": (0, 1, 2, 3, 4, 5, 6, 8, 10),
    "waso_min": (0, 5, 10, 15, 20, 30, 45, 60, 90, 120),
    "nap_min": (0, 10, 20, 30, 45, 60, 90, 120),
    "alcohol_units": (0, 1, 2, 3, 4, 5, 6, 8, 10),
}
#: Scales: rated fresh every morning, never pre-filled (a pre-filled feeling is not a
#: measurement, and "like usual" would hide exactly the nights that differ).
SCALES = ("quality", "rested", "stress", "tension", "pain")
#: Time pickers: first option (minutes after midnight) and number of hours shown.
WINDOWS = {"evening": (18 * 60, 12), "morning": (3 * 60, 11), "factor": (6 * 60, 22)}
#: What the quick page never shows (it is behind "more": the full form).
NOT_QUICK = ("date", "notes", "caffeine_mg")
STEP_MIN = 5
#: Where the empty choice of a time picker sits (see :func:`_clock_choices`).
TYPICAL = {"evening": "23:00", "morning": "07:00", "factor": "20:00"}


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def _num(v: float) -> str:
    return f"{v:g}"


def _clock_choices(name: str, initial: dt.time | None) -> list[tuple[str, str]]:
    s = spec("night", name)
    kind = "factor" if s.factor else (s.anchor or "morning")
    start, hours = WINDOWS[kind]
    mins = [(start + i * STEP_MIN) % 1440 for i in range(hours * 60 // STEP_MIN)]
    if initial is not None:
        m = initial.hour * 60 + initial.minute
        if m not in mins:
            mins.append(m)
            mins.sort(key=lambda x: (x - start) % 1440)
    opts = [(f"{m // 60:02d}:{m % 60:02d}",) * 2 for m in mins]
    # The empty choice sits at a typical time, not at the top: a phone's picker opens at
    # the selected option, so a new user starts near 23:00 / 07:00 instead of 18:00.
    at = next((i for i, (v, _label) in enumerate(opts) if v == TYPICAL[kind]), 0)
    return [*opts[:at], ("", "—"), *opts[at:]]


def _chips(name: str, language: str, usual) -> list[tuple[str, str]]:
    s = spec("night", name)
    if s.kind == "bool":
        return [("true", str(_("Yes"))), ("false", str(_("No")))]
    if s.kind == "choice":
        return [(c.code, c.en if language == "en" else c.nl) for c in s.choices]
    if name in SCALES:
        return [(str(i), str(i)) for i in range(int(s.min), int(s.max) + 1)]
    grid = list(GRIDS.get(name, (0, 1, 2, 3)))
    if usual is not None and usual not in grid:
        grid = sorted([*grid, usual])
    # "geen"/"none" on the zero chip of a factor: one tap says "not this time".
    return [(_num(v), str(_("none")) if v == 0 and s.factor else _num(v)) for v in grid]


def _initial_str(s, value) -> str | None:
    if value is None:
        return None
    if s.kind == "clock":
        return value.strftime("%H:%M")
    if s.kind == "bool":
        return "true" if value else "false"
    if s.kind in ("int", "float", "minutes"):
        return _num(value)
    if s.kind in ("list", "multichoice"):
        return "; ".join(value)
    return str(value)


class QuickNightForm(forms.Form):
    """Taps for one night; ``names`` are the night fields this person tracks."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    owner = forms.CharField(widget=forms.HiddenInput)
    caffeine = forms.ChoiceField(required=False, widget=forms.RadioSelect)

    def __init__(self, *args, names, usual: dict, days: list[tuple[str, str]], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.usual = {}
        self.fields["date"] = forms.ChoiceField(label=_("Which night?"), choices=days,
                                                widget=forms.RadioSelect, initial=days[0][0])
        self.fields = {"date": self.fields.pop("date"), **self.fields}
        # An entry queued offline may arrive days later: any real date is accepted here;
        # the core refuses future dates (validate_night), like on the full form.
        self.fields["date"].valid_value = _is_date
        self.scale_names, self.chip_names, self.clock_names, self.text_names = [], [], [], []
        for name in names:
            if name in NOT_QUICK:
                continue
            s = spec("night", name)
            init = _initial_str(s, usual.get(name)) if name not in SCALES else None
            if init is not None:
                self.usual[name] = init
            kw = {"label": s.label(language), "help_text": s.help(language), "required": False,
                  "initial": init}
            if s.kind == "clock":
                self.fields[name] = forms.ChoiceField(choices=_clock_choices(name, usual.get(name)), **kw)
                self.clock_names.append(name)
            elif s.kind in ("list", "multichoice", "text"):
                self.fields[name] = forms.CharField(max_length=s.max_length, **kw)
                self.text_names.append(name)
            else:
                self.fields[name] = forms.ChoiceField(
                    choices=_chips(name, language, usual.get(name)), widget=forms.RadioSelect, **kw)
                (self.scale_names if name in SCALES else self.chip_names).append(name)
        self.has_caffeine = "caffeine_mg" in names
        if self.has_caffeine:
            usual_mg = usual.get("caffeine_mg")
            opts = [("none", str(_("none"))), ("drinks", str(_("the drinks below")))]
            if usual_mg is not None:
                opts.insert(0, ("usual", str(_("like usual (%(mg)s mg)") % {"mg": _num(usual_mg)})))
                self.usual["caffeine_mg"] = _num(usual_mg)
            self.fields["caffeine"].choices = opts
            self.fields["caffeine"].initial = "usual" if usual_mg is not None else None
            self.fields["caffeine"].label = spec("night", "caffeine_mg").label(language).split(" (")[0]
            for d in DRINKS:
                self.fields[f"drink_{d.code}"] = forms.IntegerField(
                    label=f"{d.label(language)} ({d.mg} mg)", min_value=0, max_value=MAX_SERVINGS,
                    required=False, initial=0,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}))
        else:
            del self.fields["caffeine"]
        self.usual_mg = usual.get("caffeine_mg")

    @staticmethod
    def new_key() -> str:
        return str(uuid.uuid4())

    def drink_fields(self):
        return [self[f"drink_{d.code}"] for d in DRINKS] if self.has_caffeine else []

    def night_data(self) -> dict:
        """The answers as the full night form's POST data (same names, same strings)."""
        from nachtwacht.web.quick.drinks import caffeine_mg

        data = self.cleaned_data
        out: dict = {"date": data["date"]}
        for name in (*self.scale_names, *self.chip_names, *self.clock_names, *self.text_names):
            value = data.get(name) or ""
            if spec("night", name).kind == "bool":
                value = value or "unknown"
            out[name] = value
        if self.has_caffeine:
            counts = {d.code: data.get(f"drink_{d.code}") or 0 for d in DRINKS}
            mode = data.get("caffeine")
            if any(counts.values()):
                out["caffeine_mg"] = _num(caffeine_mg(counts))
            elif mode == "usual" and self.usual_mg is not None:
                out["caffeine_mg"] = _num(self.usual_mg)
            elif mode in ("none", "drinks"):
                out["caffeine_mg"] = "0"
            else:
                out["caffeine_mg"] = ""
        return out


#: Counts offered as chips for an episode ("how many times?").
EPISODE_COUNTS = (1, 2, 3, 4, 5, 10)


class QuickEpisodeForm(forms.Form):
    """An episode in a few taps: which night, what, about when, how often."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    owner = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, days: list[tuple[str, str]], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"] = forms.ChoiceField(label=_("Which night?"), choices=days,
                                                widget=forms.RadioSelect, initial=days[0][0])
        self.fields["date"].valid_value = _is_date
        s = spec("episode", "type")
        self.fields["type"] = forms.ChoiceField(
            label=s.label(language), widget=forms.RadioSelect,
            choices=[(c.code, c.en if language == "en" else c.nl) for c in s.choices])
        self.fields["time"] = forms.ChoiceField(
            label=spec("episode", "time").label(language), help_text=spec("episode", "time").help(language),
            required=False, choices=_clock_choices_for("evening", None))
        self.fields["count"] = forms.ChoiceField(
            label=spec("episode", "count").label(language), widget=forms.RadioSelect, required=False,
            choices=[(str(n), str(n)) for n in EPISODE_COUNTS], initial="1")
        self.fields["private"] = forms.BooleanField(required=False, label=_(
            "Private: never show this to my partner or a clinician"))

    def episode_data(self) -> dict:
        """The answers as the full episode form's POST data."""
        d = self.cleaned_data
        out = {"date": d["date"], "type": d["type"], "time": d.get("time") or "",
               "count": d.get("count") or ""}
        if d.get("private"):
            out["private"] = "on"
        return out


def _clock_choices_for(kind: str, initial: dt.time | None) -> list[tuple[str, str]]:
    start, hours = WINDOWS[kind]
    mins = [(start + i * STEP_MIN) % 1440 for i in range(hours * 60 // STEP_MIN)]
    opts = [(f"{m // 60:02d}:{m % 60:02d}",) * 2 for m in mins]
    at = next((i for i, (v, _label) in enumerate(opts) if v == TYPICAL[kind]), 0)
    return [*opts[:at], ("", "—"), *opts[at:]]
